/**
 * What Hugging Face's API sends beyond the paper's own metadata, kept from its archive so our
 * API can send the same (src/web/presenters/paper.presenter.ts):
 *
 *   papers.hf_discussion_id   the paper's discussion id on huggingface.co
 *   papers.thumbnail          an http(s) image URL (checked at import and again at output)
 *   papers.organization       JSON {_id, name, fullname, avatar?}: the organization it is listed under
 *   papers.organization_name  its handle, indexed: the organization's page and feed list by it
 *   papers.author_links       JSON [{name, _id?, user?}]: Hugging Face's id of each author and the
 *                             user who claimed that name, matched to our authors by name when
 *                             presented (a newer arXiv version may reorder or change authors)
 *   daily_entries.submitter_profile  JSON user object {_id, name, fullname, avatarUrl?, type,
 *                             isPro, user?} of who submitted an imported entry
 *
 * None of these is searchable, so the change log's paper trigger ignores them; pages show them,
 * so a change is logged as a data change (null paper), as for daily entries, and every server's
 * page cache follows it.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

const PAPER_COLUMNS = ['hf_discussion_id', 'thumbnail', 'organization', 'organization_name', 'author_links'];

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  for (const c of PAPER_COLUMNS) await db.schema.alterTable('papers').addColumn(c, 'text').execute();
  await db.schema.alterTable('daily_entries').addColumn('submitter_profile', 'text').execute();
  await db.schema.createIndex('papers_organization_idx').on('papers').columns(['organization_name', 'published_at']).execute();
  const cols = sql.raw(PAPER_COLUMNS.join(', '));
  if (ctx.dialect === 'postgres') {
    await sql`create trigger change_log_papers_hf after update of ${cols} on papers for each statement execute function papertide_log_data()`.execute(db);
  } else {
    await sql`create trigger change_log_papers_hf after update of ${cols} on papers begin insert into change_log (paper_id) values (null); end`.execute(db);
  }
}

export async function down(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect === 'postgres') await sql`drop trigger if exists change_log_papers_hf on papers`.execute(db);
  else await sql`drop trigger if exists change_log_papers_hf`.execute(db);
  await db.schema.dropIndex('papers_organization_idx').ifExists().execute();
  await db.schema.alterTable('daily_entries').dropColumn('submitter_profile').execute();
  for (const c of PAPER_COLUMNS) await db.schema.alterTable('papers').dropColumn(c).execute();
}
