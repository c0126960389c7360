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
import type { Paper } from '../domain/paper.js';
import { AppError } from '../domain/errors.js';
import { followText, type FollowRow } from '../follows/follows.service.js';
import { listFollows, listFollowsMany } from '../follows/follows.repository.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { engineFeatures } from './engine-features.js';
import { rankForUser, RECS, type Boost, type LibraryItem, type RecFeatures } from './rank.js';
import type { SearchEngine } from '../search/engine.js';
import * as repo from './recs.repository.js';
import { newestCandidates, windowCandidates, type WindowView } from './windows.js';

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
 * library paper scores about 0.2–1 with the engine's features): an author followed is a strong wish, a category a broad
 * one. Newer papers get up to RECENCY more, so follow-only lists read newest first.
 */
export const FOLLOW_BOOST = { author: 0.3, query: 0.15, category: 0.08 } as const;
const RECENCY = 0.02;

export interface ForYouItem {
  paper: Paper;
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

/**
 * The engine's features, kept while its segments are the same objects (a new paper or an edit
 * makes a new delta segment, so a new reader): building one per request threw away its caches.
 */
const featuresOf = (() => {
  const cache = new WeakMap<SearchEngine, { lexes: unknown[]; f: RecFeatures }>();
  return (engine: SearchEngine): RecFeatures => {
    const lexes = engine.segments.map((s) => s.lex);
    const hit = cache.get(engine);
    if (hit && hit.lexes.length === lexes.length && hit.lexes.every((l, i) => l === lexes[i])) return hit.f;
    const f = engineFeatures(engine);
    cache.set(engine, { lexes, f });
    return f;
  };
})();

/**
 * A saved search's newest matches, per index position (the change-log entry the index holds):
 * the same query is not run again until the index changes. Bounded: the oldest entry goes.
 */
const QUERY_CACHE_MAX = 1_000;
const queryCaches = new WeakMap<object, Map<string, string[]>>();
async function queryMatches(search: NonNullable<Ctx['search']>, query: string): Promise<string[]> {
  let cache = queryCaches.get(search);
  if (!cache) queryCaches.set(search, (cache = new Map()));
  const key = `${search.position}\u0000${query}`;
  const hit = search.position === null ? undefined : cache.get(key);
  if (hit) return hit;
  const res = await search.search(query, { sort: 'newest', limit: 100 });
  const ids = res.error ? [] : res.hits.map((h) => h.id);
  if (search.position !== null) {
    if (cache.size >= QUERY_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, ids);
  }
  return ids;
}

interface FollowMatch {
  amount: number;
  reason: string;
}

/** A user's candidates: the window's less their saved and dismissed papers. */
interface Cands {
  view: WindowView;
  excluded: Set<string>;
  has(id: string): boolean;
}

const candsOf = (view: WindowView, excluded: Set<string>): Cands => ({ view, excluded, has: (id) => view.dateMs(id) !== undefined && !excluded.has(id) });

/**
 * The candidates matching a follow, each with its strongest follow (author > search > category;
 * between two of a kind, the first key in code-unit order names it). Categories and authors come
 * from the window's key index (read once per window, windows.ts).
 */
async function followMatches(ctx: Ctx, follows: FollowRow[], cands: Cands, windowStart: number, windowMs: number): Promise<Map<string, FollowMatch>> {
  const out = new Map<string, FollowMatch>();
  if (!follows.length || !cands.view.cands.length) return out;
  const reasons = new Map<FollowRow, string>();
  const add = (id: string, kind: FollowRow['kind'], f: FollowRow) => {
    const t = cands.view.dateMs(id) ?? windowStart;
    const recency = RECENCY * Math.min(1, Math.max(0, (t - windowStart) / windowMs));
    const amount = FOLLOW_BOOST[kind] + recency;
    const cur = out.get(id);
    if (cur && amount <= cur.amount) return;
    let reason = reasons.get(f);
    if (reason === undefined) reasons.set(f, (reason = `you follow ${followText(f)}`));
    out.set(id, { amount, reason });
  };
  const among = (index: Map<string, Set<string>>, wanted: Map<string, FollowRow>, kind: FollowRow['kind']) => {
    const first = new Map<string, string>();
    for (const k of wanted.keys()) for (const id of index.get(k) ?? []) if (cands.has(id)) { const cur = first.get(id); if (cur === undefined || k < cur) first.set(id, k); }
    for (const [id, k] of first) add(id, kind, wanted.get(k)!);
  };
  const authors = new Map(follows.filter((f) => f.kind === 'author').map((f) => [f.value, f]));
  const cats = new Map(follows.filter((f) => f.kind === 'category').map((f) => [f.value, f]));
  const keys = authors.size || cats.size ? await cands.view.keys() : null;
  if (keys && cats.size) among(keys.categories, cats, 'category');
  const queries = follows.filter((f) => f.kind === 'query');
  if (queries.length && ctx.search?.ready) {
    for (const f of queries) {
      for (const id of await queryMatches(ctx.search, f.value)) if (cands.has(id)) add(id, 'query', f);
    }
  }
  if (keys && authors.size) among(keys.authors, authors, 'author');
  return out;
}

/**
 * For you of a user with follows only (no library, no dismissals) in a batch, without looking at
 * every candidate their follows match: the same list rankUser gives (contract test), read from
 * each followed key's candidates kept in order with the batch's window.
 * - 'newest' (no index): the matches in the window's order (newest first), up to `limit`.
 * - 'score' (index): rank.ts scores such a user's candidates by their boost alone, so the order
 *   is author matches, then saved-search matches, then category matches (the boosts' ranges do
 *   not overlap), newer first and then by id within a kind (the recency part is increasing in the
 *   date), then the unmatched candidates by id with score 0. Null (use the general path) when a
 *   candidate's recency would be clamped (dated after the window's end) or on a fallback list.
 */
async function followOnly(ctx: Ctx, win: Window, follows: FollowRow[], limit: number, mode: 'newest' | 'score', start: number, span: number): Promise<Ranked['ids'] | null> {
  const view = win.view;
  const rows = view.cands;
  if (!rows.length) return [];
  if (mode === 'score' && (win.fallback || Date.parse(rows[0].date) > start + span || Date.parse(rows[rows.length - 1].date) < start)) return null;
  const ms = (k: number) => view.dateMs(rows[k].id)!;
  const before = mode === 'newest' ? (a: number, b: number) => a < b : (a: number, b: number) => ms(a) > ms(b) || (ms(a) === ms(b) && rows[a].id < rows[b].id);
  const lists = (win.lists ??= new Map());
  const sorted = (key: string, ids: Iterable<string>) => {
    const k = `${mode}\u0000${key}`;
    let l = lists.get(k);
    if (!l) {
      const pos: number[] = [];
      for (const id of ids) {
        const p = view.position(id);
        if (p !== undefined) pos.push(p);
      }
      pos.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
      lists.set(k, (l = Int32Array.from(pos)));
    }
    return l;
  };
  const authors = follows.filter((f) => f.kind === 'author');
  const cats = follows.filter((f) => f.kind === 'category');
  const queries = ctx.search?.ready ? follows.filter((f) => f.kind === 'query') : [];
  const keys = authors.length || cats.length ? await view.keys() : null;
  const queryHits = new Map<FollowRow, Set<string>>();
  for (const f of queries) queryHits.set(f, new Set(await queryMatches(ctx.search!, f.value)));
  const listOf = (f: FollowRow): Int32Array =>
    f.kind === 'query' ? sorted(`q:${f.value}`, queryHits.get(f)!) : sorted(`${f.kind}:${f.value}`, (f.kind === 'author' ? keys!.authors : keys!.categories).get(f.value) ?? []);
  // The strongest follow matching a candidate, as followMatches picks it.
  const strongest = (id: string): FollowRow | undefined => {
    const minKey = (fs: FollowRow[], index: Map<string, Set<string>>) => {
      let best: FollowRow | undefined;
      for (const f of fs) if (index.get(f.value)?.has(id) && (!best || f.value < best.value)) best = f;
      return best;
    };
    return (keys && minKey(authors, keys.authors)) || queries.find((f) => queryHits.get(f)!.has(id)) || (keys ? minKey(cats, keys.categories) : undefined);
  };
  const out: Ranked['ids'] = [];
  const seen = new Set<number>();
  const emit = (p: number) => {
    const id = rows[p].id;
    const f = strongest(id)!;
    const recency = RECENCY * Math.min(1, Math.max(0, (ms(p) - start) / span));
    out.push({ id, score: FOLLOW_BOOST[f.kind] + recency, reason: `you follow ${followText(f)}`, like: null });
  };
  const merge = (fs: FollowRow[]) => {
    const ls = fs.map(listOf);
    const at = ls.map(() => 0);
    while (out.length < limit) {
      let b = -1;
      for (let i = 0; i < ls.length; i++) if (at[i] < ls[i].length && (b < 0 || before(ls[i][at[i]], ls[b][at[b]]))) b = i;
      if (b < 0) return;
      const p = ls[b][at[b]++];
      if (seen.has(p)) continue;
      seen.add(p);
      emit(p);
    }
  };
  if (mode === 'newest') merge([...authors, ...queries, ...cats]);
  else {
    merge(authors);
    merge(queries);
    merge(cats);
    if (out.length < limit) {
      const byId = (win.byId ??= Int32Array.from(rows.keys()).sort((a, b) => (rows[a].id < rows[b].id ? -1 : rows[a].id > rows[b].id ? 1 : 0)));
      for (let k = 0; k < byId.length && out.length < limit; k++) if (!seen.has(byId[k])) out.push({ id: rows[byId[k]].id, score: 0, reason: 'recent', like: null });
    }
  }
  return out;
}

/** The user's library for rank.ts: saved (1) and upvoted-only (RECS.upvoteWeight) papers, oldest first. */
function libraryOf(saved: repo.Signal[], upvoted: repo.Signal[]): LibraryItem[] {
  const savedIds = new Set(saved.map((s) => s.id));
  const all = [...saved.map((s) => ({ ...s, weight: 1 })), ...upvoted.filter((u) => !savedIds.has(u.id)).map((u) => ({ ...u, weight: RECS.upvoteWeight }))];
  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.map((s) => ({ id: s.id, title: s.title, weight: s.weight }));
}

interface UserSignals {
  saved: repo.Signal[];
  upvoted: repo.Signal[];
  follows: FollowRow[];
  dismissed: string[];
}

/** A window's candidates (with the empty-window fallback), as both paths read them. */
interface Window {
  view: WindowView;
  fallback: boolean;
  from: number;
  windowMs: number;
  /** Kept for a batch: each followed key's candidates (positions) in an order (followOnly). */
  lists?: Map<string, Int32Array>;
  /** Candidate positions in id order (followOnly). */
  byId?: Int32Array;
}

async function loadWindow(ctx: Ctx, window: RecWindow): Promise<Window> {
  const now = ctx.clock.now();
  const windowMs = WINDOW_DAYS[window] * 86_400_000;
  const from = new Date(now.getTime() - windowMs);
  let view = await windowCandidates(ctx, window, from, new Date(now.getTime() + 60_000), CANDIDATES_MAX);
  let fallback = false;
  if (!view.cands.length) {
    const newest = await newestCandidates(ctx, FALLBACK_CANDIDATES);
    if (newest.cands.length) {
      view = newest;
      fallback = true;
    }
  }
  return { view, fallback, from: from.getTime(), windowMs };
}

type Ranked = { base: Omit<ForYou, 'items'>; ids: { id: string; score: number; reason: string; like: ForYouItem['like'] }[] };

/** One user's For you, up to reading the paper rows (ids in order, with score and reason). */
async function rankUser(ctx: Ctx, sig: UserSignals, opts: { window: RecWindow; limit: number; batch?: boolean }, loadWin: () => Promise<Window>): Promise<Ranked> {
  const { saved, upvoted, follows, dismissed } = sig;
  const signals = { saved: saved.length, upvoted: upvoted.length, follows: follows.length, dismissed: dismissed.length };
  const base = { window: opts.window, signals };
  if (!saved.length && !upvoted.length && !follows.length) return { base: { ...base, state: 'no-signal', fallback: false, candidates: 0 }, ids: [] };

  const win = await loadWin();
  const { fallback, view } = win;
  const excluded = new Set([...saved.map((s) => s.id), ...dismissed]);
  const cands = candsOf(view, excluded);
  let count = view.cands.length;
  for (const id of excluded) if (view.dateMs(id) !== undefined) count--;
  // Recency of a fallback list is measured over its own span (its candidates are newest first).
  const list = view.cands;
  const start = fallback && list.length ? Date.parse(list[list.length - 1].date) : win.from;
  const span = fallback && list.length ? Math.max(1, Date.parse(list[0].date) - start) : win.windowMs;
  const engine = ctx.search?.ready ? ctx.search.engine : null;
  if (opts.batch && !saved.length && !upvoted.length && !dismissed.length && follows.length) {
    const ids = await followOnly(ctx, win, follows, opts.limit, engine ? 'score' : 'newest', start, span);
    if (ids) return { base: { ...base, state: engine ? 'ready' : 'index-not-ready', fallback, candidates: count }, ids };
  }
  const matches = await followMatches(ctx, follows, cands, start, span);

  if (!engine) {
    // No features: what the follows match, newest first (candidates are in that order already).
    const ids: Ranked['ids'] = [];
    for (const c of list) {
      if (ids.length >= opts.limit) break;
      const m = matches.get(c.id);
      if (m && !excluded.has(c.id)) ids.push({ id: c.id, score: m.amount, reason: m.reason, like: null });
    }
    return { base: { ...base, state: 'index-not-ready', fallback, candidates: count }, ids };
  }

  const boosts: Map<string, Boost> = matches; // a FollowMatch is a Boost: { amount, reason }
  const features = featuresOf(engine);
  // The window's candidate set, shared by every user of the window: its background is the
  // window's, and the user's saved and dismissed papers are left out by the ranking.
  const ranked = rankForUser({ library: libraryOf(saved, upvoted), dismissed, candidates: view.candidateSet(features), boosts, limit: opts.limit }, features);
  return { base: { ...base, state: 'ready', fallback, candidates: count }, ids: ranked.map((r) => ({ id: r.id, score: r.score, reason: r.reason, like: r.like })) };
}

const withRows = (r: Ranked, rows: Map<string, Paper>): ForYou => ({
  ...r.base,
  items: r.ids.flatMap((x) => {
    const paper = rows.get(x.id);
    return paper ? [{ paper, score: x.score, reason: x.reason, like: x.like }] : [];
  }),
});

const clampLimit = (limit: number | undefined) => Math.max(1, Math.min(FOR_YOU_MAX, limit ?? FOR_YOU_SIZE));

export async function forYou(ctx: Ctx, userId: number, opts: { window: RecWindow; limit?: number }): Promise<ForYou> {
  const db = ctx.store.db;
  const [saved, upvoted, follows, dismissed] = await Promise.all([
    repo.savedSignals(db, userId, SIGNALS_MAX),
    repo.upvoteSignals(db, userId, SIGNALS_MAX),
    listFollows(db, userId),
    repo.dismissedIds(db, userId, DISMISSED_MAX),
  ]);
  const r = await rankUser(ctx, { saved, upvoted, follows, dismissed }, { window: opts.window, limit: clampLimit(opts.limit) }, () => loadWindow(ctx, opts.window));
  return withRows(r, new Map((await repo.papersByIds(db, r.ids.map((x) => x.id))).map((p) => [p.id, p])));
}

/**
 * Shared by the forYouMany calls of one build (a digest run): each window is read once, at the
 * first call that needs it (from the kept windows, windows.ts), and then used for the whole
 * build. Make a new one per build: it does not see papers arriving after.
 */
export class ForYouBatch {
  private readonly windows = new Map<RecWindow, Promise<Window>>();
  constructor(private readonly ctx: Ctx) {}

