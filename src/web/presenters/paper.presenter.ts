/**
 * The public JSON shape of papers: Hugging Face's field names (paper.id, title, summary,
 * authors[].name, publishedAt, upvotes, githubRepo, githubStars, projectPage,
 * submittedOnDailyAt, ai_summary, ai_keywords; items with publishedAt, title, summary,
 * numComments, submittedBy) so clients written for huggingface.co/api work here by changing the
 * base URL. Like Hugging Face, an absent optional value is left out rather than sent as null.
 * A few Papertide extensions (categories, version) are added; clients ignore unknown fields.
 *
 * Hugging Face's own objects are sent in its shape: the submitter as a user object (kept from
 * the archive for imported entries, built from the account for local ones), the organization,
 * the discussion id, each author's id and claimed user, the thumbnail. Linked models, datasets
 * and Spaces are not tracked here: empty lists and zero counts, as the client types them.
 */
import type { ApiItemT, ApiPaperT } from '../api/schemas.js';
import { safeHttpUrl } from '../../domain/safe-url.js';
import { storedHfUser, hfDiscussionId, type HfUser } from '../../domain/hf-profile.js';
import { normalizeSpace, type Paper } from '../../domain/paper.js';

export interface FeaturedInfo {
  date: string;
  submittedAt: string;
  submitterName: string | null;
  /** The local user who submitted it, when one did. */
  submitterUserId?: number | null;
  /** JSON of Hugging Face's user object for an imported entry. */
  submitterProfile?: string | null;
}

/**
 * Who featured the paper, as a user object: Hugging Face's profile for imported entries; for
 * local users (and imported entries without a stored profile) the same shape from the name,
 * with no avatar (we host none).
 */
export function presentSubmitter(f: FeaturedInfo | null | undefined): HfUser | undefined {
  if (!f?.submitterName) return undefined;
  if (!f.submitterUserId) {
    const kept = storedHfUser(f.submitterProfile);
    if (kept) return kept;
  }
  const name = f.submitterName;
  const user: HfUser = { name, fullname: name, type: 'user', isPro: false, user: name };
  if (f.submitterUserId) user._id = String(f.submitterUserId);
  return user;
}

/** The authors in Hugging Face's shape: hidden false, with its id and claimed user where the archive had them. */
function presentAuthors(p: Paper): ApiPaperT['authors'] {
  const links = new Map(p.authorLinks.map((l) => [normalizeSpace(l.name).toLowerCase(), l]));
  return p.authors.map((name) => {
    const l = links.get(normalizeSpace(name).toLowerCase());
    return compact({ _id: l?._id, name, hidden: false, user: l?.user });
  });
}

/** Drop undefined members so the JSON has no `"x": null` for absent values. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function presentPaper(p: Paper, featured?: FeaturedInfo | null): ApiPaperT {
  const keywords = p.aiKeywords ?? [];
  return compact({
    id: p.id,
    title: p.title,
    summary: p.abstract,
    authors: presentAuthors(p),
    publishedAt: p.publishedAt ?? undefined,
    upvotes: p.upvotes,
    numComments: p.numComments,
    // Links are http(s) or absent, whatever the store holds (src/domain/safe-url.ts).
    githubRepo: safeHttpUrl(p.codeUrl) ?? undefined,
    githubStars: p.githubStars ?? undefined,
    projectPage: safeHttpUrl(p.projectPage) ?? undefined,
    submittedOnDailyAt: featured?.submittedAt ?? undefined,
    submittedOnDailyBy: presentSubmitter(featured),
    discussionId: hfDiscussionId(p.hfDiscussionId) ?? undefined,
    organization: p.organization ?? undefined,
    linkedModels: [],
    numTotalModels: 0,
    linkedDatasets: [],
    numTotalDatasets: 0,
    linkedSpaces: [],
    numTotalSpaces: 0,
    ai_summary: p.aiSummary ?? undefined,
    ai_keywords: keywords.length ? keywords : undefined,
    categories: p.categories,
    version: p.version,
    withdrawn: p.withdrawn ? true : undefined,
  });
}

/** One element of a daily_papers-style list. `publishedAt` is when it was featured. */
export function presentItem(p: Paper, featured?: FeaturedInfo | null): ApiItemT {
  return compact({
    paper: presentPaper(p, featured),
    publishedAt: featured?.submittedAt ?? p.publishedAt ?? undefined,
    title: p.title,
    summary: p.abstract,
    numComments: p.numComments,
    submittedBy: presentSubmitter(featured),
    organization: p.organization ?? undefined,
    thumbnail: safeHttpUrl(p.thumbnail) ?? undefined,
    isAuthorParticipating: false,
  });
}

export function presentItems(list: { paper: Paper; featured: FeaturedInfo | null }[]): ApiItemT[] {
  return list.map((x) => presentItem(x.paper, x.featured));
}

/** A daily repository item (web/api daily_papers). */
export function presentDailyItem(item: { paper: Paper; date: string; submittedAt: string; submitterName: string | null; submittedByUserId?: number | null; submitterProfile?: string | null }): ApiItemT {
  return presentItem(item.paper, { date: item.date, submittedAt: item.submittedAt, submitterName: item.submitterName, submitterUserId: item.submittedByUserId, submitterProfile: item.submitterProfile });
}

export function presentTrendingItem(x: { paper: Paper; featured: FeaturedInfo | null; trending?: { score: number; rank: number } }): ApiItemT {
  const item = presentItem(x.paper, x.featured);
  if (x.trending) item.paper.trendingScore = Math.round(x.trending.score * 1000) / 1000;
  return item;
}
