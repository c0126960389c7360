/**
 * `npm run bench:digest [-- --subscribers N --file PATH --keep DIR]`
 *
 * Builds every digest for 100,000 subscribers with varied topics over the 74,728 papers of
 * ../shared/data/arxiv-recent-ai (imported with the product's importer into a temp SQLite store):
 * candidate load, topic filtering, HTML + text rendering and the outbox writes — not SMTP.
 * Papers "arrive" on their arXiv date (created_at is set from published_at) and get a synthetic,
 * deterministic trending score, so windows and ranking behave as in production.
 *
 * Baseline, same run: the naive build (one SQL query per subscriber: categories IN, keywords
 * LIKE, ORDER BY trending, LIMIT n) on a sample of subscribers, extrapolated.
 * Last line of stdout: one JSON object (docs benchmarks.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Insertable } from 'kysely';
import type { SubscriptionsTable } from '../src/db/schema.js';
import { testConfig } from '../src/config.js';
import { createContext } from '../src/app.js';
import { fixedClock } from '../src/clock.js';
import { importFile } from '../src/papers/import.service.js';
import { buildDueDigests, DigestRenderer, listIdFor, windowStart } from '../src/digests/digest.service.js';
import { parseTopicsJson } from '../src/digests/topics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const FILE = arg('file', path.resolve(ROOT, '..', 'shared', 'data', 'arxiv-recent-ai', 'papers.jsonl.gz'));
const N = Number(arg('subscribers', '100000'));
const SAMPLE = Number(arg('baseline-sample', '200'));
/** Subscribers (the first N) with an account that follows 2 categories and an author, and both personal sections on. */
const SECTIONS = Number(arg('sections', '0'));
const log = (s: string) => process.stderr.write(`${s}\n`);

const CATS = ['cs.CV', 'cs.CL', 'cs.LG', 'cs.AI', 'cs.RO', 'stat.ML', 'cs.IR', 'cs.HC', 'eess.IV', 'cs.NE', 'cs.SD', 'eess.AS', 'cs.CR', 'cs.MA', 'math.OC'];
const KEYWORDS = ['diffusion', 'reinforcement learning', 'retrieval', 'large language model', 'transformer', 'graph neural network', 'federated learning', 'segmentation', 'benchmark', 'multimodal', 'reasoning', 'agents', 'robustness', 'interpretability', 'knowledge distillation', 'contrastive', 'point cloud', 'speech', 'quantization', 'alignment', 'hallucination', 'in-context learning', 'world model', 'video generation', 'medical imaging', 'autonomous driving', 'time series', 'causal', 'privacy', 'fairness', 'mixture of experts', 'tokenizer', 'gaussian splatting', 'neural radiance', 'protein', 'code generation', 'mathematical reasoning', 'vision-language', 'sparse', 'uncertainty'];
const SEARCHES = ['cat:cs.CL "language model" -survey', 'cat:cs.CV diffusion', 'reinforcement learning robot', '"retrieval augmented"', 'cat:cs.LG theory convergence', 'benchmark evaluation -image'];

