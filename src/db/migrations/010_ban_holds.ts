/**
 * What a ban took away, to give back on unban (src/moderation/moderation.service.ts):
 *   kind 'comment'  ref = comments.id the ban hid (hidden_at set by the ban)
 *   kind 'entry'    data = JSON of the daily entry the ban removed from the daily lists
 * A ban acts on the data itself, so every surface (daily lists, API, feeds, digests, trending,
 * pages, the search and recommendation features) drops the user's comments and submissions
 * without a filter of its own.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  let t = db.schema.createTable('ban_holds');
  t = ctx.dialect === 'postgres' ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ban_holds_user_idx').on('ban_holds').columns(['user_id', 'kind']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ban_holds').ifExists().execute();
}
