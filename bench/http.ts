/**
 * npm run bench:http [-- --store sqlite|pg] [--workers 1,2] [--pages home,month,paper,search]
 *   [--duration 10] [--connections 20] [--data DIR] [--database-url URL [--reuse]] [--no-mixed]
 * Imports arxiv-recent-ai (74,728 papers) and the Hugging Face daily archive into a fresh store
 * (SQLite in DATA_DIR, or with `--store pg` a fresh PostgreSQL database: --database-url, default
 * papertide_bench_http on BENCH_PG_URL's server; `--reuse` keeps one that holds papers), then for
 * each count of `--workers` starts `papertide serve --workers N` on 127.0.0.1 and runs autocannon
 * from this process against the home page, a month page, 1,000 paper pages and the search page
 * over 1,000 distinct queries (half keyword queries from titles, half one-line summaries: no
 * answer is ever the same twice in a row, and no cache answers), then the mixed scenario: 50
 * signed-in users upvoting and commenting while readers read, checked against the store's final
 * counts. One JSON line per server run, then (with 1 and 2 workers) one comparing them.
 * Targets: 2 workers ≥ 1.7× the req/s of 1 on a 2-core machine, p99 ≤ 50 ms; mixed: no errors.
 *
 * `--scenario search-flood [--flood-connections 100] [--modes before,after,after_many_ips]`: a search flood (many connections on
 * /search?q=<varied common words>, from a worker thread) beside paper-page readers and a /healthz
 * probe, against a server without search's limit and gate ("before": SEARCH_RATE_PER_MINUTE=0
 * SEARCH_CONCURRENCY=0, the old behaviour), with them from one client IP ("after"), and with them
 * from a flood spread over many client IPs (X-Forwarded-For, TRUST_PROXY=true) so only the gate
 * protects ("after_many_ips"). Target: paper page p99 ≤ 100 ms while search runs at saturation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { testConfig } from '../src/config.js';
import { createApp, papersChanged } from '../src/app.js';
import { importFile } from '../src/papers/import.service.js';
import { sql } from 'kysely';
import { createSession, createUserDirect } from '../src/users/users.service.js';
import { cpuMs, ensureDatabase, load1m, pct, pgUrl, processTree, searchQueries, serve, waitReady } from './serve-helpers.js';

/** Common words of ML paper titles: the flood's queries are random pairs of them. */
const WORDS = ['diffusion', 'language', 'model', 'learning', 'graph', 'vision', 'transformer', 'retrieval', 'agents', 'benchmark', 'robot', 'video', 'generation', 'reasoning', 'reinforcement', 'attention', 'efficient', 'training', 'neural', 'network', 'data', 'large', 'multimodal', 'segmentation', 'detection', 'speech', 'alignment', 'evaluation', 'optimization', 'survey'];
const pick = <T,>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)];

/**
 * The search flood, run in a child process (its own event loop and core, so the readers'
 * latencies are not the flood's). Plain CommonJS for \`node -e\`; its result is one JSON line.
 */
