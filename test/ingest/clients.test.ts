import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PoliteFetcher, papertideUserAgent, parseRetryAfter } from '../../src/ingest/http.js';
import { ArxivClient } from '../../src/ingest/arxiv-client.js';
import { IngestError } from '../../src/ingest/errors.js';
import { memoryLog } from '../../src/ingest/log.js';
import { startReplayServer, virtualClock, type Reply } from '../support/replay-server.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');
const server = await startReplayServer();
after(() => server.close());

function setup(opts: { minIntervalMs?: number; maxRetries?: number } = {}) {
  const clock = virtualClock();
  const starts: number[] = [];
  const log = memoryLog();
  const fetcher = new PoliteFetcher({
    minIntervalMs: opts.minIntervalMs ?? 50,
    userAgent: papertideUserAgent('ops@lab.example'),
    now: clock.now,
    sleep: clock.sleep,
    backoffMs: 100,
    maxRetries: opts.maxRetries ?? 3,
    timeoutMs: 2000,
    log,
    fetch: (url, init) => {
      starts.push(clock.now());
      return fetch(url, init);
    },
  });
  const client = new ArxivClient(fetcher, { api: `${server.url}/api/query`, oai: `${server.url}/oai`, rss: `${server.url}/rss` }, log);
  server.requests.length = 0;
  return { clock, starts, log, fetcher, client };
}

async function rejects(p: Promise<unknown>, code: string, re: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IngestError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

test('every request names Papertide and the contact; requests are spaced by the interval, one at a time', async () => {
  const { starts, fetcher } = setup({ minIntervalMs: 50 });
  server.handle = async () => {
    await new Promise((r) => setTimeout(r, 20));
    return { body: fx('rss-empty-weekend.xml') };
  };
  await Promise.all([1, 2, 3, 4].map(() => fetcher.get(`${server.url}/rss/cs.LG`)));
  assert.equal(server.requests.length, 4);
  assert.equal(server.maxInFlight, 1, 'one connection at a time');
  for (const r of server.requests) assert.equal(r.userAgent, 'Papertide/0.1 (self-hosted research-paper hub; mailto:ops@lab.example)');
  for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 50, `gap ${starts[i] - starts[i - 1]}`);
});

test('the interval is never below 3 s against arxiv.org, whatever the configuration', () => {
  const f = new PoliteFetcher({ minIntervalMs: 10, userAgent: 'x' });
  assert.equal(f.intervalFor('https://export.arxiv.org/api/query'), 3000);
  assert.equal(f.intervalFor('https://oaipmh.arxiv.org/oai'), 3000);
  assert.equal(f.intervalFor('https://rss.arxiv.org/rss/cs.LG'), 3000);
  assert.equal(f.intervalFor('https://arxiv.org/abs/2401.00001'), 3000);
  assert.equal(f.intervalFor('http://127.0.0.1:1234/oai'), 10);
  assert.equal(f.intervalFor('https://notarxiv.org.example.com/'), 10);
  assert.equal(new PoliteFetcher({ minIntervalMs: 5000, userAgent: 'x' }).intervalFor('https://export.arxiv.org/'), 5000);
});

test('503 with Retry-After is honoured, then the request succeeds', async () => {
  const { client, clock, log } = setup();
  let n = 0;
  server.handle = (): Reply => (++n === 1 ? { status: 503, headers: { 'Retry-After': '7' }, body: 'busy' } : { body: fx('oai-page-3.xml') });
  const page = await client.oaiListRecords({ set: 'cs' });
  assert.equal(page.papers.length, 1);
  assert.equal(server.requests.length, 2);
  assert.ok(clock.sleeps.some((ms) => ms >= 7000), `slept ${clock.sleeps}`);
  assert.ok(log.entries.some((e) => e.level === 'warn' && /HTTP 503 \(service unavailable\); retry 1\/3 in 7\.0 s/.test(e.msg)));
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
});

test('5xx retried with exponential backoff, then a clear error', async () => {
  const { client, clock } = setup({ maxRetries: 2 });
  server.handle = () => ({ status: 502, body: 'bad gateway' });
  await rejects(client.rss(['cs.LG']), 'http', /HTTP 502; gave up after 3 attempts/);
  assert.equal(server.requests.length, 3);
  assert.deepEqual(clock.sleeps.filter((ms) => ms >= 100), [100, 200]);
});

test('a Retry-After too long to wait fails with a message saying so', async () => {
  const { client } = setup();
  server.handle = () => ({ status: 503, headers: { 'Retry-After': '86400' } });
  await rejects(client.rss(['cs.LG']), 'http', /Retry-After 86400 s is longer than we wait/);
});

test('network failures (hang-ups, refused connections) are retried, then reported', async () => {
  const { client } = setup({ maxRetries: 1 });
  let n = 0;
  server.handle = () => (++n === 1 ? { hangUp: true } : { body: fx('rss-empty-weekend.xml') });
  const feed = await client.rss(['cs.LG']);
  assert.equal(feed.items.length, 0);
  const closed = await startReplayServer();
  await closed.close();
  const dead = new ArxivClient(new PoliteFetcher({ minIntervalMs: 1, userAgent: 'x', maxRetries: 1, backoffMs: 1 }), { api: `${closed.url}/api`, oai: `${closed.url}/oai`, rss: `${closed.url}/rss` });
  await rejects(dead.rss(['cs.LG']), 'network', /\/rss\/cs\.LG: ECONNREFUSED; gave up after 2 attempts/);
});

