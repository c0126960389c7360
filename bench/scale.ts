/**
 * npm run bench:scale [-- --papers 1000000] [--workers 2] [--database-url URL] [--data DIR]
 *   [--reuse] [--duration 10] [--connections 20] [--queries 500]
 *
 * A million papers on PostgreSQL, end to end, as an operator runs it:
 * 1. writes the recombined corpus of bench:search-1m (the 74,728 real papers of arxiv-recent-ai,
 *    then papers recombined from them, see recombined.ts) as an arxiv-recent JSONL file;
 * 2. imports it with `papertide import` into a fresh PostgreSQL database (--database-url, default
 *    papertide_bench_scale on BENCH_PG_URL's server) and times it;
 * 3. starts `papertide serve --workers N` on an empty DATA_DIR and times the first page (home, 200)
 *    and full search (every worker's index ready: the first builds it, the others load its snapshot);
 * 4. search p95: the search page over distinct queries (half keyword queries from titles, half
 *    one-line summaries), one at a time;
 * 5. page p99 under load: autocannon (20 connections) over the home page, month pages and 1,000
 *    paper pages;
 * 6. the RSS of each process (primary and workers).
 * `--papers N` makes a smaller set for development; `--reuse` keeps a database that already holds
 * the papers (and DATA_DIR's index snapshot) and measures the server only.
 * Targets: search p95 ≤ 50 ms, RSS ≤ 2.5 GB per process. One JSON line at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { testConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { arxivRecentLine, generatedArxivId, readRealDocs, recombined } from './recombined.js';
import { ensureDatabase, getFresh, load1m, pct, pgUrl, processTree, searchQueries, serve, waitReady } from './serve-helpers.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const flag = (name: string) => args.includes(`--${name}`);
const shared = path.resolve(opt('shared', path.join('..', 'shared', 'data')));
const N = Number(opt('papers', '1000000'));
const workers = Number(opt('workers', '2'));
const duration = Number(opt('duration', '10'));
const connections = Number(opt('connections', '20'));
const databaseUrl = opt('database-url', pgUrl('papertide_bench_scale'));
const dataDir = path.resolve(opt('data', path.join(os.tmpdir(), `pt-bench-scale-${N}`)));
const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)} load ${load1m()}] ${m}`);
fs.mkdirSync(dataDir, { recursive: true });

/** The corpus as a file `papertide import` reads (arxiv-recent lines); written once per size. */
async function writeCorpus(): Promise<string> {
  const file = path.join(dataDir, `recombined-${N}.jsonl`);
  if (fs.existsSync(file) && fs.existsSync(`${file}.done`)) return file;
  const real = await readRealDocs(shared);
  const out = fs.createWriteStream(file);
  let i = 0;
  for (const d of recombined(real, N, generatedArxivId)) {
    const line = arxivRecentLine(d) + '\n';
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    if (++i % 200_000 === 0) log(`wrote ${i} papers`);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  fs.writeFileSync(`${file}.done`, String(N));
  return file;
}

const storeEnv = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir };

async function paperCount(): Promise<number> {
  const { ctx } = await createApp(testConfig(storeEnv), { role: 'cli' });
  try {
    const r = await ctx.store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  } finally {
    await ctx.close();
  }
}

/** `papertide import FILE --quiet` into a fresh database; seconds. */
async function importCorpus(file: string): Promise<number> {
  await ensureDatabase(databaseUrl, true);
  fs.rmSync(path.join(dataDir, 'search'), { recursive: true, force: true }); // a snapshot of another store
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const p = spawn(process.execPath, ['bin/papertide.js', 'import', file, '--quiet'], { env: { ...process.env, ...storeEnv, LOG_LEVEL: 'warn', DEMO_DATA: 'false' }, stdio: ['ignore', 'inherit', 'inherit'] });
    p.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`papertide import exited with ${code}`);
  return (performance.now() - t0) / 1000;
}

