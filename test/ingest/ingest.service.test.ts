import { test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openStore, migrate, type Store } from '../../src/db/index.js';
import { getPaper, upsertPapers, countPapers } from '../../src/papers/papers.repository.js';
import { PoliteFetcher } from '../../src/ingest/http.js';
import { ArxivClient } from '../../src/ingest/arxiv-client.js';
import { harvestOai, ingestApiQuery, ingestOne, ingestRss, oaiSource, type IngestDeps, type OaiCheckpoint } from '../../src/ingest/ingest.service.js';
import { loadCheckpoint } from '../../src/ingest/checkpoints.repository.js';
import { IngestError } from '../../src/ingest/errors.js';
import { memoryLog } from '../../src/ingest/log.js';
import { freshEnv, type TestEnv } from '../support/app.js';
import { startReplayServer, virtualClock, type RecordedRequest, type Reply } from '../support/replay-server.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');
const server = await startReplayServer();
after(() => server.close());

let env: TestEnv;
let store: Store;
let deps: IngestDeps & { log: ReturnType<typeof memoryLog> };
let indexed: { changed: string[]; withdrawn: string[] };

beforeEach(async () => {
  env = await freshEnv();
  store = openStore({ databaseUrl: env.config.databaseUrl });
  await migrate(store);
  const clock = virtualClock();
  const log = memoryLog();
  const fetcher = new PoliteFetcher({ minIntervalMs: 5, userAgent: 'Papertide-test', now: clock.now, sleep: clock.sleep, backoffMs: 10, maxRetries: 2, log });
  const client = new ArxivClient(fetcher, { api: `${server.url}/api/query`, oai: `${server.url}/oai`, rss: `${server.url}/rss` }, log);
  indexed = { changed: [], withdrawn: [] };
  deps = {
    db: store.db,
    client,
    log,
    now: () => new Date('2024-03-06T12:00:00Z'),
    onStored: (c, w) => {
      indexed.changed.push(...c);
      indexed.withdrawn.push(...w);
    },
  };
  server.requests.length = 0;
});
afterEach(async () => {
  await store.close();
  await env.cleanup();
});

/** The three fixture pages, chained by their tokens. */
function oaiPages(extra: (r: RecordedRequest) => Reply | undefined = () => undefined) {
  return (r: RecordedRequest): Reply => {
    const e = extra(r);
    if (e) return e;
    const token = r.query.get('resumptionToken');
    if (!token) return { body: fx('oai-page-1.xml') };
    if (token === '6960524|1001') return { body: fx('oai-page-2.xml') };
    if (token === '6960524|2001') return { body: fx('oai-page-3.xml') };
    return { body: fx('oai-bad-resumption-token.xml') };
  };
}

