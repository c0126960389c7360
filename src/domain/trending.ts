/**
 * The trending score: a pure function with named constants and units (docs/trending.md).
 *
 *   points = BASE_POINTS
 *          + UPVOTE_POINTS  × upvotes
 *          + COMMENT_POINTS × comments
 *          + STAR_POINTS    × log2(1 + GitHub stars gained in the last STAR_WINDOW_DAYS)
 *   score(now) = points × 2^(−age / HALF_LIFE_HOURS),  age = now − since, in hours
 *
 * `since` is when the paper entered the race: first featured on a daily list, else its v1
 * date, else when it was stored here. A paper's points halve every HALF_LIFE_HOURS of age.
 *
 * What is stored (papers.trending_score) is the time-independent rank key
 *
 *   key = log2(points) + (since − EPOCH) / HALF_LIFE_HOURS          (unit: half-lives)
 *
 * because log2(score(now)) = key − (now − EPOCH) / HALF_LIFE_HOURS: the same shift for every
 * paper. So ordering by the stored key is ordering by score(now) at every `now`, keys computed
 * at different times compare exactly, and time passing alone never needs a rewrite; the
 * recompute job exists for inputs that change without a vote (the star window sliding,
 * imported counts). score(now) is recovered exactly with `scoreFromKey`.
 */

export const TRENDING = {
  /** points every paper starts with, so among papers without activity the newest ranks first */
  BASE_POINTS: 1,
  /** points per upvote (community votes plus imported ones) */
  UPVOTE_POINTS: 1,
  /** points per visible comment: a comment is effort, but cheaper to game than a vote */
  COMMENT_POINTS: 0.5,
  /** points per doubling of (1 + stars gained): 1 → 3 → 7 → 15 stars each add 2 points */
  STAR_POINTS: 2,
  /** days of GitHub star growth that count */
  STAR_WINDOW_DAYS: 7,
  /** hours after which a paper's points count half */
  HALF_LIFE_HOURS: 48,
  /** origin of the stored key; any fixed instant works */
  EPOCH: '2020-01-01T00:00:00.000Z',
} as const;

export type TrendingWindow = 'day' | 'week' | 'month';
/** A window lists papers whose `since` is at most this many days before now. */
export const WINDOW_DAYS: Record<TrendingWindow, number> = { day: 1, week: 7, month: 30 };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const EPOCH_MS = Date.parse(TRENDING.EPOCH);

export interface StarSnapshot {
  observedAt: string; // ISO
  stars: number;
}

export interface TrendingInput {
  upvotes: number;
  comments: number;
  since: string; // ISO
  starSnapshots: StarSnapshot[];
}

export interface StarGrowth {
  gained: number; // stars, ≥ 0
  from: StarSnapshot | null;
  to: StarSnapshot | null;
}

/**
 * Stars gained in the window ending at `now`: the latest snapshot at or before now minus the
 * latest one at or before the window's start (or, when there is none, the earliest inside the
 * window). One snapshot, or none, means no measured growth: 0. Never negative.
 */
export function starGrowth(snapshots: StarSnapshot[], now: Date, windowDays: number = TRENDING.STAR_WINDOW_DAYS): StarGrowth {
  const nowMs = now.getTime();
  const startMs = nowMs - windowDays * DAY_MS;
  const usable = snapshots.filter((s) => Date.parse(s.observedAt) <= nowMs && Number.isFinite(s.stars)).sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
  if (usable.length < 2) return { gained: 0, from: null, to: usable[0] ?? null };
  const to = usable[usable.length - 1];
  const before = usable.filter((s) => Date.parse(s.observedAt) <= startMs);
  const from = before.length ? before[before.length - 1] : usable[0];
  if (from === to) return { gained: 0, from, to };
  return { gained: Math.max(0, to.stars - from.stars), from, to };
}

export interface TrendingExplanation {
  inputs: { upvotes: number; comments: number; starsGained: number; since: string; now: string };
  stars: StarGrowth;
  points: { base: number; upvotes: number; comments: number; stars: number; total: number };
  ageHours: number;
  /** 2^(−ageHours / HALF_LIFE_HOURS), in (0, 1] */
  decay: number;
  /** points × decay: what the page shows */
  score: number;
  /** the stored, time-independent rank key */
  key: number;
}

export function trendingPoints(upvotes: number, comments: number, starsGained: number) {
  const base = TRENDING.BASE_POINTS;
  const up = TRENDING.UPVOTE_POINTS * Math.max(0, upvotes);
  const com = TRENDING.COMMENT_POINTS * Math.max(0, comments);
  const stars = TRENDING.STAR_POINTS * Math.log2(1 + Math.max(0, starsGained));
  return { base, upvotes: up, comments: com, stars, total: base + up + com + stars };
}

/** key = log2(points) + (since − EPOCH) in half-lives. */
export function trendingKey(points: number, since: string): number {
  return Math.log2(points) + (Date.parse(since) - EPOCH_MS) / (TRENDING.HALF_LIFE_HOURS * HOUR_MS);
}

/** score(now) from a stored key. */
export function scoreFromKey(key: number, now: Date): number {
  return 2 ** (key - (now.getTime() - EPOCH_MS) / (TRENDING.HALF_LIFE_HOURS * HOUR_MS));
}

/** The score of a paper at `now`, with every step of how it was made. */
export function explainTrending(input: TrendingInput, now: Date): TrendingExplanation {
  const stars = starGrowth(input.starSnapshots, now);
  const points = trendingPoints(input.upvotes, input.comments, stars.gained);
  const ageHours = Math.max(0, (now.getTime() - Date.parse(input.since)) / HOUR_MS);
  const decay = 2 ** (-ageHours / TRENDING.HALF_LIFE_HOURS);
  return {
    inputs: { upvotes: input.upvotes, comments: input.comments, starsGained: stars.gained, since: input.since, now: now.toISOString() },
    stars,
    points,
    ageHours,
    decay,
    score: points.total * decay,
    // A `since` in the future (clock skew) counts as now, like the age.
    key: trendingKey(points.total, Date.parse(input.since) > now.getTime() ? now.toISOString() : input.since),
  };
}

/** When the paper entered the race: first featured, else published (v1), else stored here. */
export function trendingSince(p: { firstFeaturedAt: string | null; publishedAt: string | null; createdAt: string }): string {
  return p.firstFeaturedAt ?? p.publishedAt ?? p.createdAt;
}