const FLOOD_CLIENT = `
const autocannon = require('autocannon');
const { url, connections, duration, manyIps, words } = JSON.parse(process.env.FLOOD);
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const ip = () => '10.' + [0, 0, 1].map((o) => o + Math.floor(Math.random() * 254)).join('.');
autocannon({ url, connections, duration, requests: [{ setupRequest: (req) => ({ ...req, path: '/search?q=' + encodeURIComponent(pick(words) + ' ' + pick(words)), headers: manyIps ? { ...req.headers, 'x-forwarded-for': ip() } : req.headers }) }] }, (err, r) => {
  if (err) throw err;
  const codes = {};
  for (const [k, v] of Object.entries(r.statusCodeStats || {})) codes[k] = v.count;
  process.stdout.write(JSON.stringify({ codes, duration_s: r.duration, p50: r.latency.p50, p99: r.latency.p99 }) + '\\n');
});
`;

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const flag = (name: string) => args.includes(`--${name}`);
const shared = path.resolve('..', 'shared', 'data');
const duration = Number(opt('duration', '10'));
const connections = Number(opt('connections', '20'));
const store = opt('store', 'sqlite');
if (store !== 'sqlite' && store !== 'pg') throw new Error(`--store is sqlite or pg, not “${store}”`);
const workersList = opt('workers', '1').split(',').map((w) => {
  const n = Number(w);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--workers is a comma-separated list of counts (1,2), not “${w}”`);
  return n;
});
const PAGES = ['home', 'month', 'paper', 'search'] as const;
const pageNames = opt('pages', PAGES.join(',')).split(',').filter(Boolean);
for (const p of pageNames) if (!(PAGES as readonly string[]).includes(p)) throw new Error(`--pages lists ${PAGES.join(', ')}, not “${p}”`);
let dataDir = opt('data', '');
const fresh = !dataDir;
if (fresh) dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-http-'));
const databaseUrl = store === 'pg' ? opt('database-url', pgUrl('papertide_bench_http')) : '';
const storeEnv: Record<string, string> = databaseUrl ? { DATABASE_URL: databaseUrl } : {};
const BENCH_SECRET = 'bench-http-secret-bench-http-secret';

/** arxiv-recent-ai and the Hugging Face daily archive, imported as `papertide import` does (no index: the server builds it). */
async function importRealData() {
  const { ctx } = await createApp(testConfig({ DATA_DIR: dataDir, ...storeEnv }), { role: 'cli' });
  try {
    for (const f of [path.join(shared, 'arxiv-recent-ai', 'papers.jsonl.gz'), path.join(shared, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz')]) {
      const t0 = performance.now();
      const r = await importFile(ctx.store.db, f, { now: () => new Date(), onChanged: (ids) => papersChanged(ctx, ids) });
      console.log(`imported ${path.basename(path.dirname(f))}: added ${r.added}, updated ${r.updated} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await ctx.close();
  }
}

/** The store to measure: SQLite in DATA_DIR (made when missing), or a PostgreSQL database made fresh (`--reuse`: kept when it holds papers). */
async function prepareStore() {
  if (store === 'sqlite') {
    if (fresh || !fs.existsSync(path.join(dataDir, 'papertide.db'))) await importRealData();
    return;
  }
  const reuse = flag('reuse');
  await ensureDatabase(databaseUrl, !reuse);
  const { ctx } = await createApp(testConfig({ DATA_DIR: dataDir, ...storeEnv }), { role: 'cli' });
  const { n } = await ctx.store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  await ctx.close();
  if (Number(n) > 0) return console.log(`reusing ${databaseUrl}: ${n} papers`);
  // A new database: an index snapshot left in DATA_DIR describes another store.
  fs.rmSync(path.join(dataDir, 'search'), { recursive: true, force: true });
  await importRealData();
}

