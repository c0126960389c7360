/** SQL for personal API tokens. Only the sha256 of a token is stored, never the token. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface ApiTokenRecord {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const cols = ['id', 'user_id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'] as const;
const toRecord = (r: { id: number; user_id: number; name: string; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null }): ApiTokenRecord => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  name: r.name,
  prefix: r.prefix,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export async function insertApiToken(db: Db, t: { userId: number; name: string; tokenHash: string; prefix: string; now: string }): Promise<ApiTokenRecord> {
  const r = await db
    .insertInto('api_tokens')
    .values({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, prefix: t.prefix, created_at: t.now, last_used_at: null, revoked_at: null })
    .returning(cols)
    .executeTakeFirstOrThrow();
  return toRecord(r);
}

export async function listApiTokens(db: Db, userId: number): Promise<ApiTokenRecord[]> {
  const rows = await db.selectFrom('api_tokens').select(cols).where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toRecord);
}

export async function countActiveApiTokens(db: Db, userId: number): Promise<number> {
  const r = await db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Revoke a user's own token. Returns false when it is not theirs or already revoked. */
export async function revokeApiToken(db: Db, userId: number, id: number, now: string): Promise<boolean> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The active token with this hash and its (not banned) user, or undefined. */
export async function tokenWithUser(db: Db, tokenHash: string) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id as token_id', 't.last_used_at', 'u.id as user_id', 'u.name', 'u.email', 'u.role', 'u.email_verified_at', 'u.banned_at'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiToken(db: Db, id: number, now: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}
