/**
 * The candidates of each For you window (day, week, month, and the empty-window fallback), kept
 * per store until the store changes, with what every user of a window shares, built once: the
 * ranking's candidate set (rank.ts `CandidateSet`: vectors, inverted index, background scores)
 * and the categories and authors of its papers (follow matching). A request then costs the
 * user's own signals, their ranking and one change-log probe, not a 9,000-row query.
 *
 * Right across processes: every use reads the store's newest change-log entry (one primary-key
 * probe, src/changes). When it moved (an import, an edit, a moderator, a vote, by this process
 * or any other), the papers it names are re-read: a paper entering, leaving or moving within a
 * window's range drops that window (read again at the next use); a paper that stays (a vote, an
 * edit) keeps it, with its categories and authors re-read. A log pruned past the position, or
 * more than MAX_CHANGES changes at once, drops everything. The position is a ChangeCursor
 * (src/changes/cursor.ts), so on PostgreSQL a change committed after a higher-numbered one is
 * still applied.
 *
 * Bounded: at most 4 windows per store, each ≤ CANDIDATES_MAX + MARGIN rows (a month of ±1 h, so
 * the window's edges sliding with the clock rarely need a new query), one candidate set (the
 * last features seen) and one key index.
 */
import type { AppContext } from '../context.js';
import type { Store } from '../db/index.js';
import { changesAfter, latestChange, oldestChange } from '../changes/changes.repository.js';
import { ChangeCursor } from '../changes/cursor.js';
import { CandidateSet, type RecFeatures } from './rank.js';
import * as repo from './recs.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock'>;

export type WindowKind = 'day' | 'week' | 'month';

/** Kept beyond each edge of a window, so the window slides with the clock within one query. */
export const SLACK_MS = 3_600_000;
/** Rows read beyond CANDIDATES_MAX, so slack at the new edge does not truncate the old one. */
export const MARGIN = 2_000;
/** More changes than this at once (a big import): drop every window rather than re-read them. */
export const MAX_CHANGES = 5_000;

/** key (category, or author name key) → candidate ids having it. */
export interface KeyIndex {
  categories: Map<string, Set<string>>;
  authors: Map<string, Set<string>>;
}

interface Entry {
  /** Rows with a date in [lo, hi) (ISO strings), newest first; `all` for the fallback list. */
  lo: string;
  hi: string;
  rows: repo.Candidate[];
  /** The query hit its limit: rows older than the last one may be missing. */
  truncated: boolean;
  dates: Map<string, string>;
  keys: Promise<KeyIndex & { byPaper: Map<string, { categories: string[]; authors: string[] }> }> | null;
  set: { i: number; j: number; f: RecFeatures; set: CandidateSet } | null;
  /** Dates (ms) and positions of the last slice viewed. */
  sliceDates: { i: number; j: number; dates: Map<string, number>; pos: Map<string, number> } | null;
  /** The fallback list's length asked for. */
  limit: number;
}

interface StoreWindows {
  /** Where the kept windows stand in the change log (PostgreSQL's out-of-order commits included). */
  cursor: ChangeCursor | null;
  /** Bumped whenever changes were applied: a window read meanwhile is not kept. */
  version: number;
  entries: Map<string, Entry>;
  syncing: Promise<void> | null;
}

const perStore = new WeakMap<Store, StoreWindows>();

/** A window's candidates as of now, and what is shared by its users. */
export interface WindowView {
  /** Newest first, at most `limit`. */
  cands: repo.Candidate[];
  /** A candidate's date (ms); undefined for a paper that is not a candidate. */
  dateMs(id: string): number | undefined;
  /** A candidate's index in `cands`; undefined for a paper that is not a candidate. */
  position(id: string): number | undefined;
  /** The ranking's candidate set for these candidates and features (kept with the window). */
  candidateSet(f: RecFeatures): CandidateSet;
  /** Categories and authors of the candidates (kept with the window, re-read for changed papers). */
  keys(): Promise<KeyIndex>;
}

function state(store: Store): StoreWindows {
  let s = perStore.get(store);
  if (!s) perStore.set(store, (s = { cursor: null, version: 0, entries: new Map(), syncing: null }));
  return s;
}

