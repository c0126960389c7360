/** SQL for daily entries: a paper featured on a date, by whom, when. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface DailyEntryInput {
  paperId: string;
  date: string; // YYYY-MM-DD
  submittedBy?: number | null;
  submitterName?: string | null;
  /** JSON of Hugging Face's user object of an imported entry's submitter (domain/hf-profile.ts). */
  submitterProfile?: string | null;
  submittedAt: string;
  source: 'user' | 'hf' | 'demo' | 'curator';
  rank?: number | null;
}

/** Insert entries; an existing (date, paper) pair is left as it is. Returns how many were new. */
export async function addDailyEntries(db: Db, entries: DailyEntryInput[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < entries.length; i += 500) {
    const part = entries.slice(i, i + 500);
    const res = await db
      .insertInto('daily_entries')
      .values(
        part.map((e) => ({
          paper_id: e.paperId,
          date: e.date,
          submitted_by: e.submittedBy ?? null,
          submitter_name: e.submitterName ?? null,
          submitter_profile: e.submitterProfile ?? null,
          submitted_at: e.submittedAt,
          source: e.source,
          rank: e.rank ?? null,
        })),
      )
      .onConflict((oc) => oc.columns(['date', 'paper_id']).doNothing())
      .executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/**
 * Set the submitter's profile of existing entries where it differs (a store imported before
 * profiles were kept gets them on re-import). Returns the paper ids whose entries changed.
 */
export async function setSubmitterProfiles(db: Db, entries: { paperId: string; date: string; profile: string }[]): Promise<string[]> {
  const changed: string[] = [];
  for (const e of entries) {
    const r = await db
      .updateTable('daily_entries')
      .set({ submitter_profile: e.profile })
      .where('date', '=', e.date)
      .where('paper_id', '=', e.paperId)
      .where((eb) => eb.or([eb('submitter_profile', 'is', null), eb('submitter_profile', '!=', e.profile)]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) changed.push(e.paperId);
  }
  return changed;
}

export interface DailyItem {
  entryId: number;
  date: string;
  submittedAt: string;
  submitterName: string | null;
  submittedByUserId: number | null;
  /** JSON of Hugging Face's user object for an imported entry (domain/hf-profile.ts). */
  submitterProfile: string | null;
  paper: Paper;
}

/** Entries featured in [from, to] (inclusive dates), most upvoted first. */
/**
 * Daily entries between two dates. `newestDayFirst` orders by day (latest first) before the
 * sort, so paging walks every day from the latest back, as Hugging Face's undated list does.
 */
export async function listDaily(db: Db, from: string, to: string, opts: { limit: number; offset: number; sort?: 'upvotes' | 'trending' | 'published'; submitter?: string; newestDayFirst?: boolean }): Promise<DailyItem[]> {
  let q = db
    .selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .selectAll('p')
    .select(['d.id as entry_id', 'd.date as entry_date', 'd.submitted_at as entry_submitted_at', 'd.submitter_name as entry_submitter', 'd.submitted_by as entry_user_id', 'd.submitter_profile as entry_profile', 'u.name as user_name'])
    .where('d.date', '>=', from)
    .where('d.date', '<=', to)
    .where('p.hidden', '=', 0);
  if (opts.submitter) q = q.where((eb) => eb.or([eb('d.submitter_name', '=', opts.submitter!), eb('u.name', '=', opts.submitter!)]));
  if (opts.newestDayFirst) q = q.orderBy('d.date', 'desc');
  if (opts.sort === 'trending') q = q.orderBy('p.trending_score', 'desc');
  else if (opts.sort === 'published') q = q.orderBy('d.submitted_at', 'desc');
  q = q.orderBy('p.upvotes', 'desc').orderBy('d.date', 'desc').orderBy('d.rank').orderBy('d.id');
  const rows = await q.limit(opts.limit).offset(opts.offset).execute();
  return rows.map((r: any) => {
    const { entry_id, entry_date, entry_submitted_at, entry_submitter, entry_user_id, entry_profile, user_name, ...paper } = r;
    return { entryId: entry_id, date: entry_date, submittedAt: entry_submitted_at, submitterName: user_name ?? entry_submitter, submittedByUserId: entry_user_id, submitterProfile: entry_user_id ? null : entry_profile, paper: toPaper(paper) };
  });
}

export async function countDaily(db: Db, from: string, to: string): Promise<number> {
  const r = await db
    .selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('d.date', '>=', from)
    .where('d.date', '<=', to)
    .where('p.hidden', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The latest date ≤ `onOrBefore` that has entries, or null. */
export async function latestDailyDate(db: Db, onOrBefore: string): Promise<string | null> {
  const r = await db.selectFrom('daily_entries').select('date').where('date', '<=', onOrBefore).orderBy('date', 'desc').limit(1).executeTakeFirst();
  return r?.date ?? null;
}

/** The nearest dates with entries strictly before `from` and strictly after `to`. */
export async function neighbourDates(db: Db, from: string, to: string): Promise<{ prev: string | null; next: string | null }> {
  const [p, n] = await Promise.all([
    db.selectFrom('daily_entries').select('date').where('date', '<', from).orderBy('date', 'desc').limit(1).executeTakeFirst(),
    db.selectFrom('daily_entries').select('date').where('date', '>', to).orderBy('date', 'asc').limit(1).executeTakeFirst(),
  ]);
  return { prev: p?.date ?? null, next: n?.date ?? null };
}

export async function countDailyDays(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`select count(distinct date) as n from daily_entries`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function entriesForPaper(db: Db, paperId: string) {
  return db.selectFrom('daily_entries as d').leftJoin('users as u', 'u.id', 'd.submitted_by').select(['d.date', 'd.submitted_at', 'd.submitter_name', 'd.submitter_profile', 'd.submitted_by', 'u.name as user_name', 'd.source']).where('d.paper_id', '=', paperId).orderBy('d.date').execute();
}

/**
 * Record externally imported counts (Hugging Face snapshots) of papers, keeping community votes:
 * upvotes = external + local votes. Snapshots are early values of counts that only grow, so the
 * largest one seen wins and re-importing an older snapshot changes nothing. Returns the changed ids.
 */
export async function setExternalCounts(db: Db, counts: { id: string; upvotes: number; comments: number }[]): Promise<string[]> {
  const changed: string[] = [];
  for (const c of counts) {
    const r = await db
      .updateTable('papers')
      .set((eb) => ({
        upvotes: sql`${eb.ref('upvotes')} - ${eb.ref('external_upvotes')} + (case when ${eb.ref('external_upvotes')} > ${c.upvotes} then ${eb.ref('external_upvotes')} else ${c.upvotes} end)`,
        num_comments: sql`${eb.ref('num_comments')} - ${eb.ref('external_comments')} + (case when ${eb.ref('external_comments')} > ${c.comments} then ${eb.ref('external_comments')} else ${c.comments} end)`,
        external_upvotes: sql`case when ${eb.ref('external_upvotes')} > ${c.upvotes} then ${eb.ref('external_upvotes')} else ${c.upvotes} end`,
        external_comments: sql`case when ${eb.ref('external_comments')} > ${c.comments} then ${eb.ref('external_comments')} else ${c.comments} end`,
      }))
      .where('id', '=', c.id)
      .where((eb) => eb.or([eb('external_upvotes', '<', c.upvotes), eb('external_comments', '<', c.comments)]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) changed.push(c.id);
  }
  return changed;
}