const result: Record<string, unknown> = { bench: 'scale', dataset: `arxiv-recent-ai-recombined-${N}`, papers: N, store: 'postgres', workers, cpus: os.cpus().length };
const t0 = performance.now();
const file = await writeCorpus();
log(`corpus: ${file}`);
const reuse = flag('reuse') && (await ensureDatabase(databaseUrl, false), (await paperCount()) >= N);
if (reuse) log(`reusing ${databaseUrl} (${N} papers or more)`);
else {
  log('importing…');
  const s = await importCorpus(file);
  result.import_s = Math.round(s);
  result.import_papers_s = Math.round(N / s);
  result.load_avg_1m_import = load1m();
  log(`imported ${N} papers in ${s.toFixed(0)} s`);
}
result.papers_in_store = await paperCount();

// What to ask: papers and months from the store, queries from the data.
const { ctx } = await createApp(testConfig(storeEnv), { role: 'cli' });
const db = ctx.store.db;
const ids = (await db.selectFrom('papers').select('id').where('hidden', '=', 0).orderBy(sql`random()`).limit(1000).execute()).map((r) => r.id);
const titles = (await db.selectFrom('papers').select('title').orderBy(sql`random()`).limit(20000).execute()).map((r) => r.title);
await ctx.close();
const queries = await searchQueries(shared, titles, Number(opt('queries', '500')));
const pagePaths = ['/', '/papers/month/2025-06', '/papers/month/2025-03', ...ids.map((id) => `/papers/${id}`)];

const srv = serve({ dataDir, workers, env: { DATABASE_URL: databaseUrl, SECRET: 'bench-scale-secret-bench-scale-secret', SEARCH_RATE_PER_MINUTE: '0', MALLOC_MMAP_THRESHOLD_: '1048576' } });
try {
  log(`serve --workers ${workers}…`);
  const ready = await waitReady(srv, workers);
  Object.assign(result, ready, { load_avg_1m_start: load1m() });
  log(`first page after ${ready.first_page_ms} ms, search ready after ${ready.search_ready_ms} ms`);
  result.rss_mb_after_start = processTree(srv.proc.pid!).map((p) => ({ role: p.role, rss_mb: p.rss_mb }));

  // Search: the page, one query at a time over new connections (so every worker answers its share).
  for (const q of queries.slice(0, 20)) await getFresh(`${srv.base}/search?q=${encodeURIComponent(q)}`);
  const times: number[] = [];
  let searchErrors = 0;
  for (const q of queries) {
    const t = performance.now();
    const r = await getFresh(`${srv.base}/search?q=${encodeURIComponent(q)}`);
    times.push(performance.now() - t);
    if (r.status !== 200) searchErrors++;
  }
  result.search = { queries: queries.length, p50_ms: pct(times, 50), p95_ms: pct(times, 95), p99_ms: pct(times, 99), errors: searchErrors };
  log(`search page: p50 ${pct(times, 50)} ms, p95 ${pct(times, 95)} ms`);

  // Pages under load.
  let i = 0;
  await autocannon({ url: srv.base, connections, duration: 2, requests: [{ setupRequest: (req: any) => ({ ...req, path: pagePaths[i++ % pagePaths.length] }) }] });
  const r = await autocannon({ url: srv.base, connections, duration, requests: [{ setupRequest: (req: any) => ({ ...req, path: pagePaths[i++ % pagePaths.length] }) }] });
  result.pages_under_load = { connections, duration_s: duration, paths: pagePaths.length, req_s: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors + r.non2xx };
  log(`pages: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms`);
  const rss = processTree(srv.proc.pid!);
  result.rss_mb = rss.map((p) => ({ role: p.role, rss_mb: p.rss_mb }));
  const maxRss = Math.max(...rss.filter((p) => p.role !== 'primary').map((p) => p.rss_mb));
  result.target = { search_p95_ms: 50, rss_mb_per_process: 2500 };
  result.meets_target = (result.search as { p95_ms: number }).p95_ms <= 50 && maxRss <= 2500;
} finally {
  await srv.stop();
}
result.total_s = Math.round((performance.now() - t0) / 1000);
result.load_avg_1m = load1m();
console.log(JSON.stringify(result));
