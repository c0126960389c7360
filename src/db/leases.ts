/**
 * Leases in the `leases` table: at most one holder per name at a time, across every instance
 * sharing the store. Acquire is one atomic upsert that only overwrites an expired lease or our
 * own; the holder renews while working and releases at the end. A holder that dies simply
 * stops renewing, and the lease expires.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function acquireLease(db: Kysely<Database>, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const nowIso = now.toISOString();
  const expires = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: expires })
        .where((eb) => eb.or([eb('leases.expires_at', '<', nowIso), eb('leases.holder', '=', holder)])),
    )
    .execute();
  const row = await db.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
  return row?.holder === holder && row.expires_at === expires;
}

export async function renewLease(db: Kysely<Database>, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const r = await db
    .updateTable('leases')
    .set({ expires_at: new Date(now.getTime() + ttlMs).toISOString() })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

/** Who holds the lease `name` now (null: nobody, or it has run out). */
export async function leaseHolder(db: Kysely<Database>, name: string, now: Date): Promise<string | null> {
  const row = await db.selectFrom('leases').select('holder').where('name', '=', name).where('expires_at', '>=', now.toISOString()).executeTakeFirst();
  return row?.holder ?? null;
}
