/** /submit over HTTP: from the store, from arXiv (a local replay server), and every refusal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { testApp, useApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { startReplayServer } from '../support/replay-server.js';
import { createArxivFetcher } from '../../src/ingest/index.js';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'arxiv');
const msg = (html: string) => /<p class="error-text"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';

test('submit a paper from the store: featured today, on the daily page, trending scored', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: '2506.01234', publishedAt: '2025-06-02T10:00:00.000Z', title: 'Fresh <b>results</b>' }]);
  const { browser: b } = await signedIn(app, 'alice');
  const form = await b.get('/submit');
  assert.equal(form.status, 200);
  const r = await b.post('/submit', { arxiv: 'https://arxiv.org/abs/2506.01234v2' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/papers/2506.01234?submitted=2025-06-05');
  const paper = await b.get('/papers/2506.01234');
  assert.match(paper.html, /2025-06-05<\/a> by <a href="\/u\/alice">alice<\/a>/);
  assert.match(paper.html, /Fresh &lt;b&gt;results&lt;\/b&gt;/, 'titles are escaped');
  const daily = await (await app.request('/papers/date/2025-06-05')).text();
  assert.match(daily, /2506\.01234/);
  const trending = await (await app.request('/papers/trending?window=day')).text();
  assert.match(trending, /2506\.01234/);
});

test('submit refusals read clearly: bad id, too old, already featured, daily limit, signed out, unverified', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z', env: { SUBMIT_PER_USER_PER_DAY: '2' } });
  await seedPapers(app, [
    { id: '2505.00001', publishedAt: '2025-05-01T00:00:00.000Z' },
    { id: '2506.00002', publishedAt: '2025-06-04T00:00:00.000Z', featuredAt: '2025-06-04T09:00:00.000Z' },
    { id: '2506.00003', publishedAt: '2025-06-04T00:00:00.000Z' },
    { id: '2506.00004', publishedAt: '2025-06-04T00:00:00.000Z' },
    { id: '2506.00005', publishedAt: '2025-06-04T00:00:00.000Z' },
  ]);
  const { browser: b } = await signedIn(app, 'alice');
  const bad = await b.post('/submit', { arxiv: '<script>alert(1)</script>' });
  assert.equal(bad.status, 400);
  assert.match(msg(bad.html), /is not an arXiv id or URL/);
  assert.doesNotMatch(bad.html, /<script>alert/);
  const empty = await b.post('/submit', { arxiv: '   ' });
  assert.equal(empty.status, 400);
  const old = await b.post('/submit', { arxiv: '2505.00001' });
  assert.equal(old.status, 400);
  assert.match(msg(old.html), /published on 2025-05-01, 35 days ago\. Only papers published in the last 14 days/);
  const dup = await b.post('/submit', { arxiv: '2506.00002' });
  assert.equal(dup.status, 409);
  assert.match(msg(dup.html), /already featured, on 2025-06-04/);
  assert.equal((await b.post('/submit', { arxiv: '2506.00003' })).status, 303);
  assert.equal((await b.post('/submit', { arxiv: '2506.00004' })).status, 303);
  const limit = await b.post('/submit', { arxiv: '2506.00005' });
  assert.equal(limit.status, 429);
  assert.match(msg(limit.html), /submitted 2 papers today/);
  assert.ok(Number(limit.res.headers.get('retry-after')) > 0);
  // Someone else may still submit it.
  const { browser: other } = await signedIn(app, 'bob');
  assert.equal((await other.post('/submit', { arxiv: '2506.00005' })).status, 303);

  const anon = new FormClient(app);
  assert.equal((await anon.get('/submit')).res.status, 303);
  const { browser: unverified } = await signedIn(app, 'newbie', 'user', { verified: false });
  const u = await unverified.post('/submit', { arxiv: '2506.00005' });
  assert.equal(u.status, 403);
  assert.match(msg(u.html), /Verify your email/);
});

test('not in the store: fetched from arXiv (a local replay server); unreachable arXiv is a clear 503', async (t) => {
  const atom = fs.readFileSync(path.join(FIXTURES, 'api-query.atom.xml'), 'utf8');
  const server = await startReplayServer((req) => (req.query.get('id_list')?.startsWith('2403.05555') ? { status: 200, headers: { 'content-type': 'application/atom+xml' }, body: atom } : { status: 200, headers: { 'content-type': 'application/atom+xml' }, body: atom.replace(/<entry>[\s\S]*<\/entry>/g, '') }));
  const app = await testApp({ now: '2024-03-10T12:00:00Z', env: { ARXIV_API_URL: `${server.url}/api/query`, ARXIV_MIN_INTERVAL_MS: '0' } });
  try {
    const { browser: b } = await signedIn(app, 'alice');
    const r = await b.post('/submit', { arxiv: 'arXiv:2403.05555' });
    assert.equal(r.status, 303, msg(r.html));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].query.get('id_list'), '2403.05555');
    const page = await b.get('/papers/2403.05555');
    assert.equal(page.status, 200);
    const unknown = await b.post('/submit', { arxiv: '2403.09999' });
    assert.equal(unknown.status, 404);
    assert.match(msg(unknown.html), /arXiv has no paper 2403\.09999/);
  } finally {
    await app.close();
    await server.close();
  }
  // Unreachable: nothing listens on the port.
  const app2 = await useApp(t, { now: '2024-03-10T12:00:00Z', env: { ARXIV_API_URL: 'http://127.0.0.1:9/api/query', ARXIV_MIN_INTERVAL_MS: '0' } });
  app2.ctx.arxiv = createArxivFetcher(app2.ctx, { maxRetries: 0 }); // the shared fetcher, without retries for the test
  const { browser: b } = await signedIn(app2, 'alice');
  const r = await b.post('/submit', { arxiv: '2403.05555' });
  assert.equal(r.status, 503);
  assert.match(msg(r.html), /not in the store and arXiv is unreachable/);
});
