/** SQL for upvotes: one row per (user, paper); papers.upvotes is kept by increments. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, PaperRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Insert a vote; false when the user had already voted (primary key). */
export async function insertVote(db: Db, userId: number, paperId: string, now: string): Promise<boolean> {
  const r = await db.insertInto('votes').values({ user_id: userId, paper_id: paperId, created_at: now }).onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteVote(db: Db, userId: number, paperId: string): Promise<boolean> {
  const r = await db.deleteFrom('votes').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Add `delta` to the cached count. An increment (not a recount) on purpose: on PostgreSQL a
 * concurrent transaction waiting on the row lock re-reads the row and adds to the new value,
 * while a recount subquery would use its older snapshot and lose votes.
 */
export async function bumpUpvotes(db: Db, paperId: string, delta: number): Promise<number> {
  const r = await db
    .updateTable('papers')
    .set((eb) => ({ upvotes: sql`${eb.ref('upvotes')} + ${delta}` }))
    .where('id', '=', paperId)
    .returning('upvotes')
    .executeTakeFirst();
  return Number(r?.upvotes ?? 0);
}

/** Which of these papers the user has upvoted. */
export async function votedAmong(db: Db, userId: number, paperIds: string[]): Promise<Set<string>> {
  if (!paperIds.length) return new Set();
  const rows = await db.selectFrom('votes').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}

/** The visible papers a user upvoted, latest vote first. */
export async function votesOfUser(db: Db, userId: number, limit: number): Promise<{ paper: Paper; votedAt: string }[]> {
  const rows = await db
    .selectFrom('votes as v')
    .innerJoin('papers as p', 'p.id', 'v.paper_id')
    .selectAll('p')
    .select('v.created_at as voted_at')
    .where('v.user_id', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('v.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(({ voted_at, ...paper }) => ({ paper: toPaper(paper as PaperRow), votedAt: voted_at }));
}
