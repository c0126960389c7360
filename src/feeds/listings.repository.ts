/**
 * SQL for the lists the JSON API and the feeds share: papers by cursor, by category, by author,
 * recently featured, a plain text fallback search, trending by the stored score, and a simple
 * "similar" fallback. Visible papers only (not hidden by a moderator).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Keyset position in the newest-first list of papers: (published_at or '', id). */
export interface PaperCursor {
  publishedAt: string;
  id: string;
}

/** Papers newest first (arXiv v1 date, then id), strictly after `after`; keyset paging. */
export async function listPapersAfter(db: Db, after: PaperCursor | null, limit: number): Promise<Paper[]> {
  const pub = sql<string>`coalesce(published_at, '')`;
  let q = db.selectFrom('papers').selectAll().where('hidden', '=', 0);
  if (after) {
    q = q.where((eb) => eb.or([eb(pub, '<', after.publishedAt), eb.and([eb(pub, '=', after.publishedAt), eb('id', '<', after.id)])]));
  }
  return (await q.orderBy(pub, 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toPaper);
}

/** Papers in an arXiv category (primary or cross-list), newest first. */
export async function listByCategory(db: Db, category: string, limit: number): Promise<Paper[]> {
  const rows = await db
    .selectFrom('paper_categories as c')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .selectAll('p')
    .where('c.category', '=', category)
    .where('p.hidden', '=', 0)
    .orderBy('p.published_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toPaper);
}

/** Papers by an author (matched on the folded name key), newest first. */
export async function listByAuthor(db: Db, nameKey: string, limit: number): Promise<Paper[]> {
  const rows = await db
    .selectFrom('paper_authors as a')
    .innerJoin('papers as p', 'p.id', 'a.paper_id')
    .selectAll('p')
    .where('a.name_key', '=', nameKey)
    .where('p.hidden', '=', 0)
    .orderBy('p.published_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toPaper);
}

/** Papers listed under an organization (its Hugging Face handle), newest first. */
export async function listByOrganization(db: Db, name: string, limit: number): Promise<Paper[]> {
  const rows = await db
    .selectFrom('papers')
    .selectAll()
    .where('organization_name', '=', name)
    .where('hidden', '=', 0)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toPaper);
}

/** An author's spelling as stored (the first seen), their co-authors by shared papers, and categories per year. */
export async function authorStats(db: Db, nameKey: string): Promise<{ name: string | null; coAuthors: { name: string; key: string; n: number }[]; categoriesByYear: { year: string; category: string; n: number }[] }> {
  const first = await db.selectFrom('paper_authors').select('name').where('name_key', '=', nameKey).limit(1).executeTakeFirst();
  if (!first) return { name: null, coAuthors: [], categoriesByYear: [] };
  const co = await db
    .selectFrom('paper_authors as a')
    .innerJoin('paper_authors as b', 'b.paper_id', 'a.paper_id')
    .innerJoin('papers as p', 'p.id', 'a.paper_id')
    .select((eb) => ['b.name_key as key', eb.fn.min('b.name').as('name'), eb.fn.countAll<number>().as('n')])
    .where('a.name_key', '=', nameKey)
    .where('b.name_key', '!=', nameKey)
    .where('p.hidden', '=', 0)
    .groupBy('b.name_key')
    .orderBy('n', 'desc')
    .orderBy('b.name_key')
    .limit(20)
    .execute();
  const year = sql<string>`substr(p.published_at, 1, 4)`;
  const cats = await db
    .selectFrom('paper_authors as a')
    .innerJoin('papers as p', 'p.id', 'a.paper_id')
    .innerJoin('paper_categories as c', 'c.paper_id', 'a.paper_id')
    .select((eb) => [year.as('year'), 'c.category', eb.fn.countAll<number>().as('n')])
    .where('a.name_key', '=', nameKey)
    .where('p.hidden', '=', 0)
    .where('p.published_at', 'is not', null)
    .groupBy([year, 'c.category'])
    .orderBy('year', 'desc')
    .orderBy('n', 'desc')
    .orderBy('c.category')
    .execute();
  return {
    name: first.name,
    coAuthors: co.map((r) => ({ key: r.key, name: String(r.name), n: Number(r.n) })),
    categoriesByYear: cats.map((r) => ({ year: String(r.year), category: r.category, n: Number(r.n) })),
  };
}

export interface FeaturedRow {
  paper: Paper;
  date: string;
  submittedAt: string;
  submitterName: string | null;
}

/** The most recently featured daily entries: latest date first, most upvoted first within a date. */
export async function listRecentlyFeatured(db: Db, limit: number): Promise<FeaturedRow[]> {
  const rows = await db
    .selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .selectAll('p')
    .select(['d.date as entry_date', 'd.submitted_at as entry_submitted_at', 'd.submitter_name as entry_submitter', 'u.name as user_name'])
    .where('p.hidden', '=', 0)
    .orderBy('d.date', 'desc')
    .orderBy('p.upvotes', 'desc')
    .orderBy('d.id')
    .limit(limit)
    .execute();
  return rows.map((r: any) => {
    const { entry_date, entry_submitted_at, entry_submitter, user_name, ...paper } = r;
    return { paper: toPaper(paper), date: entry_date, submittedAt: entry_submitted_at, submitterName: user_name ?? entry_submitter };
  });
}

function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/**
 * Fallback text search: every term must appear in the title or abstract (case-insensitive
 * substring), most upvoted first. Used only when the search service is not wired in.
 */
export async function searchByTerms(db: Db, terms: string[], limit: number): Promise<Paper[]> {
  if (!terms.length) return [];
  let q = db.selectFrom('papers').selectAll().where('hidden', '=', 0);
  for (const t of terms.slice(0, 16)) {
    const pat = likePattern(t);
    q = q.where((eb) => eb.or([eb(sql`lower(title)`, 'like', sql`${pat} escape '\\'`), eb(sql`lower(abstract)`, 'like', sql`${pat} escape '\\'`)]));
  }
  return (await q.orderBy('upvotes', 'desc').orderBy('published_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toPaper);
}

/**
 * Fallback "similar papers": papers sharing the most authors, then papers of the same primary
 * category, most upvoted first. Used only when the search service (vector similarity) is absent.
 */
export async function similarByMetadata(db: Db, paper: Paper, k: number): Promise<Paper[]> {
  const byAuthors = await db
    .selectFrom('paper_authors as a')
    .innerJoin('paper_authors as b', 'b.name_key', 'a.name_key')
    .innerJoin('papers as p', 'p.id', 'b.paper_id')
    .select(['b.paper_id as id', (eb) => eb.fn.countAll<number>().as('shared'), 'p.upvotes as upvotes'])
    .where('a.paper_id', '=', paper.id)
    .where('b.paper_id', '!=', paper.id)
    .where('p.hidden', '=', 0)
    .groupBy(['b.paper_id', 'p.upvotes'])
    .orderBy('shared', 'desc')
    .orderBy('p.upvotes', 'desc')
    .orderBy('b.paper_id')
    .limit(k)
    .execute();
  const ids = byAuthors.map((r) => r.id);
  if (ids.length < k && paper.primaryCategory) {
    const more = await db
      .selectFrom('paper_categories as c')
      .innerJoin('papers as p', 'p.id', 'c.paper_id')
      .select('p.id')
      .where('c.category', '=', paper.primaryCategory)
      .where('p.id', '!=', paper.id)
      .where('p.hidden', '=', 0)
      .$if(ids.length > 0, (q) => q.where('p.id', 'not in', ids))
      .orderBy('p.upvotes', 'desc')
      .orderBy('p.published_at', 'desc')
      .limit(k - ids.length)
      .execute();
    ids.push(...more.map((r) => r.id));
  }
  return papersByIds(db, ids);
}

/** Visible papers for ids, in the order of `ids`. */
export async function papersByIds(db: Db, ids: string[]): Promise<Paper[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('papers').selectAll().where('id', 'in', ids.slice(0, 1000)).where('hidden', '=', 0).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toPaper(r)] : [];
  });
}

/** A paper's featured entry as lists present it: when, and who submitted it. */
export interface EntryInfo {
  date: string;
  submittedAt: string;
  submitterName: string | null;
  /** The local user who submitted it, when one did. */
  submitterUserId: number | null;
  /** JSON of Hugging Face's user object for an imported entry (domain/hf-profile.ts). */
  submitterProfile: string | null;
}

/** The latest featured entry of each paper (date, when, by whom), for presenting items. */
export async function latestEntries(db: Db, ids: string[]): Promise<Map<string, EntryInfo>> {
  const out = new Map<string, EntryInfo>();
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('daily_entries as d')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(['d.paper_id', 'd.date', 'd.submitted_at', 'd.submitter_name', 'd.submitter_profile', 'u.id as user_id', 'u.name as user_name'])
    .where('d.paper_id', 'in', ids.slice(0, 1000))
    .orderBy('d.date', 'asc')
    .execute();
  for (const r of rows) out.set(r.paper_id, { date: r.date, submittedAt: r.submitted_at, submitterName: r.user_name ?? r.submitter_name, submitterUserId: r.user_id ?? null, submitterProfile: r.user_id ? null : r.submitter_profile });
  return out;
}

/** The categories with the most papers, for the feeds index. */
export async function topCategories(db: Db, limit: number): Promise<{ category: string; n: number }[]> {
  const rows = await db
    .selectFrom('paper_categories')
    .select(['category', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('category')
    .orderBy('n', 'desc')
    .orderBy('category')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ category: r.category, n: Number(r.n) }));
}
