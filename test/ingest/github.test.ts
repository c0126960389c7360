import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GithubClient, githubRepoPath } from '../../src/ingest/github.js';
import { startReplayServer, type Reply } from '../support/replay-server.js';

const server = await startReplayServer();
after(() => server.close());

test('stars with token and ETag: a 304 answers from the cache', async () => {
  const auth: Array<string | undefined> = [];
  const inm: Array<string | null> = [];
  const client = new GithubClient({
    apiUrl: server.url,
    token: 'ghp_test',
    userAgent: 'Papertide-test',
    fetch: (url, init) => {
      const h = new Headers(init?.headers);
      auth.push(h.get('authorization') ?? undefined);
      inm.push(h.get('if-none-match'));
      return fetch(url, init);
    },
  });
  let n = 0;
  server.handle = (r): Reply => {
    assert.equal(r.path, '/repos/papertide-lab/sparse-moe');
    return ++n === 1
      ? { headers: { etag: '"abc"', 'content-type': 'application/json', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': '9999999999' }, body: JSON.stringify({ stargazers_count: 1234 }) }
      : { status: 304, headers: { etag: '"abc"' } };
  };
  assert.deepEqual(await client.stars('https://github.com/papertide-lab/sparse-moe'), { ok: true, stars: 1234, cached: false });
  assert.deepEqual(await client.stars('https://github.com/papertide-lab/sparse-moe.git'), { ok: true, stars: 1234, cached: true });
  assert.deepEqual(auth, ['Bearer ghp_test', 'Bearer ghp_test']);
  assert.deepEqual(inm, [null, '"abc"']);
});

test('rate limit headers: at remaining 0 no request is sent until the reset time', async () => {
  let t = 1_700_000_000_000;
  const client = new GithubClient({ apiUrl: server.url, userAgent: 'x', now: () => t });
  server.requests.length = 0;
  const reset = Math.floor(t / 1000) + 600;
  server.handle = () => ({ headers: { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: JSON.stringify({ stargazers_count: 7 }) });
  assert.equal((await client.stars('https://github.com/a/b')).ok, true);
  const r = await client.stars('https://github.com/a/c');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'rate_limited');
  assert.equal(server.requests.length, 1, 'no request while rate-limited');
  t = reset * 1000 + 1;
  assert.equal((await client.stars('https://github.com/a/c')).ok, true);
  server.handle = () => ({ status: 403, headers: { 'retry-after': '60' }, body: '{"message":"secondary rate limit"}' });
  const s = await client.stars('https://github.com/a/d');
  assert.equal(!s.ok && s.reason, 'rate_limited');
  assert.equal(!s.ok && s.retryAt, t + 60_000);
  server.handle = () => ({ status: 404, body: '{}' });
  t += 61_000;
  assert.equal((await client.stars('https://github.com/a/gone') as { reason: string }).reason, 'not_found');
  assert.equal(githubRepoPath('https://github.com/owner/repo/'), 'owner/repo');
  assert.equal(githubRepoPath('https://gitlab.com/owner/repo'), null);
});
