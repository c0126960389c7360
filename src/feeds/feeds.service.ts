/**
 * Feeds for daily papers, trending, each arXiv category, each author and any search query:
 * the same use cases as the pages and the API (listings.service.ts), turned into a FeedDoc
 * that feed.render.ts writes as RSS, Atom or JSON Feed.
 */
import type { Paper } from '../domain/paper.js';
import { AppError } from '../domain/errors.js';
import { arxivAbsUrl, arxivPdfUrl } from '../domain/arxiv-id.js';
import { safeHttpUrl } from '../domain/safe-url.js';
import { isHfHandle } from '../domain/hf-profile.js';
import { authorPapers, categoryPapers, organizationPapers, recentlyFeatured, searchPapers, trendingPapers, type ListingDeps } from './listings.service.js';
import { escapeFeedText, type FeedDoc, type FeedEntry, type FeedFormat } from './feed.render.js';

export const FEED_SIZE = 50;
export const CATEGORY_PATTERN = /^[a-z][a-z-]{0,15}(\.[A-Za-z][A-Za-z-]{0,15})?$/;
export const AUTHOR_MAX = 200;
export const QUERY_MAX = 250;

export type FeedSpec = { kind: 'daily' } | { kind: 'trending' } | { kind: 'category'; category: string } | { kind: 'author'; name: string } | { kind: 'organization'; name: string } | { kind: 'search'; q: string };

