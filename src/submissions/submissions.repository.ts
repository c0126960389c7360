/** SQL for submissions: a user's entries on the daily list. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

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

export async function submissionsOfUser(db: Db, userId: number, limit: number) {
  return db
    .selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .selectAll('p')
    .select(['d.date as featured_date', 'd.submitted_at'])
    .where('d.submitted_by', '=', userId)
    .where('p.hidden', '=', 0)
    .orderBy('d.submitted_at', 'desc')
    .limit(limit)
    .execute();
}
