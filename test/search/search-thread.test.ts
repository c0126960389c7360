/**
 * The search thread (src/search/query-thread.ts): with SEARCH_THREAD on, queries of /search, the
 * search API and suggestions are answered by a second search service in a worker thread at a
 * lower CPU priority. It must answer exactly what the server's own service answers, see a
 * write at once, and never be needed: when it stops, the server answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshEnv, writeJsonl } from '../support/app.js';
import { createApp, papersChanged, DEMO_FILE, type App } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';

async function appOn(dataDir: string | null, thread: boolean): Promise<{ app: App; dataDir: string; cleanup: () => Promise<void> }> {
  const env = await freshEnv({ SEARCH_THREAD: String(thread), ...(dataDir ? { DATA_DIR: dataDir } : {}) });
  const app = await createApp(env.config);
  if (!dataDir) await importFile(app.ctx.store.db, DEMO_FILE, { now: () => new Date('2025-06-04T12:00:00Z'), onChanged: (ids) => papersChanged(app.ctx, ids) });
  await app.ctx.search!.idle();
  return { app, dataDir: env.dataDir, cleanup: () => env.cleanup() };
}

async function threadReady(app: App): Promise<void> {
  for (let i = 0; i < 400 && !app.ctx.search!.thread?.ready; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(app.ctx.search!.thread?.ready, 'the search thread loaded the index');
}

const hitIds = (html: string) => [...html.matchAll(/href="\/papers\/([0-9.]+v?\d*)"/g)].map((m) => m[1]);

test('the thread answers /search, the API and suggestions exactly as the server does', async (t) => {
  const threaded = await appOn(null, true);
  t.after(() => threaded.app.ctx.close().then(threaded.cleanup));
  await threadReady(threaded.app);
  // A second app on a copy of the same store, without the thread: the reference answers.
  const copy = fs.mkdtempSync(path.join(path.dirname(threaded.dataDir), 'papertide-ref-'));
  if (threaded.app.ctx.config.dialect === 'sqlite') {
    await threaded.app.ctx.store.db.selectFrom('papers').select('id').limit(1).execute(); // flush
    fs.cpSync(threaded.dataDir, copy, { recursive: true });
  }
  const plain = await appOn(threaded.app.ctx.config.dialect === 'sqlite' ? copy : null, false);
  t.after(() => plain.app.ctx.close().then(plain.cleanup).then(() => fs.rmSync(copy, { recursive: true, force: true })));
  assert.equal(plain.app.ctx.search!.thread, undefined);

  const before = threaded.app.ctx.search!.thread!.answered;
  for (const q of ['language models', 'diffusion', 'author:"Ada Lovelace"', 'cat:cs.CL reasoning', 'a sentence about how large language models reason step by step']) {
    const a = await (await threaded.app.web.app.request(`/search?q=${encodeURIComponent(q)}`)).text();
    const b = await (await plain.app.web.app.request(`/search?q=${encodeURIComponent(q)}`)).text();
    assert.deepEqual(hitIds(a), hitIds(b), q);
    const ja = await (await threaded.app.web.app.request(`/api/papers/search?q=${encodeURIComponent(q)}`)).json();
    const jb = await (await plain.app.web.app.request(`/api/papers/search?q=${encodeURIComponent(q)}`)).json();
    assert.deepEqual(ja, jb, q);
  }
  const sa = await (await threaded.app.web.app.request('/search/suggest?q=lang')).text();
  const sb = await (await plain.app.web.app.request('/search/suggest?q=lang')).text();
  assert.equal(sa, sb);
  // 5 pages + 5 API calls + 1 suggestion were answered by the thread, not by the server.
  assert.equal(threaded.app.ctx.search!.thread!.answered - before, 11);
});

test('a paper written by the server is found by the thread at once', async (t) => {
  const { app, cleanup } = await appOn(null, true);
  t.after(() => app.ctx.close().then(cleanup));
  await threadReady(app);
  const dir = fs.mkdtempSync(path.join(app.ctx.config.dataDir, 'in-'));
  const file = writeJsonl(dir, 'new.jsonl', [
    { id: '2511.00042', title: 'Quokkas as a benchmark for zygomorphic retrieval', abstract: 'We study quokkas.', authors: ['Zed Quill'], categories: ['cs.IR'], created: '2025-06-03' },
  ]);
  await importFile(app.ctx.store.db, file, { now: () => new Date('2025-06-04T12:00:00Z'), onChanged: (ids) => papersChanged(app.ctx, ids) });
  const before = app.ctx.search!.thread!.answered;
  const html = await (await app.web.app.request('/search?q=zygomorphic+quokkas')).text();
  assert.deepEqual(hitIds(html).slice(0, 1), ['2511.00042']);
  assert.equal(app.ctx.search!.thread!.answered, before + 1, 'answered by the thread');
});

test('the thread runs at a lower priority than the server (Linux)', { skip: process.platform !== 'linux' }, async (t) => {
  const { app, cleanup } = await appOn(null, true);
  t.after(() => app.ctx.close().then(cleanup));
  await threadReady(app);
  const nice = (tid: string) => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[16]);
  const main = nice(String(process.pid));
  const lowered = fs.readdirSync('/proc/self/task').filter((tid) => nice(tid) >= main + 10);
  assert.equal(lowered.length >= 1, true, 'one thread runs 10 nice steps below the main thread');
});

test('when the thread stops, the server answers', async (t) => {
  const { app, cleanup } = await appOn(null, true);
  t.after(() => app.ctx.close().then(cleanup));
  await threadReady(app);
  await app.ctx.search!.thread!.stop();
  assert.equal(app.ctx.search!.thread!.ready, false);
  const before = app.ctx.search!.thread!.answered;
  const html = await (await app.web.app.request('/search?q=language+models')).text();
  assert.ok(hitIds(html).length > 0, 'results');
  assert.equal(app.ctx.search!.thread!.answered, before, 'answered by the server');
});
