/** Ingest checkpoints: one JSON state per source, written in the same transaction as the page it follows. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function loadCheckpoint<T>(db: Db, source: string): Promise<T | null> {
  const row = await db.selectFrom('ingest_checkpoints').select('state').where('source', '=', source).executeTakeFirst();
  if (!row) return null;
  try {
    return JSON.parse(row.state) as T;
  } catch {
    return null; // a corrupt checkpoint is treated as none: the harvest starts over, idempotently
  }
}

export async function saveCheckpoint(db: Db, source: string, state: unknown, now: string): Promise<void> {
  const s = JSON.stringify(state);
  await db
    .insertInto('ingest_checkpoints')
    .values({ source, state: s, updated_at: now })
    .onConflict((oc) => oc.column('source').doUpdateSet({ state: s, updated_at: now }))
    .execute();
}

export async function listCheckpoints(db: Db): Promise<Array<{ source: string; state: unknown; updatedAt: string }>> {
  const rows = await db.selectFrom('ingest_checkpoints').selectAll().orderBy('source').execute();
  return rows.map((r) => ({ source: r.source, state: JSON.parse(r.state), updatedAt: r.updated_at }));
}
