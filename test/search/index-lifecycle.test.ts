/**
 * Search index lifecycle (docs/search.md, "Index lifecycle"): a store too large for a synchronous
 * build is indexed by a background worker while search answers with a note; a large change set
 * goes to the delta segment linearly and is searchable at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testApp, useApp } from '../support/app.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { createSearchService } from '../../src/search/search.service.js';
import { buildEngine } from '../../src/search/engine.js';
import { openIndex, saveEngine } from '../../src/search/persist.js';
import { cli } from '../support/server.js';

test('above autoBuildMax the index is built in a worker; meanwhile search says so, then answers', async (t) => {
  const app = await testApp();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-search-bg-'));
  t.after(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: '2024-02-01', onChanged: (ids) => papersChanged(app.ctx, ids) });
  const svc = await createSearchService({ db: app.ctx.store.db, dataDir, autoBuildMax: 10, background: { databaseUrl: app.ctx.config.databaseUrl } });
  assert.equal(svc.ready, false);
  const during = await svc.search('facial expression');
  assert.match(during.error ?? '', /being built/);
  assert.match(svc.status().detail, /being built/);
  await svc.idle();
  assert.equal(svc.ready, true, svc.status().detail);
  const after = await svc.search('facial expression');
  assert.equal(after.hits[0]?.id, '2402.00281');
  assert.ok(svc.status().docs >= 62);
  await svc.close();
});

test('upserts go to an open delta segment: searchable at once, replacements and removals respected', async (t) => {
  const app = await useApp(t);
  const doc = (id: string, title: string) => ({ id, title, abstract: `${title} abstract text`, authors: ['Ada Lovelace'], categories: ['cs.LG'], publishedAt: '2024-01-01', codeUrl: null, upvotes: 0 });
  const { getSearchService } = await import('../../src/search/search.service.js');
  const s = await getSearchService(app.ctx);
  for (let b = 0; b < 5; b++) await s.upsert(Array.from({ length: 200 }, (_, i) => doc(`9999.${String(b * 200 + i).padStart(5, '0')}`, `zebra batch${b} item${i}`)));
  assert.equal(s.engine!.pendingCount, 1000);
  const e = s.engine!;
  const hits = (q: string) => e.search({ text: q, phrases: [], excluded: [], filters: { authors: [], categories: [], from: null, to: null, hasCode: false } } as never, { mode: 'lexical', limit: 5 }).hits.map((h) => h.id);
  assert.equal(hits('batch3 item7')[0], '9999.00607');
  await s.upsert([doc('9999.00607', 'okapi replaced')]);
  assert.deepEqual(hits('batch3 item7').includes('9999.00607'), false);
  assert.equal(hits('okapi replaced')[0], '9999.00607');
  await s.remove(['9999.00607']);
  assert.equal(hits('okapi replaced').includes('9999.00607'), false);
  assert.equal(e.pendingCount, 999);
});

/** A pid no process has (above the kernel's pid_max). */
const DEAD_PID = 4_194_399;

test('what a killed build left (.tmp-* folders of a dead process) is removed at start and by reindex; a live process keeps its own', async (t) => {
  const app = await testApp();
  const dir = path.join(app.env.dataDir, 'search');
  t.after(() => app.close());
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: '2024-02-01' });
  fs.mkdirSync(dir, { recursive: true });
  const leftovers = () => {
    for (const name of [`.tmp-${DEAD_PID}`, `.tmp-${DEAD_PID}-x1-1`, `.tmp-${process.ppid}-x2-1`]) {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, name, 'index.bin'), Buffer.alloc(4096));
      fs.writeFileSync(path.join(dir, name, 'manifest.json'), '{"format":'); // cut off mid-write
    }
  };
  const tmps = () => fs.readdirSync(dir).filter((f) => f.startsWith('.tmp-')).sort();
  await (await createSearchService({ db: app.ctx.store.db, dataDir: app.env.dataDir })).close(); // builds and saves the index
  leftovers();
  const svc = await createSearchService({ db: app.ctx.store.db, dataDir: app.env.dataDir }); // loads it
  assert.deepEqual(tmps(), [`.tmp-${process.ppid}-x2-1`], 'a dead process’s folders went at start; a running one’s stayed');
  assert.equal((await svc.search('facial expression')).hits[0]?.id, '2402.00281', 'the half-written folder did not get in the way');
  await svc.close();

  leftovers();
  const env = { DATA_DIR: app.env.dataDir, LOG_LEVEL: 'silent', ...(app.ctx.config.dialect === 'postgres' ? { DATABASE_URL: app.ctx.config.databaseUrl } : {}) };
  const r = cli(['reindex'], env);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(tmps(), [`.tmp-${process.ppid}-x2-1`], 'reindex removed what a killed reindex left');
});

test('a rebuilt index is swapped in atomically: the manifest names its own files, the previous generation stays readable', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-swap-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const doc = (id: string, title: string) => ({ id, title, abstract: `${title} abstract text`, authors: ['Ada Lovelace'], categories: ['cs.LG'], publishedAt: '2024-01-01', codeUrl: null, upvotes: 0 });
  const build = async (title: string) => buildEngine([[doc('2401.00001', title), doc('2401.00002', 'filler paper')]], { embedder: 'none' });
  const a = saveEngine(await build('aardvark'), dir, null, 5);
  const oldManifest = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  const b = saveEngine(await build('bonobo'), dir, null, 9);
  assert.notEqual(a.generation, b.generation);
  // A reader that read the old manifest just before the swap still finds every file it names.
  for (const f of [`index-${a.generation}.bin`, `strings-${a.generation}.json`]) assert.ok(fs.existsSync(path.join(dir, f)), f);
  assert.equal(JSON.parse(oldManifest).generation, a.generation);
  const r = openIndex(dir, null);
  assert.equal(r.kind, 'loaded');
  if (r.kind !== 'loaded') return;
  assert.equal(r.manifest.seq, 9);
  const q = (e: typeof r.engine, text: string) => e.search({ text, phrases: [], excluded: [], filters: { authors: [], categories: [], from: null, to: null, hasCode: false } } as never, { mode: 'lexical', limit: 5 }).hits.map((h) => h.id);
  assert.deepEqual(q(r.engine, 'bonobo'), ['2401.00001']);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.tmp-')), [], 'no temporary folder left behind');
});

test('a background build that fails is logged as an error, and search says the build failed', async (t) => {
  const app = await testApp();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-search-fail-'));
  const logged: { msg: string; level: string }[] = [];
  t.after(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: '2024-02-01', onChanged: (ids) => papersChanged(app.ctx, ids) });
  // The worker opens its own connection: to a port nothing listens on.
  const svc = await createSearchService({
    db: app.ctx.store.db,
    dataDir,
    autoBuildMax: 10,
    background: { databaseUrl: 'postgres://postgres@127.0.0.1:1/none' },
    log: (msg, level = 'info') => logged.push({ msg, level }),
  });
  await svc.idle();
  assert.equal(svc.ready, false);
  assert.match((await svc.search('facial expression')).error ?? '', /build failed/);
  const failures = logged.filter((l) => /search index build failed/.test(l.msg));
  assert.ok(failures.length > 0, JSON.stringify(logged));
  assert.ok(failures.every((l) => l.level === 'error'), JSON.stringify(failures));
  assert.equal(logged.find((l) => /being built/.test(l.msg))?.level, 'info');
  await svc.close();
});
