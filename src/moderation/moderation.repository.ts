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

/** The stored organization JSON under this handle (the newest paper's), or null if none uses it. */
export async function organizationByHandle(db: Db, handle: string): Promise<string | null> {
  const r = await db.selectFrom('papers').select('organization').where('organization_name', '=', handle).where('organization', 'is not', null).orderBy('published_at', 'desc').limit(1).executeTakeFirst();
  return r?.organization ?? null;
}

/** Known organizations (handle and stored JSON), for the moderation form's suggestions. */
export async function knownOrganizations(db: Db, limit: number) {
  return db.selectFrom('papers').select(['organization_name']).select((eb) => eb.fn.count<number>('id').as('n')).where('organization_name', 'is not', null).groupBy('organization_name').orderBy('organization_name').limit(limit).execute();
}

/** Set (or, with null, clear) the organization a paper is listed under. Returns whether the paper exists. */
export async function setOrganizationOfPaper(db: Db, paperId: string, org: { json: string; name: string } | null): Promise<boolean> {
  const r = await db.updateTable('papers').set({ organization: org?.json ?? null, organization_name: org?.name ?? null }).where('id', '=', paperId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
