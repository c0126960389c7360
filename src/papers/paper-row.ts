/**
 * The one decode of a stored paper row into the domain `Paper` (src/domain/paper.ts). Every
 * repository that reads papers returns them through `toPaper`, so pages, the API, feeds and
 * digests render one shape: no layer above the repositories parses the row's JSON columns.
 */
import type { PaperRow } from '../db/schema.js';
import type { Paper, PaperVersion } from '../domain/paper.js';
import { storedHfAuthorLinks, storedHfOrganization } from '../domain/hf-profile.js';

/** A stored JSON list of strings; anything else (null, bad JSON, not a list) is empty. */
export function decodeStringList(s: string | null | undefined): string[] {
  if (!s) return [];
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function decodeVersions(s: string | null | undefined): PaperVersion[] {
  if (!s) return [];
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export function toPaper(r: PaperRow): Paper {
  const keywords = r.ai_keywords ? decodeStringList(r.ai_keywords) : null;
  return {
    id: r.id,
    version: r.version,
    versions: decodeVersions(r.versions),
    title: r.title,
    abstract: r.abstract,
    authors: decodeStringList(r.authors),
    categories: decodeStringList(r.categories),
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
    aiKeywords: keywords,
    upvotes: Number(r.upvotes),
    numComments: Number(r.num_comments),
    externalComments: Number(r.external_comments),
    trendingScore: Number(r.trending_score),
    hidden: !!r.hidden,
    isDemo: !!r.is_demo,
    hfDiscussionId: r.hf_discussion_id,
    thumbnail: r.thumbnail,
    organization: storedHfOrganization(r.organization),
    authorLinks: storedHfAuthorLinks(r.author_links),
    storedAt: r.created_at,
    changedAt: r.updated_at,
  };
}
