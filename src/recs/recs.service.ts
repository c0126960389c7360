/**
 * For you: recent papers ranked for one user from what they saved (weight 1), upvoted (less),
 * followed (a boost, explained as "you follow …") and marked "not interested" (excluded, and
 * what resembles it is ranked down). The ranking is rank.ts's `rankForUser` over the search
 * engine's own features (engine-features.ts): the function `papertide eval-recs` measures.
 *
 * Candidates are the visible papers first published in the window (day, week, month before
 * ctx.clock); an empty window falls back to the newest papers of the store, and says so. Saved
 * and dismissed papers are never candidates. Without a ready search index (being built, or a CLI
 * context) there are no features: the papers matching a follow, newest first, and state
 * 'index-not-ready'. Nothing is stored per user beyond the signals, so a save or a dismissal
 * shows on the next page load.
 */
import type { AppContext } from '../context.js';
import type { PaperRow } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { followText, type FollowRow } from '../follows/follows.service.js';
import { listFollows } from '../follows/follows.repository.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { engineFeatures } from './engine-features.js';
import { rankForUser, RECS, type Boost, type LibraryItem } from './rank.js';
import * as repo from './recs.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events' | 'search'>;

export type RecWindow = 'day' | 'week' | 'month';
export const REC_WINDOWS: readonly RecWindow[] = ['day', 'week', 'month'];
export const WINDOW_DAYS: Record<RecWindow, number> = { day: 1, week: 7, month: 30 };

export const FOR_YOU_SIZE = 30;
export const FOR_YOU_MAX = 100;
/** Candidates looked at per window (a month of arXiv's busiest categories fits). */
export const CANDIDATES_MAX = 20_000;
/** When the window is empty: this many of the store's newest papers. */
export const FALLBACK_CANDIDATES = 2_000;
/** Signals read per user (most recent first): the ranking decays older ones anyway. */
export const SIGNALS_MAX = 500;
export const DISMISSED_MAX = 5_000;

/**
 * Boosts for candidates matching a follow, in the units of rank.ts's score (a close match to a
 * library paper scores about 0.5–1.5): an author followed is a strong wish, a category a broad
 * one. Newer papers get up to RECENCY more, so follow-only lists read newest first.
 */
export const FOLLOW_BOOST = { author: 0.6, query: 0.35, category: 0.2 } as const;
const RECENCY = 0.05;

export interface ForYouItem {
  paper: PaperRow;
  score: number;
  /** One line: "like “X” in your library", "you follow cat:cs.CL", "recent". */
  reason: string;
  /** The library paper it is most like, when that is the reason. */
  like: { id: string; title: string } | null;
}

export interface ForYou {
  items: ForYouItem[];
  state: 'ready' | 'no-signal' | 'index-not-ready';
  window: RecWindow;
  /** The window held no papers: these are the store's newest instead. */
  fallback: boolean;
  /** Candidates ranked (after excluding saved and dismissed papers). */
  candidates: number;
  signals: { saved: number; upvoted: number; follows: number; dismissed: number };
}

interface FollowMatch {
  amount: number;
  reason: string;
}

/** The candidates matching a follow, each with its strongest follow (author > search > category). */
async function followMatches(ctx: Ctx, follows: FollowRow[], cands: repo.Candidate[], windowStart: number, windowMs: number): Promise<Map<string, FollowMatch>> {
  const out = new Map<string, FollowMatch>();
  if (!follows.length || !cands.length) return out;
  const ids = cands.map((c) => c.id);
  const dateOf = new Map(cands.map((c) => [c.id, Date.parse(c.date)]));
  const add = (id: string, kind: FollowRow['kind'], f: FollowRow) => {
    const t = dateOf.get(id) ?? windowStart;
    const recency = RECENCY * Math.min(1, Math.max(0, (t - windowStart) / windowMs));
    const amount = FOLLOW_BOOST[kind] + recency;
    const cur = out.get(id);
    if (!cur || amount > cur.amount) out.set(id, { amount, reason: `you follow ${followText(f)}` });
  };
  const authors = new Map(follows.filter((f) => f.kind === 'author').map((f) => [f.value, f]));
  const cats = new Map(follows.filter((f) => f.kind === 'category').map((f) => [f.value, f]));
  for (const [id, keys] of await repo.categoriesAmong(ctx.store.db, ids, [...cats.keys()])) add(id, 'category', cats.get(keys[0])!);
  const queries = follows.filter((f) => f.kind === 'query');
  if (queries.length && ctx.search?.ready) {
    const inWindow = new Set(ids);
    for (const f of queries) {
      const res = await ctx.search.search(f.value, { sort: 'newest', limit: 100 });
      if (res.error) continue;
      for (const h of res.hits) if (inWindow.has(h.id)) add(h.id, 'query', f);
    }
  }
  for (const [id, keys] of await repo.authorsAmong(ctx.store.db, ids, [...authors.keys()])) add(id, 'author', authors.get(keys[0])!);
  return out;
}

