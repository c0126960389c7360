/**
 * The embedded store's bulk path (prepared better-sqlite3 statements) stores exactly what the
 * portable Kysely path stores: the same papers rows (versions, history, every field), the same
 * author and category rows, the same counts and changed ids — for new papers, re-imports, older
 * versions (which change nothing), newer versions with new authors, and fields a source lacks.
 * On PostgreSQL there is only the Kysely path (covered by the store contract suite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore, migrate, sqliteHandleOf, type Store } from '../../src/db/index.js';
import { iterateSearchDocs, upsertPapers, type UpsertResult } from '../../src/papers/papers.repository.js';
import { parseOaiPage } from '../../src/ingest/oai.js';
import type { PaperInput } from '../../src/domain/paper.js';
import { freshEnv, SHARED_DATA, type TestEnv } from '../support/app.js';
import { readDataset, renderOaiPages } from '../fixtures/arxiv/render-oai.js';

const onPg = !!process.env.TEST_DATABASE_URL;
const skip = onPg && 'the raw path exists only on the embedded SQLite store';

async function twoStores(): Promise<{ kysely: Store; raw: Store; close(): Promise<void> }> {
  const envs: TestEnv[] = [await freshEnv(), await freshEnv()];
  const [kysely, raw] = envs.map((e) => openStore({ databaseUrl: e.config.databaseUrl }));
  await migrate(kysely);
  await migrate(raw);
  return {
    kysely,
    raw,
    async close() {
      await kysely.close();
      await raw.close();
      for (const e of envs) await e.cleanup();
    },
  };
}

/** Everything upsert writes, in a stable order. */
async function dump(s: Store) {
  return {
    papers: await s.db.selectFrom('papers').selectAll().orderBy('id').execute(),
    authors: await s.db.selectFrom('paper_authors').selectAll().orderBy('paper_id').orderBy('position').execute(),
    categories: await s.db.selectFrom('paper_categories').selectAll().orderBy('paper_id').orderBy('category').execute(),
  };
}

/** Apply the same batches to both stores (one through Kysely, one through the raw statements). */
async function both(stores: { kysely: Store; raw: Store }, batches: { papers: PaperInput[]; now: string; isDemo?: boolean }[]) {
  const results: [UpsertResult, UpsertResult][] = [];
  for (const b of batches) {
    const k = await stores.kysely.db.transaction().execute((trx) => upsertPapers(trx, b.papers, { now: b.now, isDemo: b.isDemo, sqlite: null }));
    const r = await stores.raw.db.transaction().execute((trx) => upsertPapers(trx, b.papers, { now: b.now, isDemo: b.isDemo, sqlite: sqliteHandleOf(stores.raw.db) }));
    results.push([k, r]);
  }
  return results;
}

const base = (id: string, over: Partial<PaperInput> = {}): PaperInput => ({
  id,
  version: 1,
  versions: [{ version: 1, date: '2025-06-01T00:00:00.000Z' }],
  title: `Paper ${id}`,
  abstract: `Abstract of ${id} with $x^2$ and “quotes”.`,
  authors: ['Ada Lovelace', 'Émile Borel'],
  categories: ['cs.LG', 'stat.ML'],
  primaryCategory: 'cs.LG',
  publishedAt: '2025-06-01T00:00:00.000Z',
  updatedAt: '2025-06-01T00:00:00.000Z',
  comment: '9 pages',
  ...over,
});

