/**
 * A store with the REAL data a new user imports (the Hugging Face daily-papers archive and the
 * 74,728 arXiv papers), prepared the way the README tells a person to, for browser tests that look
 * at what people see on real data rather than on the 62 demo papers.
 *
 * Preparing it takes minutes (two imports and a search index build), so it is done once and
 * cached under os.tmpdir(), keyed by the data files (size + mtime) and by the code that decides
 * what ends up in the store and the index (migrations, importer, search index): a later run with
 * the same data and code reuses it, a change to either prepares a fresh one. Tests never touch the
 * cached copy: each gets its own copy (`realServer()`), since a running server writes to its store.
 *
 * The steps follow the README: `papertide serve` on an empty DATA_DIR (the demo papers load),
 * stop it, `papertide import` the two files, take the demo papers out (`papertide demo --remove`:
 * they are dated the day they were loaded, which would make what the tests see depend on the age
 * of the cached store), start `papertide serve` again and wait until search answers from the
 * whole store. What each step took is kept in `prepare.json` beside the store.
 *
 * No shared data folder (a CI runner without ../shared/data): `realDataMissing()` says why, and
 * the tests skip with that reason. PAPERTIDE_SHARED_DATA points at another folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliAsync, startServer, type RunningServer } from './server.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const SHARED_DATA = path.resolve(process.env.PAPERTIDE_SHARED_DATA ?? path.join(ROOT, '..', 'shared', 'data'));
export const HF_FILE = path.join(SHARED_DATA, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz');
export const ARXIV_FILE = path.join(SHARED_DATA, 'arxiv-recent-ai', 'papers.jsonl.gz');
const CACHE_ROOT = path.join(os.tmpdir(), 'papertide-e2e-real-store');
/** Bump when the preparation steps below change. */
const RECIPE = 2;

