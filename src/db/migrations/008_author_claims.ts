/**
 * Authorship claims: a verified user says "I am this author of this paper"; a moderator approves
 * or rejects it (src/claims/). Approved claims show on the user's profile, and the author's name
 * on the paper and author pages links to that profile.
 *
 *   status  'pending' | 'approved' | 'rejected'
 *   name_key  the author name as matched everywhere (papers.repository authorKey)
 * Claims show on cached pages, so writes are logged as data changes (null paper), as votes are.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  let t = db.schema.createTable('author_claims');
  t = ctx.dialect === 'postgres' ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addUniqueConstraint('author_claims_paper_name_user', ['paper_id', 'name_key', 'user_id'])
    .execute();
  await db.schema.createIndex('author_claims_name_idx').on('author_claims').columns(['name_key', 'status']).execute();
  await db.schema.createIndex('author_claims_user_idx').on('author_claims').columns(['user_id', 'status']).execute();
  if (ctx.dialect === 'postgres') {
    await sql`create trigger change_log_author_claims after insert or update or delete on author_claims for each statement execute function papertide_log_data()`.execute(db);
  } else {
    for (const op of ['insert', 'update', 'delete']) {
      await sql`create trigger ${sql.raw(`change_log_author_claims_${op}`)} after ${sql.raw(op)} on author_claims begin insert into change_log (paper_id) values (null); end`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect === 'postgres') await sql`drop trigger if exists change_log_author_claims on author_claims`.execute(db);
  else for (const op of ['insert', 'update', 'delete']) await sql`drop trigger if exists ${sql.raw(`change_log_author_claims_${op}`)}`.execute(db);
  await db.schema.dropTable('author_claims').ifExists().execute();
}
