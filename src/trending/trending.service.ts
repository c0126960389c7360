/**
 * Trending use cases: score papers with the pure formula of src/domain/trending.ts, keep the
 * key in papers.trending_score, list a window, and explain any paper's score. One use case,
 * many renderings: the page, the API, feeds and digests all call `listTrending`.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { AppError } from '../domain/errors.js';
import { TRENDING, WINDOW_DAYS, explainTrending, scoreFromKey, trendingSince, type StarSnapshot, type TrendingExplanation, type TrendingWindow } from '../domain/trending.js';
import { idsToRecompute, latestSince, listByKey, listByPoints, rankOf, starSnapshots, storeTrending, trendingInputs } from './trending.repository.js';
import { trendingHeadline, type TrendingHeadline, type TrendingView } from './trending-labels.js';

type Db = Kysely<Database> | Transaction<Database>;

export { TRENDING, WINDOW_DAYS, type TrendingWindow, type TrendingExplanation, type TrendingView, type TrendingHeadline, trendingHeadline };

const DAY_MS = 86_400_000;
/** Star snapshots older than this before the star window are not looked at (see starGrowth). */
const STAR_LOOKBACK_DAYS = 60;
/** The job refreshes papers whose `since` is this recent (longest window plus margin). */
const RECOMPUTE_DAYS = 45;

