/**
 * `npm run bench:recs [-- --store DIR --users N --passes N --limit N]`
 *
 * For-you speed on a real store (DIR holds papertide.db and search/, as `papertide serve` leaves
 * them; default $DATA_DIR or ./data): the For-you ranking (src/recs/rank.ts `rankForUser` with the
 * search engine's features, src/recs/engine-features.ts) for one user over a month of candidates.
 *
 * - Candidates: the papers of the 30-day window with the most papers in the store (the worst
 *   month), read per request with the same SQL a page would use (published_at range).
 * - Users: N (default 50) synthetic libraries of 20 papers published before the window, each a seed paper and
 *   its 19 nearest papers by the same ranking (a researcher's saved papers are on a few topics).
 * - forYou: candidates query + ranking, top `limit`; p50/p95 over N users × passes, features
 *   shared by all requests (one `engineFeatures` per engine, as a service keeps it). Wall time
 *   and the process' CPU time per request (on a shared machine the wall time includes waiting).
 * - afterSave: the user saves the first recommendation; the next For-you request (the profile is
 *   recomputed from the library, nothing else to update) — its time and that the saved paper left
 *   the list.
 * - stateBytes: what is kept per user for recommendations. The ranking keeps no per-user state
 *   (no model, no cached profile): its inputs are the library and dismissed ids, which the
 *   library tables hold anyway; reported is their size as ids + weights for a 50-paper library.
 * Last line of stdout: one JSON object with the figures, the targets and the load average.
 */
import Database from 'better-sqlite3';
import { loadavg } from 'node:os';
import path from 'node:path';
import { engineFeatures } from '../src/recs/engine-features.js';
import { rankForUser, type LibraryItem } from '../src/recs/rank.js';
import { loadEngine } from '../src/search/persist.js';
import { rng } from '../src/search/linalg.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const STORE = path.resolve(opt('store', process.env.DATA_DIR ?? './data'));
const USERS = Number(opt('users', '50'));
const PASSES = Number(opt('passes', '3'));
const LIMIT = Number(opt('limit', '50'));
const log = (m: string) => process.stderr.write(m + '\n');
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100 : NaN;
};

const db = new Database(path.join(STORE, 'papertide.db'), { readonly: true, fileMustExist: true });
const papers = db.prepare(`select id, title, published_at as p from papers where published_at is not null and hidden = 0 and withdrawn = 0 order by published_at`).all() as { id: string; title: string; p: string }[];
log(`${papers.length} papers in ${STORE}`);
let t0 = performance.now();
const engine = loadEngine(path.join(STORE, 'search'), 'builtin');
log(`index loaded in ${Math.round(performance.now() - t0)} ms (${engine.segments.map((s) => s.lex.size).join(' + ')} docs)`);

// The 30-day window with the most papers.
const DAY = 86_400_000;
const times = papers.map((x) => Date.parse(x.p));
let best = { from: 0, n: 0 };
for (let i = 0, j = 0; i < times.length; i++) {
  while (times[j] < times[i] - 30 * DAY) j++;
  if (i - j + 1 > best.n) best = { from: times[i] - 30 * DAY, n: i - j + 1 };
}
const from = new Date(best.from).toISOString(), to = new Date(best.from + 30 * DAY).toISOString();
const candSql = db.prepare(`select id from papers where published_at >= ? and published_at <= ? and hidden = 0 and withdrawn = 0`).pluck();
const candidates = () => candSql.all(from, to) as string[];
log(`window ${from} .. ${to}: ${candidates().length} candidates`);

// Libraries: a seed and its 19 nearest earlier papers (setup, not timed; its own features cache).
const setupF = engineFeatures(engine, { cache: 100_000 });
const title = new Map(papers.map((x) => [x.id, x.title]));
const earlier = papers.filter((x) => x.p < from).map((x) => x.id);
const r = rng(20261203);
const pool: string[] = [];
for (let i = 0; i < 5_000; i++) pool.push(earlier[Math.floor(r() * earlier.length)]);
const libraries: LibraryItem[][] = [];
t0 = performance.now();
while (libraries.length < USERS) {
  const seed = earlier[Math.floor(r() * earlier.length)];
  if (!setupF.sparse(seed)) continue;
  const near = rankForUser({ library: [{ id: seed, title: title.get(seed)!, weight: 1 }], dismissed: [], candidates: pool, limit: 19 }, setupF);
  libraries.push([seed, ...near.map((x) => x.id)].reverse().map((id) => ({ id, title: title.get(id) ?? id, weight: 1 })));
}
log(`${USERS} libraries of ${libraries[0].length} papers in ${Math.round(performance.now() - t0)} ms`);