function startServer(env: Record<string, string>) {
  const port = 3900 + Math.floor(Math.random() * 90);
  // --server-node-args "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the server, not the bench.
  const nodeArgs = opt('server-node-args', '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...nodeArgs, 'bin/papertide.js', 'serve', '--no-jobs'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'false', INGEST_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { server, base: `http://127.0.0.1:${port}` };
}

/**
 * Wait until the server answers and its search index is ready: a first start on a store builds
 * the index in a worker thread (about two minutes at 74k papers), and measuring meanwhile would
 * time the build's CPU use, not the server. The first mode's build is persisted; later ones load it.
 */
async function waitUp(base: string) {
  const t0 = performance.now();
  let said = false;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      const body = (await r.json()) as { search?: string };
      if (r.ok && (body.search === 'ready' || body.search === 'off')) return;
      if (!said && body.search === 'building') (said = true), console.error('waiting for the search index to be built…');
    } catch {}
    if (performance.now() - t0 > 900_000) throw new Error('server or search index not ready within 15 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** autocannon over `paths` in turn (one path each request), `secs` seconds. */
function cannon(base: string, paths: string[], secs: number, conns = connections) {
  let i = 0;
  return autocannon({ url: base, connections: conns, duration: secs, requests: [{ setupRequest: (req: any) => ({ ...req, path: paths[i++ % paths.length] }) }] });
}

interface Sample {
  paperIds: string[];
  month: string;
  queries: string[];
  /** Papers the mixed scenario's users vote on and comment on. */
  targets: string[];
}

/** What the pages are measured on: 1,000 papers, the month with the most papers, 1,000 distinct queries. */
async function sampleStore(): Promise<Sample> {
  const { ctx } = await createApp(testConfig({ DATA_DIR: dataDir, ...storeEnv }), { role: 'cli' });
  try {
    const db = ctx.store.db;
    const ids = (await db.selectFrom('papers').select('id').where('hidden', '=', 0).orderBy(sql`random()`).limit(1000).execute()).map((r) => r.id);
    const titles = (await db.selectFrom('papers').select('title').where('hidden', '=', 0).orderBy(sql`random()`).limit(20000).execute()).map((r) => r.title);
    const queries = await searchQueries(shared, titles, Number(opt('queries', '1000')));
    return { paperIds: ids, month: opt('month', '2025-06'), queries, targets: ids.slice(0, 20) };
  } finally {
    await ctx.close();
  }
}

function pagePaths(name: string, s: Sample): string[] {
  if (name === 'home') return ['/'];
  if (name === 'month') return [`/papers/month/${s.month}`];
  if (name === 'paper') return s.paperIds.map((id) => `/papers/${id}`);
  return s.queries.map((q) => `/search?q=${encodeURIComponent(q)}`);
}

interface StoreCounts {
  votes: Map<string, number>;
  upvotes: Map<string, number>;
  comments: Map<string, number>;
  numComments: Map<string, number>;
}

async function countsOf(db: any, ids: string[]): Promise<StoreCounts> {
  const c: StoreCounts = { votes: new Map(), upvotes: new Map(), comments: new Map(), numComments: new Map() };
  for (const id of ids) for (const m of Object.values(c)) m.set(id, 0);
  for (const r of await db.selectFrom('votes').select(['paper_id', (eb: any) => eb.fn.countAll().as('n')]).where('paper_id', 'in', ids).groupBy('paper_id').execute()) c.votes.set(r.paper_id, Number(r.n));
  for (const r of await db.selectFrom('comments').select(['paper_id', (eb: any) => eb.fn.countAll().as('n')]).where('paper_id', 'in', ids).where('deleted_at', 'is', null).groupBy('paper_id').execute()) c.comments.set(r.paper_id, Number(r.n));
  for (const r of await db.selectFrom('papers').select(['id', 'upvotes', 'num_comments']).where('id', 'in', ids).execute()) {
    c.upvotes.set(r.id, Number(r.upvotes));
    c.numComments.set(r.id, Number(r.num_comments));
  }
  return c;
}

/**
 * 50 signed-in users (made through the store with a session, as a login makes one; each behind
 * its own address, as a proxy reports it) upvote and comment on 20 papers through the web forms
 * (session cookie + CSRF token read from the page) while readers read those papers' pages and the
 * home page. Each user turns on 10 upvotes, takes back 2 and posts 3 comments; afterwards the
 * store must hold exactly the votes and comments asked for, and papers' counters must agree.
 */
async function mixedScenario(base: string, workers: number, s: Sample) {
  const USERS = Number(opt('users', '50'));
  const T = s.targets;
  const tag = `${process.pid.toString(36)}${workers}${Date.now().toString(36).slice(-4)}`;
  const { ctx } = await createApp(testConfig({ DATA_DIR: dataDir, ...storeEnv, SECRET: BENCH_SECRET }), { role: 'cli' });
  let users: { token: string; ip: string; i: number }[];
  let before: StoreCounts;
  try {
    users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const u = await createUserDirect(ctx, { email: `b${tag}u${i}@example.org`, name: `b${tag}u${i}`, password: 'bench-password-123', verified: true });
        return { token: await createSession(ctx, u.id, 'bench'), ip: `10.77.${Math.floor(i / 250)}.${(i % 250) + 1}`, i };
      }),
    );
    before = await countsOf(ctx.store.db, T);
  } finally {
    await ctx.close();
  }
  const expVotes = new Map(T.map((id) => [id, 0]));
  const expComments = new Map(T.map((id) => [id, 0]));
  const writeMs: number[] = [];
  const failures: string[] = [];
  let writes = 0;
  const runUser = async (u: (typeof users)[number]) => {
    const headers = { cookie: `pt_session=${u.token}`, 'x-forwarded-for': u.ip };
    const page = await fetch(`${base}/papers/${T[u.i % T.length]}`, { headers });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!csrf) return void failures.push(`user ${u.i}: no CSRF token on the paper page (status ${page.status})`);
    const actions: { kind: 'vote' | 'unvote' | 'comment'; paper: string }[] = [];
    for (let k = 0; k < 10; k++) {
      actions.push({ kind: 'vote', paper: T[(u.i + k) % T.length] });
      if (k % 3 === 2) actions.push({ kind: 'comment', paper: T[(u.i * 3 + k) % T.length] });
    }
    actions.push({ kind: 'unvote', paper: T[u.i % T.length] }, { kind: 'unvote', paper: T[(u.i + 1) % T.length] });
    for (const a of actions) {
      const body = new URLSearchParams(a.kind === 'comment' ? { paper: a.paper, body: `Bench remark ${tag}-${u.i}-${writes}: how does the method behave on longer inputs?` } : { paper: a.paper, want: a.kind === 'vote' ? 'on' : 'off' });
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}/${a.kind === 'comment' ? 'comments' : 'vote'}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers, 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded', ...(a.kind === 'comment' ? {} : { accept: 'application/json' }) },
          body,
        });
        await res.arrayBuffer();
        writeMs.push(performance.now() - t0);
        writes++;
        const ok = a.kind === 'comment' ? res.status === 303 && /#c\d+$/.test(res.headers.get('location') ?? '') : res.status === 200;
        if (!ok) failures.push(`user ${u.i} ${a.kind} ${a.paper}: ${res.status}`);
      } catch (e) {
        failures.push(`user ${u.i} ${a.kind} ${a.paper}: ${(e as Error).message}`);
      }
    }
    for (const a of actions) if (a.kind === 'comment') expComments.set(a.paper, expComments.get(a.paper)! + 1);
    const on = new Set(actions.filter((a) => a.kind === 'vote').map((a) => a.paper));
    for (const a of actions) if (a.kind === 'unvote') on.delete(a.paper);
    for (const p of on) expVotes.set(p, expVotes.get(p)! + 1);
  };
  const readerPaths = [...T.map((id) => `/papers/${id}`), '/'];
  const t0 = performance.now();
  let writersS = 0;
  const [readers] = await Promise.all([cannon(base, readerPaths, duration, Number(opt('readers', '20'))), Promise.all(users.map(runUser)).then(() => (writersS = (performance.now() - t0) / 1000))]);
  // Every process has committed (the writes were answered); the store is the judge.
  const { ctx: ctx2 } = await createApp(testConfig({ DATA_DIR: dataDir, ...storeEnv, SECRET: BENCH_SECRET }), { role: 'cli' });
  const after = await countsOf(ctx2.store.db, T).finally(() => ctx2.close());
  const mismatches: string[] = [];
  for (const id of T) {
    const d = (m: keyof StoreCounts) => after[m].get(id)! - before[m].get(id)!;
    if (d('votes') !== expVotes.get(id)) mismatches.push(`${id} votes +${d('votes')}, expected +${expVotes.get(id)}`);
    if (d('upvotes') !== expVotes.get(id)) mismatches.push(`${id} upvotes counter +${d('upvotes')}, expected +${expVotes.get(id)}`);
    if (d('comments') !== expComments.get(id)) mismatches.push(`${id} comments +${d('comments')}, expected +${expComments.get(id)}`);
    if (d('numComments') !== expComments.get(id)) mismatches.push(`${id} comment counter +${d('numComments')}, expected +${expComments.get(id)}`);
  }
  for (const f of [...failures, ...mismatches].slice(0, 10)) console.error(`mixed: ${f}`);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    users: USERS,
    writes,
    write_errors: failures.length,
    writes_s: Math.round(writes / writersS),
    writers_s: Math.round(writersS * 10) / 10,
    write_p50_ms: pct(writeMs, 50),
    write_p99_ms: pct(writeMs, 99),
    expected_votes: sum(expVotes),
    expected_comments: sum(expComments),
    counts_exact: mismatches.length === 0,
    read_req_s: Math.round(readers.requests.average),
    read_p99_ms: readers.latency.p99,
    read_errors: readers.errors + readers.non2xx,
    errors: failures.length + mismatches.length + readers.errors + readers.non2xx,
  };
}

