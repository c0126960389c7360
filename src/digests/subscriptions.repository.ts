/** SQL for subscriptions. The caller owns the transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, SubscriptionRow } from '../db/schema.js';
import type { Topics } from './topics.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function findSubscriptionByEmail(db: Db, email: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findSubscription(db: Db, id: number): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertPendingSubscription(db: Db, s: { email: string; userId: number | null; cadence: string; topics: Topics; maxPapers: number }, now: string): Promise<SubscriptionRow> {
  return db
    .insertInto('subscriptions')
    .values({ email: s.email, user_id: s.userId, status: 'pending', cadence: s.cadence, topics: JSON.stringify(s.topics), max_papers: s.maxPapers, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Take the right to send one link email to this address: succeeds at most once per `since`
 * window, whatever the number of instances or concurrent requests (compare-and-set).
 */
export async function claimLinkEmail(db: Db, id: number, now: string, since: string): Promise<boolean> {
  const r = await db
    .updateTable('subscriptions')
    .set({ confirm_sent_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('confirm_sent_at', 'is', null), eb('confirm_sent_at', '<=', since)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateSubscription(db: Db, id: number, set: Partial<Omit<SubscriptionRow, 'id'>>): Promise<void> {
  await db.updateTable('subscriptions').set(set).where('id', '=', id).execute();
}

export async function bumpTokenVersion(db: Db, id: number): Promise<void> {
  await db.updateTable('subscriptions').set({ token_version: sql`token_version + 1` }).where('id', '=', id).execute();
}

/** Digests queued but not yet sent to this subscription are dropped (e.g. after unsubscribe). */
export async function cancelQueuedDigests(db: Db, subscriptionId: number, reason: string): Promise<number> {
  const r = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: reason })
    .where('subscription_id', '=', subscriptionId)
    .where('kind', '=', 'digest')
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Active, unpaused subscriptions whose last digest is older than `before`, in id order (paged). */
export async function dueSubscriptions(db: Db, cadence: 'daily' | 'weekly', before: string, afterId: number, limit: number): Promise<SubscriptionRow[]> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('status', '=', 'active')
    .where('paused', '=', 0)
    .where('cadence', '=', cadence)
    .where((eb) => eb.or([eb('last_digest_at', 'is', null), eb('last_digest_at', '<', before)]))
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function markDigested(db: Db, ids: number[], now: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 5000) {
    await db.updateTable('subscriptions').set({ last_digest_at: now }).where('id', 'in', ids.slice(i, i + 5000)).execute();
  }
}
