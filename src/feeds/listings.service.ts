/**
 * Use cases behind the JSON API's lists and the feeds (one use case, many renderings):
 * daily papers, papers by cursor, search, trending, similar, by category and by author.
 * Trending is the trending feature's listTrending. Search is the search port (ctx.search) when
 * its index is ready; without it search falls back to plain SQL (substring match).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { AppError } from '../domain/errors.js';
import { toDate } from '../domain/dates.js';
import { extractArxivId } from '../domain/arxiv-id.js';
import { getDailyView, parsePeriod, type Period } from '../daily/daily.service.js';
import { listDaily, type DailyItem } from '../daily/daily.repository.js';
import { authorKey } from '../papers/papers.repository.js';
import type { HfUser } from '../domain/hf-profile.js';
import { approvedClaimant } from '../claims/claims.repository.js';
import { listTrending, type TrendingWindow } from '../trending/trending.service.js';
import type { SearchService } from '../search/search.service.js';
import {
  latestEntries,
  authorStats,
  listByAuthor,
  listByCategory,
  listByOrganization,
  listPapersAfter,
  listRecentlyFeatured,
  papersByIds,
  searchByTerms,
  similarByMetadata,
  topCategories,
  type EntryInfo,
  type FeaturedRow,
  type PaperCursor,
} from './listings.repository.js';

type Db = Kysely<Database>;

/** A paper in a list, with the daily entry that featured it when there is one. */
export interface ListedPaper {
  paper: Paper;
  featured: EntryInfo | null;
  /** In trending lists: the paper's score now and its rank in the window. */
  trending?: { score: number; rank: number };
}

export interface ListingDeps {
  db: Db;
  now: () => Date;
  /** The search port (ctx.search) when its index is ready; else the plain-SQL fallback. */
  search?: Pick<SearchService, 'search' | 'similar' | 'settle'> | null;
}

async function withEntries(db: Db, rows: Paper[]): Promise<ListedPaper[]> {
  const entries = await latestEntries(db, rows.map((r) => r.id));
  return rows.map((paper) => ({ paper, featured: entries.get(paper.id) ?? null }));
}

// ---------------------------------------------------------------- daily papers

export interface DailyQuery {
  date?: string;
  week?: string;
  month?: string;
  page: number;
  limit: number;
  sort?: 'publishedAt' | 'trending';
  submitter?: string;
}

/**
 * Daily papers of a day, ISO week or month (at most one of them), most upvoted first. Without
 * any, every day up to today, latest day first (so page 0 starts with the latest day that has
 * papers, and `p` pages back through all of them, as Hugging Face's client assumes).
 * `sort=publishedAt` lists the most recently featured first, `sort=trending` by trending score.
 */