/** Why the real-data tests cannot run here, or false. */
export function realDataMissing(): string | false {
  for (const f of [HF_FILE, ARXIV_FILE]) {
    if (!fs.existsSync(f)) return `real data not found: ${f} is missing (set PAPERTIDE_SHARED_DATA to the folder holding hf-daily-papers/ and arxiv-recent-ai/)`;
  }
  return false;
}

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (keep(p)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The cache key: the data files' size and mtime, the migration list, and the contents of the code
 * that shapes the stored papers and the search index (an importer fix that cleans abstracts, or a
 * new index format, must not be tested against a store prepared by the old code).
 */
export function realStoreKey(): string {
  const h = crypto.createHash('sha256');
  h.update(`recipe ${RECIPE}\n`);
  for (const f of [HF_FILE, ARXIV_FILE]) {
    const st = fs.statSync(f);
    h.update(`${path.basename(path.dirname(f))}/${path.basename(f)} ${st.size} ${st.mtimeMs}\n`);
  }
  const src = path.join(ROOT, 'src');
  const isCode = (f: string) => /\.(ts|tsx|mjs|js|sql|wasm|wat)$/.test(f) && !/\.test\.tsx?$/.test(f);
  for (const f of filesUnder(path.join(src, 'db', 'migrations'), () => true)) h.update(`migration ${path.relative(src, f)}\n`);
  for (const dir of ['db', 'domain', 'papers', 'search']) {
    for (const f of filesUnder(path.join(src, dir), isCode)) {
      h.update(`${path.relative(src, f)}\n`);
      h.update(fs.readFileSync(f));
    }
  }
  return h.digest('hex').slice(0, 16);
}

export interface PrepareTimings {
  /** seconds per step, and in all */
  firstStart: number;
  importHf: number;
  importArxiv: number;
  startAndIndex: number;
  total: number;
  /** the import commands' last lines */
  hf: string;
  arxiv: string;
  papers?: number;
}

/**
 * Wait until `/search?q=…` answers with results from a settled index: no "being built" or
 * "not available" note, at least one result. Returns the page's HTML.
 */
export async function waitForSearch(base: string, query: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const r = await fetch(`${base}/search?q=${encodeURIComponent(query)}`);
      last = await r.text();
      const main = last.slice(last.indexOf('<main'));
      if (r.ok && !/being built|not available yet|papertide reindex/i.test(main) && /href="\/papers\/[^"]+"/.test(main)) return last;
    } catch {}
    if (Date.now() > until) {
      const note = /<p class="notice[^>]*>([^<]*)</.exec(last)?.[1];
      throw new Error(`search for "${query}" did not answer from a ready index within ${ms / 1000} s${note ? `: ${note}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const seconds = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;

async function prepare(dir: string): Promise<PrepareTimings> {
  fs.mkdirSync(dir, { recursive: true });
  // The README's first command: `npm start` on a fresh clone (DEMO_DATA defaults to true).
  const env = { DATA_DIR: dir, DEMO_DATA: 'true', DATABASE_URL: '', SMTP_URL: '', EMBEDDER: '', LOG_LEVEL: 'info' };
  const t0 = Date.now();
  let server = await startServer(env);
  await waitForSearch(server.base, 'transformer', 120_000);
  await server.stop();
  const firstStart = seconds(t0);
  // The README's import example, word for word (as `node bin/papertide.js`, which `npx papertide` runs).
  const t1 = Date.now();
  const hf = await cliAsync(['import', HF_FILE], env);
  if (hf.status !== 0) throw new Error(`papertide import ${HF_FILE} failed (${hf.status}): ${hf.stderr.slice(-2000)}`);
  const importHf = seconds(t1);
  const t2 = Date.now();
  const ax = await cliAsync(['import', ARXIV_FILE], env);
  if (ax.status !== 0) throw new Error(`papertide import ${ARXIV_FILE} failed (${ax.status}): ${ax.stderr.slice(-2000)}`);
  const importArxiv = seconds(t2);
  const demo = await cliAsync(['demo', '--remove'], env);
  if (demo.status !== 0) throw new Error(`papertide demo --remove failed (${demo.status}): ${demo.stderr.slice(-2000)}`);
  // Start again and wait until search answers from the whole store (the index is saved in DATA_DIR).
  const t3 = Date.now();
  server = await startServer(env);
  try {
    await waitForSearch(server.base, 'diffusion', 900_000);
  } finally {
    await server.stop();
  }
  const startAndIndex = seconds(t3);
  const last = (s: string) => s.trim().split('\n').pop() ?? '';
  return { firstStart, importHf, importArxiv, startAndIndex, total: seconds(t0), hf: last(hf.stdout), arxiv: last(ax.stdout) };
}

let ready: Promise<{ dir: string; timings: PrepareTimings; reused: boolean }> | null = null;

/**
 * The prepared store's folder (read-only for callers: copy it before starting a server on it),
 * prepared now if no cached one matches. Prints one JSON line with the preparation time.
 */
export function realStore(): Promise<{ dir: string; timings: PrepareTimings; reused: boolean }> {
  ready ??= (async () => {
    const missing = realDataMissing();
    if (missing) throw new Error(missing);
    const key = realStoreKey();
    const dir = path.join(CACHE_ROOT, key);
    const stamp = path.join(dir, 'prepare.json');
    if (fs.existsSync(stamp)) {
      const timings = JSON.parse(fs.readFileSync(stamp, 'utf8')) as PrepareTimings;
      console.log(JSON.stringify({ realStore: dir, reused: true, preparedIn: timings }));
      return { dir, timings, reused: true };
    }
    // Prepare beside the final folder and rename when complete: an interrupted run leaves no
    // half-made store behind under the key, and two runs at once do not share a folder.
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    try {
      const timings = await prepare(tmp);
      fs.writeFileSync(path.join(tmp, 'prepare.json'), JSON.stringify(timings, null, 1));
      try {
        fs.renameSync(tmp, dir);
      } catch {
        fs.rmSync(tmp, { recursive: true, force: true }); // another run finished first: use its store
      }
      // Older keys are stores of older code or data: drop them, they are hundreds of MB each.
      // Half-made ones older than a day are left by interrupted runs.
      for (const e of fs.readdirSync(CACHE_ROOT)) {
        const p = path.join(CACHE_ROOT, e);
        const stale = e.includes('.tmp-') ? Date.now() - fs.statSync(p).mtimeMs > 86_400_000 : e !== key;
        if (stale) fs.rmSync(p, { recursive: true, force: true });
      }
      console.log(JSON.stringify({ realStore: dir, reused: false, preparedIn: timings }));
      return { dir, timings, reused: false };
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  })();
  return ready;
}

export interface RealServer extends RunningServer {
  dataDir: string;
  /** seconds from copying the store to search answering */
  startSeconds: number;
  /** Stop the server and delete this copy of the store. */
  close(): Promise<void>;
}

/** A private copy of the prepared store, served by `papertide serve`, search ready. */
export async function realServer(name: string, env: Record<string, string> = {}): Promise<RealServer> {
  const { dir } = await realStore();
  const t0 = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `pt-e2e-${name}-`));
  fs.cpSync(dir, dataDir, { recursive: true });
  fs.rmSync(path.join(dataDir, 'prepare.json'), { force: true });
  const server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', EMBEDDER: '', ...env });
  try {
    await waitForSearch(server.base, 'diffusion', 600_000);
  } catch (e) {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const startSeconds = seconds(t0);
  return {
    ...server,
    dataDir,
    startSeconds,
    async close() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
