/**
 * SQL for papers. Functions take the database (or a transaction) as their first parameter;
 * the caller owns the transaction (architecture.md rule 3).
 */
import type SQLite from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import { sqliteHandleOf, type Store } from '../db/index.js';
import type { Database, PaperRow, NewPaperRow } from '../db/schema.js';
import type { Paper, PaperInput, PaperVersion, SearchDoc } from '../domain/paper.js';
import { decodeStringList, toPaper } from './paper-row.js';


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

/** What one batch of an upsert writes, decided from the inputs and the stored rows alone. */
interface UpsertPlan {
  inserts: NewPaperRow[];
  updates: (PaperFields & { updated_at: string })[];
  /** New papers: their authors and categories, nothing to delete first. */
  newRelations: PaperInput[];
  /** Updated papers whose authors or categories changed: replace their rows. */
  replaceRelations: PaperInput[];
}

function planBatch(batch: PaperInput[], existing: Map<string, PaperRow>, opts: { now: string; isDemo?: boolean }, result: UpsertResult): UpsertPlan {
  const plan: UpsertPlan = { inserts: [], updates: [], newRelations: [], replaceRelations: [] };
  for (const p of batch) {
    const old = existing.get(p.id);
    if (old && p.version != null && p.version < old.version) {
      result.unchanged++; // an older version changes nothing
      continue;
    }
    const row = rowFromInput(p, old);
    if (!old) {
      plan.inserts.push({ ...row, is_demo: opts.isDemo ? 1 : 0, created_at: opts.now, updated_at: opts.now });
      plan.newRelations.push(p);
      result.added++;
      result.changedIds.push(p.id);
      continue;
    }
    const changed = COMPARED.filter((k) => (row as any)[k] !== (old as any)[k]);
    if (changed.length === 0) {
      result.unchanged++;
      continue;
    }
    plan.updates.push({ ...row, updated_at: opts.now });
    if (changed.includes('authors') || changed.includes('categories')) plan.replaceRelations.push({ ...p, authors: JSON.parse(row.authors!), categories: JSON.parse(row.categories!), primaryCategory: row.primary_category });
    result.updated++;
    if (changed.some((k) => k === 'title' || k === 'abstract' || k === 'authors' || k === 'categories' || k === 'code_url' || k === 'published_at' || k === 'withdrawn')) result.changedIds.push(p.id);
  }
  return plan;
}

export interface UpsertOptions {
  now: string;
  isDemo?: boolean;
  /**
   * The embedded store's better-sqlite3 handle, the connection `db` runs on: the batch is then
   * written with cached prepared statements (one per row) instead of compiling SQL per batch.
   * Same rows either way (test/ingest/upsert-raw.test.ts). Default: the handle registered for
   * `db` by openStore when `db` is the store itself; pass null to force the Kysely path.
   */
  sqlite?: SqliteHandle | null;
}

/**
 * Insert or update papers by arXiv id. Semantics: one row per id; a newer version
 * replaces title, abstract and authors and extends the version history; an older version than
 * the stored one changes nothing; a field missing from the input keeps its stored value.
 * Re-upserting identical data changes nothing and is reported as unchanged.
 */
export async function upsertPapers(db: Db, papers: PaperInput[], opts: UpsertOptions): Promise<UpsertResult> {
  const raw = opts.sqlite === undefined ? (db.isTransaction ? null : sqliteHandleOf(db as Kysely<Database>)) : opts.sqlite;
  // The raw statements run on the connection, so they must run inside a transaction Kysely
  // holds (no other query can interleave on the single SQLite connection meanwhile).
  if (raw && db && !db.isTransaction) return (db as Kysely<Database>).transaction().execute((trx) => upsertPapers(trx, papers, { ...opts, sqlite: raw }));
  const result: UpsertResult = { added: 0, updated: 0, unchanged: 0, changedIds: [] };
  // De-duplicate within the batch: the last occurrence of an id wins.
  const byId = new Map<string, PaperInput>();
  for (const p of papers) byId.set(p.id, p);
  if (raw) {
    const batch = [...byId.values()];
    const existing = new Map<string, PaperRow>();
    if (batch.length) for (const r of stmt(raw, SELECT_EXISTING).all(JSON.stringify(batch.map((p) => p.id))) as PaperRow[]) existing.set(r.id, r);
    applyRaw(raw, planBatch(batch, existing, opts, result));
    return result;
  }
  for (const batch of chunk([...byId.values()], 500)) {
    const existingRows = await db.selectFrom('papers').selectAll().where('id', 'in', batch.map((p) => p.id)).execute();
    const plan = planBatch(batch, new Map(existingRows.map((r) => [r.id, r])), opts, result);
    for (const u of plan.updates) await db.updateTable('papers').set(u).where('id', '=', u.id).execute();
    for (const part of chunk(plan.inserts, 500)) await db.insertInto('papers').values(part).execute();
    if (plan.newRelations.length) await writeRelations(db, plan.newRelations, false);
    if (plan.replaceRelations.length) await writeRelations(db, plan.replaceRelations, true);
  }
  return result;
}

