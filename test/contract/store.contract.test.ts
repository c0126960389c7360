/**
 * The store contract: the same assertions on SQLite (npm test) and PostgreSQL (npm run test:pg,
 * TEST_DATABASE_URL). Everything above the store relies on these behaviours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { testApp, writeJsonl, SHARED_DATA, useApp } from '../support/app.js';
import { upsertPapers, getPaper, countPapers, deleteDemoPapers } from '../../src/papers/papers.repository.js';
import { importFile } from '../../src/papers/import.service.js';
import { listDaily, countDailyDays } from '../../src/daily/daily.repository.js';
import { migrationStatus } from '../../src/db/index.js';
import type { PaperInput } from '../../src/domain/paper.js';

const store = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';
const now = '2025-06-04T12:00:00.000Z';
const paper = (over: Partial<PaperInput> = {}): PaperInput => ({ id: '2506.01234', title: 'Attention Is Still All You Need', abstract: 'We show $O(n)$.', authors: ['Ada Lovelace', 'Alan Turing'], categories: ['cs.LG', 'cs.CL'], publishedAt: '2025-06-01T00:00:00.000Z', ...over });

test(`[${store}] migrations apply and leave nothing pending`, async (t) => {
  const app = await useApp(t);
  const s = await migrationStatus(app.ctx.store);
  assert.deepEqual(s.pending, []);
  assert.ok(s.applied.includes('001_initial'));
  assert.equal(app.ctx.store.dialect, store);
});

test(`[${store}] upsert: one row per id, newer versions update, older ones change nothing, re-upsert is unchanged`, async (t) => {
  const app = await testApp();
  const db = app.ctx.store.db;
  t.after(() => app.close());
  const v2 = paper({ version: 2, versions: [{ version: 1, date: '2025-06-01T00:00:00.000Z' }, { version: 2, date: '2025-06-03T00:00:00.000Z' }], title: 'Second title' });
  assert.deepEqual(await upsertPapers(db, [v2], { now }).then((r) => [r.added, r.updated, r.unchanged]), [1, 0, 0]);
  assert.deepEqual(await upsertPapers(db, [v2], { now }).then((r) => [r.added, r.updated, r.unchanged]), [0, 0, 1]);
  const v1 = paper({ version: 1, title: 'First title' });
  assert.deepEqual(await upsertPapers(db, [v1], { now }).then((r) => [r.added, r.updated, r.unchanged]), [0, 0, 1]);
  assert.equal((await getPaper(db, v2.id))!.title, 'Second title', 'an older version changes nothing');
  const v3 = paper({ version: 3, versions: [{ version: 3, date: '2025-06-10T00:00:00.000Z' }], title: 'Third title', authors: ['Grace Hopper'] });
  assert.deepEqual(await upsertPapers(db, [v3], { now }).then((r) => [r.added, r.updated, r.unchanged]), [0, 1, 0]);
  const p = (await getPaper(db, v2.id))!;
  assert.equal(p.title, 'Third title');
  assert.deepEqual(p.authors, ['Grace Hopper']);
  assert.deepEqual(p.versions.map((v) => v.version), [1, 2, 3], 'version history is kept');
  assert.equal(p.version, 3);
  assert.equal(await countPapers(db), 1);
  const authors = await db.selectFrom('paper_authors').select(['name', 'position']).where('paper_id', '=', p.id).execute();
  assert.deepEqual(authors, [{ name: 'Grace Hopper', position: 0 }]);
});

test(`[${store}] a field a source lacks never erases what another source gave`, async (t) => {
  const app = await testApp();
  const db = app.ctx.store.db;
  t.after(() => app.close());
  await upsertPapers(db, [paper({ codeUrl: 'https://github.com/a/b', doi: '10.1/x' })], { now });
  await upsertPapers(db, [paper({ categories: [], codeUrl: null })], { now });
  const p = (await getPaper(db, '2506.01234'))!;
  assert.equal(p.codeUrl, 'https://github.com/a/b');
  assert.equal(p.doi, '10.1/x');
  assert.deepEqual(p.categories, ['cs.LG', 'cs.CL']);
});

test(`[${store}] import skips bad lines with their numbers and reasons, keeps the rest, and re-import changes nothing`, async (t) => {
  const app = await testApp();
  const db = app.ctx.store.db;
  t.after(() => app.close());
  const good = (id: string, extra = {}) => ({ id, title: `Paper ${id} <script>alert(1)</script>`, abstract: 'Abstract', authors: ['A'], categories: ['cs.CL'], comment: null, first_seen: '2025-03-18', last_seen: '2025-03-18', ...extra });
  const file = writeJsonl(app.env.dataDir, 'mixed.jsonl', [good('2503.00001'), '{"id": "2503.00002", "title": ', good('2503.00003'), { id: 'bogus', title: 'x', abstract: 'y', authors: [], categories: [], first_seen: '2025-01-01' }, good('2503.00004', { authors: 'not a list' }), good('2503.00005')]);
  const skipped: { line: number; reason: string }[] = [];
  const r = await importFile(db, file, { now: () => new Date(now), onSkip: (s) => skipped.push(s) });
  assert.deepEqual([r.added, r.updated, r.unchanged, r.skipped], [3, 0, 0, 3]);
  assert.deepEqual(skipped.map((s) => s.line), [2, 4, 5]);
  assert.match(skipped[0].reason, /invalid JSON/);
  assert.match(skipped[1].reason, /not an arXiv id/);
  assert.match(skipped[2].reason, /authors is not a list/);
  const again = await importFile(db, file, { now: () => new Date(now) });
  assert.deepEqual([again.added, again.updated, again.unchanged, again.skipped], [0, 0, 3, 3]);
  assert.equal((await getPaper(db, '2503.00001'))!.title, 'Paper 2503.00001 <script>alert(1)</script>', 'stored as text, escaped only on output');
});

test(`[${store}] Hugging Face days import as daily entries ordered by upvotes, idempotently`, async (t) => {
  const app = await testApp();
  const db = app.ctx.store.db;
  t.after(() => app.close());
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const days = [...new Set(lines.map((l) => JSON.parse(l).archive_date as string))].slice(0, 3);
  const subset = lines.filter((l) => days.includes(JSON.parse(l).archive_date));
  const gz = path.join(app.env.dataDir, 'hf.jsonl.gz');
  fs.writeFileSync(gz, zlib.gzipSync(subset.join('\n') + '\n'));
  const r = await importFile(db, gz, { now: () => new Date(now) });
  assert.equal(r.skipped, 0);
  assert.equal(r.dailyEntries, subset.length);
  assert.equal(await countDailyDays(db), 3);
  const items = await listDaily(db, days[0], days[0], { limit: 100, offset: 0 });
  const expected = subset.map((l) => JSON.parse(l)).filter((o) => o.archive_date === days[0]);
  assert.equal(items.length, expected.length);
  const ups = items.map((i) => i.paper.upvotes);
  assert.deepEqual(ups, [...ups].sort((a, b) => b - a), 'most upvoted first');
  const top = expected.sort((a, b) => b.item.paper.upvotes - a.item.paper.upvotes)[0];
  assert.equal(items[0].paper.upvotes, top.item.paper.upvotes);
  const again = await importFile(db, gz, { now: () => new Date(now) });
  assert.deepEqual([again.added, again.updated], [0, 0]);
});

test(`[${store}] removing the demo removes its papers and their daily entries only`, async (t) => {
  const app = await testApp();
  const db = app.ctx.store.db;
  t.after(() => app.close());
  await upsertPapers(db, [paper({ id: '2506.00001' })], { now, isDemo: true });
  await upsertPapers(db, [paper({ id: '2506.00002' })], { now });
  await db.insertInto('daily_entries').values({ paper_id: '2506.00001', date: '2025-06-04', submitted_at: now, source: 'demo' }).execute();
  assert.equal(await deleteDemoPapers(db), 1);
  assert.equal(await countPapers(db), 1);
  assert.equal((await db.selectFrom('daily_entries').selectAll().execute()).length, 0);
});
