/**
 * Rate-limit counters kept in the store (table `rate_limits`, migration 006), so every process
 * on one store — the workers of `papertide serve --workers N`, several boxes on one PostgreSQL —
 * counts against one budget. It plugs into rate-limiter-flexible as a store like its own Redis or
 * PostgreSQL limiters: one atomic upsert per consumed request that starts a new window when the
 * old one has ended, and returns the points used and when the window ends.
 */
import { sql, type Kysely } from 'kysely';
import { createRequire } from 'node:module';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/schema.js';

// The library's base class for store limiters is typed but not exported by its entry point.
const RateLimiterStoreAbstract = createRequire(import.meta.url)('rate-limiter-flexible/lib/RateLimiterStoreAbstract.js') as typeof import('rate-limiter-flexible').RateLimiterStoreAbstract;

/** A window that never ends (rate-limiter-flexible's duration 0). */
const FOREVER = 8_000_000_000_000_000;

interface Row {
  points: number;
  expires_at: number;
}

/** Add `points` to `key`'s window (a new window of `msDuration` when it has ended, or when `force`). */
export async function upsertRateLimit(db: Kysely<Database>, key: string, points: number, msDuration: number, force: boolean, now = Date.now()): Promise<Row> {
  const expires = msDuration > 0 ? now + msDuration : FOREVER;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, points, expires_at: expires })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet(
        force
          ? { points: sql`excluded.points`, expires_at: sql`excluded.expires_at` }
          : {
              points: sql`case when rate_limits.expires_at <= ${now} then excluded.points else rate_limits.points + excluded.points end`,
              expires_at: sql`case when rate_limits.expires_at <= ${now} then excluded.expires_at else rate_limits.expires_at end`,
            },
      ),
    )
    .returning(['points', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { points: Number(row.points), expires_at: Number(row.expires_at) };
}

export async function getRateLimit(db: Kysely<Database>, key: string, now = Date.now()): Promise<Row | null> {
  const row = await db.selectFrom('rate_limits').select(['points', 'expires_at']).where('key', '=', key).where('expires_at', '>', now).executeTakeFirst();
  return row ? { points: Number(row.points), expires_at: Number(row.expires_at) } : null;
}

export async function deleteRateLimit(db: Kysely<Database>, key: string): Promise<boolean> {
  const r = await db.deleteFrom('rate_limits').where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Remove ended windows (a job; a request for an ended key resets it anyway). */
export async function deleteExpiredRateLimits(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const r = await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** rate-limiter-flexible's store limiter over the `rate_limits` table. */
export class RateLimiterKysely extends RateLimiterStoreAbstract {
  private readonly db: Kysely<Database>;
  constructor(opts: { keyPrefix: string; points: number; duration: number; inMemoryBlockOnConsumed?: number; db: Kysely<Database> }) {
    const { db, ...rest } = opts;
    super({ ...rest, storeClient: db });
    this.db = opts.db;
  }
  _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<Row> {
    return upsertRateLimit(this.db, rlKey, points, msDuration, forceExpire);
  }
  _get(rlKey: string): Promise<Row | null> {
    return getRateLimit(this.db, rlKey);
  }
  _delete(rlKey: string): Promise<boolean> {
    return deleteRateLimit(this.db, rlKey);
  }
  _getRateLimiterRes(_rlKey: string, changedPoints: number, row: Row): RateLimiterRes {
    const first = changedPoints === row.points;
    const consumed = first ? changedPoints : row.points;
    const msBeforeNext = row.expires_at >= FOREVER ? -1 : Math.max(row.expires_at - Date.now(), 0);
    return new RateLimiterRes(Math.max(this.points - consumed, 0), msBeforeNext, consumed, first);
  }
}
