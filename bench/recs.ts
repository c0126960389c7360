/**
 * `npm run bench:recs [-- --store DIR --users N --passes N]`
 *
 * For-you speed on a real store, through the service exactly as the /for-you page calls it
 * (src/web/pages/for-you.tsx: `forYou(ctx, user, { window })` and `recentDismissals`), in a
 * server context (createApp: the saved search index loaded, the store's change log followed).
 * DIR holds papertide.db and search/, as `papertide serve` leaves them; the bench WRITES users,
 * saves and follows into it: give it a copy (`cp -r /work/realdata /work/rd-recs`).
 *
 * - Clock: the end of the 30-day window with the most papers in the store (the worst month);
 *   requests ask for the month view.
 * - Users: N (default 50) libraries of 20 papers published before the window, each a seed paper
 *   and its 19 nearest by the same ranking (a researcher's saved papers are on a few topics),
 *   saved through the library tables; every second user also follows two categories and an
 *   author (follow boosts and the window's key index are on the path).
 * - forYou: p50/p95 of wall and process CPU time per request over N users × passes (on a shared
 *   machine the wall time includes waiting for a core). The first request (cold: the window's
 *   query, the engine's forward index, the window's candidate set) is reported apart.
 * - afterSave: the user saves their first recommendation through the library service (as the
 *   page's button does); the next request's time, and that the paper left the list.
 * - afterChange: another writer votes on a window paper (the change log moves; the window is
 *   kept) and then imports a paper into the window (the window is read again): the next
 *   request's time each.
 * - stateBytes: what is kept per user for recommendations: nothing derived (no model, no
 *   profile); the inputs are the library and dismissed ids the library tables hold anyway.
 * Last line of stdout: one JSON object with the figures, the targets and the load average.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { fixedClock } from '../src/clock.js';
import { engineFeatures } from '../src/recs/engine-features.js';
import { rankForUser } from '../src/recs/rank.js';
import { forYou, recentDismissals } from '../src/recs/recs.service.js';
import { setSaved } from '../src/library/library.service.js';
import { setFollow } from '../src/follows/follows.service.js';
import { insertUser } from '../src/users/users.repository.js';
import { saveItem } from '../src/library/library.repository.js';
import { upsertPapers } from '../src/papers/papers.repository.js';
import { papersChanged } from '../src/app.js';
import { rng } from '../src/search/linalg.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const STORE = path.resolve(opt('store', process.env.DATA_DIR ?? './data'));
const USERS = Number(opt('users', '50'));
const PASSES = Number(opt('passes', '3'));
const log = (m: string) => process.stderr.write(m + '\n');
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100 : NaN;
};
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

const clock = fixedClock('2026-01-01T00:00:00.000Z');
let t0 = performance.now();
const { ctx } = await createApp(testConfig({ DATA_DIR: STORE, DATABASE_URL: `sqlite:${path.join(STORE, 'papertide.db')}` }), { clock, role: 'server' });
await ctx.search!.idle();
if (!ctx.search!.ready || !ctx.search!.engine) throw new Error(`no ready search index in ${STORE}/search`);
const engine = ctx.search!.engine;
log(`server context with its index in ${Math.round(performance.now() - t0)} ms (${engine.segments.map((s) => s.lex.size).join(' + ')} docs)`);
const db = ctx.store.db;

const papers = (await db.selectFrom('papers').select(['id', 'title', 'published_at as p']).where('published_at', 'is not', null).where('hidden', '=', 0).where('withdrawn', '=', 0).orderBy('published_at').execute()) as { id: string; title: string; p: string }[];
// The 30-day window with the most papers; the clock at its end.
const DAY = 86_400_000;
const times = papers.map((x) => Date.parse(x.p));
let best = { from: 0, n: 0 };
for (let i = 0, j = 0; i < times.length; i++) {
  while (times[j] < times[i] - 30 * DAY) j++;
  if (i - j + 1 > best.n) best = { from: times[i] - 30 * DAY, n: i - j + 1 };
}
const now = new Date(best.from + 30 * DAY + 1);
clock.set(now.toISOString());
const from = new Date(now.getTime() - 30 * DAY).toISOString();
log(`${papers.length} papers; month before ${now.toISOString()}: about ${best.n} candidates`);

// Libraries: a seed and its 19 nearest earlier papers (setup, not timed; its own features).
const setupF = engineFeatures(engine, { cache: 100_000 });
const earlier = papers.filter((x) => x.p < from).map((x) => x.id);
const r = rng(20261203);
const pool: string[] = [];
for (let i = 0; i < 5_000; i++) pool.push(earlier[Math.floor(r() * earlier.length)]);
const CATS = ['cs.CL', 'cs.LG', 'cs.CV', 'cs.AI', 'stat.ML', 'cs.RO', 'cs.IR'];
const authorKeys = (await db.selectFrom('paper_authors').select('name_key').distinct().limit(2000).execute()).map((x) => x.name_key);
const run = Date.now().toString(36);
const users: { id: number; name: string; role: 'user' }[] = [];
t0 = performance.now();
while (users.length < USERS) {
  const seed = earlier[Math.floor(r() * earlier.length)];
  if (!setupF.sparse(seed)) continue;
  const near = rankForUser({ library: [{ id: seed, title: seed, weight: 1 }], dismissed: [], candidates: pool, limit: 19 }, setupF);
  const lib = [seed, ...near.map((x) => x.id)].reverse();
  const nowIso = now.toISOString();
  const id = await insertUser(db, { name: `recs-bench-${run}-${users.length}`, email: `recs-bench-${run}-${users.length}@example.org`, passwordHash: null, role: 'user', verifiedAt: nowIso, now: nowIso });
  const user = { id, name: `recs-bench-${run}-${users.length}`, role: 'user' as const };
  for (let k = 0; k < lib.length; k++) await saveItem(db, id, lib[k], new Date(now.getTime() - (lib.length - k) * 60_000).toISOString());
  if (users.length % 2 === 1) {
    await setFollow(ctx, user, 'category', CATS[Math.floor(r() * CATS.length)], true);
    await setFollow(ctx, user, 'category', CATS[Math.floor(r() * CATS.length)], true);
    await setFollow(ctx, user, 'author', authorKeys[Math.floor(r() * authorKeys.length)], true);
  }
  users.push(user);
}
log(`${USERS} users with 20 saved papers (every second one with 3 follows) in ${Math.round(performance.now() - t0)} ms`);

/** What the /for-you page asks the services for. */
const page = (u: (typeof users)[number]) => Promise.all([forYou(ctx, u.id, { window: 'month' }), recentDismissals(ctx, u, 10)]);
const timed = async (u: (typeof users)[number]) => {
  const c = process.cpuUsage();
  const t = performance.now();
  const [res] = await page(u);
  return { wall: performance.now() - t, cpu: cpuMs(process.cpuUsage(c)), res };
};

