/**
 * The change log: one row per change to what another process derives from the store, written by
 * triggers so that no write path (an import, a vote, a moderator, a SQL console) can forget it.
 * Every server follows it: its search index re-reads the papers named here, its page caches
 * drop what they rendered before the newest row (src/changes/, docs/design.md "The store").
 *
 *   seq       increasing; a follower remembers the last one it applied
 *   paper_id  the paper whose searchable fields changed (inserted, deleted, edited, hidden,
 *             withdrawn, voted on); null for other data pages show (votes, comments, daily entries)
 * No timestamp per row: computing one in the trigger cost as much as the rest of the log (a
 * 74,728-paper import: 37–44 s without it, 48–52 s with it, 39 s with no log, same run). Old rows
 * are pruned by sequence number against daily marks instead (src/jobs/change-log.job.ts).
 *
 * Paper updates are logged only when a searchable column is in the SET list, so the trending job
 * re-scoring thousands of papers every ten minutes writes nothing here.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './types.js';

/** The papers columns the search index reads (iterateSearchDocs) or filters on. */
const SEARCHABLE = ['title', 'abstract', 'authors', 'categories', 'published_at', 'code_url', 'upvotes', 'hidden', 'withdrawn'];
/** Tables whose rows show on cached pages, logged with a null paper_id. */
const DATA_TABLES = ['votes', 'comments', 'daily_entries'];

export async function up(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  const cols = sql.raw(SEARCHABLE.join(', '));
  if (ctx.dialect === 'postgres') {
    await sql`create table change_log (seq bigserial primary key, paper_id text)`.execute(db);
    // pg_notify is delivered at commit (and once per transaction and payload), so a listening
    // server hears about a change when it can be read, not before.
    await sql`create function papertide_log_paper() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then insert into change_log (paper_id) values (old.id);
        else insert into change_log (paper_id) values (new.id); end if;
        perform pg_notify('papertide_changes', '');
        return null;
      end $$`.execute(db);
    await sql`create function papertide_log_data() returns trigger language plpgsql as $$
      begin
        insert into change_log (paper_id) values (null);
        perform pg_notify('papertide_changes', '');
        return null;
      end $$`.execute(db);
    await sql`create trigger change_log_papers_insdel after insert or delete on papers for each row execute function papertide_log_paper()`.execute(db);
    await sql`create trigger change_log_papers_upd after update of ${cols} on papers for each row execute function papertide_log_paper()`.execute(db);
    // One row per statement: a page only needs to know that something changed.
    for (const t of DATA_TABLES) await sql`create trigger ${sql.raw(`change_log_${t}`)} after insert or update or delete on ${sql.raw(t)} for each statement execute function papertide_log_data()`.execute(db);
    return;
  }
  // A rowid key without AUTOINCREMENT: the next seq is max + 1, and pruning always keeps the
  // newest row, so numbers are never reused; it spares a sqlite_sequence update per row.
  await sql`create table change_log (seq integer primary key, paper_id text)`.execute(db);
  await sql`create trigger change_log_papers_ins after insert on papers begin insert into change_log (paper_id) values (new.id); end`.execute(db);
  await sql`create trigger change_log_papers_del after delete on papers begin insert into change_log (paper_id) values (old.id); end`.execute(db);
  await sql`create trigger change_log_papers_upd after update of ${cols} on papers begin insert into change_log (paper_id) values (new.id); end`.execute(db);
  for (const t of DATA_TABLES) {
    for (const op of ['insert', 'update', 'delete']) {
      await sql`create trigger ${sql.raw(`change_log_${t}_${op}`)} after ${sql.raw(op)} on ${sql.raw(t)} begin insert into change_log (paper_id) values (null); end`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect === 'postgres') {
    await sql`drop table if exists change_log`.execute(db);
    for (const t of DATA_TABLES) await sql`drop trigger if exists ${sql.raw(`change_log_${t}`)} on ${sql.raw(t)}`.execute(db);
    await sql`drop trigger if exists change_log_papers_insdel on papers`.execute(db);
    await sql`drop trigger if exists change_log_papers_upd on papers`.execute(db);
    await sql`drop function if exists papertide_log_paper()`.execute(db);
    await sql`drop function if exists papertide_log_data()`.execute(db);
    return;
  }
  for (const t of DATA_TABLES) for (const op of ['insert', 'update', 'delete']) await sql`drop trigger if exists ${sql.raw(`change_log_${t}_${op}`)}`.execute(db);
  for (const n of ['ins', 'del', 'upd']) await sql`drop trigger if exists ${sql.raw(`change_log_papers_${n}`)}`.execute(db);
  await sql`drop table if exists change_log`.execute(db);
}
