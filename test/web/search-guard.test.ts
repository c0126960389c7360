/**
 * Search's own door: a per-IP budget shared by /search, /search/suggest and /api/papers/search
 * (separate from every other limit), and a concurrency gate with a short line; past either,
 * 429 with Retry-After. Other pages are not affected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { seedPapers } from '../support/seed.js';
import { BlockedClients, SearchGate } from '../../src/web/middleware/search-guard.js';
import { listen } from '../../src/web/server.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

const turn = () => new Promise((r) => setImmediate(r));

test('SearchGate: one start per turn, at most `concurrency` running, a line of `queue`, then refusal', async () => {
  const g = new SearchGate(2, 2);
  assert.equal(g.enter(), true, 'the first search starts at once');
  const second = g.enter();
  assert.ok(second instanceof Promise, 'a second search in the same turn waits for the next turn');
  const third = g.enter();
  assert.ok(third instanceof Promise);
  assert.equal(g.queued, 2);
  assert.equal(g.enter(), false, 'the line is full');
  assert.equal(await second, true);
  assert.equal(g.running, 2);
  await turn();
  await turn();
  assert.equal(g.running, 2, 'never more than `concurrency` at once');
  assert.equal(g.queued, 1);
  g.leave();
  assert.equal(await third, true);
  assert.equal(g.running, 2);
  g.leave();
  g.leave();
  assert.equal(g.running, 0);
  await turn();
  assert.equal(g.enter(), true, 'idle again: starts at once');
});

test('per-IP search budget: the Nth search passes, the next is 429 with Retry-After, on all three search doors; other pages and IPs unaffected', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z', env: { SEARCH_RATE_PER_MINUTE: '4', TRUST_PROXY: 'true' } });
  await seedPapers(app, [{ id: '2506.00001', featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
  const doors = ['/search?q=study', '/search/suggest?q=study', '/api/papers/search?q=study', '/search?q=things'];
  for (const p of doors) assert.equal((await app.request(p, from('10.0.0.1'))).status, 200, p);
  for (const p of doors.slice(0, 3)) {
    const r = await app.request(p, from('10.0.0.1'));
    assert.equal(r.status, 429, p);
    assert.ok(Number(r.headers.get('retry-after')) >= 1, p);
    const body = await r.text();
    assert.match(body, /Too many search requests\. Try again in \d+ seconds\./, p);
  }
  assert.equal((await app.request('/search?q=study', from('10.0.0.2'))).status, 200, 'another client has its own budget');
  for (let i = 0; i < 10; i++) assert.equal((await app.request('/', from('10.0.0.1'))).status, 200, 'other pages are not limited by search');
  assert.equal((await app.request('/papers/2506.00001', from('10.0.0.1'))).status, 200);
});

test('a full search line answers 429 with Retry-After at once; the searches let in all answer', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z', env: { SEARCH_RATE_PER_MINUTE: '0', SEARCH_CONCURRENCY: '1', SEARCH_QUEUE: '2' } });
  await seedPapers(app, [{ id: '2506.00001', featuredAt: '2025-06-05T08:00:00.000Z' }]);
  await app.request('/search?q=warm'); // build the index before the burst
  await turn();
  const paths = ['/search?q=study', '/search/suggest?q=study', '/api/papers/search?q=study', '/search?q=things', '/search?q=paper', '/api/papers/search?q=good'];
  const rs = await Promise.all(paths.map((p) => app.request(p)));
  assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 429, 429, 429]);
  for (const r of rs.slice(3)) assert.equal(r.headers.get('retry-after'), '1');
  assert.match(await rs[3].text(), /Search is busy right now\. Try again in 1 second\./);
  assert.deepEqual(await rs[5].json(), { error: 'Search is busy right now. Try again in 1 second.' });
  // Once the line has drained, searches go through again.
  assert.equal((await app.request('/search?q=again')).status, 200);
});

test('a full line is refused by the HTTP server itself: the refused searches never reach the app; pages still do', async (t) => {
  const app = await testApp({ now: '2025-06-05T12:00:00Z', env: { SEARCH_RATE_PER_MINUTE: '0', SEARCH_CONCURRENCY: '1', SEARCH_QUEUE: '1' } });
  let reached = 0;
  const server = listen({ fetch: (r, env) => (reached++, app.web.app.fetch(r, env)), early: app.web.early }, { port: 0, hostname: '127.0.0.1' });
  t.after(async () => {
    server.close();
    await app.close();
  });
  await seedPapers(app, [{ id: '2506.00001', featuredAt: '2025-06-05T08:00:00.000Z' }]);
  if (!server.listening) await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // One search running and one waiting: the line (SEARCH_QUEUE=1) is full.
  const gate = app.web.searchGate!;
  assert.equal(gate.enter(), true);
  const waiting = gate.enter();
  assert.ok(gate.full);
  for (const p of ['/search?q=study', '/search', '/search/suggest?q=st']) {
    const r = await fetch(base + p);
    assert.equal(r.status, 429, p);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(r.headers.get('content-type')!, /text\/html/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.match(await r.text(), /<h1>Slow down<\/h1><p>Search is busy right now\. Try again in 1 second\.<\/p>/);
  }
  const api = await fetch(`${base}/api/papers/search?q=study`);
  assert.equal(api.status, 429);
  assert.deepEqual(await api.json(), { error: 'Search is busy right now. Try again in 1 second.' });
  assert.equal(reached, 0, 'no refused search went through the app');
  // Not search, or not a read: the app answers as usual.
  assert.equal((await fetch(`${base}/papers/2506.00001`)).status, 200);
  assert.equal((await fetch(`${base}/searching`)).status, 404);
  assert.equal(reached, 2);
  gate.leave();
  assert.equal(await waiting, true);
  gate.leave();
  assert.equal(gate.full, false);
  const r = await fetch(`${base}/search?q=study`);
  assert.equal(r.status, 200, 'once the line drains, searches go through again');
  assert.equal(reached, 3);
});

test('a client over its search budget is refused by the listener after the first refusal, with the same message and headers; other clients and pages pass', async (t) => {
  const app = await testApp({ now: '2025-06-05T12:00:00Z', env: { SEARCH_RATE_PER_MINUTE: '2', SEARCH_CONCURRENCY: '0', TRUST_PROXY: 'true' } });
  let reached = 0;
  const server = listen({ fetch: (r, env) => (reached++, app.web.app.fetch(r, env)), early: app.web.early }, { port: 0, hostname: '127.0.0.1' });
  t.after(async () => {
    server.close();
    await app.close();
  });
  await seedPapers(app, [{ id: '2506.00001', featuredAt: '2025-06-05T08:00:00.000Z' }]);
  if (!server.listening) await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
  assert.equal((await fetch(`${base}/search?q=study`, from('10.0.0.1'))).status, 200);
  assert.equal((await fetch(`${base}/search?q=study`, from('10.0.0.1'))).status, 200);
  const first = await fetch(`${base}/search?q=study`, from('10.0.0.1'));
  assert.equal(first.status, 429, 'the limiter refuses the third');
  assert.equal(reached, 3);
  const again = await fetch(`${base}/api/papers/search?q=study`, from('10.0.0.1'));
  assert.equal(again.status, 429);
  assert.equal(reached, 3, 'the next refusal is the listener’s: the app is not reached');
  assert.match((await again.json()).error, /^Too many search requests\. Try again in \d+ seconds\.$/);
  for (const h of ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-policy', 'ratelimit']) assert.ok(again.headers.get(h), h);
  assert.equal(again.headers.get('ratelimit-remaining'), '0');
  assert.equal(again.headers.get('ratelimit-policy'), first.headers.get('ratelimit-policy'));
  assert.match(await (await fetch(`${base}/search?q=x`, from('10.0.0.1'))).text(), /Too many search requests\. Try again in \d+ seconds\./);
  assert.equal(reached, 3);
  assert.equal((await fetch(`${base}/search?q=study`, from('10.0.0.2'))).status, 200, 'another client has its own budget');
  assert.equal((await fetch(`${base}/papers/2506.00001`, from('10.0.0.1'))).status, 200, 'other pages are not limited by search');
  assert.equal(reached, 5);
});

test('BlockedClients: a block lasts until its end and not a millisecond more; at most `max` clients are kept, the oldest goes', () => {
  const b = new BlockedClients(2);
  b.block('10.0.0.1', 1_000);
  assert.equal(b.left('10.0.0.1', 0), 1_000);
  assert.equal(b.left('10.0.0.1', 999), 1);
  assert.equal(b.left('10.0.0.1', 1_000), 0, 'ended');
  assert.equal(b.left('10.0.0.1', 500), 0, 'and forgotten');
  b.block('a', 5_000);
  b.block('b', 5_000);
  b.block('c', 5_000);
  assert.equal(b.left('a', 0), 0, 'the oldest went');
  assert.equal(b.left('b', 0), 5_000);
  assert.equal(b.left('c', 0), 5_000);
});