/** The user's library for rank.ts: saved (1) and upvoted-only (RECS.upvoteWeight) papers, oldest first. */
function libraryOf(saved: repo.Signal[], upvoted: repo.Signal[]): LibraryItem[] {
  const savedIds = new Set(saved.map((s) => s.id));
  const all = [...saved.map((s) => ({ ...s, weight: 1 })), ...upvoted.filter((u) => !savedIds.has(u.id)).map((u) => ({ ...u, weight: RECS.upvoteWeight }))];
  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.map((s) => ({ id: s.id, title: s.title, weight: s.weight }));
}

export async function forYou(ctx: Ctx, userId: number, opts: { window: RecWindow; limit?: number }): Promise<ForYou> {
  const limit = Math.max(1, Math.min(FOR_YOU_MAX, opts.limit ?? FOR_YOU_SIZE));
  const db = ctx.store.db;
  const [saved, upvoted, follows, dismissed] = await Promise.all([
    repo.savedSignals(db, userId, SIGNALS_MAX),
    repo.upvoteSignals(db, userId, SIGNALS_MAX),
    listFollows(db, userId),
    repo.dismissedIds(db, userId, DISMISSED_MAX),
  ]);
  const signals = { saved: saved.length, upvoted: upvoted.length, follows: follows.length, dismissed: dismissed.length };
  const base = { window: opts.window, signals };
  if (!saved.length && !upvoted.length && !follows.length) return { ...base, items: [], state: 'no-signal', fallback: false, candidates: 0 };

  const now = ctx.clock.now();
  const windowMs = WINDOW_DAYS[opts.window] * 86_400_000;
  const from = new Date(now.getTime() - windowMs);
  let cands = await repo.candidatesBetween(db, from.toISOString(), new Date(now.getTime() + 60_000).toISOString(), CANDIDATES_MAX);
  let fallback = false;
  if (!cands.length) {
    cands = await repo.newestCandidates(db, FALLBACK_CANDIDATES);
    fallback = cands.length > 0;
  }
  const excluded = new Set([...saved.map((s) => s.id), ...dismissed]);
  cands = cands.filter((c) => !excluded.has(c.id));
  // Recency of a fallback list is measured over its own span.
  const start = fallback && cands.length ? Date.parse(cands[cands.length - 1].date) : from.getTime();
  const span = fallback && cands.length ? Math.max(1, Date.parse(cands[0].date) - start) : windowMs;
  const matches = await followMatches(ctx, follows, cands, start, span);

  const engine = ctx.search?.ready ? ctx.search.engine : null;
  if (!engine) {
    // No features: what the follows match, newest first (candidates are in that order already).
    const hits = cands.filter((c) => matches.has(c.id)).slice(0, limit);
    const rows = await repo.papersByIds(db, hits.map((h) => h.id));
    const items = rows.map((paper) => ({ paper, score: matches.get(paper.id)!.amount, reason: matches.get(paper.id)!.reason, like: null }));
    return { ...base, items, state: 'index-not-ready', fallback, candidates: cands.length };
  }

  const boosts = new Map<string, Boost>([...matches].map(([id, m]) => [id, { amount: m.amount, reason: m.reason }]));
  const ranked = rankForUser({ library: libraryOf(saved, upvoted), dismissed, candidates: cands.map((c) => c.id), boosts, limit }, engineFeatures(engine));
  const rows = new Map((await repo.papersByIds(db, ranked.map((r) => r.id))).map((p) => [p.id, p]));
  const items = ranked.flatMap((r) => {
    const paper = rows.get(r.id);
    return paper ? [{ paper, score: r.score, reason: r.reason, like: r.like }] : [];
  });
  return { ...base, items, state: 'ready', fallback, candidates: cands.length };
}

/** A paper the user may act on: stored and visible. */
async function visiblePaper(ctx: Ctx, paperId: string): Promise<void> {
  const p = await ctx.store.db.selectFrom('papers').select(['id', 'hidden']).where('id', '=', paperId).executeTakeFirst();
  if (!p || p.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here.`, { arxivId: paperId });
}

/** "Not interested": the paper leaves For you and what resembles it ranks lower. Idempotent. */
export async function dismiss(ctx: Ctx, actor: Actor, paperId: string): Promise<{ paperId: string; dismissed: true }> {
  await requireActiveUser(ctx, actor, { verified: false });
  await visiblePaper(ctx, paperId);
  await repo.insertDismissal(ctx.store.db, actor.id, paperId, ctx.clock.now().toISOString());
  await ctx.events.emit({ kind: 'data', what: 'recs' });
  return { paperId, dismissed: true };
}

/** Undo "not interested". Idempotent; an unknown paper is a 404 like dismiss. */
export async function undismiss(ctx: Ctx, actor: Actor, paperId: string): Promise<{ paperId: string; dismissed: false }> {
  await requireActiveUser(ctx, actor, { verified: false });
  const removed = await repo.deleteDismissal(ctx.store.db, actor.id, paperId);
  if (!removed) await visiblePaper(ctx, paperId);
  await ctx.events.emit({ kind: 'data', what: 'recs' });
  return { paperId, dismissed: false };
}

/** The user's latest dismissals (visible papers), for the page's undo list. */
export async function recentDismissals(ctx: Pick<AppContext, 'store'>, actor: Actor, limit = 10) {
  return repo.recentDismissals(ctx.store.db, actor.id, limit);
}
