/**
 * Accounts, community and trending: when a paper's trending clock starts, and the
 * indexes the user page, session clean-up and the trending windows need.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

export async function up(db: Kysely<any>, _ctx: MigrationContext): Promise<void> {
  // When the paper entered the trending race (first featured, else published, else stored):
  // the `since` of src/domain/trending.ts. Null until the trending service first scores it.
  await db.schema.alterTable('papers').addColumn('trending_since', 'text').execute();
  await db.schema.createIndex('papers_trending_since_idx').on('papers').columns(['trending_since', 'trending_score']).execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('tokens_user_idx').on('tokens').columns(['user_id', 'purpose']).execute();
  await db.schema.createIndex('votes_user_idx').on('votes').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('comments_parent_idx').on('comments').column('parent_id').execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['audit_log_created_idx', 'comments_parent_idx', 'votes_user_idx', 'tokens_user_idx', 'sessions_user_idx', 'papers_trending_since_idx']) {
    await db.schema.dropIndex(i).ifExists().execute();
  }
  await db.schema.alterTable('papers').dropColumn('trending_since').execute();
}
