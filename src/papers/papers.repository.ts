/**
 * SQL for papers. Functions take the database (or a transaction) as their first parameter;
 * the caller owns the transaction (architecture.md rule 3).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PaperRow, NewPaperRow } from '../db/schema.js';
import type { Paper, PaperInput, PaperVersion, SearchDoc } from '../domain/paper.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface UpsertResult {
  added: number;
  updated: number;
  unchanged: number;
  /** ids whose searchable text changed (new or updated), for the search index. */
  changedIds: string[];
}

/** Lower-case and fold accents: the key used by `author:` filters and author feeds. */
export function authorKey(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function mergeVersions(a: PaperVersion[], b: PaperVersion[]): PaperVersion[] {
  const byNumber = new Map<number, PaperVersion>();
  for (const v of [...a, ...b]) {
    const prev = byNumber.get(v.version);
    byNumber.set(v.version, { version: v.version, date: v.date ?? prev?.date ?? null });
  }
  return [...byNumber.values()].sort((x, y) => x.version - y.version);
}

/** Columns an input may set; community data (votes, comments, trending) is never touched here. */
type PaperFields = Omit<NewPaperRow, 'created_at' | 'updated_at' | 'hidden' | 'is_demo' | 'upvotes' | 'external_upvotes' | 'num_comments' | 'external_comments' | 'trending_score' | 'trending_at'>;

function rowFromInput(p: PaperInput, existing: PaperRow | undefined): PaperFields {
  const versions = mergeVersions(existing ? (JSON.parse(existing.versions) as PaperVersion[]) : [], p.versions ?? (p.version ? [{ version: p.version, date: p.updatedAt ?? p.publishedAt ?? null }] : []));
  const latest = Math.max(p.version ?? 1, existing?.version ?? 1, ...versions.map((v) => v.version));
  const keep = <T>(v: T | null | undefined, old: T | null | undefined): T | null => (v === undefined || v === null ? (old ?? null) : v);
  return {
    id: p.id,
    version: latest,
    versions: JSON.stringify(versions),
    // A source that lacks a field (HF has no categories) never erases what another source gave.
    title: p.title || existing?.title || '',
    abstract: p.abstract || existing?.abstract || '',
    authors: p.authors.length || !existing ? JSON.stringify(p.authors) : existing.authors,
    categories: p.categories.length || !existing ? JSON.stringify(p.categories) : existing.categories,
    primary_category: keep(p.primaryCategory ?? p.categories[0], existing?.primary_category),
    published_at: keep(p.publishedAt, existing?.published_at),
    updated_at_arxiv: keep(p.updatedAt, existing?.updated_at_arxiv),
    comment: keep(p.comment, existing?.comment),
    journal_ref: keep(p.journalRef, existing?.journal_ref),
    doi: keep(p.doi, existing?.doi),
    license: keep(p.license, existing?.license),
    code_url: keep(p.codeUrl, existing?.code_url),
    github_stars: keep(p.githubStars, existing?.github_stars),
    project_page: keep(p.projectPage, existing?.project_page),
    ai_summary: keep(p.aiSummary, existing?.ai_summary),
    ai_keywords: p.aiKeywords && p.aiKeywords.length ? JSON.stringify(p.aiKeywords) : (existing?.ai_keywords ?? null),
    withdrawn: p.withdrawn === undefined ? (existing?.withdrawn ?? 0) : p.withdrawn ? 1 : 0,
  };
}

const COMPARED: (keyof NewPaperRow)[] = ['version', 'versions', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'published_at', 'updated_at_arxiv', 'comment', 'journal_ref', 'doi', 'license', 'code_url', 'github_stars', 'project_page', 'ai_summary', 'ai_keywords', 'withdrawn'];

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * Insert or update papers by arXiv id. Semantics (issue 3): one row per id; a newer version
 * replaces title, abstract and authors and extends the version history; an older version than
 * the stored one changes nothing; a field missing from the input keeps its stored value.
 * Re-upserting identical data changes nothing and is reported as unchanged.
 */
export async function upsertPapers(db: Db, papers: PaperInput[], opts: { now: string; isDemo?: boolean }): Promise<UpsertResult> {
  const result: UpsertResult = { added: 0, updated: 0, unchanged: 0, changedIds: [] };
  // De-duplicate within the batch: the last occurrence of an id wins.
  const byId = new Map<string, PaperInput>();
  for (const p of papers) byId.set(p.id, p);
  for (const batch of chunk([...byId.values()], 500)) {
    const existingRows = await db.selectFrom('papers').selectAll().where('id', 'in', batch.map((p) => p.id)).execute();
    const existing = new Map(existingRows.map((r) => [r.id, r]));
    const inserts: NewPaperRow[] = [];
    const relationIds: PaperInput[] = []; // updated papers whose authors or categories changed
    const newRelations: PaperInput[] = []; // new papers: nothing to delete first
    for (const p of batch) {
      const old = existing.get(p.id);
      if (old && p.version != null && p.version < old.version) {
        result.unchanged++; // an older version changes nothing
        continue;
      }
      const row = rowFromInput(p, old);
      if (!old) {
        inserts.push({ ...row, is_demo: opts.isDemo ? 1 : 0, created_at: opts.now, updated_at: opts.now });
        newRelations.push(p);
        result.added++;
        result.changedIds.push(p.id);
        continue;
      }
      const changed = COMPARED.filter((k) => (row as any)[k] !== (old as any)[k]);
      if (changed.length === 0) {
        result.unchanged++;
        continue;
      }
      await db.updateTable('papers').set({ ...row, updated_at: opts.now }).where('id', '=', p.id).execute();
      if (changed.includes('authors') || changed.includes('categories')) relationIds.push({ ...p, authors: JSON.parse(row.authors!), categories: JSON.parse(row.categories!), primaryCategory: row.primary_category });
      result.updated++;
      if (changed.some((k) => k === 'title' || k === 'abstract' || k === 'authors' || k === 'categories' || k === 'code_url' || k === 'published_at' || k === 'withdrawn')) result.changedIds.push(p.id);
    }
    for (const part of chunk(inserts, 500)) await db.insertInto('papers').values(part).execute();
    if (newRelations.length) await writeRelations(db, newRelations, false);
    if (relationIds.length) await writeRelations(db, relationIds, true);
  }
  return result;
}

async function writeRelations(db: Db, papers: PaperInput[], replace: boolean): Promise<void> {
  const ids = papers.map((p) => p.id);
  if (replace) {
    await db.deleteFrom('paper_authors').where('paper_id', 'in', ids).execute();
    await db.deleteFrom('paper_categories').where('paper_id', 'in', ids).execute();
  }
  const authors = papers.flatMap((p) => p.authors.map((name, position) => ({ paper_id: p.id, position, name, name_key: authorKey(name) })));
  const cats = papers.flatMap((p) => {
    const seen = new Set<string>();
    const primary = p.primaryCategory ?? p.categories[0];
    return p.categories.filter((c) => (seen.has(c) ? false : (seen.add(c), true))).map((category) => ({ paper_id: p.id, category, is_primary: category === primary ? 1 : 0 }));
  });
  for (const part of chunk(authors, 2500)) await db.insertInto('paper_authors').values(part).execute();
  for (const part of chunk(cats, 2500)) await db.insertInto('paper_categories').values(part).execute();
}

export function toPaper(r: PaperRow): Paper {
  return {
    id: r.id,
    version: r.version,
    versions: JSON.parse(r.versions),
    title: r.title,
    abstract: r.abstract,
    authors: JSON.parse(r.authors),
    categories: JSON.parse(r.categories),
    primaryCategory: r.primary_category,
    publishedAt: r.published_at,
    updatedAt: r.updated_at_arxiv,
    comment: r.comment,
    journalRef: r.journal_ref,
    doi: r.doi,
    license: r.license,
    codeUrl: r.code_url,
    githubStars: r.github_stars,
    projectPage: r.project_page,
    withdrawn: !!r.withdrawn,
    aiSummary: r.ai_summary,
    aiKeywords: r.ai_keywords ? JSON.parse(r.ai_keywords) : null,
    upvotes: r.upvotes,
    numComments: r.num_comments,
    trendingScore: r.trending_score,
    hidden: !!r.hidden,
    isDemo: !!r.is_demo,
  };
}

export async function getPaper(db: Db, id: string): Promise<Paper | null> {
  const r = await db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toPaper(r) : null;
}

export async function getPapers(db: Db, ids: string[]): Promise<Map<string, Paper>> {
  const out = new Map<string, Paper>();
  for (const part of chunk(ids, 500)) {
    if (!part.length) continue;
    const rows = await db.selectFrom('papers').selectAll().where('id', 'in', part).execute();
    for (const r of rows) out.set(r.id, toPaper(r));
  }
  return out;
}

export async function countPapers(db: Db): Promise<number> {
  const r = await db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export type { SearchDoc };

/** Every visible paper in id order, in batches: what the search index is derived from. */
export async function* iterateSearchDocs(db: Db, batchSize = 5000, ids?: string[]): AsyncGenerator<SearchDoc[]> {
  const toDoc = (r: Pick<PaperRow, 'id' | 'title' | 'abstract' | 'authors' | 'categories' | 'published_at' | 'code_url' | 'upvotes'>): SearchDoc => ({
    id: r.id,
    title: r.title,
    abstract: r.abstract,
    authors: JSON.parse(r.authors),
    categories: JSON.parse(r.categories),
    publishedAt: r.published_at,
    codeUrl: r.code_url,
    upvotes: r.upvotes,
  });
  const cols = ['id', 'title', 'abstract', 'authors', 'categories', 'published_at', 'code_url', 'upvotes'] as const;
  if (ids) {
    for (const part of chunk(ids, batchSize)) {
      const rows = await db.selectFrom('papers').select(cols).where('id', 'in', part).where('hidden', '=', 0).where('withdrawn', '=', 0).execute();
      if (rows.length) yield rows.map(toDoc);
    }
    return;
  }
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('papers').select(cols).where('id', '>', after).where('hidden', '=', 0).where('withdrawn', '=', 0).orderBy('id').limit(batchSize).execute();
    if (!rows.length) return;
    yield rows.map(toDoc);
    after = rows[rows.length - 1].id;
  }
}

export async function deleteDemoPapers(db: Db): Promise<number> {
  const r = await db.deleteFrom('papers').where('is_demo', '=', 1).executeTakeFirst();
  return Number(r.numDeletedRows);
}
