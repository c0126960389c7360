import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createContext } from '../../src/app.js';
import { createArxivFetcher } from '../../src/ingest/index.js';
import { ingestJobs, runRssIngest } from '../../src/jobs/ingest.job.js';
import { getPaper } from '../../src/papers/papers.repository.js';
import { freshEnv } from '../support/app.js';
import { startReplayServer } from '../support/replay-server.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

async function jobContext(rssUrl: string) {
  const env = await freshEnv({ ARXIV_RSS_URL: rssUrl, ARXIV_MIN_INTERVAL_MS: '0', INGEST_SCHEDULE: 'daily', LOG_LEVEL: 'info' });
  const lines: Array<{ level: number; msg: string }> = [];
  const dest = new Writable({ write: (chunk, _e, cb) => (lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l))), cb()) });
  const ctx = await createContext(env.config, { logger: pino({ level: 'info' }, dest) });
  ctx.arxiv = createArxivFetcher(ctx, { backoffMs: 1, maxRetries: 2 }); // fast retries in tests
  after(async () => {
    await ctx.close();
    await env.cleanup();
  });
  return { ctx, lines };
}

test('the scheduled job defaults to cs.LG, cs.CL, cs.CV, cs.AI from RSS, daily after the announcement', async () => {
  const server = await startReplayServer(() => ({ body: fx('rss-cs-LG.xml') }));
  after(() => server.close());
  const { ctx, lines } = await jobContext(`${server.url}/rss`);
  const [job] = ingestJobs(ctx);
  assert.equal(job.name, 'ingest-rss');
  assert.equal(job.dailyAtUtc, ctx.config.INGEST_AT_UTC);
  await job.run(ctx);
  assert.equal(server.requests.length, 1, 'one request for all categories');
  assert.equal(server.requests[0].path, '/rss/cs.LG+cs.CL+cs.CV+cs.AI');
  assert.ok(await getPaper(ctx.store.db, '2403.02001'));
  assert.ok(lines.some((l) => /ingest-rss: 4 announcements in cs\.LG\+cs\.CL\+cs\.CV\+cs\.AI, 4 added/.test(l.msg)));
});

test('with no network: one clear log line per run, nothing thrown, the next run tries again', async () => {
  const closed = await startReplayServer();
  await closed.close(); // nothing listens on this port any more
  const { ctx, lines } = await jobContext(`${closed.url}/rss`);
  for (let run = 1; run <= 2; run++) {
    const before = lines.length;
    const r = await runRssIngest(ctx);
    assert.equal(r.ok, false);
    const logged = lines.slice(before).filter((l) => l.level >= 30);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.match(logged[0].msg, /^ingest-rss: arXiv is unreachable, no papers ingested this run \(.*ECONNREFUSED; gave up after 3 attempts\); next try at \d\d:\d\d UTC$/);
  }
  assert.deepEqual(ingestJobs({ config: { ...ctx.config, INGEST_SCHEDULE: 'off' } }), []);
});
