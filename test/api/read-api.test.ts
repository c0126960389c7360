/**
 * The read API on a real store (the 62 demo papers, featured on one day): every endpoint's
 * bad parameters answer `{"error": "..."}` with the right status (never a 500), CORS for GET,
 * rate limits per IP with RateLimit-* headers and 429, and the lists' contents.
 */
import net from 'node:net';
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp, useApp } from '../support/app.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { ApiItem, ApiPaper } from '../../src/web/api/schemas.js';

let app: TestApp;
const DAY = '2025-06-04';

before(async () => {
  app = await testApp({ now: `${DAY}T12:00:00Z` });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: DAY, onChanged: (ids) => papersChanged(app.ctx, ids) });
});
after(async () => app?.close());

async function expectError(url: string, status: number, pattern: RegExp, init?: RequestInit) {
  const res = await app.request(url, init);
  assert.equal(res.status, status, `${url} → ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, url);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['error'], url);
  assert.match(body.error, pattern, `${url}: ${body.error}`);
}

describe('bad parameters: 400/404 with a readable {"error"}', () => {
  test('/api/daily_papers: dates, weeks, months, limits, pages, sort, submitter', async () => {
    await expectError('/api/daily_papers?date=2025-02-30', 400, /not a date: use YYYY-MM-DD/);
    await expectError('/api/daily_papers?date=20250604', 400, /not a date/);
    await expectError('/api/daily_papers?date=', 400, /not a date/);
    await expectError('/api/daily_papers?week=2025-W60', 400, /not an ISO week/);
    await expectError('/api/daily_papers?week=2025-W53', 400, /not an ISO week/); // 2025 has 52 weeks
    assert.equal((await app.request('/api/daily_papers?week=2026-W53')).status, 200); // 2026 has 53
    await expectError('/api/daily_papers?week=2025-23', 400, /not an ISO week/);
    await expectError('/api/daily_papers?month=2025-13', 400, /not a month/);
    await expectError('/api/daily_papers?month=June', 400, /not a month/);
    await expectError('/api/daily_papers?date=2025-06-04&week=2025-W23', 400, /only one of date, week or month/);
    await expectError('/api/daily_papers?limit=0', 400, /limit must be at least 1/);
    await expectError('/api/daily_papers?limit=101', 400, /limit must be at most 100/);
    await expectError('/api/daily_papers?limit=abc', 400, /limit must be a whole number/);
    await expectError('/api/daily_papers?limit=1.5', 400, /limit must be a whole number/);
    await expectError('/api/daily_papers?limit=99999999999999999999', 400, /limit must be a whole number/);
    await expectError('/api/daily_papers?p=-1', 400, /p must be a whole number/);
    await expectError('/api/daily_papers?p=10001', 400, /p must be at most 10000/);
    await expectError('/api/daily_papers?sort=upvotes', 400, /sort must be one of "publishedAt", "trending"/);
    await expectError(`/api/daily_papers?submitter=${'x'.repeat(101)}`, 400, /submitter/);
  });

  test('/api/papers/search: missing, empty and over-long q; limits', async () => {
    await expectError('/api/papers/search', 400, /q is required/);
    await expectError('/api/papers/search?q=', 400, /q must not be empty/);
    await expectError('/api/papers/search?q=%20%20', 400, /q must not be empty/);
    await expectError(`/api/papers/search?q=${'a'.repeat(251)}`, 400, /q must be at most 250 characters/);
    await expectError('/api/papers/search?q=x&limit=0', 400, /limit must be at least 1/);
    await expectError('/api/papers/search?q=x&limit=121', 400, /limit must be at most 120/);
    const ok = await app.request(`/api/papers/search?q=${'a'.repeat(250)}&limit=120`);
    assert.equal(ok.status, 200);
  });

  test('/api/papers: cursors and limits', async () => {
    await expectError('/api/papers?cursor=not*a*cursor', 400, /cursor is not valid/);
    await expectError(`/api/papers?cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 400, /cursor is not valid/);
    await expectError(`/api/papers?cursor=${Buffer.from('[1,2]').toString('base64url')}`, 400, /cursor is not valid/);
    await expectError('/api/papers?cursor=AAAA', 400, /cursor is not valid/);
    await expectError(`/api/papers?cursor=${'A'.repeat(401)}`, 400, /cursor is not valid/);
    await expectError('/api/papers?limit=0', 400, /limit must be at least 1/);
    await expectError('/api/papers?limit=101', 400, /limit must be at most 100/);
  });

  test('/api/papers/{id} and /similar: malformed and unknown ids are both 404, as on Hugging Face', async () => {
    await expectError('/api/papers/not-an-id', 404, /No paper with arXiv id “not-an-id” here \(arXiv ids look like/);
    await expectError('/api/papers/2401.1', 404, /No paper with arXiv id “2401\.1”/);
    await expectError('/api/papers/%E0%A4%A', 404, /No paper with arXiv id/);
    await expectError('/api/papers/1234.56789', 404, /No paper with arXiv id/);
    await expectError('/api/papers/2401.99999', 404, /No paper with arXiv id 2401\.99999/);
    await expectError('/api/papers/hep-th/9901001', 404, /No paper with arXiv id hep-th\/9901001/);
    await expectError('/api/papers/nonsense/similar', 404, /No paper with arXiv id “nonsense”/);
    await expectError('/api/papers/2401.99999/similar', 404, /No paper/);
    await expectError('/api/papers/2402.00281/similar?limit=51', 400, /limit must be at most 50/);
  });

  test('/api/trending: limits and pages; unknown routes', async () => {
    await expectError('/api/trending?limit=0', 400, /limit must be at least 1/);
    await expectError('/api/trending?limit=500', 400, /limit must be at most 100/);
    await expectError('/api/trending?p=x', 400, /p must be a whole number/);
    await expectError('/api/trending?window=year', 400, /window must be one of "day", "week", "month"/);
    await expectError('/api/nope', 404, /No route for GET \/api\/nope/);
  });

  test('writes without a token are 401; a bad Authorization header is 401 on reads too', async () => {
    await expectError('/api/papers/2402.00281/upvote', 401, /API token/, { method: 'POST' });
    await expectError('/api/daily_papers', 401, /Bearer <token>/, { headers: { authorization: 'Basic abc' } });
    await expectError('/api/daily_papers', 401, /unknown or revoked/, { headers: { authorization: 'Bearer pt_nope' } });
  });
});

