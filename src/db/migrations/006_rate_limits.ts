/**
 * Rate-limit counters shared by every process on the store (src/rate-limits/): one row per
 * limited key (`<limit name>:<ip or user>`), the points used in the current window and when the
 * window ends (milliseconds since the epoch, so the comparison is one integer test on both
 * stores). Expired rows are reset by the next request for the key and deleted by a job.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  const big = ctx.dialect === 'postgres' ? sql.raw('bigint') : sql.raw('integer');
  await sql`create table rate_limits (key text primary key, points integer not null, expires_at ${big} not null)`.execute(db);
  await sql`create index rate_limits_expires on rate_limits (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists rate_limits`.execute(db);
}