/** Bring the kept windows up to the store's change log (one probe when nothing changed). */
async function sync(ctx: Ctx, s: StoreWindows): Promise<void> {
  const db = ctx.store.db;
  const latest = await latestChange(db);
  const cur = s.cursor;
  if (!cur || !s.entries.size) {
    if (!cur || latest !== cur.position || cur.waiting) {
      s.cursor = new ChangeCursor(latest);
      s.entries.clear();
      s.version++;
    }
    return;
  }
  if (latest === cur.position && !cur.waiting) return;
  const oldest = await oldestChange(db);
  const rows = oldest !== null && oldest > cur.position + 1 ? null : await changesAfter(db, cur.position, MAX_CHANGES + 1);
  s.version++;
  if (!rows || rows.length > MAX_CHANGES) {
    s.entries.clear();
    s.cursor = new ChangeCursor(latest);
    return;
  }
  // Rows not applied yet (on PostgreSQL a lower number may commit after a higher one: the cursor
  // holds its position until it shows up, src/changes/cursor.ts).
  const changes = cur.take(rows);
  const ids = [...new Set(changes.flatMap((c) => (c.paperId ? [c.paperId] : [])))];
  if (!ids.length) return;
  const now = new Map<string, { date: string; visible: boolean }>();
  for (let i = 0; i < ids.length; i += 500) {
    const got = await db.selectFrom('papers').select(['id', 'published_at', 'created_at', 'hidden', 'withdrawn']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of got) now.set(r.id, { date: r.published_at ?? r.created_at, visible: !r.hidden && !r.withdrawn });
  }
  for (const [kind, e] of s.entries) {
    const stay: string[] = [];
    let drop = false;
    for (const id of ids) {
      const p = now.get(id);
      const was = e.dates.get(id);
      const inRange = !!p && p.visible && (kind === 'fallback' || (p.date >= e.lo && p.date < e.hi));
      if (kind === 'fallback' && inRange && was === undefined) drop = true; // a newer paper may belong in the newest list
      if (inRange !== (was !== undefined) || (was !== undefined && p!.date !== was)) drop = true;
      else if (was !== undefined) stay.push(id);
      if (drop) break;
    }
    if (drop) s.entries.delete(kind);
    else if (stay.length && e.keys) {
      const keys = e.keys;
      e.keys = (async () => {
        const k = await keys;
        const fresh = await repo.keysOfPapers(db, stay);
        for (const id of stay) {
          const old = k.byPaper.get(id);
          if (old) {
            for (const c of old.categories) k.categories.get(c)?.delete(id);
            for (const a of old.authors) k.authors.get(a)?.delete(id);
          }
          k.byPaper.set(id, { categories: [], authors: [] });
        }
        for (const [c, ps] of fresh.categories) for (const id of ps) addKey(k, 'categories', c, id);
        for (const [a, ps] of fresh.authors) for (const id of ps) addKey(k, 'authors', a, id);
        return k;
      })();
    }
  }
}

function addKey(k: KeyIndex & { byPaper: Map<string, { categories: string[]; authors: string[] }> }, which: 'categories' | 'authors', key: string, id: string): void {
  let set = k[which].get(key);
  if (!set) k[which].set(key, (set = new Set()));
  set.add(id);
  let p = k.byPaper.get(id);
  if (!p) k.byPaper.set(id, (p = { categories: [], authors: [] }));
  p[which].push(key);
}

async function fresh(ctx: Ctx): Promise<StoreWindows> {
  const s = state(ctx.store);
  // One catch-up at a time; a request arriving meanwhile waits for it, then checks again.
  while (s.syncing) await s.syncing;
  s.syncing = sync(ctx, s).finally(() => (s.syncing = null));
  await s.syncing;
  return s;
}

