/**
 * The initial schema, designed up front for every feature (papers and their versions, daily
 * entries, users and sessions, votes, comments, subscriptions and the mail outbox, leases,
 * the audit log, ingest checkpoints), so later features extend it rather than rewrite it.
 * Portable across SQLite and PostgreSQL: see src/db/schema.ts for the conventions.
 */
import { sql, type Kysely, type CreateTableBuilder } from 'kysely';
import type { MigrationContext } from './types.js';

const real = sql`double precision`;

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  const withId = <T extends string>(t: CreateTableBuilder<T, never>) =>
    ctx.dialect === 'postgres'
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await db.schema
    .createTable('papers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('versions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('abstract', 'text', (c) => c.notNull())
    .addColumn('authors', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('primary_category', 'text')
    .addColumn('published_at', 'text')
    .addColumn('updated_at_arxiv', 'text')
    .addColumn('comment', 'text')
    .addColumn('journal_ref', 'text')
    .addColumn('doi', 'text')
    .addColumn('license', 'text')
    .addColumn('code_url', 'text')
    .addColumn('github_stars', 'integer')
    .addColumn('project_page', 'text')
    .addColumn('ai_summary', 'text')
    .addColumn('ai_keywords', 'text')
    .addColumn('withdrawn', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('upvotes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('external_upvotes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('num_comments', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('external_comments', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('trending_score', real, (c) => c.notNull().defaultTo(0))
    .addColumn('trending_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('papers_published_idx').on('papers').column('published_at').execute();
  await db.schema.createIndex('papers_trending_idx').on('papers').column('trending_score').execute();
  await db.schema.createIndex('papers_created_idx').on('papers').column('created_at').execute();

  await db.schema
    .createTable('paper_authors')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_authors_pk', ['paper_id', 'position'])
    .execute();
  await db.schema.createIndex('paper_authors_name_idx').on('paper_authors').column('name_key').execute();

  await db.schema
    .createTable('paper_categories')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('paper_categories_pk', ['paper_id', 'category'])
    .execute();
  await db.schema.createIndex('paper_categories_cat_idx').on('paper_categories').columns(['category', 'paper_id']).execute();

  await withId(db.schema.createTable('users'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('email_verified_at', 'text')
    .addColumn('banned_at', 'text')
    .addColumn('ban_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('daily_entries'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('submitter_name', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer')
    .addUniqueConstraint('daily_entries_date_paper', ['date', 'paper_id'])
    .execute();
  await db.schema.createIndex('daily_entries_paper_idx').on('daily_entries').column('paper_id').execute();
  await db.schema.createIndex('daily_entries_user_idx').on('daily_entries').columns(['submitted_by', 'submitted_at']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  await withId(db.schema.createTable('api_tokens'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('votes')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('votes_pk', ['user_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('votes_paper_idx').on('votes').columns(['paper_id', 'created_at']).execute();

  await withId(db.schema.createTable('comments'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('hidden_at', 'text')
    .addColumn('hidden_by', 'integer')
    .execute();
  await db.schema.createIndex('comments_paper_idx').on('comments').columns(['paper_id', 'created_at']).execute();
  await db.schema.createIndex('comments_user_idx').on('comments').columns(['user_id', 'created_at']).execute();

  await withId(db.schema.createTable('subscriptions'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cadence', 'text', (c) => c.notNull().defaultTo('daily'))
    .addColumn('topics', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('max_papers', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('confirm_sent_at', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('unsubscribed_at', 'text')
    .addColumn('last_digest_at', 'text')
    .addColumn('bounce_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscriptions_status_idx').on('subscriptions').columns(['status', 'cadence']).execute();

  await withId(db.schema.createTable('outbox'))
    .addColumn('subscription_id', 'integer', (c) => c.references('subscriptions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text')
    .addColumn('headers', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('audit_log'))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ingest_checkpoints')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('star_snapshots')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('stars', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('star_snapshots_pk', ['paper_id', 'observed_at'])
    .execute();

  await db.schema
    .createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['kv', 'star_snapshots', 'ingest_checkpoints', 'audit_log', 'leases', 'outbox', 'subscriptions', 'comments', 'votes', 'api_tokens', 'tokens', 'sessions', 'daily_entries', 'users', 'paper_categories', 'paper_authors', 'papers']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
