/**
 * For you (src/recs/): the papers a user marked "not interested". One row per (user, paper); a
 * dismissal is a signal (ranked down, like papers pushed away) and an exclusion, and it goes
 * with the user or the paper. Onboarding needs no table of its own: the categories, authors and
 * papers picked there become follows and library saves (migration 005).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rec_dismissals')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rec_dismissals_pk', ['user_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('rec_dismissals_user_created_idx').on('rec_dismissals').columns(['user_id', 'created_at']).execute();
  // A paper's rows go when it does (cascade): an index on paper_id keeps that delete cheap.
  await db.schema.createIndex('rec_dismissals_paper_idx').on('rec_dismissals').column('paper_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rec_dismissals').ifExists().execute();
}
