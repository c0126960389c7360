/**
 * Writes ingest needs beyond upsertPapers (owned by the ingest feature).
 * The caller owns the transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Mark papers withdrawn (OAI-PMH deleted records). Returns the ids that changed. */
export async function markWithdrawn(db: Db, ids: string[], now: string): Promise<string[]> {
  const changed: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const rows = await db.selectFrom('papers').select('id').where('id', 'in', part).where('withdrawn', '=', 0).execute();
    if (!rows.length) continue;
    const hit = rows.map((r) => r.id);
    await db.updateTable('papers').set({ withdrawn: 1, updated_at: now }).where('id', 'in', hit).execute();
    changed.push(...hit);
  }
  return changed;
}

/** Record GitHub stars fetched for a code repository. */
export async function setGithubStars(db: Db, paperId: string, stars: number, now: string): Promise<void> {
  await db.updateTable('papers').set({ github_stars: stars, updated_at: now }).where('id', '=', paperId).execute();
}

/** Papers with a code URL whose stars are unknown, most recent first. */
export async function papersNeedingStars(db: Db, limit: number): Promise<Array<{ id: string; codeUrl: string }>> {
  const rows = await db
    .selectFrom('papers')
    .select(['id', 'code_url'])
    .where('code_url', 'is not', null)
    .where('github_stars', 'is', null)
    .orderBy('published_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, codeUrl: r.code_url! }));
}