function date(s: string | null | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The HTML body of an entry: every piece of text escaped, every link absolute. */
export function entryHtml(p: Paper, baseUrl: string, extra?: { featuredOn?: string; submitter?: string | null }): string {
  const authors = p.authors;
  const parts = [
    `<p><strong>${escapeFeedText(authors.slice(0, 20).join(', '))}${authors.length > 20 ? ` and ${authors.length - 20} more` : ''}</strong></p>`,
    `<p>${escapeFeedText(p.abstract)}</p>`,
  ];
  const links = [`<a href="${escapeFeedText(`${baseUrl}/papers/${p.id}`)}">Papertide</a>`, `<a href="${escapeFeedText(arxivAbsUrl(p.id))}">arXiv:${escapeFeedText(p.id)}</a>`, `<a href="${escapeFeedText(arxivPdfUrl(p.id))}">PDF</a>`];
  const code = safeHttpUrl(p.codeUrl);
  const project = safeHttpUrl(p.projectPage);
  if (code) links.push(`<a href="${escapeFeedText(code)}">Code${p.githubStars != null ? ` (★ ${p.githubStars})` : ''}</a>`);
  if (project) links.push(`<a href="${escapeFeedText(project)}">Project page</a>`);
  parts.push(`<p>${links.join(' · ')}</p>`);
  const meta = [`${p.upvotes} upvote${p.upvotes === 1 ? '' : 's'}`, `${p.numComments} comment${p.numComments === 1 ? '' : 's'}`];
  if (extra?.featuredOn) meta.push(`featured on ${escapeFeedText(extra.featuredOn)}${extra.submitter ? ` by ${escapeFeedText(extra.submitter)}` : ''}`);
  parts.push(`<p>${meta.join(' · ')}</p>`);
  return parts.join('\n');
}

/** One paper as a feed entry (collections' feeds use it too). */
export function entry(p: Paper, baseUrl: string, when: Date, extra?: { featuredOn?: string; submitter?: string | null }): FeedEntry {
  return {
    id: p.id,
    title: p.title,
    url: `${baseUrl}/papers/${p.id}`,
    date: when,
    published: date(p.publishedAt),
    authors: p.authors,
    summary: p.abstract,
    contentHtml: entryHtml(p, baseUrl, extra),
    categories: p.categories,
  };
}

function paperDate(p: Paper): Date {
  return date(p.updatedAt) ?? date(p.publishedAt) ?? date(p.changedAt) ?? new Date(0);
}

/** Validate a feed's parameters; a bad one is a readable 400. */
export function checkSpec(spec: FeedSpec): FeedSpec {
  // A NUL can arrive decoded from the path (`%2500` decoded twice); PostgreSQL refuses it in text.
  if ((spec.kind === 'author' && spec.name.includes('\u0000')) || (spec.kind === 'search' && spec.q.includes('\u0000'))) {
    throw new AppError('bad_request', 'The request contains a NUL character (U+0000), which Papertide does not accept in any text. Remove it and try again.');
  }
  if (spec.kind === 'category' && !CATEGORY_PATTERN.test(spec.category)) throw new AppError('bad_request', `“${spec.category.slice(0, 40)}” is not an arXiv category: use e.g. cs.LG, math.AG or hep-th.`);
  if (spec.kind === 'author') {
    const name = spec.name.replace(/\s+/g, ' ').trim();
    if (!name) throw new AppError('bad_request', 'Give an author name, e.g. /feeds/author/Yann%20LeCun.atom.');
    if (name.length > AUTHOR_MAX) throw new AppError('bad_request', `Author names are limited to ${AUTHOR_MAX} characters.`);
    return { kind: 'author', name };
  }
  if (spec.kind === 'organization') {
    const shown = spec.name.slice(0, 40);
    if (!isHfHandle(spec.name)) throw new AppError('bad_request', `“${shown}” is not an organization's name: use its handle, e.g. /feeds/organization/utokyo-ai.atom.`);
  }
  if (spec.kind === 'search') {
    const q = spec.q.trim();
    if (!q) throw new AppError('bad_request', 'q is required: the search text, e.g. /feeds/search.atom?q=diffusion.');
    if (q.length > QUERY_MAX) throw new AppError('bad_request', `q must be at most ${QUERY_MAX} characters.`);
    return { kind: 'search', q };
  }
  return spec;
}

export function feedPath(spec: FeedSpec, format: FeedFormat): string {
  switch (spec.kind) {
    case 'daily':
      return `/feeds/daily.${format}`;
    case 'trending':
      return `/feeds/trending.${format}`;
    case 'category':
      return `/feeds/category/${spec.category}.${format}`;
    case 'author':
      return `/feeds/author/${encodeURIComponent(spec.name)}.${format}`;
    case 'organization':
      return `/feeds/organization/${encodeURIComponent(spec.name)}.${format}`;
    case 'search':
      return `/feeds/search.${format}?q=${encodeURIComponent(spec.q)}`;
  }
}

/** Build the feed document for a spec. `baseUrl` makes every link absolute. */
export async function buildFeed(deps: ListingDeps, input: FeedSpec, baseUrl: string): Promise<FeedDoc> {
  const spec = checkSpec(input);
  const self = (f: FeedFormat) => `${baseUrl}${feedPath(spec, f)}`;
  let title: string;
  let description: string;
  let page: string;
  let entries: FeedEntry[];
  switch (spec.kind) {
    case 'daily': {
      const rows = await recentlyFeatured(deps, FEED_SIZE);
      title = 'Papertide · Daily papers';
      description = 'Research papers featured each day by the community, most upvoted first.';
      page = `${baseUrl}/`;
      entries = rows.map((r) => entry(r.paper, baseUrl, date(r.submittedAt) ?? new Date(`${r.date}T00:00:00Z`), { featuredOn: r.date, submitter: r.submitterName }));
      break;
    }
    case 'trending': {
      const rows = await trendingPapers(deps, { limit: FEED_SIZE, offset: 0 });
      title = 'Papertide · Trending papers';
      description = 'Papers ranked by the trending score: recent upvotes, comments and code stars, decaying with age.';
      page = `${baseUrl}/papers/trending`;
      entries = rows.map((r) => entry(r.paper, baseUrl, date(r.featured?.submittedAt) ?? paperDate(r.paper), r.featured ? { featuredOn: r.featured.date, submitter: r.featured.submitterName } : undefined));
      break;
    }
    case 'category': {
      const rows = await categoryPapers(deps, spec.category, FEED_SIZE);
      title = `Papertide · ${spec.category}`;
      description = `Newest papers in the arXiv category ${spec.category}.`;
      page = `${baseUrl}/search?q=${encodeURIComponent(`cat:${spec.category}`)}`;
      entries = rows.map((r) => entry(r.paper, baseUrl, paperDate(r.paper)));
      break;
    }
    case 'author': {
      const rows = await authorPapers(deps, spec.name, FEED_SIZE);
      title = `Papertide · Papers by ${spec.name}`;
      description = `Newest papers with ${spec.name} among the authors.`;
      page = `${baseUrl}/search?q=${encodeURIComponent(`author:"${spec.name}"`)}`;
      entries = rows.map((r) => entry(r.paper, baseUrl, paperDate(r.paper)));
      break;
    }
    case 'organization': {
      const rows = await organizationPapers(deps, spec.name, FEED_SIZE);
      const org = rows.map((r) => r.paper.organization).find(Boolean);
      const label = org?.fullname ?? spec.name;
      title = `Papertide · ${label}`;
      description = `Newest papers listed under the organization ${label}.`;
      page = `${baseUrl}/organizations/${encodeURIComponent(spec.name)}`;
      entries = rows.map((r) => entry(r.paper, baseUrl, paperDate(r.paper)));
      break;
    }
    case 'search': {
      const { items } = await searchPapers(deps, spec.q, FEED_SIZE);
      title = `Papertide · Search: ${spec.q}`;
      description = `Papers matching “${spec.q}”.`;
      page = `${baseUrl}/search?q=${encodeURIComponent(spec.q)}`;
      entries = items.map((r) => entry(r.paper, baseUrl, paperDate(r.paper)));
      break;
    }
  }
  // Deterministic: the newest entry date (not "now"), so unchanged data keeps its ETag.
  const updated = new Date(Math.max(0, ...entries.map((e) => e.date.getTime())));
  return { key: spec.kind, title, description, pageUrl: page, selfUrl: self, updated, entries };
}