const features = engineFeatures(engine);
const forYou = (library: LibraryItem[], dismissed: string[]) => rankForUser({ library, dismissed, candidates: candidates(), limit: LIMIT }, features);
// Warm-up: the forward index (built once per index segment) and the JIT.
t0 = performance.now();
forYou(libraries[0], []);
const firstMs = Math.round(performance.now() - t0);
log(`first request (builds the forward index once per engine): ${firstMs} ms`);

// Wall time, and the process' CPU time (user + system) per request: on a shared, loaded machine
// the wall time includes waiting for a core; the CPU time is what the request costs.
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const ms: number[] = [], cpu: number[] = [], rankCpu: number[] = [], sqlCpu: number[] = [];
for (let pass = 0; pass < PASSES; pass++) {
  for (const lib of libraries) {
    const c = process.cpuUsage();
    const t = performance.now();
    const cands = candidates();
    const c2 = process.cpuUsage();
    rankForUser({ library: lib, dismissed: [], candidates: cands, limit: LIMIT }, features);
    ms.push(performance.now() - t);
    rankCpu.push(cpuMs(process.cpuUsage(c2)));
    cpu.push(cpuMs(process.cpuUsage(c)));
    sqlCpu.push(cpu[cpu.length - 1] - rankCpu[rankCpu.length - 1]);
  }
  log(`pass ${pass + 1}: wall p50 ${pct(ms, 50)} ms, p95 ${pct(ms, 95)} ms; cpu p50 ${pct(cpu, 50)} ms, p95 ${pct(cpu, 95)} ms (ranking p95 ${pct(rankCpu, 95)}, candidates query p95 ${pct(sqlCpu, 95)}); load ${load().join(' ')}`);
}
const loadForYou = load();

const save: number[] = [], saveCpu: number[] = [];
let leftList = 0;
for (const lib of libraries) {
  const before = forYou(lib, []);
  const saved = before[0];
  const c = process.cpuUsage();
  const t = performance.now();
  const after = forYou([...lib, { id: saved.id, title: title.get(saved.id) ?? saved.id, weight: 1 }], []);
  save.push(performance.now() - t);
  saveCpu.push(cpuMs(process.cpuUsage(c)));
  if (!after.some((x) => x.id === saved.id)) leftList++;
}
log(`after a save: p95 ${pct(save, 95)} ms; the saved paper left the list for ${leftList}/${libraries.length} users`);

// Per-user state: 50 library ids with weights, as the ranking's inputs (no derived state is kept).
const state50 = Buffer.byteLength(JSON.stringify(papers.slice(0, 50).map((x) => [x.id, 1])));

const result = {
  bench: 'recs',
  store: STORE,
  papers: papers.length,
  candidates: best.n,
  window: { from, to },
  users: USERS,
  libraryPapers: libraries[0].length,
  limit: LIMIT,
  requests: ms.length,
  'forYou_p50_ms': pct(ms, 50),
  'forYou_p95_ms': pct(ms, 95),
  'forYou_cpu_p50_ms': pct(cpu, 50),
  'forYou_cpu_p95_ms': pct(cpu, 95),
  'rank_cpu_p50_ms': pct(rankCpu, 50),
  'rank_cpu_p95_ms': pct(rankCpu, 95),
  'candidatesQuery_cpu_p95_ms': pct(sqlCpu, 95),
  'afterSave_p95_ms': pct(save, 95),
  'afterSave_cpu_p95_ms': pct(saveCpu, 95),
  savedPaperLeftList: `${leftList}/${libraries.length}`,
  'firstRequest_ms': firstMs,
  stateBytesPerUser: { derived: 0, libraryIds50: state50 },
  targets: { 'forYou_p95_ms': 20, 'afterSave_ms': 100, stateBytesPerUser: 4096 },
  load: loadForYou,
  rssMB: Math.round(process.memoryUsage().rss / 1e6),
};
process.stdout.write(JSON.stringify(result) + '\n');
