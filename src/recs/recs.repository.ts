/**
 * SQL of For you: a user's signals (saved and upvoted papers, dismissals), the candidate papers
 * of a window, the candidates a follow matches, and dismissals themselves. Visible papers only
 * (not hidden by a moderator, not withdrawn) everywhere a paper is shown or learned from.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PaperRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface Signal {
  id: string;
  title: string;
  at: string;
}

/** The user's saved, visible papers, most recently saved first. */
export async function savedSignals(db: Db, userId: number, limit: number): Promise<Signal[]> {
  return db
    .selectFrom('library_items as l')
    .innerJoin('papers as p', 'p.id', 'l.paper_id')
    .select(['p.id as id', 'p.title as title', 'l.created_at as at'])
    .where('l.user_id', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('l.created_at', 'desc')
    .orderBy('l.paper_id', 'asc')
    .limit(limit)
    .execute();
}

/** The user's upvoted, visible papers, most recent vote first. */
export async function upvoteSignals(db: Db, userId: number, limit: number): Promise<Signal[]> {
  return db
    .selectFrom('votes as v')
    .innerJoin('papers as p', 'p.id', 'v.paper_id')
    .select(['p.id as id', 'p.title as title', 'v.created_at as at'])
    .where('v.user_id', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('v.created_at', 'desc')
    .orderBy('v.paper_id', 'asc')
    .limit(limit)
    .execute();
}

/** Dismissed papers (any visibility: a dismissal still excludes), most recent first. */
export async function dismissedIds(db: Db, userId: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('rec_dismissals').select('paper_id').where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('paper_id', 'asc').limit(limit).execute();
  return rows.map((r) => r.paper_id);
}

/** The most recent dismissals with their papers (visible ones), for the page's "undo" list. */
export async function recentDismissals(db: Db, userId: number, limit: number): Promise<{ paper: Paper; at: string }[]> {
  const rows = await db
    .selectFrom('rec_dismissals as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .selectAll('p')
    .select('d.created_at as dismissed_at')
    .where('d.user_id', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.paper_id', 'asc')
    .limit(limit)
    .execute();
  return rows.map(({ dismissed_at, ...paper }) => ({ paper: toPaper(paper as PaperRow), at: dismissed_at }));
}

/** True when the row was new. */
export async function insertDismissal(db: Db, userId: number, paperId: string, now: string): Promise<boolean> {
  const r = await db
    .insertInto('rec_dismissals')
    .values({ user_id: userId, paper_id: paperId, created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteDismissal(db: Db, userId: number, paperId: string): Promise<boolean> {
  const r = await db.deleteFrom('rec_dismissals').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface Candidate {
  id: string;
  date: string;
}

/**
 * Visible papers first published (or, without a date, first stored) in [from, to), newest first.
 * Two queries rather than one OR, so the first uses the index on `published_at`; the second
 * serves the few papers without a date.
 */
export async function candidatesBetween(db: Db, from: string, to: string, limit: number): Promise<Candidate[]> {
  const dated = await db
    .selectFrom('papers')
    .select(['id', 'published_at'])
    .where('published_at', '>=', from)
    .where('published_at', '<', to)
    .where('hidden', '=', 0)
    .where('withdrawn', '=', 0)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const undated = await db
    .selectFrom('papers')
    .select(['id', 'created_at'])
    .where('published_at', 'is', null)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .where('hidden', '=', 0)
    .where('withdrawn', '=', 0)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  const all = [...dated.map((r) => ({ id: r.id, date: r.published_at! })), ...undated.map((r) => ({ id: r.id, date: r.created_at }))];
  all.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return all.slice(0, limit);
}

/** The newest visible papers of the store (when a window holds none). */
export async function newestCandidates(db: Db, limit: number): Promise<Candidate[]> {
  const rows = await db
    .selectFrom('papers')
    .select(['id', 'published_at', 'created_at'])
    .where('hidden', '=', 0)
    .where('withdrawn', '=', 0)
    .where('published_at', 'is not', null)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, date: r.published_at ?? r.created_at }));
}

/** Keys in one order on both stores (SQL collations differ): the first one names a follow's reason. */
export const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Among these papers, the ones by any of these authors (name keys): paper → matching keys, sorted. */
export async function authorsAmong(db: Db, paperIds: string[], keys: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!paperIds.length || !keys.length) return out;
  for (let i = 0; i < paperIds.length; i += 500) {
    const rows = await db.selectFrom('paper_authors').select(['paper_id', 'name_key']).where('paper_id', 'in', paperIds.slice(i, i + 500)).where('name_key', 'in', keys).execute();
    for (const r of rows) out.set(r.paper_id, [...(out.get(r.paper_id) ?? []), r.name_key]);
  }
  for (const keys of out.values()) keys.sort(byCodeUnits);
  return out;
}

/** Among these papers, the ones in any of these categories: paper → matching categories, sorted. */
export async function categoriesAmong(db: Db, paperIds: string[], categories: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!paperIds.length || !categories.length) return out;
  for (let i = 0; i < paperIds.length; i += 500) {
    const rows = await db.selectFrom('paper_categories').select(['paper_id', 'category']).where('paper_id', 'in', paperIds.slice(i, i + 500)).where('category', 'in', categories).execute();
    for (const r of rows) out.set(r.paper_id, [...(out.get(r.paper_id) ?? []), r.category]);
  }
  for (const keys of out.values()) keys.sort(byCodeUnits);
  return out;
}

/** Visible papers by id, in the order given (missing ones left out). */
export async function papersByIds(db: Db, ids: string[]): Promise<Paper[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('papers').selectAll().where('id', 'in', ids).where('hidden', '=', 0).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => (byId.has(id) ? [toPaper(byId.get(id)!)] : []));
}

/** arXiv categories of the store's visible papers, most papers first (onboarding's checkboxes). */
export async function categoryCounts(db: Db, limit: number): Promise<{ category: string; n: number }[]> {
  const rows = await db
    .selectFrom('paper_categories as c')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .select(['c.category as category', (eb) => eb.fn.countAll<number>().as('n')])
    .where('p.hidden', '=', 0)
    .groupBy('c.category')
    .orderBy('n', 'desc')
    .orderBy('c.category', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ category: r.category, n: Number(r.n) }));
}