function viewOf(ctx: Ctx, e: Entry, i: number, j: number): WindowView {
  const cands = e.rows.slice(i, j);
  const slice = () => {
    if (!e.sliceDates || e.sliceDates.i !== i || e.sliceDates.j !== j) e.sliceDates = { i, j, dates: new Map(cands.map((c) => [c.id, Date.parse(c.date)])), pos: new Map(cands.map((c, k) => [c.id, k])) };
    return e.sliceDates;
  };
  return {
    cands,
    dateMs: (id) => slice().dates.get(id),
    position: (id) => slice().pos.get(id),
    candidateSet(f) {
      if (e.set && e.set.i === i && e.set.j === j && e.set.f === f) return e.set.set;
      const set = new CandidateSet(
        cands.map((c) => c.id),
        f,
      );
      e.set = { i, j, f, set };
      return set;
    },
    keys() {
      e.keys ??= (async () => {
        const k = { categories: new Map(), authors: new Map(), byPaper: new Map() } as KeyIndex & { byPaper: Map<string, { categories: string[]; authors: string[] }> };
        const got = await repo.keysOfPapers(
          ctx.store.db,
          e.rows.map((c) => c.id),
        );
        for (const [c, ps] of got.categories) for (const id of ps) addKey(k, 'categories', c, id);
        for (const [a, ps] of got.authors) for (const id of ps) addKey(k, 'authors', a, id);
        return k;
      })();
      const p = e.keys;
      // A failed read is not kept.
      p.catch(() => {
        if (e.keys === p) e.keys = null;
      });
      return p;
    },
  };
}

const entryOf = (rows: repo.Candidate[], lo: string, hi: string, truncated: boolean, limit = 0): Entry => ({ lo, hi, rows, truncated, limit, dates: new Map(rows.map((r) => [r.id, r.date])), keys: null, set: null, sliceDates: null });

/**
 * The visible papers dated in [from, to), newest first, at most `limit` (what
 * repo.candidatesBetween returns), from the kept window of that kind.
 */
export async function windowCandidates(ctx: Ctx, kind: WindowKind, from: Date, to: Date, limit: number): Promise<WindowView> {
  const s = await fresh(ctx);
  const fromIso = from.toISOString(), toIso = to.toISOString();
  for (let attempt = 0; attempt < 2; attempt++) {
    let e = s.entries.get(kind);
    if (!e || e.lo > fromIso || e.hi < toIso) {
      const lo = new Date(from.getTime() - SLACK_MS).toISOString(), hi = new Date(to.getTime() + SLACK_MS).toISOString();
      const version = s.version;
      const rows = await repo.candidatesBetween(ctx.store.db, lo, hi, limit + MARGIN);
      e = entryOf(rows, lo, hi, rows.length >= limit + MARGIN);
      // Kept only if nothing moved meanwhile (else it may predate a change the log already passed).
      if (s.version === version) s.entries.set(kind, e);
    }
    const rows = e.rows;
    let i = 0;
    while (i < rows.length && rows[i].date >= toIso) i++;
    let j = i;
    while (j < rows.length && rows[j].date >= fromIso && j - i < limit) j++;
    if (e.truncated && j === rows.length && j - i < limit) {
      // The kept rows stop before the window does: read this one as it is.
      if (attempt === 0 && s.entries.get(kind) === e) s.entries.delete(kind);
      if (attempt === 1) {
        const direct = await repo.candidatesBetween(ctx.store.db, fromIso, toIso, limit);
        return viewOf(ctx, entryOf(direct, fromIso, toIso, false), 0, direct.length);
      }
      continue;
    }
    return viewOf(ctx, e, i, j);
  }
  throw new Error('unreachable');
}

/** The store's newest `limit` visible papers (the empty-window fallback), kept like a window. */
export async function newestCandidates(ctx: Ctx, limit: number): Promise<WindowView> {
  const s = await fresh(ctx);
  let e = s.entries.get('fallback');
  if (!e || e.limit !== limit) {
    const version = s.version;
    const rows = await repo.newestCandidates(ctx.store.db, limit);
    e = entryOf(rows, '', '', false, limit);
    if (s.version === version) s.entries.set('fallback', e);
  }
  return viewOf(ctx, e, 0, Math.min(limit, e.rows.length));
}

/** For tests: how many windows are kept for this store, and the kept rows of one (the same array while it is kept). */
export function keptWindows(store: Store): number {
  return perStore.get(store)?.entries.size ?? 0;
}
export function keptRows(store: Store, kind: WindowKind | 'fallback'): readonly repo.Candidate[] | undefined {
  return perStore.get(store)?.entries.get(kind)?.rows;
}
