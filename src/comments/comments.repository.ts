/** SQL for comments and the cached papers.num_comments (visible comments + imported count). */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, CommentRow } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertComment(db: Db, c: { paperId: string; userId: number; parentId: number | null; body: string; bodyHtml: string; now: string }): Promise<number> {
  const r = await db
    .insertInto('comments')
    .values({ paper_id: c.paperId, user_id: c.userId, parent_id: c.parentId, body: c.body, body_html: c.bodyHtml, created_at: c.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/**
 * Take the author's row lock for the rest of the transaction (PostgreSQL: a row lock; SQLite:
 * transactions already run one at a time), so two concurrent posts by one user count each other.
 */
export async function lockAuthor(db: Transaction<Database>, userId: number): Promise<void> {
  await sql`update users set role = role where id = ${userId}`.execute(db);
}

/** How many comments a user wrote after `sinceIso` (deleted ones too), and the oldest of them. */
export async function recentCommentsBy(db: Db, userId: number, sinceIso: string): Promise<{ count: number; oldest: string | null }> {
  const r = await db
    .selectFrom('comments')
    .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('user_id', '=', userId)
    .where('created_at', '>', sinceIso)
    .executeTakeFirstOrThrow();
  return { count: Number(r.n), oldest: (r.oldest as string | null) ?? null };
}

export async function commentById(db: Db, id: number): Promise<CommentRow | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateComment(db: Db, id: number, fields: Partial<Pick<CommentRow, 'body' | 'body_html' | 'edited_at' | 'deleted_at' | 'hidden_at' | 'hidden_by'>>): Promise<void> {
  await db.updateTable('comments').set(fields).where('id', '=', id).execute();
}

/** Increment (see votes.repository.ts for why not a recount). */
export async function bumpCommentCount(db: Db, paperId: string, delta: number): Promise<void> {
  await db
    .updateTable('papers')
    .set((eb) => ({ num_comments: sql`${eb.ref('num_comments')} + ${delta}` }))
    .where('id', '=', paperId)
    .execute();
}

export async function commentsOfPaper(db: Db, paperId: string) {
  return db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .selectAll('c')
    .select(['u.name as user_name', 'u.banned_at as user_banned_at'])
    .where('c.paper_id', '=', paperId)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(2000)
    .execute();
}

export async function commentsOfUser(db: Db, userId: number, limit: number) {
  return db
    .selectFrom('comments as c')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .select(['c.id', 'c.paper_id', 'c.body_html', 'c.created_at', 'p.title as paper_title'])
    .where('c.user_id', '=', userId)
    .where('c.deleted_at', 'is', null)
    .where('c.hidden_at', 'is', null)
    .where('p.hidden', '=', 0)
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function recentComments(db: Db, limit: number) {
  return db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select(['c.id', 'c.paper_id', 'c.body_html', 'c.created_at', 'c.hidden_at', 'c.deleted_at', 'u.name as user_name'])
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
}