// --- Many users at once (a digest build): one query per 500 users, the same rows and order as
// the per-user functions above, grouped by user.

function groupBy<R extends { user_id: number | string }, T>(rows: R[], limit: number, map: (r: R) => T): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const u = Number(r.user_id);
    let l = out.get(u);
    if (!l) out.set(u, (l = []));
    if (l.length < limit) l.push(map(r));
  }
  return out;
}

async function chunked<T>(userIds: number[], run: (ids: number[]) => Promise<Map<number, T[]>>): Promise<Map<number, T[]>> {
  const ids = [...new Set(userIds)];
  const out = new Map<number, T[]>();
  for (let i = 0; i < ids.length; i += 500) for (const [u, l] of await run(ids.slice(i, i + 500))) out.set(u, l);
  return out;
}

/** savedSignals of many users: user → signals (users without any are absent). */
export async function savedSignalsMany(db: Db, userIds: number[], limit: number): Promise<Map<number, Signal[]>> {
  return chunked(userIds, async (ids) => {
    const rows = await db
      .selectFrom('library_items as l')
      .innerJoin('papers as p', 'p.id', 'l.paper_id')
      .select(['l.user_id as user_id', 'p.id as id', 'p.title as title', 'l.created_at as at'])
      .where('l.user_id', 'in', ids)
      .where('p.hidden', '=', 0)
      .orderBy('l.user_id')
      .orderBy('l.created_at', 'desc')
      .orderBy('l.paper_id', 'asc')
      .execute();
    return groupBy(rows, limit, (r) => ({ id: r.id, title: r.title, at: r.at }));
  });
}

/** upvoteSignals of many users. */
export async function upvoteSignalsMany(db: Db, userIds: number[], limit: number): Promise<Map<number, Signal[]>> {
  return chunked(userIds, async (ids) => {
    const rows = await db
      .selectFrom('votes as v')
      .innerJoin('papers as p', 'p.id', 'v.paper_id')
      .select(['v.user_id as user_id', 'p.id as id', 'p.title as title', 'v.created_at as at'])
      .where('v.user_id', 'in', ids)
      .where('p.hidden', '=', 0)
      .orderBy('v.user_id')
      .orderBy('v.created_at', 'desc')
      .orderBy('v.paper_id', 'asc')
      .execute();
    return groupBy(rows, limit, (r) => ({ id: r.id, title: r.title, at: r.at }));
  });
}

/** dismissedIds of many users. */
export async function dismissedIdsMany(db: Db, userIds: number[], limit: number): Promise<Map<number, string[]>> {
  return chunked(userIds, async (ids) => {
    const rows = await db
      .selectFrom('rec_dismissals')
      .select(['user_id', 'paper_id'])
      .where('user_id', 'in', ids)
      .orderBy('user_id')
      .orderBy('created_at', 'desc')
      .orderBy('paper_id', 'asc')
      .execute();
    return groupBy(rows, limit, (r) => r.paper_id);
  });
}

/** The categories and author name keys of these papers (a build's candidate window, read once): key → papers. */
export async function keysOfPapers(db: Db, paperIds: string[]): Promise<{ categories: Map<string, string[]>; authors: Map<string, string[]> }> {
  const categories = new Map<string, string[]>();
  const authors = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, id: string) => {
    const l = m.get(k);
    if (!l) m.set(k, [id]);
    else if (l[l.length - 1] !== id) l.push(id);
  };
  for (let i = 0; i < paperIds.length; i += 500) {
    const ids = paperIds.slice(i, i + 500);
    for (const r of await db.selectFrom('paper_categories').select(['paper_id', 'category']).where('paper_id', 'in', ids).orderBy('paper_id').execute()) add(categories, r.category, r.paper_id);
    for (const r of await db.selectFrom('paper_authors').select(['paper_id', 'name_key']).where('paper_id', 'in', ids).orderBy('paper_id').execute()) add(authors, r.name_key, r.paper_id);
  }
  return { categories, authors };
}
