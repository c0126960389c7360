/**
 * The public JSON shape of papers: Hugging Face's field names (paper.id, title, summary,
 * authors[].name, publishedAt, upvotes, githubRepo, githubStars, projectPage,
 * submittedOnDailyAt, ai_summary, ai_keywords; items with publishedAt, title, summary,
 * numComments, submittedBy) so clients written for huggingface.co/api work here by changing the
 * base URL. Like Hugging Face, an absent optional value is left out rather than sent as null.
 * A few Papertide extensions (categories, version) are added; clients ignore unknown fields.
 */
import type { PaperRow } from '../../db/schema.js';
import type { ApiItemT, ApiPaperT } from '../api/schemas.js';
import { safeHttpUrl } from '../../domain/safe-url.js';

export interface FeaturedInfo {
  date: string;
  submittedAt: string;
  submitterName: string | null;
}

function jsonList(s: string | null): string[] {
  if (!s) return [];
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Drop undefined members so the JSON has no `"x": null` for absent values. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function presentPaper(p: PaperRow, featured?: FeaturedInfo | null): ApiPaperT {
  const keywords = jsonList(p.ai_keywords);
  return compact({
    id: p.id,
    title: p.title,
    summary: p.abstract,
    authors: jsonList(p.authors).map((name) => ({ name })),
    publishedAt: p.published_at ?? undefined,
    upvotes: p.upvotes,
    numComments: p.num_comments,
    // Links are http(s) or absent, whatever the store holds (src/domain/safe-url.ts).
    githubRepo: safeHttpUrl(p.code_url) ?? undefined,
    githubStars: p.github_stars ?? undefined,
    projectPage: safeHttpUrl(p.project_page) ?? undefined,
    submittedOnDailyAt: featured?.submittedAt ?? undefined,
    submittedOnDailyBy: featured?.submitterName ? { name: featured.submitterName } : undefined,
    ai_summary: p.ai_summary ?? undefined,
    ai_keywords: keywords.length ? keywords : undefined,
    categories: jsonList(p.categories),
    version: p.version,
    withdrawn: p.withdrawn ? true : undefined,
  });
}

/** One element of a daily_papers-style list. `publishedAt` is when it was featured. */
export function presentItem(p: PaperRow, featured?: FeaturedInfo | null): ApiItemT {
  return compact({
    paper: presentPaper(p, featured),
    publishedAt: featured?.submittedAt ?? p.published_at ?? undefined,
    title: p.title,
    summary: p.abstract,
    numComments: p.num_comments,
    submittedBy: featured?.submitterName ? { name: featured.submitterName } : undefined,
    isAuthorParticipating: false,
  });
}

export function presentItems(list: { paper: PaperRow; featured: FeaturedInfo | null }[]): ApiItemT[] {
  return list.map((x) => presentItem(x.paper, x.featured));
}

/** A daily repository item (web/api daily_papers). */
export function presentDailyItem(item: { paper: PaperRow; date: string; submittedAt: string; submitterName: string | null }): ApiItemT {
  return presentItem(item.paper, { date: item.date, submittedAt: item.submittedAt, submitterName: item.submitterName });
}

export function presentTrendingItem(x: { paper: PaperRow; featured: FeaturedInfo | null; trending?: { score: number; rank: number } }): ApiItemT {
  const item = presentItem(x.paper, x.featured);
  if (x.trending) item.paper.trendingScore = Math.round(x.trending.score * 1000) / 1000;
  return item;
}