function authorRows(papers: PaperInput[]) {
  return papers.flatMap((p) => p.authors.map((name, position) => ({ paper_id: p.id, position, name, name_key: authorKey(name) })));
}

function categoryRows(papers: PaperInput[]) {
  return papers.flatMap((p) => {
    const seen = new Set<string>();
    const primary = p.primaryCategory ?? p.categories[0];
    return p.categories.filter((c) => (seen.has(c) ? false : (seen.add(c), true))).map((category) => ({ paper_id: p.id, category, is_primary: category === primary ? 1 : 0 }));
  });
}

async function writeRelations(db: Db, papers: PaperInput[], replace: boolean): Promise<void> {
  const ids = papers.map((p) => p.id);
  if (replace) {
    await db.deleteFrom('paper_authors').where('paper_id', 'in', ids).execute();
    await db.deleteFrom('paper_categories').where('paper_id', 'in', ids).execute();
  }
  for (const part of chunk(authorRows(papers), 2500)) await db.insertInto('paper_authors').values(part).execute();
  for (const part of chunk(categoryRows(papers), 2500)) await db.insertInto('paper_categories').values(part).execute();
}

// ---------------------------------------------------------------------------------------------
// The embedded store's bulk path: prepared statements, compiled once per connection.

type SqliteHandle = NonNullable<Store['sqlite']>;
type Statement = SQLite.Statement<unknown[]>;

const statements = new WeakMap<SqliteHandle, Map<string, Statement>>();
function stmt(h: SqliteHandle, sqlText: string): Statement {
  let m = statements.get(h);
  if (!m) statements.set(h, (m = new Map()));
  let s = m.get(sqlText);
  if (!s) m.set(sqlText, (s = h.prepare(sqlText)));
  return s;
}

/** Every column upsert writes, in one order for the INSERT and UPDATE statements. */
const FIELDS = ['version', 'versions', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'published_at', 'updated_at_arxiv', 'comment', 'journal_ref', 'doi', 'license', 'code_url', 'github_stars', 'project_page', 'ai_summary', 'ai_keywords', 'withdrawn'] as const satisfies readonly (keyof PaperFields)[];
const INSERT_COLS = ['id', ...FIELDS, 'is_demo', 'created_at', 'updated_at'] as const;
const INSERT_PAPER = `insert into papers (${INSERT_COLS.join(', ')}) values (${INSERT_COLS.map(() => '?').join(', ')})`;
const UPDATE_PAPER = `update papers set ${[...FIELDS, 'updated_at'].map((c) => `${c} = ?`).join(', ')} where id = ?`;
const SELECT_EXISTING = 'select * from papers where id in (select value from json_each(?))';
const INSERT_AUTHOR = 'insert into paper_authors (paper_id, position, name, name_key) values (?, ?, ?, ?)';
const INSERT_CATEGORY = 'insert into paper_categories (paper_id, category, is_primary) values (?, ?, ?)';
const DELETE_AUTHORS = 'delete from paper_authors where paper_id = ?';
const DELETE_CATEGORIES = 'delete from paper_categories where paper_id = ?';

