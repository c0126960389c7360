/** SQL of a digest build's candidates: the visible papers arrived since a time, in trending order. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { decodeStringList } from '../papers/paper-row.js';

/** What a digest shows and matches of a paper (the columns it needs, not the whole row: a build reads thousands). */
export type CandidatePaper = Pick<Paper, 'id' | 'title' | 'abstract' | 'authors' | 'categories' | 'upvotes' | 'codeUrl'>;

export interface CandidateRow {
  paper: CandidatePaper;
  /** When it was first stored here (ISO), and when it entered trending. */
  storedAt: string;
  since: string | null;
}

/**
 * Every visible, not withdrawn paper stored since `sinceIso`, highest trending score first. Its
 * own query rather than `listTrending`: that pages at most 200 rows per call and by trending
 * window, while a build needs every candidate of the look-back at once.
 */
export async function arrivedSince(db: Kysely<Database>, sinceIso: string): Promise<CandidateRow[]> {
  const rows = await db
    .selectFrom('papers')
    .select(['id', 'title', 'abstract', 'authors', 'categories', 'upvotes', 'code_url', 'created_at', 'trending_since'])
    .where('created_at', '>=', sinceIso)
    .where('hidden', '=', 0)
    .where('withdrawn', '=', 0)
    .orderBy('trending_score', 'desc')
    .orderBy('upvotes', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    paper: { id: r.id, title: r.title, abstract: r.abstract, authors: decodeStringList(r.authors), categories: decodeStringList(r.categories), upvotes: r.upvotes, codeUrl: r.code_url },
    storedAt: r.created_at,
    since: r.trending_since,
  }));
}
