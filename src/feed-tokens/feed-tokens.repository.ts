/** SQL of private feed tokens. Only the sha256 of a token is stored, never the token. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;
export type FeedTokenKind = 'following' | 'foryou' | 'collection';

export interface FeedTokenRecord {
  id: number;
  userId: number;
  kind: FeedTokenKind;
  collectionId: number | null;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

const cols = ['id', 'user_id', 'kind', 'collection_id', 'prefix', 'created_at', 'revoked_at'] as const;
type Row = { id: number; user_id: number; kind: FeedTokenKind; collection_id: number | null; prefix: string; created_at: string; revoked_at: string | null };
const toRecord = (r: Row): FeedTokenRecord => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  kind: r.kind,
  collectionId: r.collection_id === null ? null : Number(r.collection_id),
  prefix: r.prefix,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export async function insertFeedToken(db: Db, t: { userId: number; kind: FeedTokenKind; collectionId: number | null; tokenHash: string; prefix: string; now: string }): Promise<FeedTokenRecord> {
  const r = await db
    .insertInto('feed_tokens')
    .values({ user_id: t.userId, kind: t.kind, collection_id: t.collectionId, token_hash: t.tokenHash, prefix: t.prefix, created_at: t.now, revoked_at: null })
    .returning(cols)
    .executeTakeFirstOrThrow();
  return toRecord(r);
}

/** Revoke the user's active tokens of one feed (all of them: at most one is active). */
export async function revokeFeedTokensOf(db: Db, userId: number, kind: FeedTokenKind, collectionId: number | null, now: string): Promise<number> {
  let q = db.updateTable('feed_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('kind', '=', kind).where('revoked_at', 'is', null);
  q = collectionId === null ? q.where('collection_id', 'is', null) : q.where('collection_id', '=', collectionId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Revoke one of the user's tokens by id; false when it is not theirs or already revoked. */
export async function revokeFeedToken(db: Db, userId: number, id: number, now: string): Promise<boolean> {
  const r = await db.updateTable('feed_tokens').set({ revoked_at: now }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function activeFeedTokens(db: Db, userId: number): Promise<FeedTokenRecord[]> {
  const rows = await db.selectFrom('feed_tokens').select(cols).where('user_id', '=', userId).where('revoked_at', 'is', null).orderBy('id').execute();
  return rows.map(toRecord);
}

/** The active token with this hash and whether its user may still be served (not banned). */
export async function feedTokenByHash(db: Db, tokenHash: string): Promise<(FeedTokenRecord & { userName: string; banned: boolean }) | null> {
  const r = await db
    .selectFrom('feed_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 't.kind', 't.collection_id', 't.prefix', 't.created_at', 't.revoked_at', 'u.name', 'u.role', 'u.banned_at'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!r) return null;
  return { ...toRecord(r), userName: r.name, banned: !!r.banned_at };
}
