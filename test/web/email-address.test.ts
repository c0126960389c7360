/**
 * One email check for every form: sign-up and the digest subscription used to disagree
 * (sign-up took `ada@example-.org`, whose domain label ends with a hyphen and which no mail
 * system routes; subscribing refused it). Both now refuse it with the same sentence, and both
 * take the same odd-but-valid address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../support/app.js';
import { FormClient } from '../support/form-client.js';

/** The form's error line (the account forms' `error-text`, the subscribe field's `field-error`). */
const errorLine = (html: string) => /<p [^>]*class="(?:error-text|field-error)"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';

test('sign-up, login, password reset and subscribe give one verdict and one message for an address', async (t) => {
  const app = await testApp();
  t.after(() => app.close());
  const b = new FormClient(app);
  await b.get('/signup');
  const bad = 'ada@example-.org';
  const signup = await b.post('/signup', { name: 'ada', email: bad, password: 'long enough pw' });
  const subscribe = await b.post('/subscribe', { email: bad });
  const forgot = await b.post('/forgot', { email: bad });
  const login = await b.post('/login', { email: bad, password: 'whatever pw' });
  for (const [form, r] of [['signup', signup], ['subscribe', subscribe], ['forgot', forgot], ['login', login]] as const) {
    assert.equal(r.status, 400, form);
    assert.match(errorLine(r.html), /is not a valid domain name/, form);
  }
  assert.equal(errorLine(signup.html), errorLine(subscribe.html));
  // The reasons read the same on every form: a missing @ names the address and says what a valid one looks like.
  const noAt = await b.post('/signup', { name: 'ada', email: 'not-an-email', password: 'long enough pw' });
  const noAtSub = await b.post('/subscribe', { email: 'not-an-email' });
  assert.equal(errorLine(noAt.html), errorLine(noAtSub.html));
  assert.match(errorLine(noAt.html), /missing the @ sign: a valid email address looks like name@example.org/);
  // An address the check accepts is accepted by sign-up too (and stored normalised).
  const ok = await b.post('/signup', { name: 'ada', email: ' Ada+Papers@Example.ORG ', password: 'long enough pw' });
  assert.equal(ok.status, 200, errorLine(ok.html));
  const row = await app.ctx.store.db.selectFrom('users').select('email').where('name', '=', 'ada').executeTakeFirstOrThrow();
  assert.equal(row.email, 'ada+papers@example.org');
});