const first = await timed(users[0]);
log(`first request (the window's query, the engine's forward index, the window's candidate set): ${Math.round(first.wall)} ms, ${first.res.candidates} candidates`);

const ms: number[] = [], cpu: number[] = [], cpuFollows: number[] = [], cpuLibOnly: number[] = [];
for (let pass = 0; pass < PASSES; pass++) {
  for (const [k, u] of users.entries()) {
    const x = await timed(u);
    ms.push(x.wall);
    cpu.push(x.cpu);
    (k % 2 === 1 ? cpuFollows : cpuLibOnly).push(x.cpu);
  }
  log(`pass ${pass + 1}: wall p50 ${pct(ms, 50)} ms, p95 ${pct(ms, 95)} ms; cpu p50 ${pct(cpu, 50)} ms, p95 ${pct(cpu, 95)} ms; load ${load().join(' ')}`);
}
const loadForYou = load();

const save: number[] = [], saveCpu: number[] = [];
let leftList = 0;
for (const u of users) {
  const before = (await page(u))[0];
  const saved = before.items[0].paper.id;
  await setSaved(ctx, u, saved, true);
  const x = await timed(u);
  save.push(x.wall);
  saveCpu.push(x.cpu);
  if (!x.res.items.some((i) => i.paper.id === saved)) leftList++;
}
log(`after a save: p95 ${pct(save, 95)} ms (cpu ${pct(saveCpu, 95)}); the saved paper left the list for ${leftList}/${users.length} users`);

// Another writer: a vote on a window paper (the change log moves, the window is kept), then a
// paper imported into the window (the window is read again at the next request).
const inWindow = (await forYou(ctx, users[0].id, { window: 'month' })).items[0].paper.id;
await sql`update papers set upvotes = upvotes + 1 where id = ${inWindow}`.execute(db);
const afterVote = await timed(users[1]);
const newId = `9912.${run.slice(-5)}`;
await upsertPapers(db, [{ id: newId, title: 'A bench paper', abstract: 'Graph neural networks and language models for a benchmark of recommendations.', authors: ['Bench Writer'], categories: ['cs.LG'], publishedAt: new Date(now.getTime() - DAY).toISOString(), version: 1 }], { now: now.toISOString() });
const afterImport = await timed(users[1]);
log(`after another writer's vote: ${Math.round(afterVote.wall)} ms; after an import into the window: ${Math.round(afterImport.wall)} ms (${afterImport.res.candidates} candidates, was ${afterVote.res.candidates})`);
await sql`update papers set upvotes = upvotes - 1 where id = ${inWindow}`.execute(db);
await db.deleteFrom('papers').where('id', '=', newId).execute();
await papersChanged(ctx, [newId]);

const state50 = Buffer.byteLength(JSON.stringify(papers.slice(0, 50).map((x) => [x.id, 1])));
const result = {
  bench: 'recs',
  path: 'forYou(ctx, user, { window: "month" }) + recentDismissals, as /for-you',
  store: STORE,
  papers: papers.length,
  candidates: first.res.candidates,
  window: { from, to: now.toISOString() },
  users: USERS,
  libraryPapers: 20,
  limit: first.res.items.length,
  requests: ms.length,
  forYou_p50_ms: pct(ms, 50),
  forYou_p95_ms: pct(ms, 95),
  forYou_cpu_p50_ms: pct(cpu, 50),
  forYou_cpu_p95_ms: pct(cpu, 95),
  forYou_cpu_p95_ms_by_user: { libraryOnly: pct(cpuLibOnly, 95), libraryAndFollows: pct(cpuFollows, 95) },
  afterSave_p95_ms: pct(save, 95),
  afterSave_cpu_p95_ms: pct(saveCpu, 95),
  savedPaperLeftList: `${leftList}/${users.length}`,
  afterOtherWritersVote_ms: Math.round(afterVote.wall * 100) / 100,
  afterImportIntoWindow_ms: Math.round(afterImport.wall * 100) / 100,
  importSeen: afterImport.res.candidates === afterVote.res.candidates + 1,
  firstRequest_ms: Math.round(first.wall),
  stateBytesPerUser: { derived: 0, libraryIds50: state50 },
  targets: { forYou_p95_ms: 20, afterSave_ms: 100, stateBytesPerUser: 4096 },
  load: loadForYou,
  rssMB: Math.round(process.memoryUsage().rss / 1e6),
};
process.stdout.write(JSON.stringify(result) + '\n');
await ctx.close();
