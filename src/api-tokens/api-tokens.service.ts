/**
 * Personal API tokens: created by a signed-in user, shown once, stored as sha256, revoked from
 * account settings, and presented as `Authorization: Bearer pt_…` to the JSON API's writes.
 * A token is 32 random bytes (256 bits), so a fast hash is enough: there is nothing to brute-force
 * that a slow hash would protect, and every API request can be checked with one indexed lookup.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { countActiveApiTokens, insertApiToken, listApiTokens, revokeApiToken, tokenWithUser, touchApiToken, type ApiTokenRecord } from './api-tokens.repository.js';

export type { ApiTokenRecord };

type Db = Kysely<Database>;

export const TOKEN_PREFIX = 'pt_';
export const MAX_ACTIVE_TOKENS = 20;
export const TOKEN_NAME_MAX = 60;
/** Writing last_used_at on every request would turn reads into writes; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

const TOKEN_SHAPE = /^pt_[A-Za-z0-9_-]{43}$/;

export function hashApiToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface TokenUser {
  id: number;
  name: string;
  email: string;
  role: 'user' | 'moderator' | 'admin';
  emailVerified: boolean;
  tokenId: number;
}

/** Create a token for a user. The plain token is in the result only: it cannot be shown again. */
export async function createApiToken(db: Db, userId: number, name: string, now: Date): Promise<{ token: string; record: ApiTokenRecord }> {
  const clean = name.replace(/\s+/g, ' ').trim();
  if (!clean) throw new AppError('bad_request', 'Give the token a name, e.g. “laptop script”, to recognise it later.');
  if (clean.length > TOKEN_NAME_MAX) throw new AppError('bad_request', `Token names are limited to ${TOKEN_NAME_MAX} characters.`);
  if ((await countActiveApiTokens(db, userId)) >= MAX_ACTIVE_TOKENS) throw new AppError('conflict', `You have ${MAX_ACTIVE_TOKENS} active tokens, the most allowed. Revoke one you no longer use first.`);
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const record = await insertApiToken(db, { userId, name: clean, tokenHash: hashApiToken(token), prefix: token.slice(0, 10), now: now.toISOString() });
  return { token, record };
}

export async function listTokens(db: Db, userId: number): Promise<ApiTokenRecord[]> {
  return listApiTokens(db, userId);
}

export async function revokeToken(db: Db, userId: number, id: number, now: Date): Promise<void> {
  if (!(await revokeApiToken(db, userId, id, now.toISOString()))) throw new AppError('not_found', 'No such active token of yours (it may be revoked already).');
}

/**
 * The user a bearer token stands for, or null when the token is malformed, unknown, revoked,
 * or its user is banned. Never says which: a caller only learns that the token does not work.
 */
export async function authenticateToken(db: Db, token: string, now: Date): Promise<TokenUser | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const r = await tokenWithUser(db, hashApiToken(token));
  if (!r || r.banned_at) return null;
  if (!r.last_used_at || now.getTime() - Date.parse(r.last_used_at) > TOUCH_EVERY_MS) await touchApiToken(db, Number(r.token_id), now.toISOString());
  return { id: Number(r.user_id), name: r.name, email: r.email, role: r.role as TokenUser['role'], emailVerified: !!r.email_verified_at, tokenId: Number(r.token_id) };
}
