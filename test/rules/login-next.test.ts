/** After login, `next` sends the user to a same-site page, never to another host however it is spelled. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { FormClient, linkFromMail } from '../support/form-client.js';

test('login with a hostile next lands on /, a same-site next is kept', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('hugo', 'hugo@example.org');
  await b.get(new URL(await linkFromMail(app, 'hugo@example.org', 'verify'), 'http://x').pathname + new URL(await linkFromMail(app, 'hugo@example.org', 'verify'), 'http://x').search);
  for (const [next, want] of [
    ['/\\evil.example', '/'],
    ['/.//evil.example', '/'],
    ['/%2e//evil.example/', '/'],
    ['/a/..//evil.example', '/'],
    ['//evil.example', '/'],
    ['/papers/2401.12345#comments', '/papers/2401.12345#comments'],
  ]) {
    const fresh = new FormClient(app);
    await fresh.get('/login');
    const r = await fresh.post('/login', { email: 'hugo@example.org', password: 'correct horse battery', next });
    assert.equal(r.status, 303, next);
    assert.equal(r.location, want, next);
    // The login form echoes `next` only when it is safe.
    const form = await fresh.request(`/login?next=${encodeURIComponent(next)}`);
    assert.doesNotMatch(await form.text(), /value="\/\/evil|value="\/\\/, next);
  }
});
