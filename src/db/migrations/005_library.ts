/**
 * Personal discovery: a user's library (saved papers with a private note), their collections
 * (private or public, shareable by id) and their follows (authors, arXiv categories, saved
 * searches). Every row belongs to a user and goes with them.
 */
import type { Kysely, CreateTableBuilder } from 'kysely';
import type { MigrationContext } from './types.js';

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  const withId = <T extends string>(t: CreateTableBuilder<T, never>) =>
    ctx.dialect === 'postgres'
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await db.schema
    .createTable('library_items')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('library_items_pk', ['user_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('library_items_user_created_idx').on('library_items').columns(['user_id', 'created_at']).execute();

  await withId(db.schema.createTable('collections'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('collections_user_idx').on('collections').columns(['user_id', 'name']).execute();

  await db.schema
    .createTable('collection_items')
    .addColumn('collection_id', 'integer', (c) => c.notNull().references('collections.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('collection_items_pk', ['collection_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('collection_items_paper_idx').on('collection_items').column('paper_id').execute();

  await withId(db.schema.createTable('follows'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // 'author' | 'category' | 'query'
    .addColumn('value', 'text', (c) => c.notNull()) // author name key, category, or query text
    .addColumn('label', 'text', (c) => c.notNull()) // as the user saw it (author name as written)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('follows_user_kind_value_uq', ['user_id', 'kind', 'value'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['follows', 'collection_items', 'collections', 'library_items']) await db.schema.dropTable(t).ifExists().execute();
}