function applyRaw(h: SqliteHandle, plan: UpsertPlan): void {
  if (plan.updates.length) {
    const up = stmt(h, UPDATE_PAPER);
    for (const u of plan.updates) up.run(...FIELDS.map((c) => u[c] ?? null), u.updated_at, u.id);
  }
  if (plan.inserts.length) {
    const ins = stmt(h, INSERT_PAPER);
    for (const r of plan.inserts) ins.run(...INSERT_COLS.map((c) => r[c] ?? null));
  }
  if (plan.replaceRelations.length) {
    const da = stmt(h, DELETE_AUTHORS);
    const dc = stmt(h, DELETE_CATEGORIES);
    for (const p of plan.replaceRelations) {
      da.run(p.id);
      dc.run(p.id);
    }
  }
  const rel = plan.replaceRelations.length ? [...plan.newRelations, ...plan.replaceRelations] : plan.newRelations;
  if (rel.length) {
    const ia = stmt(h, INSERT_AUTHOR);
    for (const a of authorRows(rel)) ia.run(a.paper_id, a.position, a.name, a.name_key);
    const ic = stmt(h, INSERT_CATEGORY);
    for (const c of categoryRows(rel)) ic.run(c.paper_id, c.category, c.is_primary);
  }
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
  const toDoc = (r: SearchDocRow): SearchDoc => ({
    id: r.id,
    title: r.title,
    abstract: r.abstract,
    authors: decodeStringList(r.authors),
    categories: decodeStringList(r.categories),
    publishedAt: r.published_at,
    codeUrl: r.code_url,
    upvotes: r.upvotes,
  });
  const cols = ['id', 'title', 'abstract', 'authors', 'categories', 'published_at', 'code_url', 'upvotes'] as const;
  const raw = db.isTransaction ? null : sqliteHandleOf(db as Kysely<Database>);
  if (raw) {
    // Embedded store: one cached prepared statement per shape. Each read runs while Kysely's
    // connection lock is held, so it never sees another caller's uncommitted transaction.
    const root = db as Kysely<Database>;
    const read = (sqlText: string, ...params: unknown[]) => root.connection().execute(async () => stmt(raw, sqlText).all(...params) as SearchDocRow[]);
    if (ids) {
      for (const part of chunk(ids, batchSize)) {
        const rows = await read(SEARCH_DOCS_BY_ID, JSON.stringify(part));
        if (rows.length) yield rows.map(toDoc);
      }
      return;
    }
    let after = '';
    for (;;) {
      const rows = await read(SEARCH_DOCS_AFTER, after, batchSize);
      if (!rows.length) return;
      yield rows.map(toDoc);
      after = rows[rows.length - 1].id;
    }
  }
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

type SearchDocRow = Pick<PaperRow, 'id' | 'title' | 'abstract' | 'authors' | 'categories' | 'published_at' | 'code_url' | 'upvotes'>;
const SEARCH_DOC_COLS = 'id, title, abstract, authors, categories, published_at, code_url, upvotes';
const SEARCH_DOCS_BY_ID = `select ${SEARCH_DOC_COLS} from papers where id in (select value from json_each(?)) and hidden = 0 and withdrawn = 0 order by id`;
const SEARCH_DOCS_AFTER = `select ${SEARCH_DOC_COLS} from papers where id > ? and hidden = 0 and withdrawn = 0 order by id limit ?`;

export async function deleteDemoPapers(db: Db): Promise<number> {
  const r = await db.deleteFrom('papers').where('is_demo', '=', 1).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** What Hugging Face's archive adds to a paper (import-formats.ts HfPaperExtras, stored as JSON text). */
export interface HfExtrasInput {
  id: string;
  discussionId: string | null;
  thumbnail: string | null;
  organization: { name: string } | null;
  authorLinks: object[];
}

/**
 * Store Hugging Face's extras of papers already upserted. A value the record lacks keeps the
 * stored one (a later day's record without a thumbnail erases nothing); only rows whose values
 * change are written, so re-importing a file writes nothing, and re-importing it into a store
 * made before these fields existed fills them. Returns the ids that changed.
 */
export async function setHfExtras(db: Db, list: HfExtrasInput[]): Promise<string[]> {
  if (!list.length) return [];
  type Vals = { hf_discussion_id: string | null; thumbnail: string | null; organization: string | null; organization_name: string | null; author_links: string | null };
  const current = new Map<string, Vals>();
  const ids = [...new Set(list.map((x) => x.id))];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('papers').select(['id', 'hf_discussion_id', 'thumbnail', 'organization', 'organization_name', 'author_links']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) current.set(r.id, { hf_discussion_id: r.hf_discussion_id, thumbnail: r.thumbnail, organization: r.organization, organization_name: r.organization_name, author_links: r.author_links });
  }
  const changed = new Map<string, Vals>();
  for (const x of list) {
    const was = changed.get(x.id) ?? current.get(x.id);
    if (!was) continue; // not stored (the upsert refused it)
    // An organization a moderator set or cleared (src/moderation) is kept over the archive's.
    const pinned = !!was.organization && /"moderated":true/.test(was.organization);
    const org = pinned ? null : x.organization;
    const next: Vals = {
      hf_discussion_id: x.discussionId ?? was.hf_discussion_id,
      thumbnail: x.thumbnail ?? was.thumbnail,
      organization: org ? JSON.stringify(org) : was.organization,
      organization_name: org ? org.name : was.organization_name,
      author_links: x.authorLinks.length ? JSON.stringify(x.authorLinks) : was.author_links,
    };
    if ((Object.keys(next) as (keyof Vals)[]).some((k) => next[k] !== was[k])) changed.set(x.id, next);
  }
  for (const [id, v] of changed) await db.updateTable('papers').set(v).where('id', '=', id).execute();
  return [...changed.keys()];
}

/** A paper's stored Hugging Face extras (JSON text as stored; read through domain/hf-profile.ts). */
export async function getHfExtras(db: Db, id: string): Promise<{ discussionId: string | null; thumbnail: string | null; organization: string | null; authorLinks: string | null } | null> {
  const r = await db.selectFrom('papers').select(['hf_discussion_id', 'thumbnail', 'organization', 'author_links']).where('id', '=', id).executeTakeFirst();
  return r ? { discussionId: r.hf_discussion_id, thumbnail: r.thumbnail, organization: r.organization, authorLinks: r.author_links } : null;
}
