/** Headers an attacker controls: X-Forwarded-For must not buy a fresh rate-limit budget unless TRUST_PROXY says a proxy sets it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { FormClient } from '../support/form-client.js';

/** Sign-up attempts (cheap 400s count too), each from a different claimed address, until a 429. */
async function signupsUntilLimited(b: FormClient, claimedIp: (i: number) => string, max = 15): Promise<number | null> {
  await b.get('/signup');
  for (let i = 0; i < max; i++) {
    const r = await b.post('/signup', { name: `user${i}`, email: `u${i}@example.org`, password: 'x' }, { 'x-forwarded-for': claimedIp(i) });
    if (r.status === 429) return i;
  }
  return null;
}

test('TRUST_PROXY off: a new spoofed X-Forwarded-For on every request still hits the per-IP limit', async (t) => {
  const app = await useApp(t, { env: { TRUST_PROXY: 'false' } });
  const limitedAt = await signupsUntilLimited(new FormClient(app), (i) => `203.0.113.${i + 1}, 10.0.0.1`);
  assert.notEqual(limitedAt, null, 'spoofed addresses gave every sign-up a fresh budget');
});

test('TRUST_PROXY on: the proxy-set first hop is the client, so distinct clients have distinct budgets', async (t) => {
  const app = await useApp(t, { env: { TRUST_PROXY: 'true' } });
  assert.equal(await signupsUntilLimited(new FormClient(app), (i) => `203.0.113.${i + 1}, 10.0.0.1`), null);
  // One client behind the proxy is still limited.
  assert.notEqual(await signupsUntilLimited(new FormClient(app), () => '198.51.100.7, 10.0.0.1'), null);
});
