/** Pasting an arXiv id or URL the store lacks into search imports it from arXiv (a local replay server) first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { testApp, useApp } from '../support/app.js';
import { startReplayServer } from '../support/replay-server.js';
import { createArxivFetcher } from '../../src/ingest/index.js';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'arxiv');

test('a pasted arXiv URL of an unknown paper is imported, then opened; offline it still lands on a helpful page', async (t) => {
  const atom = fs.readFileSync(path.join(FIXTURES, 'api-query.atom.xml'), 'utf8');
  const server = await startReplayServer(() => ({ status: 200, headers: { 'content-type': 'application/atom+xml' }, body: atom }));
  const app = await testApp({ env: { ARXIV_API_URL: `${server.url}/api/query`, ARXIV_MIN_INTERVAL_MS: '0' } });
  try {
    const r = await app.request(`/search?q=${encodeURIComponent('https://arxiv.org/abs/2403.01234v2')}`);
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/papers/2403.01234');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].query.get('id_list'), '2403.01234');
    assert.equal((await app.request('/papers/2403.01234')).status, 200, 'imported before the redirect');
    // Known now: no second request to arXiv.
    await app.request('/search?q=2403.01234');
    assert.equal(server.requests.length, 1);
  } finally {
    await app.close();
    await server.close();
  }
  const offline = await useApp(t, { env: { ARXIV_API_URL: 'http://127.0.0.1:9/api/query', ARXIV_MIN_INTERVAL_MS: '0' } });
  offline.ctx.arxiv = createArxivFetcher(offline.ctx, { maxRetries: 0 });
  const r = await offline.request('/search?q=2403.01234');
  assert.equal(r.status, 302);
  const page = await offline.request('/papers/2403.01234');
  assert.equal(page.status, 404);
  assert.match(await page.text(), /Submit it to Papertide/);
});