/** Deterministic pseudo-random numbers (mulberry32), so every run benchmarks the same subscribers. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  if (!fs.existsSync(FILE)) throw new Error(`dataset not found: ${FILE}`);
  const dir = arg('keep', '') || fs.mkdtempSync(path.join(os.tmpdir(), 'papertide-bench-digest-'));
  const config = testConfig({ DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`, BASE_URL: 'https://papertide.example.org' });
  const clock = fixedClock('2026-01-01T00:00:00Z');
  const ctx = await createContext(config, { clock });
  const db = ctx.store.db;
  try {
    // --- setup (not timed): papers, arrival dates, trending scores, subscribers
    let t = performance.now();
    const imp = await importFile(db, FILE, { now: () => new Date(), batchSize: 2000 });
    log(`imported ${imp.added} papers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await sql`update papers set created_at = coalesce(published_at, created_at),
      trending_score = ((abs(cast(substr(replace(id, '.', ''), 1, 9) as integer)) * 2654435761) % 100003) / 1000.0,
      upvotes = ((abs(cast(substr(replace(id, '.', ''), 1, 9) as integer)) * 40503) % 257)`.execute(db);
    const { max } = (await db.selectFrom('papers').select((eb) => eb.fn.max('created_at').as('max')).executeTakeFirstOrThrow()) as { max: string };
    // "now": the first weekday after the newest paper, 07:00 UTC, so daily and weekly digests are both due.
    // "now": 07:00 UTC on the newest papers' day (or the next weekday); daily subscribers had their
    // last digest on the previous weekday, weekly ones a week ago.
    // (papers arrive at 00:00 of their date; the newest date's papers are in that day's digest)
    const now = new Date(`${max.slice(0, 10)}T07:00:00.000Z`);
    while (now.getUTCDay() === 0 || now.getUTCDay() === 6) now.setUTCDate(now.getUTCDate() + 1);
    const prevWeekday = now.getUTCDay() === 1 ? 3 : 1;
    clock.set(now.toISOString());
    const papers = imp.added + imp.unchanged + imp.updated;

    const rand = rng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const day = 86_400_000;
    const nowIso = now.toISOString();
    const rows: Insertable<SubscriptionsTable>[] = [];
    for (let i = 0; i < N; i++) {
      const weekly = rand() < 0.25;
      const kind = rand();
      const categories: string[] = [];
      const keywords: string[] = [];
      const searches: string[] = [];
      if (kind < 0.1) {
        /* no topics: everything trending */
      } else if (kind < 0.45) {
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) categories.push(pick(CATS));
      } else if (kind < 0.75) {
        for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) keywords.push(pick(KEYWORDS));
      } else if (kind < 0.9) {
        categories.push(pick(CATS));
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) keywords.push(pick(KEYWORDS));
      } else {
        searches.push(pick(SEARCHES));
        if (rand() < 0.5) keywords.push(pick(KEYWORDS));
      }
      const r = rand();
      // Most had their last digest at the previous run; some are new; some come back from a pause.
      const last = r < 0.8 ? new Date(now.getTime() - (weekly ? 7 : prevWeekday) * day) : r < 0.9 ? null : new Date(now.getTime() - (5 + Math.floor(rand() * 25)) * day);
      rows.push({
        email: `reader${i}@example.org`,
        status: 'active',
        cadence: weekly ? 'weekly' : 'daily',
        topics: JSON.stringify({ categories: [...new Set(categories)], keywords: [...new Set(keywords)], searches }),
        max_papers: [5, 10, 10, 15, 20][Math.floor(rand() * 5)],
        last_digest_at: last ? last.toISOString() : null,
        confirmed_at: nowIso,
        created_at: nowIso,
        updated_at: nowIso,
      });
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 2000) await trx.insertInto('subscriptions').values(rows.slice(i, i + 2000)).execute();
    });
    log(`${N} subscribers (${rows.filter((r) => r.cadence === 'weekly').length} weekly); building at ${nowIso}`);
    if (SECTIONS > 0) {
      // Accounts for the first SECTIONS subscribers: 2 followed categories and one followed author
      // (an author of a random recent paper), the Following and For you sections on.
      const authors = (await db.selectFrom('paper_authors').select('name_key').distinct().limit(5000).execute()).map((r) => r.name_key);
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < SECTIONS; i++) {
          const u = await trx.insertInto('users').values({ name: `reader${i}`, email: `reader${i}@example.org`, password_hash: null, role: 'user', email_verified_at: nowIso, created_at: nowIso } as any).returning('id').executeTakeFirstOrThrow();
          const cats = [...new Set([pick(CATS), pick(CATS)])];
          const follows = [...cats.map((c) => ({ kind: 'category' as const, value: c, label: c })), { kind: 'author' as const, value: pick(authors), label: 'someone' }];
          for (const f of follows) await trx.insertInto('follows').values({ user_id: Number(u.id), ...f, created_at: nowIso }).execute();
        }
        await trx.updateTable('subscriptions').set({ digest_following: 1, digest_foryou: 1 }).where('id', 'in', trx.selectFrom('subscriptions').select('id').orderBy('id').limit(SECTIONS)).execute();
      });
      log(`${SECTIONS} of them with an account, follows and both personal sections`);
    }

    // --- baseline: one query per subscriber on a sample (candidates read and rendered the same way)
    const sample = await db.selectFrom('subscriptions').selectAll().orderBy('id').limit(SAMPLE).execute();
    const renderer = new DigestRenderer(config.baseUrl, ctx.secret, listIdFor(config.baseUrl));
    t = performance.now();
    let baselineBuilt = 0;
    for (const sub of sample) {
      const topics = parseTopicsJson(sub.topics);
      let q = db
        .selectFrom('papers')
        .select(['id', 'title', 'abstract', 'authors', 'categories', 'upvotes', 'code_url'])
        .where('created_at', '>=', new Date(windowStart(sub, now)).toISOString())
        .where('hidden', '=', 0)
        .where('withdrawn', '=', 0);
      const ors = [
        ...topics.categories.map((c) => sql<boolean>`exists (select 1 from paper_categories pc where pc.paper_id = papers.id and pc.category = ${c})`),
        ...[...topics.keywords, ...topics.searches.map((s) => s.replace(/cat:\S+|-\S+|"/g, '').trim())].filter(Boolean).map((k) => sql<boolean>`(lower(title) like ${`%${k.toLowerCase()}%`} or lower(abstract) like ${`%${k.toLowerCase()}%`})`),
      ];
      if (ors.length) q = q.where(sql<boolean>`(${sql.join(ors, sql` or `)})`);
      const got = await q.orderBy('trending_score', 'desc').orderBy('upvotes', 'desc').limit(sub.max_papers).execute();
      if (got.length) {
        renderer.render(sub, topics, got.map((p) => ({ id: p.id, title: p.title, abstract: p.abstract, authors: JSON.parse(p.authors), categories: JSON.parse(p.categories), upvotes: p.upvotes, codeUrl: p.code_url })), now);
        baselineBuilt++;
      }
    }
    const baselinePerSubMs = (performance.now() - t) / sample.length;
    log(`baseline (one SQL query per subscriber, ${sample.length} sampled): ${baselinePerSubMs.toFixed(2)} ms per subscriber → ${((baselinePerSubMs * N) / 1000).toFixed(0)} s for ${N}`);

    // --- the measured build (wall time, and the process' CPU time: on a shared machine the wall
    // time includes waiting for a core)
    t = performance.now();
    const cpu0 = process.cpuUsage();
    let lastLog = 0;
    const report = await buildDueDigests(ctx, {
      now,
      onProgress: (p) => {
        if (performance.now() - lastLog > 2000) {
          lastLog = performance.now();
          log(`  ${p.due} subscribers, ${p.built} digests, ${(p.ms / 1000).toFixed(1)} s`);
        }
      },
    });
    const buildS = (performance.now() - t) / 1000;
    const cpuUsed = process.cpuUsage(cpu0);
    const buildCpuS = (cpuUsed.user + cpuUsed.system) / 1e6;
    const size = (await sql<{ bytes: number; n: number }>`select sum(length(html_body) + length(text_body)) as bytes, count(*) as n from outbox`.execute(db)).rows[0];
    log(`built ${report.built} digests (${report.empty} empty) for ${report.due} subscribers from ${report.candidates} candidates in ${buildS.toFixed(1)} s; outbox ${(Number(size.bytes) / 1e6).toFixed(0)} MB`);
    const result = {
      bench: 'digest',
      dataset: 'arxiv-recent-ai',
      papers,
      subscribers: N,
      with_sections: SECTIONS,
      due: report.due,
      digests: report.built,
      empty: report.empty,
      candidates: report.candidates,
      build_s: Number(buildS.toFixed(2)),
      build_cpu_s: Number(buildCpuS.toFixed(2)),
      load: os.loadavg().map((x) => Math.round(x * 100) / 100),
      per_subscriber_us: Number(((buildS * 1e6) / report.due).toFixed(1)),
      render_s: Number((report.renderMs / 1000).toFixed(2)),
      write_s: Number((report.writeMs / 1000).toFixed(2)),
      outbox_mb: Number((Number(size.bytes) / 1e6).toFixed(1)),
      baseline: 'per-subscriber-sql',
      baseline_sample: sample.length,
      baseline_per_subscriber_ms: Number(baselinePerSubMs.toFixed(3)),
      baseline_extrapolated_s: Number(((baselinePerSubMs * N) / 1000).toFixed(1)),
      speedup: Number(((baselinePerSubMs * N) / 1000 / buildS).toFixed(1)),
      target_s: 60,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    void baselineBuilt;
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await ctx.close();
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:digest failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
