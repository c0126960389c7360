/** SQL for authorship claims (migration 008_author_claims). The caller owns the transaction. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export type ClaimStatus = 'pending' | 'approved' | 'rejected';

export interface ClaimRow {
  id: number;
  paperId: string;
  paperTitle: string;
  authorName: string;
  userName: string;
  status: ClaimStatus;
  createdAt: string;
}

function base(db: Db) {
  return db
    .selectFrom('author_claims as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .select(['c.id', 'c.paper_id', 'p.title', 'c.author_name', 'u.name as user_name', 'c.status', 'c.created_at']);
}

function toRow(r: any): ClaimRow {
  return { id: Number(r.id), paperId: r.paper_id, paperTitle: r.title, authorName: r.author_name, userName: r.user_name, status: r.status, createdAt: r.created_at };
}

/** Another user's live (pending or approved) claim on this author name, on any paper. */
export async function otherUsersClaim(db: Db, nameKey: string, userId: number): Promise<{ user_id: number } | undefined> {
  return db.selectFrom('author_claims').select('user_id').where('name_key', '=', nameKey).where('user_id', '!=', userId).where('status', 'in', ['pending', 'approved']).limit(1).executeTakeFirst();
}

export async function ownClaim(db: Db, paperId: string, nameKey: string, userId: number) {
  return db.selectFrom('author_claims').select(['id', 'status']).where('paper_id', '=', paperId).where('name_key', '=', nameKey).where('user_id', '=', userId).executeTakeFirst();
}

export async function insertClaim(db: Db, c: { paperId: string; authorName: string; nameKey: string; userId: number; now: string }): Promise<number> {
  const r = await db.insertInto('author_claims').values({ paper_id: c.paperId, author_name: c.authorName, name_key: c.nameKey, user_id: c.userId, status: 'pending', created_at: c.now }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function reopenClaim(db: Db, id: number, now: string): Promise<void> {
  await db.updateTable('author_claims').set({ status: 'pending', created_at: now, decided_at: null, decided_by: null }).where('id', '=', id).execute();
}

export async function claimById(db: Db, id: number) {
  return db.selectFrom('author_claims').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setClaimStatus(db: Db, id: number, status: ClaimStatus, by: number, now: string): Promise<void> {
  await db.updateTable('author_claims').set({ status, decided_by: by, decided_at: now }).where('id', '=', id).execute();
}

export async function pendingClaims(db: Db, limit: number): Promise<ClaimRow[]> {
  return (await base(db).where('c.status', '=', 'pending').orderBy('c.created_at').orderBy('c.id').limit(limit).execute()).map(toRow);
}

export async function claimsOfUser(db: Db, userId: number, limit: number): Promise<ClaimRow[]> {
  return (await base(db).where('c.user_id', '=', userId).where('p.hidden', '=', 0).orderBy('c.created_at', 'desc').limit(limit).execute()).map(toRow);
}

/** Approved claims on a paper: author name key → the user's name. */
export async function approvedClaimsOnPaper(db: Db, paperId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('author_claims as c').innerJoin('users as u', 'u.id', 'c.user_id').select(['c.name_key', 'u.name']).where('c.paper_id', '=', paperId).where('c.status', '=', 'approved').execute();
  return new Map(rows.map((r) => [r.name_key, r.name]));
}

/** The user with an approved claim on this author name (any paper), if any. */
export async function approvedClaimant(db: Db, nameKey: string): Promise<string | null> {
  const r = await db.selectFrom('author_claims as c').innerJoin('users as u', 'u.id', 'c.user_id').select('u.name').where('c.name_key', '=', nameKey).where('c.status', '=', 'approved').orderBy('c.decided_at').limit(1).executeTakeFirst();
  return r?.name ?? null;
}

/** Whether another user already holds an approved claim on this author name. */
export async function approvedClaimantOtherThan(db: Db, nameKey: string, userId: number): Promise<boolean> {
  return !!(await db.selectFrom('author_claims').select('id').where('name_key', '=', nameKey).where('status', '=', 'approved').where('user_id', '!=', userId).limit(1).executeTakeFirst());
}
