/**
 * One store, several processes: the search index of every running server follows the store,
 * whatever process wrote. Real processes (`papertide serve`, `papertide import`, `papertide
 * doctor`) on one data directory and one store: SQLite, or PostgreSQL under `npm run test:pg`.
 * The time from the end of an import until a server finds the paper is printed (not asserted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshEnv, type TestEnv } from '../support/app.js';
import { cliAsync, startServer, type RunningServer } from '../support/server.js';
import { createApp } from '../../src/app.js';
import { openStore } from '../../src/db/index.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { DEMO_FILE } from '../../src/paths.js';
import { changesAfter, pruneChanges } from '../../src/changes/changes.repository.js';

const store = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';

/** The environment a CLI command or a server of this test runs with. */
function procEnv(env: TestEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: env.dataDir,
    LOG_LEVEL: 'silent',
    SECRET: 'test-secret-test-secret',
    ...(env.config.dialect === 'postgres' ? { DATABASE_URL: env.config.databaseUrl } : {}),
    ...extra,
  };
}

function paperLine(id: string, title: string, abstract = 'An abstract about nothing in particular.') {
  return JSON.stringify({ id, title, abstract, authors: ['Ada Lovelace'], categories: ['cs.LG'], created: '2026-11-02', updated: null, comments: null, doi: null, primary_category: 'cs.LG' });
}

async function importLines(env: TestEnv, name: string, lines: string[]) {
  const file = path.join(env.dataDir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const r = await cliAsync(['import', file], procEnv(env));
  assert.equal(r.status, 0, r.stderr);
  return r;
}

/** The server's search (JSON API, answered by the index: X-Search-Engine: search) finds `id`. */
async function finds(server: RunningServer, q: string, id: string): Promise<boolean> {
  const res = await fetch(`${server.base}/api/papers/search?q=${encodeURIComponent(q)}`);
  const body = await res.text();
  return res.headers.get('x-search-engine') === 'search' && body.includes(`"${id}"`);
}

/** Poll until `cond` holds; returns the milliseconds it took (fails after `maxMs`). */
async function until(what: string, cond: () => Promise<boolean>, maxMs = 30_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await cond()) return performance.now() - t0;
    if (performance.now() - t0 > maxMs) throw new Error(`${what}: not within ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every file under DATA_DIR/search with its size and modification time. */
function indexFiles(dataDir: string): Record<string, string> {
  const dir = path.join(dataDir, 'search');
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, f));
    out[f] = `${st.size}@${st.mtimeMs}`;
  }
  return out;
}

test(`[${store}] an import in one process is searchable in two running servers, without restart or rebuild`, async (t) => {
  const env = await freshEnv();
  const servers: RunningServer[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    await env.cleanup();
  });
  // The first server loads the demo into the empty store and builds its index; the second
  // starts on the same store and data directory and reuses that index.
  servers.push(await startServer(procEnv(env, { DEMO_DATA: 'true' })));
  await until('the demo is searchable', () => finds(servers[0], 'facial expression', '2402.00281'));
  servers.push(await startServer(procEnv(env, { DEMO_DATA: 'true' })));
  const generation = JSON.parse(fs.readFileSync(path.join(env.dataDir, 'search', 'manifest.json'), 'utf8')).generation;
  assert.equal(await finds(servers[0], 'quaternionic zebrafish', '2611.00001'), false);

  await importLines(env, 'new.jsonl', [paperLine('2611.00001', 'Quaternionic zebrafish locomotion')]);
  const ms = await Promise.all(servers.map((s) => until('the imported paper is searchable', () => finds(s, 'quaternionic zebrafish', '2611.00001'))));

  // An edit and a deletion by another process follow the same way.
  const store2 = openStore({ databaseUrl: env.config.databaseUrl });
  try {
    await store2.db.updateTable('papers').set({ title: 'Hyperbolic zebrafish locomotion' }).where('id', '=', '2611.00001').execute();
    const msEdit = await Promise.all(servers.map((s) => until('the edited title is searchable', () => finds(s, 'hyperbolic zebrafish', '2611.00001'))));
    await store2.db.updateTable('papers').set({ hidden: 1 }).where('id', '=', '2611.00001').execute();
    const msHide = await Promise.all(servers.map((s) => until('the hidden paper leaves search', async () => !(await finds(s, 'hyperbolic zebrafish', '2611.00001')))));
    console.log(JSON.stringify({ bench: 'index-follows-store', store, importToSearchableMs: ms.map(Math.round), editToSearchableMs: msEdit.map(Math.round), hideToGoneMs: msHide.map(Math.round) }));
  } finally {
    await store2.close();
  }
  const after = JSON.parse(fs.readFileSync(path.join(env.dataDir, 'search', 'manifest.json'), 'utf8'));
  assert.equal(after.generation, generation, 'no server rebuilt the index: they applied the change log');
  assert.doesNotMatch(servers.map((s) => s.log()).join('\n'), /being built|another embedder/);
});

test(`[${store}] import before the first start, then serve: the server builds a working index with its embedder`, async (t) => {
  const env = await freshEnv();
  let server: RunningServer | null = null;
  t.after(async () => {
    await server?.stop();
    await env.cleanup();
  });
  const r = await cliAsync(['import', DEMO_FILE], procEnv(env));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /added 62/);
  assert.deepEqual(indexFiles(env.dataDir), {}, 'the import built no index');
  const doctor = await cliAsync(['doctor'], procEnv(env));
  assert.match(doctor.stdout, /✓ search index: not built yet: `papertide serve` builds it at start/);
  assert.deepEqual(indexFiles(env.dataDir), {}, 'doctor built no index');

  server = await startServer(procEnv(env, { DEMO_DATA: 'false' }));
  const res = await fetch(`${server.base}/search?q=${encodeURIComponent('facial expression recognition')}`);
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.doesNotMatch(html, /another embedder|papertide reindex|being built/);
  assert.match(html, /href="\/papers\/2402\.00281"/);
  const m = JSON.parse(fs.readFileSync(path.join(env.dataDir, 'search', 'manifest.json'), 'utf8'));
  assert.match(m.embedder?.id ?? 'none', /^builtin-/);
  assert.equal(m.docs, 62);
});

test(`[${store}] import and doctor leave the index files alone; a restarted server reuses the index and catches up`, async (t) => {
  const env = await freshEnv();
  let server: RunningServer | null = null;
  t.after(async () => {
    await server?.stop();
    await env.cleanup();
  });
  server = await startServer(procEnv(env, { DEMO_DATA: 'true' }));
  await until('the demo is searchable', () => finds(server!, 'facial expression', '2402.00281'));
  await server.stop();
  server = null;
  const before = indexFiles(env.dataDir);
  assert.ok(Object.keys(before).includes('manifest.json'));

  await importLines(env, 'more.jsonl', [paperLine('2611.00002', 'Semiclassical octopus camouflage'), paperLine('2402.00281', 'Retitled facial expression paper')]);
  const doctor = await cliAsync(['doctor'], procEnv(env));
  assert.match(doctor.stdout, /✓ search index: 62 papers in the last snapshot .*; 2 papers changed since, which a running server applies/);
  assert.deepEqual(indexFiles(env.dataDir), before, 'import and doctor did not touch the index files');

  server = await startServer(procEnv(env, { DEMO_DATA: 'true' }));
  // Caught up at start: searchable on the first query, with no rebuild.
  assert.equal(await finds(server, 'semiclassical octopus', '2611.00002'), true);
  assert.equal(await finds(server, 'retitled', '2402.00281'), true);
  const current = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).filter(([f]) => f === 'manifest.json' || f.includes(generation)));
  const generation = JSON.parse(fs.readFileSync(path.join(env.dataDir, 'search', 'manifest.json'), 'utf8')).generation;
  assert.deepEqual(current(indexFiles(env.dataDir)), current(before), 'the server reused the snapshot');
});

test(`[${store}] a server's page version and index follow writes made through another connection`, async (t) => {
  const env = await freshEnv();
  const { ctx } = await createApp(env.config, { followMs: 100 });
  const other = openStore({ databaseUrl: env.config.databaseUrl });
  t.after(async () => {
    await ctx.close();
    await other.close();
    await env.cleanup();
  });
  const v0 = ctx.dataVersion;
  await upsertPapers(other.db, [{ id: '2611.00003', title: 'Ferrofluid origami actuators', abstract: 'Soft actuators.', authors: ['Ada Lovelace'], categories: ['cs.RO'], primaryCategory: 'cs.RO', publishedAt: '2026-11-02' }], { now: new Date().toISOString() });
  await until('the page version moves', async () => ctx.dataVersion > v0);
  await until('the index has the paper', async () => (await ctx.search!.search('ferrofluid origami')).hits.some((h) => h.id === '2611.00003'));
  // Data that is not a paper's searchable text (a daily entry) moves the page version too.
  const v1 = ctx.dataVersion;
  await other.db.insertInto('daily_entries').values({ paper_id: '2611.00003', date: '2026-11-02', submitted_at: new Date().toISOString(), source: 'test' } as never).execute();
  await until('the page version moves again', async () => ctx.dataVersion > v1);
});

