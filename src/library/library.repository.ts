/**
 * SQL of the library: saved papers with a private note, and collections of them. Lists show
 * visible papers only (a paper hidden by a moderator stays saved but is not listed or exported).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PaperRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface SavedPaper {
  paper: Paper;
  note: string;
  savedAt: string;
}

export interface CollectionRow {
  id: number;
  user_id: number;
  name: string;
  description: string;
  is_public: number;
  created_at: string;
  updated_at: string;
}

/** Save a paper; true when it was not saved before. */
export async function saveItem(db: Db, userId: number, paperId: string, now: string): Promise<boolean> {
  const r = await db
    .insertInto('library_items')
    .values({ user_id: userId, paper_id: paperId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Unsave a paper: it leaves the user's collections too (a collection holds library papers). */
export async function unsaveItem(db: Db, userId: number, paperId: string): Promise<boolean> {
  await db
    .deleteFrom('collection_items')
    .where('paper_id', '=', paperId)
    .where('collection_id', 'in', db.selectFrom('collections').select('id').where('user_id', '=', userId))
    .execute();
  const r = await db.deleteFrom('library_items').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function savedAmong(db: Db, userId: number, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db.selectFrom('library_items').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}

export async function getItem(db: Db, userId: number, paperId: string): Promise<{ note: string; created_at: string } | null> {
  const r = await db.selectFrom('library_items').select(['note', 'created_at']).where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return r ?? null;
}

export async function setNote(db: Db, userId: number, paperId: string, note: string, now: string): Promise<void> {
  await db.updateTable('library_items').set({ note, updated_at: now }).where('user_id', '=', userId).where('paper_id', '=', paperId).execute();
}

/** The user's saved, visible papers, most recently saved first. */
export async function listItems(db: Db, userId: number, opts: { limit: number; offset: number }): Promise<SavedPaper[]> {
  const rows = await db
    .selectFrom('library_items as l')
    .innerJoin('papers as p', 'p.id', 'l.paper_id')
    .selectAll('p')
    .select(['l.note as lib_note', 'l.created_at as lib_saved_at'])
    .where('l.user_id', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('l.created_at', 'desc')
    .orderBy('l.paper_id', 'asc')
    .limit(opts.limit)
    .offset(opts.offset)
    .execute();
  return rows.map(({ lib_note, lib_saved_at, ...paper }) => ({ paper: toPaper(paper as PaperRow), note: lib_note, savedAt: lib_saved_at }));
}

export async function countItems(db: Db, userId: number): Promise<number> {
  const r = await db
    .selectFrom('library_items as l')
    .innerJoin('papers as p', 'p.id', 'l.paper_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('l.user_id', '=', userId)
    .where('p.hidden', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ------------------------------------------------------------------------------- collections

export async function insertCollection(db: Db, c: { userId: number; name: string; description: string; isPublic: boolean; now: string }): Promise<number> {
  const r = await db
    .insertInto('collections')
    .values({ user_id: c.userId, name: c.name, description: c.description, is_public: c.isPublic ? 1 : 0, created_at: c.now, updated_at: c.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateCollection(db: Db, id: number, c: { name: string; description: string; isPublic: boolean; now: string }): Promise<void> {
  await db.updateTable('collections').set({ name: c.name, description: c.description, is_public: c.isPublic ? 1 : 0, updated_at: c.now }).where('id', '=', id).execute();
}

export async function deleteCollection(db: Db, id: number): Promise<void> {
  await db.deleteFrom('collection_items').where('collection_id', '=', id).execute();
  await db.deleteFrom('collections').where('id', '=', id).execute();
}

export async function getCollection(db: Db, id: number): Promise<CollectionRow | null> {
  const r = await db.selectFrom('collections').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { ...r, id: Number(r.id), user_id: Number(r.user_id), is_public: Number(r.is_public) } : null;
}

export async function listCollections(db: Db, userId: number): Promise<(CollectionRow & { papers: number })[]> {
  const rows = await db
    .selectFrom('collections as c')
    .leftJoin('collection_items as ci', 'ci.collection_id', 'c.id')
    .leftJoin('papers as p', (j) => j.onRef('p.id', '=', 'ci.paper_id').on('p.hidden', '=', 0))
    .select(['c.id', 'c.user_id', 'c.name', 'c.description', 'c.is_public', 'c.created_at', 'c.updated_at'])
    .select((eb) => eb.fn.count<number>('p.id').as('papers'))
    .where('c.user_id', '=', userId)
    .groupBy(['c.id', 'c.user_id', 'c.name', 'c.description', 'c.is_public', 'c.created_at', 'c.updated_at'])
    .orderBy('c.name')
    .orderBy('c.id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), user_id: Number(r.user_id), is_public: Number(r.is_public), papers: Number(r.papers) }));
}

export async function addToCollection(db: Db, collectionId: number, paperId: string, now: string): Promise<void> {
  await db
    .insertInto('collection_items')
    .values({ collection_id: collectionId, paper_id: paperId, added_at: now })
    .onConflict((oc) => oc.columns(['collection_id', 'paper_id']).doNothing())
    .execute();
}

export async function removeFromCollection(db: Db, collectionId: number, paperId: string): Promise<void> {
  await db.deleteFrom('collection_items').where('collection_id', '=', collectionId).where('paper_id', '=', paperId).execute();
}

/** A collection's visible papers, most recently added first. */
export async function collectionPapers(db: Db, collectionId: number, limit: number): Promise<{ paper: Paper; addedAt: string }[]> {
  const rows = await db
    .selectFrom('collection_items as ci')
    .innerJoin('papers as p', 'p.id', 'ci.paper_id')
    .selectAll('p')
    .select('ci.added_at as ci_added_at')
    .where('ci.collection_id', '=', collectionId)
    .where('p.hidden', '=', 0)
    .orderBy('ci.added_at', 'desc')
    .orderBy('ci.paper_id', 'asc')
    .limit(limit)
    .execute();
  return rows.map(({ ci_added_at, ...paper }) => ({ paper: toPaper(paper as PaperRow), addedAt: ci_added_at }));
}

/** Which of the user's collections hold the paper. */
export async function collectionsHolding(db: Db, userId: number, paperId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('collection_items as ci')
    .innerJoin('collections as c', 'c.id', 'ci.collection_id')
    .select('c.id')
    .where('c.user_id', '=', userId)
    .where('ci.paper_id', '=', paperId)
    .execute();
  return new Set(rows.map((r) => Number(r.id)));
}

/** Which of these ids the store has (visible or not), for imports. */
export async function knownPaperIds(db: Db, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('papers').select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}
