/** SQL for the audit log: one row per moderation action, written in the action's transaction. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function audit(db: Db, e: { actorId: number | null; action: string; targetType: string; targetId: string; reason: string | null; now: string }): Promise<void> {
  await db.insertInto('audit_log').values({ actor_id: e.actorId, action: e.action, target_type: e.targetType, target_id: e.targetId, reason: e.reason, created_at: e.now }).execute();
}

export async function auditEntries(db: Db, limit: number) {
  return db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select(['a.id', 'a.action', 'a.target_type', 'a.target_id', 'a.reason', 'a.created_at', 'u.name as actor_name'])
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
}

export async function bannedUsers(db: Db) {
  return db.selectFrom('users').select(['id', 'name', 'banned_at', 'ban_reason']).where('banned_at', 'is not', null).orderBy('banned_at', 'desc').limit(200).execute();
}

export async function hiddenPapers(db: Db) {
  return db.selectFrom('papers').select(['id', 'title']).where('hidden', '=', 1).orderBy('id').limit(200).execute();
}
