/** SQL for submissions: a user's entries on the daily list. */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PaperRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function countSubmissionsSince(db: Db, userId: number, sinceIso: string): Promise<number> {
  const r = await db
    .selectFrom('daily_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('submitted_by', '=', userId)
    .where('source', '=', 'user')
    .where('submitted_at', '>=', sinceIso)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function firstFeatured(db: Db, paperId: string) {
  return db.selectFrom('daily_entries').select(['date', 'submitted_at']).where('paper_id', '=', paperId).orderBy('date').limit(1).executeTakeFirst();
}

/** The visible papers a user submitted to the daily list, latest first, with the day each was featured. */
export async function submissionsOfUser(db: Db, userId: number, limit: number): Promise<{ paper: Paper; featuredDate: string }[]> {
  const rows = await db
    .selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .selectAll('p')
    .select('d.date as featured_date')
    .where('d.submitted_by', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('d.submitted_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(({ featured_date, ...paper }) => ({ paper: toPaper(paper as PaperRow), featuredDate: featured_date }));
}