test('API: query parameters, paging within arXiv limits, error feed', async () => {
  const { client } = setup();
  server.handle = (r) => {
    const start = Number(r.query.get('start'));
    const feed = fx('api-query.atom.xml').replace(/<opensearch:startIndex([^>]*)>0</, `<opensearch:startIndex$1>${start}<`).replace(/>3<\/opensearch:totalResults>/, '>5</opensearch:totalResults>');
    return { body: start === 0 ? feed : feed.replace(/<entry>[\s\S]*?<\/entry>\s*(?=<entry>)/, '') };
  };
  const pages = [];
  for await (const p of client.apiQueryAll({ searchQuery: 'cat:cs.LG AND submittedDate:[202403010000 TO 202403052359]', pageSize: 3, sortBy: 'submittedDate' })) pages.push(p);
  assert.equal(pages.length, 2);
  assert.deepEqual(server.requests.map((r) => [r.query.get('search_query'), r.query.get('start'), r.query.get('max_results'), r.query.get('sortBy')]), [
    ['cat:cs.LG AND submittedDate:[202403010000 TO 202403052359]', '0', '3', 'submittedDate'],
    ['cat:cs.LG AND submittedDate:[202403010000 TO 202403052359]', '3', '3', 'submittedDate'],
  ]);
  assert.equal(client.apiUrl({ maxResults: 99999 }).includes('max_results=2000'), true);
  server.handle = () => ({ body: fx('api-error.atom.xml') });
  await rejects(client.apiQuery({ idList: ['1234.12345'] }), 'arxiv_error', /incorrect id format/);
});

test('one paper by id or URL, including old-style ids; unknown input is a readable error', async () => {
  const { client } = setup();
  server.handle = (r) => ({ body: r.query.get('id_list')?.startsWith('hep-th') ? fx('api-query.atom.xml') : fx('api-query.atom.xml') });
  const p = await client.getPaper('https://arxiv.org/pdf/2403.01234v2.pdf');
  assert.equal(p.id, '2403.01234');
  assert.equal(server.requests[0].query.get('id_list'), '2403.01234v2');
  const old = await client.getPaper('https://huggingface.co/papers/hep-th/9901001');
  assert.equal(old.id, 'hep-th/9901001');
  await rejects(client.getPaper('https://example.com/nothing'), 'bad_input', /not an arXiv id or URL/);
  await rejects(client.getPaper('2403.99999'), 'not_found', /arXiv has no paper 2403\.99999/);
});

test('a 200 with an HTML body is fetched again, then a clear error', async () => {
  const { client, log } = setup();
  server.handle = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: fx('html-200.html') });
  await rejects(client.apiQuery({ searchQuery: 'all:x' }), 'not_xml', /HTML page instead of XML \("arXiv is temporarily unavailable"\)/);
  assert.equal(server.requests.length, 3, 'first try + 2 re-fetches');
  assert.equal(log.entries.filter((e) => /fetching the page again/.test(e.msg)).length, 2);
});

test('truncated XML: fetched again; if it stays truncated, the complete entries are kept and the damage reported', async () => {
  const { client } = setup();
  let n = 0;
  server.handle = () => ({ body: ++n === 1 ? fx('api-truncated.atom.xml') : fx('api-query.atom.xml') });
  assert.equal((await client.apiQuery({ searchQuery: 'all:x' })).papers.length, 3, 'a cut transfer heals on re-fetch');
  server.handle = () => ({ body: fx('api-truncated.atom.xml') });
  const page = await client.apiQuery({ searchQuery: 'all:x' });
  assert.match(page.damaged ?? '', /truncated XML/);
  assert.deepEqual(page.papers.map((p) => p.id), ['2403.01234']);
});

test('RSS: categories joined with +, bad categories refused before any request', async () => {
  const { client } = setup();
  server.handle = () => ({ body: fx('rss-cs-LG.xml') });
  const feed = await client.rss(['cs.LG', 'cs.CL']);
  assert.equal(server.requests[0].path, '/rss/cs.LG+cs.CL');
  assert.equal(feed.items.length, 4);
  await rejects(client.rss(['cs.LG', '../etc']), 'bad_input', /not an arXiv category/);
  assert.equal(server.requests.length, 1);
});

test('bodies of any size, one after another, arrive whole and decoded as UTF-8; an oversized one is refused', async () => {
  const bodies = [
    'é'.repeat(300_000) + ' – end', // 600 kB of two-byte characters: chunks split them
    'small <a/>',
    '<x>' + 'ab'.repeat(1_500_000) + '</x>', // 3 MB: the reused buffer grows
    '∀x. x = x',
  ];
  let i = 0;
  server.handle = () => ({ body: bodies[i++] });
  const { fetcher } = setup({ minIntervalMs: 0 });
  for (const b of bodies) assert.equal((await fetcher.get(`${server.url}/oai?n=${i}`)).body, b);
  const small = new PoliteFetcher({ minIntervalMs: 0, userAgent: 'Papertide-test', maxBodyBytes: 1000, maxRetries: 0, log: memoryLog() });
  server.handle = (r) => (r.query.get('n') === 'big' ? { body: 'x'.repeat(5000) } : { body: 'fine' });
  await rejects(small.get(`${server.url}/oai?n=big`), 'too_large', /over the 1000-byte limit/);
  assert.equal((await small.get(`${server.url}/oai?n=ok`)).body, 'fine', 'the next response is not mixed with the refused one');
});