type PageRow = { page: string; paths: number; req_s: number; server_cpu_ms_per_req: number; p50_ms: number; p99_ms: number; errors: number; bytes: number };

/** One server (`serve --workers N`): each page, then the mixed scenario; one JSON line. */
async function pagesRun(workers: number, s: Sample) {
  // Behind a proxy (the mixed scenario's users each have an address); search's per-client budget
  // off (SEARCH_RATE_PER_MINUTE=0): this measures the page, not the limit that protects it.
  const env = { ...storeEnv, SECRET: BENCH_SECRET, TRUST_PROXY: 'true', SEARCH_RATE_PER_MINUTE: '0' };
  const srv = serve({ dataDir, workers, env, nodeArgs: opt('server-node-args', '').split(' ').filter(Boolean) });
  try {
    const ready = await waitReady(srv, workers);
    console.log(`${workers} worker(s): first page after ${ready.first_page_ms} ms, search ready after ${ready.search_ready_ms} ms`);
    const results: PageRow[] = [];
    for (const name of pageNames) {
      const paths = pagePaths(name, s);
      const first = await fetch(srv.base + paths[0]);
      await first.arrayBuffer();
      if (first.status !== 200) throw new Error(`${paths[0]} answered ${first.status}`);
      await cannon(srv.base, paths, 2); // warm-up
      const cpu0 = cpuMs(srv.proc.pid!);
      const r = await cannon(srv.base, paths, duration);
      const cpuPerReq = (cpuMs(srv.proc.pid!) - cpu0) / Math.max(1, r.requests.total);
      const row = { page: name, paths: paths.length, req_s: Math.round(r.requests.average), server_cpu_ms_per_req: Math.round(cpuPerReq * 100) / 100, p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors + r.non2xx, bytes: Math.round(r.throughput.average / Math.max(1, r.requests.average)) };
      console.log(`${workers}w ${name.padEnd(6)} (${String(paths.length).padStart(4)} paths) ${String(row.req_s).padStart(6)} req/s  p50 ${row.p50_ms} ms  p99 ${row.p99_ms} ms  errors ${row.errors}  server CPU ${row.server_cpu_ms_per_req} ms/req  load ${load1m()}`);
      results.push(row);
    }
    const mixed = flag('no-mixed') ? null : await mixedScenario(srv.base, workers, s);
    if (mixed) console.log(`${workers}w mixed: ${mixed.writes} writes (${mixed.writes_s}/s, p99 ${mixed.write_p99_ms} ms), readers ${mixed.read_req_s} req/s p99 ${mixed.read_p99_ms} ms, errors ${mixed.errors}, counts exact: ${mixed.counts_exact}`);
    const rss = processTree(srv.proc.pid!);
    const line = { bench: 'http', dataset: 'arxiv-recent-ai+hf-daily-papers', store, workers, connections, duration_s: duration, cpus: os.cpus().length, ...ready, results, mixed, rss_mb: rss.map((p) => ({ role: p.role, rss_mb: p.rss_mb })), load_avg_1m: load1m() };
    console.log(JSON.stringify(line));
    return line;
  } finally {
    await srv.stop();
  }
}

