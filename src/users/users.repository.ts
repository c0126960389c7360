/**
 * SQL for accounts: users, sessions (stored as sha256 of the cookie value) and single-use
 * tokens (email verification, password reset; stored as sha256 of the emailed value).
 * The caller owns the transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, UserRow } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export type Role = 'user' | 'moderator' | 'admin';

export async function insertUser(db: Db, u: { name: string; email: string; passwordHash: string | null; role: Role; verifiedAt: string | null; now: string }): Promise<number> {
  const r = await db
    .insertInto('users')
    .values({ name: u.name, email: u.email, password_hash: u.passwordHash, role: u.role, email_verified_at: u.verifiedAt, created_at: u.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function userByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** Handles are unique case-insensitively: `Alice` and `alice` are the same person. */
export async function userByName(db: Db, name: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
}

export async function userById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setUserFields(db: Db, id: number, fields: Partial<Pick<UserRow, 'password_hash' | 'role' | 'email_verified_at' | 'banned_at' | 'ban_reason'>>): Promise<void> {
  await db.updateTable('users').set(fields).where('id', '=', id).execute();
}

// --- sessions

export async function insertSession(db: Db, s: { idHash: string; userId: number; now: string; expiresAt: string; userAgent: string | null }): Promise<void> {
  await db.insertInto('sessions').values({ id: s.idHash, user_id: s.userId, created_at: s.now, expires_at: s.expiresAt, user_agent: s.userAgent }).execute();
}

/** The live session with its user, or undefined (expired, unknown, or the user is banned). */
export async function sessionWithUser(db: Db, idHash: string, now: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.created_at as session_created_at', 's.expires_at', 'u.id', 'u.name', 'u.email', 'u.role', 'u.email_verified_at', 'u.banned_at'])
    .where('s.id', '=', idHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
}

/** Move a live session's expiry (idle timeout: each use pushes it forward, up to the absolute cap). */
export async function setSessionExpiry(db: Db, idHash: string, expiresAt: string): Promise<void> {
  await db.updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', idHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: string): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Revoke every active personal API token of a user (password reset, "log out everywhere"). */
export async function revokeApiTokensOfUser(db: Db, userId: number, now: string): Promise<number> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// --- single-use tokens

export async function insertToken(db: Db, t: { idHash: string; userId: number; purpose: 'verify' | 'reset'; now: string; expiresAt: string }): Promise<void> {
  await db.insertInto('tokens').values({ id: t.idHash, user_id: t.userId, purpose: t.purpose, created_at: t.now, expires_at: t.expiresAt, used_at: null }).execute();
}

/**
 * Mark a token used and return its user id, atomically: of two concurrent uses only one
 * succeeds (the update matches only an unused, unexpired token of that purpose).
 */
export async function consumeToken(db: Db, idHash: string, purpose: 'verify' | 'reset', now: string): Promise<number | null> {
  const row = await db.selectFrom('tokens').select(['user_id']).where('id', '=', idHash).where('purpose', '=', purpose).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
  if (!row) return null;
  const r = await db.updateTable('tokens').set({ used_at: now }).where('id', '=', idHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? Number(row.user_id) : null;
}

/** Invalidate every unused token of a purpose for a user (a new reset link replaces the old). */
export async function expireTokens(db: Db, userId: number, purpose: 'verify' | 'reset', now: string): Promise<void> {
  await db.updateTable('tokens').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
}