test('raw SQLite upsert stores the same rows as the Kysely path, batch after batch', { skip }, async (t) => {
  const s = await twoStores();
  t.after(() => s.close());
  const v2 = base('2506.00002', {
    version: 2,
    versions: [{ version: 1, date: '2025-06-01T00:00:00.000Z' }, { version: 2, date: '2025-06-03T00:00:00.000Z' }],
    title: 'Second version',
  });
  const results = await both(s, [
    // new papers (one a duplicate within the batch: the last occurrence wins), one with a code link
    { papers: [base('2506.00001'), v2, base('2506.00003', { title: 'first' }), base('2506.00003', { title: 'second', codeUrl: 'https://github.com/a/b' })], now: '2025-06-04T00:00:00.000Z', isDemo: true },
    // re-import: nothing changes
    { papers: [base('2506.00001'), v2], now: '2025-06-05T00:00:00.000Z' },
    // an older version changes nothing
    { papers: [base('2506.00002', { title: 'Old title', authors: ['Someone Else'] })], now: '2025-06-06T00:00:00.000Z' },
    // a newer version: new title, authors and categories; history extended
    {
      papers: [base('2506.00002', { version: 3, versions: [{ version: 3, date: '2025-06-10T00:00:00.000Z' }], title: 'Third version', authors: ['Grace Hopper'], categories: ['cs.CL'], primaryCategory: 'cs.CL' })],
      now: '2025-06-11T00:00:00.000Z',
    },
    // a source without categories or code link (Hugging Face) erases nothing; a comment change is an update
    { papers: [base('2506.00003', { title: 'second', categories: [], primaryCategory: null, codeUrl: null, comment: '10 pages' })], now: '2025-06-12T00:00:00.000Z' },
    // withdrawn, and a brand-new paper in the same batch
    { papers: [base('2506.00001', { withdrawn: true }), base('2506.00004', { authors: ['A B', 'A B'] })], now: '2025-06-13T00:00:00.000Z' },
  ]);
  for (const [k, r] of results) assert.deepEqual(r, k);
  assert.deepEqual(results.map(([, r]) => [r.added, r.updated, r.unchanged]), [[3, 0, 0], [0, 0, 2], [0, 0, 1], [0, 1, 0], [0, 1, 0], [1, 1, 0]]);
  const [dk, dr] = [await dump(s.kysely), await dump(s.raw)];
  assert.deepEqual(dr, dk);
  // What a user would check on the raw store: latest version wins, history kept, no duplicates.
  const p2 = dr.papers.find((p) => p.id === '2506.00002')!;
  assert.equal(p2.title, 'Third version');
  assert.equal(p2.version, 3);
  assert.deepEqual(JSON.parse(p2.versions).map((v: { version: number }) => v.version), [1, 2, 3]);
  assert.deepEqual(dr.authors.filter((a) => a.paper_id === '2506.00002').map((a) => a.name), ['Grace Hopper']);
  assert.deepEqual(dr.categories.filter((c) => c.paper_id === '2506.00002').map((c) => [c.category, c.is_primary]), [['cs.CL', 1]]);
  const p3 = dr.papers.find((p) => p.id === '2506.00003')!;
  assert.equal(p3.code_url, 'https://github.com/a/b');
  assert.deepEqual(JSON.parse(p3.categories), ['cs.LG', 'stat.ML']);
  assert.equal(dr.papers.length, 4);
  assert.equal(dr.papers.find((p) => p.id === '2506.00001')!.withdrawn, 1);
});

test('raw upsert outside a transaction opens its own, and search docs read back the same on both paths', { skip }, async (t) => {
  const s = await twoStores();
  t.after(() => s.close());
  const papers = [base('2506.00010'), base('2506.00011', { codeUrl: 'https://github.com/x/y' }), base('2506.00012', { withdrawn: true })];
  const k = await upsertPapers(s.kysely.db, papers, { now: '2025-06-04T00:00:00.000Z', sqlite: null });
  const r = await upsertPapers(s.raw.db, papers, { now: '2025-06-04T00:00:00.000Z' }); // the store's own handle
  assert.deepEqual(r, k);
  assert.deepEqual(await dump(s.raw), await dump(s.kysely));
  const docs = async (st: Store, ids?: string[]) => {
    const out = [];
    for await (const b of iterateSearchDocs(st.db, 2, ids)) out.push(...b);
    return out;
  };
  // The raw store reads through prepared statements, the other through Kysely: same docs, withdrawn ones left out.
  assert.ok(sqliteHandleOf(s.raw.db));
  const all = await docs(s.raw);
  assert.deepEqual(all.map((d) => d.id), ['2506.00010', '2506.00011']);
  assert.deepEqual(all, await docs(s.kysely));
  assert.deepEqual(await docs(s.raw, ['2506.00011', '2506.00012', '2506.99999']), await docs(s.kysely, ['2506.00011', '2506.00012', '2506.99999']));
  assert.deepEqual((await docs(s.raw, ['2506.00011']))[0], { id: '2506.00011', title: 'Paper 2506.00011', abstract: 'Abstract of 2506.00011 with $x^2$ and “quotes”.', authors: ['Ada Lovelace', 'Émile Borel'], categories: ['cs.LG', 'stat.ML'], publishedAt: '2025-06-01T00:00:00.000Z', codeUrl: 'https://github.com/x/y', upvotes: 0 });
});

const DATASET = path.join(SHARED_DATA, 'arxiv-cs-2015-2018', 'papers.jsonl.gz');
test('raw and Kysely paths store identical rows for 2,000 real arXiv records, then their next versions', { skip: skip || (!fs.existsSync(DATASET) && 'dataset not found') }, async (t) => {
  const rows = await readDataset(DATASET, 2000);
  const pages = renderOaiPages(rows, 1000).map((p) => parseOaiPage(p.xml).papers);
  // The same records again as their next version with the author list reversed (an update of every paper).
  const bumped = pages.map((ps) => ps.map((p) => ({ ...p, version: (p.version ?? 1) + 1, versions: [{ version: (p.version ?? 1) + 1, date: '2019-01-01T00:00:00.000Z' }], authors: [...p.authors].reverse() })));
  const s = await twoStores();
  t.after(() => s.close());
  const results = await both(s, [...pages, ...pages, ...bumped].map((papers, i) => ({ papers, now: `2025-06-0${i + 1}T00:00:00.000Z` })));
  for (const [k, r] of results) assert.deepEqual(r, k);
  assert.deepEqual(results.map(([, r]) => [r.added, r.updated, r.unchanged]), [[1000, 0, 0], [1000, 0, 0], [0, 0, 1000], [0, 0, 1000], [0, 1000, 0], [0, 1000, 0]]);
  assert.deepEqual(await dump(s.raw), await dump(s.kysely));
});