async function pagesScenario() {
  await prepareStore();
  const s = await sampleStore();
  const runs = [];
  for (const n of workersList) runs.push(await pagesRun(n, s));
  const one = runs.find((r) => r.workers === 1);
  const two = runs.find((r) => r.workers === 2);
  if (one && two) {
    const pages = Object.fromEntries(
      one.results.map((r1) => {
        const r2 = two.results.find((r) => r.page === r1.page)!;
        return [r1.page, { req_s_1w: r1.req_s, req_s_2w: r2.req_s, ratio: Math.round((r2.req_s / r1.req_s) * 100) / 100, p99_ms_1w: r1.p99_ms, p99_ms_2w: r2.p99_ms }];
      }),
    );
    const meets = Object.values(pages).every((p) => p.ratio >= 1.7 && p.p99_ms_2w <= 50) && [one, two].every((r) => !r.mixed || (r.mixed.errors === 0 && r.mixed.counts_exact));
    console.log(JSON.stringify({ bench: 'http-workers', store, connections, duration_s: duration, pages, mixed_errors: [one.mixed?.errors ?? null, two.mixed?.errors ?? null], counts_exact: [one.mixed?.counts_exact ?? null, two.mixed?.counts_exact ?? null], target: { ratio: 1.7, p99_ms: 50 }, meets_target: meets, load_avg_1m: load1m() }));
  }
}