test(`[${store}] the change log is pruned by daily marks: rows older than the kept period go, the newest row always stays`, async (t) => {
  const env = await freshEnv();
  const { ctx } = await createApp(env.config, { role: 'cli' });
  t.after(async () => {
    await ctx.close();
    await env.cleanup();
  });
  const day = 86_400_000;
  const add = (id: string) => upsertPapers(ctx.store.db, [{ id, title: `Paper ${id}`, abstract: 'A.', authors: ['A B'], categories: ['cs.LG'] }], { now: new Date().toISOString() });
  const seqs = async () => (await changesAfter(ctx.store.db, 0, 100)).map((r) => r.seq);
  await add('2611.00010');
  const t0 = new Date('2026-01-01T00:00:00Z');
  assert.equal(await pruneChanges(ctx.store.db, t0, 30 * day), 0, 'the first mark deletes nothing');
  const first = await seqs();
  await add('2611.00011');
  assert.equal(await pruneChanges(ctx.store.db, new Date(t0.getTime() + 29 * day), 30 * day), 0, 'nothing is 30 days old yet');
  assert.deepEqual((await seqs()).slice(0, first.length), first);
  await add('2611.00012');
  const before31 = await seqs();
  // 31 days after the first mark: rows written before it go, the rest stay.
  const n = await pruneChanges(ctx.store.db, new Date(t0.getTime() + 31 * day), 30 * day);
  const left = await seqs();
  assert.equal(n, before31.length - left.length);
  assert.ok(left.length >= 1 && left[left.length - 1] === before31[before31.length - 1], 'the newest row stays');
  assert.ok(left.every((s) => s >= first[first.length - 1]), 'only rows older than the mark went');
  // Much later, with no write in between: everything but the newest row goes, and the sequence goes on.
  await pruneChanges(ctx.store.db, new Date(t0.getTime() + 62 * day), 30 * day);
  await pruneChanges(ctx.store.db, new Date(t0.getTime() + 93 * day), 30 * day);
  assert.deepEqual(await seqs(), [before31[before31.length - 1]]);
  await add('2611.00013');
  const after = await seqs();
  assert.ok(after[after.length - 1] > before31[before31.length - 1], 'numbers are not reused');
});
