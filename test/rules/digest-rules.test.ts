/**
 * Digest rules as a subscriber meets them: daily digests on weekdays only, Monday's covering
 * Friday to Sunday; two senders never deliver a message twice; links from before an
 * unsubscribe no longer change anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { startSmtp } from '../support/smtp.js';
import { createMail } from '../../src/mail/mail.service.js';
import { enqueueMail } from '../../src/mail/outbox.repository.js';
import { buildDueDigests } from '../../src/digests/digest.service.js';
import { paper, seedPapers, addActiveSubscriber, linkIn } from '../support/digests.js';
import { FormClient } from '../support/form-client.js';

const digestsTo = async (app: Awaited<ReturnType<typeof testApp>>, email: string) =>
  (await app.ctx.store.db.selectFrom('outbox').select(['html_body', 'created_at']).where('to_address', '=', email).where('kind', '=', 'digest').orderBy('id').execute()).map((r) => ({
    at: String(r.created_at).slice(0, 10),
    ids: [...String(r.html_body).matchAll(/\/papers\/(\d{4}\.\d{5})/g)].map((m) => m[1]).filter((v, i, a) => a.indexOf(v) === i).sort(),
  }));

test('daily digests go out Monday to Friday; Monday’s includes what arrived Friday after its digest and over the weekend', async (t) => {
  // Friday 2025-06-06, 07:00: a digest; then papers on Friday afternoon, Saturday, Sunday; a weekly subscriber too.
  const app = await useApp(t, { now: '2025-06-06T07:00:00Z' });
  await seedPapers(app, [{ ...paper('2506.00001'), score: 1 }], '2025-06-05T09:00:00.000Z');
  await addActiveSubscriber(app, 'daily@example.org');
  await addActiveSubscriber(app, 'weekly@example.org', { cadence: 'weekly', lastDigestAt: '2025-05-31T07:00:00.000Z' });
  await buildDueDigests(app.ctx);
  assert.deepEqual(await digestsTo(app, 'daily@example.org'), [{ at: '2025-06-06', ids: ['2506.00001'] }], 'Friday: a daily digest');

  await seedPapers(app, [{ ...paper('2506.00002'), score: 3 }], '2025-06-06T15:00:00.000Z');
  await seedPapers(app, [{ ...paper('2506.00003'), score: 2 }], '2025-06-07T10:00:00.000Z');
  for (const weekend of ['2025-06-07T07:00:00Z', '2025-06-07T23:59:00Z', '2025-06-08T07:00:00Z']) {
    app.clock.set(weekend);
    await buildDueDigests(app.ctx);
    assert.equal((await digestsTo(app, 'daily@example.org')).length, 1, `no daily digest on ${weekend}`);
  }
  assert.equal((await digestsTo(app, 'weekly@example.org')).length, 1, 'the weekly digest does go out at the weekend');
  await seedPapers(app, [{ ...paper('2506.00004'), score: 1 }], '2025-06-08T20:00:00.000Z');

  app.clock.set('2025-06-09T07:00:00Z');
  await buildDueDigests(app.ctx);
  const daily = await digestsTo(app, 'daily@example.org');
  assert.equal(daily.length, 2);
  assert.deepEqual(daily[1], { at: '2025-06-09', ids: ['2506.00002', '2506.00003', '2506.00004'] }, 'Monday: Friday afternoon, Saturday and Sunday, not Friday morning again');
  // Tuesday: only what arrived since Monday's.
  await seedPapers(app, [{ ...paper('2506.00005'), score: 1 }], '2025-06-09T12:00:00.000Z');
  app.clock.set('2025-06-10T07:00:00Z');
  await buildDueDigests(app.ctx);
  assert.deepEqual((await digestsTo(app, 'daily@example.org'))[2], { at: '2025-06-10', ids: ['2506.00005'] });
});

test('two senders draining the same outbox at once deliver every message exactly once', async (t) => {
  const smtp = await startSmtp();
  const app = await testApp({ now: '2025-06-04T12:00:00Z', env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000' } });
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const n = 24;
  for (let i = 0; i < n; i++) await enqueueMail(app.ctx.store.db, { kind: 'verify', dedupeKey: `k${i}`, to: `u${i}@example.org`, subject: `Hello ${i}`, text: `plain ${i}` }, app.clock.now());
  // two senders, as two processes would have (each its own transport)
  const [a, b] = await Promise.all([createMail(app.ctx).sender.sendDue(), createMail(app.ctx).sender.sendDue()]);
  await smtp.waitFor(n);
  assert.equal(a.sent + b.sent, n);
  assert.ok(a.sent > 0 && b.sent > 0, `both senders worked (${a.sent} + ${b.sent})`);
  await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive by now
  assert.equal(smtp.messages.length, n);
  for (let i = 0; i < n; i++) assert.equal(smtp.to(`u${i}@example.org`).length, 1, `u${i}`);
});

test('after unsubscribing, the manage link of an earlier digest no longer opens or changes the subscription', async (t) => {
  const smtp = await startSmtp();
  const app = await testApp({ now: '2025-06-04T12:00:00Z', env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000', BASE_URL: 'http://papertide.test' } });
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const db = app.ctx.store.db;
  await seedPapers(app, [{ ...paper('2506.00001'), score: 1 }], '2025-06-04T08:00:00.000Z');
  await addActiveSubscriber(app, 'zoe@example.org');
  await buildDueDigests(app.ctx);
  await app.ctx.mail.sender.sendDue();
  await smtp.waitFor(1);
  const text = String(smtp.to('zoe@example.org')[0].mail.text);
  const manage = linkIn(text, '/subscription/');
  const b = new FormClient(app);
  assert.equal((await b.get(manage)).res.status, 200, 'the manage link works before');
  const unsub = linkIn(text, '/unsubscribe/');
  await b.get(unsub);
  assert.equal((await b.post(unsub, {})).res.status, 200);
  const page = await b.get(manage);
  assert.ok(page.res.status >= 400 && page.res.status < 500, `old manage link: ${page.res.status}`);
  assert.match(page.html, /no longer valid/);
  const change = await b.post(manage, { cadence: 'weekly', max_papers: '5' });
  assert.ok(change.res.status >= 400 && change.res.status < 500);
  const sub = await db.selectFrom('subscriptions').selectAll().where('email', '=', 'zoe@example.org').executeTakeFirstOrThrow();
  assert.deepEqual([sub.status, sub.cadence], ['unsubscribed', 'daily']);
  // The unsubscribe link itself stays harmless to repeat.
  assert.equal((await b.post(unsub, {})).res.status, 200);
});