async function searchFloodScenario() {
  const floodConnections = Number(opt('flood-connections', '100'));
  const readers = Number(opt('readers', '10'));
  // Paper pages the readers visit: a sample of the store's papers.
  const ids = execFileSync('sqlite3', [path.join(dataDir, 'papertide.db'), 'select id from papers where hidden = 0 order by random() limit 20'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (ids.length < 10) throw new Error('the store has too few papers for the search-flood scenario');
  const modes: { name: string; env: Record<string, string>; manyIps: boolean }[] = [
    { name: 'before', env: { SEARCH_RATE_PER_MINUTE: '0', SEARCH_CONCURRENCY: '0' }, manyIps: false },
    { name: 'after', env: {}, manyIps: false },
    { name: 'after_many_ips', env: { TRUST_PROXY: 'true' }, manyIps: true },
  ];
  const only = opt('modes', '').split(',').filter(Boolean); // e.g. --modes after
  const out: Record<string, unknown> = {};
  for (const mode of modes.filter((m) => !only.length || only.includes(m.name))) {
    const { server, base } = startServer(mode.env);
    try {
      await waitUp(base);
      // Warm-up without the flood: the search index is loaded and every paper page the readers
      // visit is rendered once, so the figures are about the flood, not about cold renders.
      await fetch(`${base}/search?q=diffusion`).then((r) => r.text());
      for (const id of ids) await fetch(`${base}/papers/${id}`).then((r) => r.text());
      const flood = new Promise<{ codes: Record<string, number>; duration_s: number; p50: number; p99: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', FLOOD_CLIENT], { env: { ...process.env, FLOOD: JSON.stringify({ url: base, connections: floodConnections, duration, manyIps: mode.manyIps, words: WORDS }) }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`flood client exited with ${code}`))));
      });
      await new Promise((r) => setTimeout(r, 1000)); // let the flood reach saturation
      const measure = Math.max(2, duration - 2);
      const [papers, health] = await Promise.all([
        autocannon({ url: base, connections: readers, duration: measure, requests: [{ setupRequest: (req: any) => ({ ...req, path: `/papers/${pick(ids)}` }) }] }),
        autocannon({ url: `${base}/healthz`, connections: 1, duration: measure }),
      ]);
      const f = await flood;
      const ok = f.codes['200'] ?? 0;
      const row = {
        paper_req_s: Math.round(papers.requests.average),
        paper_p50_ms: papers.latency.p50,
        paper_p99_ms: papers.latency.p99,
        paper_errors: papers.errors + papers.non2xx,
        healthz_p99_ms: health.latency.p99,
        search_ok_per_s: Math.round(ok / f.duration_s),
        search_429: f.codes['429'] ?? 0,
        search_other: Object.entries(f.codes).filter(([k]) => k !== '200' && k !== '429').reduce((a, [, v]) => a + v, 0),
        search_p50_ms: f.p50,
        search_p99_ms: f.p99,
      };
      (row as Record<string, unknown>).load_avg_1m = Number(os.loadavg()[0].toFixed(1));
      console.log(`${mode.name.padEnd(15)} paper p50 ${row.paper_p50_ms} ms p99 ${row.paper_p99_ms} ms (${row.paper_req_s} req/s) · healthz p99 ${row.healthz_p99_ms} ms · search ${row.search_ok_per_s}/s ok, ${row.search_429} × 429`);
      out[mode.name] = row;
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }
  const after = (out.after ?? { paper_p99_ms: NaN }) as { paper_p99_ms: number };
  const many = (out.after_many_ips ?? { paper_p99_ms: NaN }) as { paper_p99_ms: number };
  console.log(JSON.stringify({ bench: 'http-search-flood', dataset: 'arxiv-recent-ai+hf-daily-papers', server_processes: 1, flood_connections: floodConnections, reader_connections: readers, duration_s: duration, cpus: os.cpus().length, ...out, target: { paper_p99_ms: 100 }, meets_target: after.paper_p99_ms <= 100 && many.paper_p99_ms <= 100 }));
}

try {
  if (opt('scenario', 'pages') === 'search-flood') {
    if (store !== 'sqlite') throw new Error('the search-flood scenario runs on SQLite');
    await searchFloodScenario();
  }
  else await pagesScenario();
} finally {
  if (fresh) setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
}
