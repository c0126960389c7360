/**
 * Reading the change log (src/db/migrations/003_change_log.ts): what changed in the store since a
 * follower last looked, whatever process wrote it. Plain SQL on the primary key, so a poll that
 * finds nothing costs one index probe.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { kvGet, kvSet } from '../db/index.js';

export interface ChangeRow {
  seq: number;
  /** The paper whose searchable fields changed; null for other data (votes, comments, daily entries). */
  paperId: string | null;
}

type Db = Kysely<Database>;

/** The newest change (0 for an empty log). */
export async function latestChange(db: Db): Promise<number> {
  const r = await sql<{ seq: number | null }>`select max(seq) as seq from change_log`.execute(db);
  return Number(r.rows[0]?.seq ?? 0);
}

/** The oldest change still in the log (null when empty): a follower behind it has lost track. */
export async function oldestChange(db: Db): Promise<number | null> {
  const r = await sql<{ seq: number | null }>`select min(seq) as seq from change_log`.execute(db);
  const v = r.rows[0]?.seq;
  return v === null || v === undefined ? null : Number(v);
}

/**
 * Record that data pages show changed where no trigger sees it (trending scores re-computed by
 * the job, a ban): a row without a paper, so every process's page caches move on. Followers
 * on PostgreSQL hear it at their next poll (a second at most).
 */
export async function logDataChange(db: Db): Promise<void> {
  await sql`insert into change_log (paper_id) values (null)`.execute(db);
}

/** Changes after `after`, oldest first, at most `limit`. */
export async function changesAfter(db: Db, after: number, limit: number): Promise<ChangeRow[]> {
  const r = await sql<{ seq: number; paper_id: string | null }>`select seq, paper_id from change_log where seq > ${after} order by seq limit ${limit}`.execute(db);
  return r.rows.map((x) => ({ seq: Number(x.seq), paperId: x.paper_id }));
}

/** How many distinct papers changed after `after` (to decide between catching up and rebuilding). */
export async function papersChangedAfter(db: Db, after: number): Promise<number> {
  const r = await sql<{ n: number }>`select count(distinct paper_id) as n from change_log where seq > ${after} and paper_id is not null`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Drop rows older than `keepMs`, keeping the newest row so the sequence never restarts. Rows
 * carry no time: each call records a mark (now, newest seq) in the kv table and deletes below
 * the newest mark that is old enough. Returns the rows deleted.
 */
export async function pruneChanges(db: Db, now: Date, keepMs: number): Promise<number> {
  const latest = await latestChange(db);
  const marks = JSON.parse((await kvGet(db, MARKS_KEY)) ?? '[]') as [string, number][];
  marks.push([now.toISOString(), latest]);
  const cutoff = now.getTime() - keepMs;
  const old = marks.filter(([at]) => Date.parse(at) <= cutoff);
  const below = old.length ? Math.min(old[old.length - 1][1], latest) : 0;
  await kvSet(db, MARKS_KEY, JSON.stringify(marks.filter(([at]) => Date.parse(at) > cutoff || at === old[old.length - 1]?.[0])));
  if (!below) return 0;
  const r = await sql`delete from change_log where seq < ${below}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

const MARKS_KEY = 'change_log.marks';