  window(w: RecWindow): Promise<Window> {
    let p = this.windows.get(w);
    if (!p) this.windows.set(w, (p = loadWindow(this.ctx, w)));
    return p;
  }
}

/**
 * For you of many users at once, the same as `forYou` for each (test/contract/recs.contract):
 * their signals in a few queries per 500 users, the window's candidates and features once per
 * `batch`, the paper rows in one query per 500. `limit` may differ per user.
 */
export async function forYouMany(ctx: Ctx, userIds: number[], opts: { window: RecWindow; limit?: number | ((userId: number) => number); batch?: ForYouBatch }): Promise<Map<number, ForYou>> {
  const db = ctx.store.db;
  const ids = [...new Set(userIds)];
  const batch = opts.batch ?? new ForYouBatch(ctx);
  const [saved, upvoted, follows, dismissed] = await Promise.all([
    repo.savedSignalsMany(db, ids, SIGNALS_MAX),
    repo.upvoteSignalsMany(db, ids, SIGNALS_MAX),
    listFollowsMany(db, ids),
    repo.dismissedIdsMany(db, ids, DISMISSED_MAX),
  ]);
  const ranked = new Map<number, Ranked>();
  for (const u of ids) {
    const limit = clampLimit(typeof opts.limit === 'function' ? opts.limit(u) : opts.limit);
    const sig = { saved: saved.get(u) ?? [], upvoted: upvoted.get(u) ?? [], follows: follows.get(u) ?? [], dismissed: dismissed.get(u) ?? [] };
    // The window is read only once someone has a signal (as forYou does), then kept by the batch.
    ranked.set(u, await rankUser(ctx, sig, { window: opts.window, limit, batch: true }, () => batch.window(opts.window)));
  }
  const want = [...new Set([...ranked.values()].flatMap((r) => r.ids.map((x) => x.id)))];
  const rows = new Map<string, Paper>();
  for (let i = 0; i < want.length; i += 500) for (const p of await repo.papersByIds(db, want.slice(i, i + 500))) rows.set(p.id, p);
  return new Map([...ranked].map(([u, r]) => [u, withRows(r, rows)]));
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