describe('contents', () => {
  test('daily papers of the demo day, most upvoted first, every item HF-shaped', async () => {
    const res = await app.request(`/api/daily_papers?date=${DAY}`);
    assert.equal(res.status, 200);
    const items = (await res.json()) as any[];
    assert.equal(items.length, 50); // default limit
    for (const it of items) ApiItem.parse(it);
    const all = (await (await app.request(`/api/daily_papers?date=${DAY}&limit=100`)).json()) as any[];
    assert.equal(all.length, 62);
    assert.deepEqual((await (await app.request('/api/daily_papers?date=2025-06-05')).json()), []);
  });

  test('search uses the search engine when it is wired in', async () => {
    const items = (await (await app.request('/api/papers/search?q=facial%20expression&limit=5')).json()) as any[];
    assert.equal(items[0]?.paper.id, '2402.00281');
  });

  test('search (fallback when the search service is absent) finds papers by words of the title', async (t) => {
    const engine = app.ctx.search;
    app.ctx.search = null; // the plain-SQL fallback (also used while the index is being built)
    t.after(() => (app.ctx.search = engine));
    const res = await app.request('/api/papers/search?q=facial%20expression&limit=5');
    assert.equal(res.status, 200);
    const items = (await res.json()) as any[];
    assert.ok(items.length >= 1);
    for (const it of items) ApiItem.parse(it);
    assert.ok(items.some((x) => x.paper.id === '2402.00281'));
    assert.ok(items.every((x) => /facial/i.test(x.title + x.summary) && /expression/i.test(x.title + x.summary)));
    assert.deepEqual(await (await app.request('/api/papers/search?q=%25%25%25_')).json(), []); // LIKE wildcards are literal
  });

  test('similar papers exclude the paper itself; trending lists visible papers', async () => {
    const sim = (await (await app.request('/api/papers/2402.00281/similar?limit=5')).json()) as any[];
    assert.ok(sim.length <= 5);
    assert.ok(sim.every((x) => x.paper.id !== '2402.00281'));
    const tr = (await (await app.request('/api/trending?limit=10')).json()) as any[];
    assert.equal(tr.length, 10);
    for (const it of tr) {
      ApiItem.parse(it);
      assert.equal(typeof it.paper.trendingScore, 'number');
    }
    for (let i = 1; i < tr.length; i++) assert.ok(tr[i - 1].paper.trendingScore >= tr[i].paper.trendingScore, 'highest score first');
    const p1 = (await (await app.request('/api/trending?limit=10&p=1')).json()) as any[];
    assert.equal(new Set([...tr, ...p1].map((x) => x.paper.id)).size, 20);
  });

  test('a paper by id is the flat object', async () => {
    const p = await (await app.request('/api/papers/2402.00281')).json();
    ApiPaper.parse(p);
    assert.equal(p.id, '2402.00281');
    assert.ok(p.authors.length > 0 && typeof p.authors[0].name === 'string');
  });
});

describe('CORS and rate limits', () => {
  test('GET is open to any origin; preflight allows GET only', async () => {
    const res = await app.request('/api/daily_papers', { headers: { origin: 'https://example.org' } });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const pre = await app.request('/api/daily_papers', { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.doesNotMatch(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  test('anonymous reads are limited per IP: RateLimit-* headers, then 429 with Retry-After', async (t) => {
    const limited = await useApp(t, { env: { RATE_LIMIT_PER_MINUTE: '3' } });
    const ip = (n: number) => ({ headers: { 'x-forwarded-for': `10.0.0.${n}` } });
    for (let i = 0; i < 3; i++) {
      const res = await limited.request('/api/daily_papers', ip(1));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-limit'), '3');
      assert.equal(res.headers.get('ratelimit-remaining'), String(2 - i));
      assert.ok(res.headers.get('ratelimit-reset'));
    }
    const res = await limited.request('/api/daily_papers', ip(1));
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.match((await res.json()).error, /Too many API requests/);
    // Bad parameters count too but never turn into a 500.
    assert.equal((await limited.request('/api/daily_papers?limit=0', ip(1))).status, 429);
  });

  test('REDIS_URL pointing at nothing: limited reads still answer (counted in this process), never a 500', async (t) => {
    // A port nothing listens on: the Redis client cannot connect, the insurance limiter counts.
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const limited = await useApp(t, { env: { RATE_LIMIT_PER_MINUTE: '2', REDIS_URL: `redis://127.0.0.1:${closed}/0`, LOG_LEVEL: 'silent' } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await limited.request('/api/daily_papers')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
  });

  test('with TRUST_PROXY another client IP has its own budget', async (t) => {
    const limited = await useApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: 'true' } });
    assert.equal((await limited.request('/api/trending', { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 200);
    assert.equal((await limited.request('/api/trending', { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 429);
    assert.equal((await limited.request('/api/trending', { headers: { 'x-forwarded-for': '10.0.0.2' } })).status, 200);
  });
});