export function isTrendingWindow(w: unknown): w is TrendingWindow {
  return w === 'day' || w === 'week' || w === 'month';
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function explanations(db: Db, ids: string[], now: Date): Promise<Map<string, TrendingExplanation>> {
  const out = new Map<string, TrendingExplanation>();
  for (const part of chunk([...new Set(ids)], 500)) {
    const rows = await trendingInputs(db, part);
    const from = new Date(now.getTime() - (TRENDING.STAR_WINDOW_DAYS + STAR_LOOKBACK_DAYS) * DAY_MS).toISOString();
    const snaps = await starSnapshots(db, part, from, now.toISOString());
    const byPaper = new Map<string, StarSnapshot[]>();
    for (const s of snaps) {
      const list = byPaper.get(s.paper_id) ?? [];
      list.push({ observedAt: s.observed_at, stars: Number(s.stars) });
      byPaper.set(s.paper_id, list);
    }
    for (const r of rows) {
      const since = trendingSince({ firstFeaturedAt: r.first_featured_at, publishedAt: r.published_at, createdAt: r.created_at });
      out.set(r.id, explainTrending({ upvotes: r.upvotes, comments: r.num_comments, since, starSnapshots: byPaper.get(r.id) ?? [] }, now));
    }
  }
  return out;
}

/** How several papers' scores are made right now (for a list's "why" lines). */
export async function explainPapers(db: Db, ids: string[], now: Date): Promise<Map<string, TrendingExplanation>> {
  return explanations(db, ids, now);
}

/**
 * Recompute and store the trending key of some papers. Runs in the caller's transaction:
 * a vote, comment or submission calls it in its own, so the stored score never lags the count.
 */
export async function recomputeTrending(db: Db, ids: string[], now: Date): Promise<number> {
  const ex = await explanations(db, ids, now);
  for (const [id, e] of ex) await storeTrending(db, id, e.key, e.inputs.since, now.toISOString());
  return ex.size;
}

/** The job: refresh recent papers, papers never scored, and papers with new star snapshots. */
export async function recomputeRecent(db: Kysely<Database>, now: Date, batch = 500): Promise<number> {
  const sinceCutoff = new Date(now.getTime() - RECOMPUTE_DAYS * DAY_MS).toISOString();
  const starsSince = new Date(now.getTime() - (TRENDING.STAR_WINDOW_DAYS + 1) * DAY_MS).toISOString();
  let after = '';
  let n = 0;
  for (;;) {
    const ids = await idsToRecompute(db, sinceCutoff, starsSince, after, batch);
    if (!ids.length) return n;
    await db.transaction().execute((trx) => recomputeTrending(trx, ids, now));
    n += ids.length;
    after = ids[ids.length - 1];
  }
}

export interface TrendingItem {
  rank: number;
  /** score(now) = points × decay, from the stored key */
  score: number;
  since: string;
  paper: Paper;
}

export interface TrendingList {
  window: TrendingWindow;
  now: string;
  total: number;
  items: TrendingItem[];
}

/** Papers that entered trending within the window, highest score first. */
export async function listTrending(db: Db, opts: { window: TrendingWindow; now: Date; limit: number; offset: number; categories?: string[] }): Promise<TrendingList> {
  if (!isTrendingWindow(opts.window)) throw new AppError('bad_request', `“${String(opts.window)}” is not a trending window: use day, week or month.`);
  const limit = Math.max(1, Math.min(200, Math.floor(opts.limit)));
  const offset = Math.max(0, Math.floor(opts.offset));
  const sinceCutoff = new Date(opts.now.getTime() - WINDOW_DAYS[opts.window] * DAY_MS).toISOString();
  const { rows, total } = await listByKey(db, { sinceCutoff, limit, offset, categories: opts.categories });
  return {
    window: opts.window,
    now: opts.now.toISOString(),
    total,
    items: rows.map(({ paper, since }, i) => ({ rank: offset + i + 1, score: scoreFromKey(paper.trendingScore, opts.now), since: since!, paper })),
  };
}

export function isTrendingView(v: unknown): v is TrendingView {
  return v === 'all' || isTrendingWindow(v);
}

export interface TrendingPage {
  view: TrendingView;
  total: number;
  items: TrendingItem[];
  /** The instant the scores are shown at: now, or the end of the fallback window. */
  asOf: Date;
  /** The window actually shown when the requested one had no papers. */
  fallback: { from: string; to: string } | null;
  headline: TrendingHeadline;
}

/**
 * What the trending page shows. A window with no papers (an archive that ended months ago, a
 * quiet week) falls back to the latest window of the same length that has papers, ranked and
 * scored as of its end, and says so; `all` ranks every paper by points without decay.
 */
export async function trendingPage(db: Db, opts: { view: TrendingView; now: Date; limit: number; offset: number; categories?: string[] }): Promise<TrendingPage> {
  if (!isTrendingView(opts.view)) throw new AppError('bad_request', `“${String(opts.view)}” is not a trending window: use day, week, month or all.`);
  const limit = Math.max(1, Math.min(200, Math.floor(opts.limit)));
  const offset = Math.max(0, Math.floor(opts.offset));
  if (opts.view === 'all') {
    const { rows, total } = await listByPoints(db, { limit, offset, categories: opts.categories });
    return {
      view: 'all',
      total,
      asOf: opts.now,
      fallback: null,
      headline: trendingHeadline('all', { stale: false }),
      items: rows.map(({ paper, since }, i) => ({ rank: offset + i + 1, score: scoreFromKey(paper.trendingScore, opts.now), since: since ?? paper.storedAt, paper })),
    };
  }
  const window = opts.view;
  const list = await listTrending(db, { window, now: opts.now, limit, offset, categories: opts.categories });
  if (list.total > 0) return { view: window, total: list.total, items: list.items, asOf: opts.now, fallback: null, headline: trendingHeadline(window, { stale: false }) };
  const latest = await latestSince(db, opts.categories);
  if (!latest) return { view: window, total: 0, items: [], asOf: opts.now, fallback: null, headline: trendingHeadline(window, { stale: false }) };
  const to = new Date(latest);
  // The window ends at the newest paper and is exactly as long as the one asked for.
  const from = new Date(to.getTime() - WINDOW_DAYS[window] * DAY_MS + 1).toISOString();
  const { rows, total } = await listByKey(db, { sinceCutoff: from, until: latest, limit, offset, categories: opts.categories });
  return {
    view: window,
    total,
    asOf: to,
    fallback: { from, to: latest },
    headline: trendingHeadline(window, { stale: true, latest, shown: 'latest-window' }),
    items: rows.map(({ paper, since }, i) => ({ rank: offset + i + 1, score: scoreFromKey(paper.trendingScore, to), since: since!, paper })),
  };
}

export interface PaperTrending {
  explanation: TrendingExplanation;
  /** rank in each window (null when the paper is outside it) */
  ranks: Record<TrendingWindow, number | null>;
  storedKey: number | null;
  storedAt: string | null;
}

/** How one paper's score is made, from the store's current inputs. */
export async function explainPaper(db: Db, paperId: string, now: Date): Promise<PaperTrending | null> {
  const ex = (await explanations(db, [paperId], now)).get(paperId);
  if (!ex) return null;
  const stored = await db.selectFrom('papers').select(['trending_score', 'trending_at']).where('id', '=', paperId).executeTakeFirst();
  const ranks = {} as Record<TrendingWindow, number | null>;
  for (const w of ['day', 'week', 'month'] as const) ranks[w] = await rankOf(db, paperId, new Date(now.getTime() - WINDOW_DAYS[w] * DAY_MS).toISOString());
  return { explanation: ex, ranks, storedKey: stored?.trending_at ? stored.trending_score : null, storedAt: stored?.trending_at ?? null };
}
