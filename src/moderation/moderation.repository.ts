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
export async function setOrganizationOfPaper(db: Db, paperId: string, org: { json: string; name: string } | null, clearedJson: string): Promise<boolean> {
  const r = await db.updateTable('papers').set({ organization: org?.json ?? clearedJson, organization_name: org?.name ?? null }).where('id', '=', paperId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * A ban takes the user's visible comments and daily entries off every surface, and keeps what it
 * took in ban_holds (migration 010). Returns the papers whose counts or entries changed and how
 * many comments each lost.
 */
export async function holdUsersContent(db: Db, userId: number, by: number, now: string): Promise<{ commentsByPaper: Map<string, number>; entryPapers: string[] }> {
  const comments = await db.selectFrom('comments').select(['id', 'paper_id']).where('user_id', '=', userId).where('deleted_at', 'is', null).where('hidden_at', 'is', null).execute();
  const commentsByPaper = new Map<string, number>();
  for (let i = 0; i < comments.length; i += 500) {
    const ids = comments.slice(i, i + 500).map((c) => c.id);
    await db.updateTable('comments').set({ hidden_at: now, hidden_by: by }).where('id', 'in', ids).execute();
  }
  for (const c of comments) {
    commentsByPaper.set(c.paper_id, (commentsByPaper.get(c.paper_id) ?? 0) + 1);
    await db.insertInto('ban_holds').values({ user_id: userId, kind: 'comment', ref: String(c.id), data: null, created_at: now }).execute();
  }
  const entries = await db.selectFrom('daily_entries').selectAll().where('submitted_by', '=', userId).execute();
  for (const e of entries) {
    const { id: _id, ...row } = e;
    await db.insertInto('ban_holds').values({ user_id: userId, kind: 'entry', ref: null, data: JSON.stringify(row), created_at: now }).execute();
  }
  if (entries.length) await db.deleteFrom('daily_entries').where('submitted_by', '=', userId).execute();
  return { commentsByPaper, entryPapers: [...new Set(entries.map((e) => e.paper_id))] };
}

/** Unban: show again the comments the ban hid (unless shown or deleted since) and restore its entries. */
export async function releaseUsersContent(db: Db, userId: number): Promise<{ commentsByPaper: Map<string, number>; entryPapers: string[] }> {
  const holds = await db.selectFrom('ban_holds').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  const commentsByPaper = new Map<string, number>();
  const entryPapers = new Set<string>();
  const commentIds = holds.filter((h) => h.kind === 'comment').map((h) => Number(h.ref)).filter((n) => Number.isSafeInteger(n));
  for (let i = 0; i < commentIds.length; i += 500) {
    const still = await db.selectFrom('comments').select(['id', 'paper_id']).where('id', 'in', commentIds.slice(i, i + 500)).where('hidden_at', 'is not', null).where('deleted_at', 'is', null).execute();
    if (!still.length) continue;
    await db.updateTable('comments').set({ hidden_at: null, hidden_by: null }).where('id', 'in', still.map((c) => c.id)).execute();
    for (const c of still) commentsByPaper.set(c.paper_id, (commentsByPaper.get(c.paper_id) ?? 0) + 1);
  }
  for (const h of holds.filter((x) => x.kind === 'entry')) {
    const row = JSON.parse(h.data ?? 'null');
    if (!row?.paper_id || !row.date) continue;
    const r = await db
      .insertInto('daily_entries')
      .values({ paper_id: row.paper_id, date: row.date, submitted_by: userId, submitter_name: row.submitter_name ?? null, submitter_profile: row.submitter_profile ?? null, submitted_at: row.submitted_at, source: row.source, rank: row.rank ?? null })
      .onConflict((oc) => oc.columns(['date', 'paper_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) > 0) entryPapers.add(row.paper_id);
  }
  await db.deleteFrom('ban_holds').where('user_id', '=', userId).execute();
  return { commentsByPaper, entryPapers: [...entryPapers] };
}

/** Whether this comment's author is banned (a moderator's hide or show then leaves the count alone: the ban took it out). */
export async function authorIsBanned(db: Db, commentId: number): Promise<boolean> {
  const r = await db.selectFrom('comments as c').innerJoin('users as u', 'u.id', 'c.user_id').select('u.banned_at').where('c.id', '=', commentId).executeTakeFirst();
  return !!r?.banned_at;
}