export async function dailyPapers(deps: ListingDeps, q: DailyQuery): Promise<{ period: Period | null; items: DailyItem[] }> {
  const given = (['date', 'week', 'month'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) throw new AppError('bad_request', `Give only one of date, week or month (got ${given.join(' and ')}).`);
  let period: Period | null = null;
  if (q.date !== undefined) period = parsePeriod('day', q.date);
  else if (q.week !== undefined) period = parsePeriod('week', q.week);
  else if (q.month !== undefined) period = parsePeriod('month', q.month);
  const sort = q.sort === 'trending' ? 'trending' : q.sort === 'publishedAt' ? 'published' : 'upvotes';
  const from = period?.from ?? '0000-01-01';
  const to = period?.to ?? toDate(deps.now());
  const items = await listDaily(deps.db, from, to, { limit: q.limit, offset: q.page * q.limit, sort, submitter: q.submitter, newestDayFirst: !period });
  return { period, items };
}

export { getDailyView };

// ---------------------------------------------------------------- papers by cursor

/** Opaque cursor: base64url of a small JSON array. Anything else is a readable 400. */
export function encodeCursor(c: PaperCursor): string {
  return Buffer.from(JSON.stringify([c.publishedAt, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(s: string): PaperCursor {
  const bad = () => new AppError('bad_request', 'cursor is not valid: pass back exactly the cursor of the Link header of the previous page.');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(s)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string' || v[0].length > 40 || v[1].length > 64 || !v[1]) throw bad();
  return { publishedAt: v[0], id: v[1] };
}

export async function papersPage(deps: ListingDeps, opts: { cursor?: string; limit: number }): Promise<{ items: ListedPaper[]; nextCursor: string | null }> {
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const rows = await listPapersAfter(deps.db, after, opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > opts.limit && last ? encodeCursor({ publishedAt: last.publishedAt ?? '', id: last.id }) : null;
  return { items: await withEntries(deps.db, page), nextCursor };
}

// ---------------------------------------------------------------- search, similar, trending

/** Split a free-text query into terms for the fallback search (quotes and operators dropped). */
export function fallbackTerms(q: string): string[] {
  return q
    .replace(/\b(author|cat|year):/gi, ' ')
    .split(/[\s"'()]+/)
    .map((t) => t.replace(/^[-+]+/, '').trim())
    .filter((t) => t.length > 0);
}

export async function searchPapers(deps: ListingDeps, q: string, limit: number): Promise<{ items: ListedPaper[]; engine: 'search' | 'fallback' }> {
  // An arXiv id or an arXiv / Hugging Face URL as the whole query is that paper (as the web
  // search goes to it): the paper when the store has it, else nothing.
  const asId = /\s/.test(q.trim()) ? null : extractArxivId(q.trim());
  if (asId) return { items: await withEntries(deps.db, await papersByIds(deps.db, [asId.id])), engine: deps.search ? 'search' : 'fallback' };
  if (deps.search) {
    const ids = (await deps.search.search(q, { limit })).hits.map((h) => h.id);
    return { items: await withEntries(deps.db, await papersByIds(deps.db, ids.slice(0, limit))), engine: 'search' };
  }
  const rows = await searchByTerms(deps.db, fallbackTerms(q), limit);
  return { items: await withEntries(deps.db, rows), engine: 'fallback' };
}

/**
 * Ids of the newest papers matching a saved search (Following, the digest's Following section):
 * the search index when it is ready, else every word in the title or abstract (plain SQL), as
 * `searchPapers` falls back. A query the search language refuses matches nothing.
 */
export async function newestMatching(deps: Pick<ListingDeps, 'db' | 'search'>, q: string, limit: number): Promise<string[]> {
  if (deps.search) {
    const res = await deps.search.search(q, { sort: 'newest', limit });
    return res.error ? [] : res.hits.map((h) => h.id);
  }
  return (await searchByTerms(deps.db, fallbackTerms(q), limit)).map((p) => p.id);
}

export async function similarPapers(deps: ListingDeps, paper: Paper, k: number): Promise<ListedPaper[]> {
  if (deps.search) {
    await deps.search.settle();
    const ids = deps.search.similar(paper.id, k).map((h) => h.id).filter((id) => id !== paper.id);
    return withEntries(deps.db, await papersByIds(deps.db, ids.slice(0, k)));
  }
  return withEntries(deps.db, await similarByMetadata(deps.db, paper, k));
}

/** Trending papers of a window (the trending feature's use case; pages, API and feeds share it). */
export async function trendingPapers(deps: ListingDeps, opts: { limit: number; offset: number; window?: TrendingWindow }): Promise<ListedPaper[]> {
  const list = await listTrending(deps.db, { window: opts.window ?? 'week', now: deps.now(), limit: opts.limit, offset: opts.offset });
  const listed = await withEntries(deps.db, list.items.map((i) => i.paper));
  return listed.map((x, i) => ({ ...x, trending: { score: list.items[i].score, rank: list.items[i].rank } }));
}

// ---------------------------------------------------------------- feeds' lists

export async function recentlyFeatured(deps: ListingDeps, limit: number): Promise<FeaturedRow[]> {
  return listRecentlyFeatured(deps.db, limit);
}

export async function categoryPapers(deps: ListingDeps, category: string, limit: number): Promise<ListedPaper[]> {
  return withEntries(deps.db, await listByCategory(deps.db, category, limit));
}

export async function authorPapers(deps: ListingDeps, name: string, limit: number): Promise<ListedPaper[]> {
  return withEntries(deps.db, await listByAuthor(deps.db, authorKey(name), limit));
}

export interface AuthorView {
  name: string;
  papers: ListedPaper[];
  coAuthors: { name: string; n: number }[];
  categoriesByYear: { year: string; category: string; n: number }[];
  /** The Hugging Face user who claimed this author name on one of these papers (the archive's record). */
  claimedBy: HfUser | null;
  /** The local user whose claim on this name a moderator approved. */
  claimedHere: string | null;
}

/** An author's page: their papers (newest first), co-authors, categories by year; null when unknown. */
export async function authorView(deps: ListingDeps, name: string, limit: number): Promise<AuthorView | null> {
  const key = authorKey(name);
  if (!key) return null;
  const stats = await authorStats(deps.db, key);
  if (!stats.name) return null;
  const papers = await withEntries(deps.db, await listByAuthor(deps.db, key, limit));
  let claimedBy: HfUser | null = null;
  for (const x of papers) {
    const link = x.paper.authorLinks.find((l) => authorKey(l.name) === key && l.user);
    if (link?.user) {
      claimedBy = link.user;
      break;
    }
  }
  return { name: stats.name, papers, coAuthors: stats.coAuthors, categoriesByYear: stats.categoriesByYear, claimedBy, claimedHere: await approvedClaimant(deps.db, key) };
}

/** Papers of an organization (its handle), newest first; its name and logo from the newest one. */
export async function organizationPapers(deps: ListingDeps, name: string, limit: number): Promise<ListedPaper[]> {
  return withEntries(deps.db, await listByOrganization(deps.db, name, limit));
}

/** A visible paper, or null. */
export async function visiblePaper(deps: ListingDeps, id: string): Promise<Paper | null> {
  const [paper] = await papersByIds(deps.db, [id]);
  return paper ?? null;
}

export async function listedPaper(deps: ListingDeps, id: string): Promise<ListedPaper | null> {
  const paper = await visiblePaper(deps, id);
  return paper ? (await withEntries(deps.db, [paper]))[0] : null;
}

export async function categoriesWithPapers(deps: ListingDeps, limit: number): Promise<{ category: string; n: number }[]> {
  return topCategories(deps.db, limit);
}