test('OAI-PMH harvest: every page stored, deleted record withdrawn, bad record logged, checkpoint done', async () => {
  const now = '2024-01-01T00:00:00.000Z';
  await upsertPapers(store.db, [{ id: '2401.09999', title: 'To be withdrawn', abstract: 'x', authors: ['A'], categories: ['cs.LG'] }], { now });
  server.handle = oaiPages();
  const pages: number[] = [];
  const res = await harvestOai(deps, { set: 'cs', from: '2024-03-01', onPage: (p) => pages.push(p.pages) });
  assert.deepEqual(pages, [1, 2, 3]);
  assert.equal(res.done, true);
  assert.deepEqual(server.requests.map((r) => Object.fromEntries(r.query)), [
    { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2024-03-01' },
    { verb: 'ListRecords', resumptionToken: '6960524|1001' },
    { verb: 'ListRecords', resumptionToken: '6960524|2001' },
  ]);
  assert.equal(await countPapers(store.db), 5);
  assert.equal((await getPaper(store.db, '2401.09999'))!.withdrawn, true);
  assert.deepEqual(indexed.withdrawn, ['2401.09999']);
  const p = (await getPaper(store.db, '2403.00001'))!;
  assert.equal(p.title, 'Attention Is Still All You Need');
  assert.equal(p.codeUrl, 'https://github.com/papertide-lab/attention');
  assert.deepEqual(p.authors, ['Ada Lovelace', 'Charles Babbage Jr']);
  assert.equal(await getPaper(store.db, '2403.00004'), null);
  assert.ok(deps.log.entries.some((e) => e.level === 'warn' && e.msg === 'skipped record 2403.00004 in OAI-PMH oai:cs:arXiv page 2: missing abstract'));
  const cp = (await loadCheckpoint<OaiCheckpoint>(store.db, oaiSource('cs')))!;
  assert.equal(cp.status, 'done');
  assert.equal(cp.nextFrom, '2024-03-03');
  assert.equal(cp.records, 6);
  assert.deepEqual(cp.counts, { added: 4, updated: 0, unchanged: 0, withdrawn: 1, skipped: 1 });

  // The next run is incremental: from= the last datestamp; re-reading it changes nothing.
  server.requests.length = 0;
  server.handle = () => ({ body: fx('oai-page-3.xml') });
  const again = await harvestOai(deps, { set: 'cs' });
  assert.equal(server.requests[0].query.get('from'), '2024-03-03');
  assert.deepEqual(again.counts, { added: 0, updated: 0, unchanged: 1, withdrawn: 0, skipped: 0 });
});

test('OAI-PMH: an expired resumption token restarts from the last completed datestamp', async () => {
  let expired = false;
  server.handle = oaiPages((r) => {
    if (r.query.get('resumptionToken') === '6960524|2001' && !expired) {
      expired = true;
      return { body: fx('oai-bad-resumption-token.xml') };
    }
    // the restarted list: page 2 again, then page 3
    if (r.query.get('from') === '2024-03-02') return { body: fx('oai-page-2.xml') };
    return undefined;
  });
  const res = await harvestOai(deps, { set: 'cs', from: '2024-03-01' });
  assert.equal(res.tokenRestarts, 1);
  assert.equal(res.done, true);
  const q = server.requests.map((r) => r.query.get('resumptionToken') ?? `from=${r.query.get('from')}`);
  assert.deepEqual(q, ['from=2024-03-01', '6960524|1001', '6960524|2001', 'from=2024-03-02', '6960524|2001']);
  assert.equal(await countPapers(store.db), 4);
  assert.ok(deps.log.entries.some((e) => /resumption token expired; restarting the list from 2024-03-02 \(last completed datestamp\)/.test(e.msg)));
});

test('OAI-PMH: a truncated page keeps its complete records, stops with a clear error, and the next run re-reads it', async () => {
  let broken = true;
  server.handle = oaiPages((r) => (r.query.get('resumptionToken') === '6960524|1001' && broken ? { body: fx('oai-truncated.xml') } : undefined));
  await assert.rejects(harvestOai(deps, { set: 'cs' }), (e: unknown) => {
    assert.ok(e instanceof IngestError);
    assert.equal(e.code, 'bad_xml');
    assert.match(e.message, /page 2: .*truncated XML.*Kept 1 complete records; the resumption token was lost, so the next run re-reads this page/);
    return true;
  });
  assert.ok(await getPaper(store.db, '2403.00003'), 'good record of the truncated page kept');
  broken = false;
  server.requests.length = 0;
  const res = await harvestOai(deps, { set: 'cs' });
  assert.equal(res.resumed, true);
  assert.equal(server.requests[0].query.get('resumptionToken'), '6960524|1001');
  assert.equal(res.done, true);
  assert.equal(await countPapers(store.db), 4);
});

test('OAI-PMH: noRecordsMatch is an empty, finished harvest', async () => {
  server.handle = () => ({ body: fx('oai-no-records.xml') });
  const res = await harvestOai(deps, { set: 'cs', from: '2099-01-01' });
  assert.equal(res.done, true);
  assert.equal(res.records, 0);
  await assert.rejects(harvestOai(deps, { from: '01/02/2024' }), /--from must be YYYY-MM-DD/);
});

test('versions: a newer version updates title/abstract/authors, an older one changes nothing, never a duplicate', async () => {
  server.handle = () => ({ body: fx('api-query.atom.xml') });
  await ingestApiQuery(deps, { searchQuery: 'cat:cs.LG' });
  let p = (await getPaper(store.db, '2403.01234'))!;
  assert.equal(p.version, 2);
  const v1 = fx('api-query.atom.xml').replace(/2403\.01234v2/g, '2403.01234v1').replace('Sparse Mixtures of', 'OLD TITLE of');
  server.handle = () => ({ body: v1 });
  const older = await ingestApiQuery(deps, { searchQuery: 'cat:cs.LG' });
  assert.equal(older.counts.added, 0);
  p = (await getPaper(store.db, '2403.01234'))!;
  assert.match(p.title, /^Sparse Mixtures/);
  assert.equal(p.version, 2);
  const v3 = fx('api-query.atom.xml')
    .replace(/2403\.01234v2/g, '2403.01234v3')
    .replace('<updated>2024-03-04T17:59:58Z</updated>', '<updated>2024-03-20T09:00:00Z</updated>')
    .replace('Sparse Mixtures of', 'Dense Mixtures of')
    .replace('<name>Alan Turing</name>', '<name>Alan M. Turing</name>');
  server.handle = () => ({ body: v3 });
  await ingestApiQuery(deps, { searchQuery: 'cat:cs.LG' });
  p = (await getPaper(store.db, '2403.01234'))!;
  assert.equal(p.version, 3);
  assert.match(p.title, /^Dense Mixtures/);
  assert.deepEqual(p.authors, ['Ada Lovelace', 'Alan M. Turing']);
  assert.deepEqual(p.versions.map((v) => v.version), [1, 2, 3]);
  assert.equal(p.versions[2].date, '2024-03-20T09:00:00.000Z');
  assert.equal(await countPapers(store.db), 3);
});

test('RSS: announcements stored with their versions; a weekend feed is empty and normal', async () => {
  server.handle = () => ({ body: fx('rss-cs-LG.xml') });
  const res = await ingestRss(deps, ['cs.LG', 'cs.CL']);
  assert.deepEqual(res.byType, { new: 1, cross: 1, replace: 1, 'replace-cross': 1 });
  assert.equal(res.counts.added, 4);
  assert.equal(res.counts.skipped, 1);
  assert.equal((await getPaper(store.db, '2402.11111'))!.version, 3);
  assert.equal((await getPaper(store.db, 'cs/0112017'))!.version, 2);
  server.handle = () => ({ body: fx('rss-empty-weekend.xml') });
  const empty = await ingestRss(deps, ['cs.LG']);
  assert.equal(empty.items, 0);
  assert.ok(deps.log.entries.some((e) => e.level === 'info' && /no announcements today \(normal on weekends and holidays\)/.test(e.msg)));
  assert.ok(!deps.log.entries.some((e) => e.level === 'error'));
});

test('API: entries missing fields are logged and skipped, the good ones of the same page stored', async () => {
  server.handle = () => ({ body: fx('api-missing-fields.atom.xml') });
  const res = await ingestApiQuery(deps, { searchQuery: 'cat:cs.CV' });
  assert.equal(res.counts.added, 2);
  assert.equal(res.counts.skipped, 2);
  assert.ok(deps.log.entries.some((e) => e.msg === 'skipped record 2403.07002 in arXiv API page 1: missing title'));
  assert.ok(await getPaper(store.db, '2403.07004'));
});

test('one paper by pasted URL is fetched and stored', async () => {
  server.handle = () => ({ body: fx('api-query.atom.xml') });
  const { paper, counts } = await ingestOne(deps, 'arXiv:hep-th/9901001v3');
  assert.equal(paper.id, 'hep-th/9901001');
  assert.equal(counts.added, 1);
  assert.equal(server.requests[0].query.get('id_list'), 'hep-th/9901001v3');
  assert.equal((await getPaper(store.db, 'hep-th/9901001'))!.journalRef, 'Phys.Rev. D60 (1999) 1');
  assert.deepEqual(indexed.changed, ['hep-th/9901001']);
});
