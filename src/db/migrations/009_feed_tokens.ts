/**
 * Private feeds and the digest's personal sections.
 *
 * `feed_tokens`: one secret per private feed URL (/feeds/private/{token}.atom|rss|json) of a
 * user's Following, For you or one of their collections (private ones included). As with API
 * tokens only the sha256 of the token is stored; the URL is shown once, when it is made. A
 * revoked token keeps its row (revoked_at) so the settings page can say it was revoked.
 *   kind  'following' | 'foryou' | 'collection'  (collection_id set for 'collection')
 *
 * `subscriptions.digest_following` / `digest_foryou` (0/1): the digest's "Following" and
 * "For you" sections, preferences of the subscription (off by default: an address subscribed
 * before keeps the digest it chose).
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  let t = db.schema.createTable('feed_tokens');
  t = ctx.dialect === 'postgres' ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('collection_id', 'integer', (c) => c.references('collections.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('feed_tokens_user_idx').on('feed_tokens').columns(['user_id', 'kind']).execute();
  await db.schema.alterTable('subscriptions').addColumn('digest_following', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('subscriptions').addColumn('digest_foryou', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('subscriptions').dropColumn('digest_foryou').execute();
  await db.schema.alterTable('subscriptions').dropColumn('digest_following').execute();
  await db.schema.dropTable('feed_tokens').ifExists().execute();
}
