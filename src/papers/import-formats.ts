/**
 * Pure normalisers from each JSONL format in ../shared/data (and our demo file) to PaperInput,
 * plus the daily entry a Hugging Face record carries. A record that cannot be used yields
 * an error string (the reason), never an exception.
 */
import { parseArxivId } from '../domain/arxiv-id.js';
import { findGithubRepo, normalizeSpace, type PaperInput } from '../domain/paper.js';
import { safeHttpUrl, wellFormedText } from '../domain/safe-url.js';
import { cleanPaperFields } from '../domain/clean-text.js';
import { hfAuthorLinks, hfDiscussionId, hfOrganization, hfUser, type HfAuthorLink, type HfOrganization, type HfUser } from '../domain/hf-profile.js';

export type ImportFormat = 'seed' | 'arxiv-recent' | 'arxiv-oai-dump' | 'hf-raw' | 'hf-flat';

export interface ImportRecord {
  format: ImportFormat;
  paper: PaperInput;
  daily?: { date: string; submittedAt: string; submitterName: string | null; submitterProfile: HfUser | null; upvotes: number; comments: number; rank: number | null };
  /** What Hugging Face's archive adds to the paper (absent for other formats). */
  hf?: HfPaperExtras;
}

export interface HfPaperExtras {
  discussionId: string | null;
  thumbnail: string | null;
  organization: HfOrganization | null;
  authorLinks: HfAuthorLink[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TEXT = 100_000;

function str(v: unknown, field: string, required: boolean, max = MAX_TEXT): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) throw new Error(`missing ${field}`);
    return null;
  }
  if (typeof v !== 'string') throw new Error(`${field} is not a string`);
  if (v.length > max) throw new Error(`${field} longer than ${max} characters`);
  return cleanText(v);
}

/**
 * Text as every store can keep it: no NUL (PostgreSQL refuses it in text, failing the whole
 * batch) and no lone surrogate (they break links built from the text, see safe-url.ts).
 */
function cleanText(v: string): string {
  return wellFormedText(v).replace(/\u0000/g, '');
}

function strList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${field} is not a list`);
  if (v.length > 5000) throw new Error(`${field} has more than 5000 items`);
  return v.map((x, i) => {
    const s = typeof x === 'string' ? x : x && typeof x === 'object' && typeof (x as any).name === 'string' ? (x as any).name : null;
    if (s === null) throw new Error(`${field}[${i}] is not a name`);
    return normalizeSpace(cleanText(s));
  }).filter(Boolean);
}

function id(v: unknown): string {
  const s = str(v, 'id', true, 64)!;
  const parsed = parseArxivId(s);
  if (!parsed) throw new Error(`not an arXiv id: ${JSON.stringify(s)}`);
  return parsed.id;
}

function isoDate(v: unknown, field: string): string | null {
  const s = str(v, field, false, 40);
  if (!s) return null;
  const d = new Date(DATE.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(d.getTime())) throw new Error(`${field} is not a date: ${JSON.stringify(s)}`);
  return d.toISOString();
}

function common(o: any): Pick<PaperInput, 'title' | 'abstract' | 'authors'> {
  return {
    title: normalizeSpace(str(o.title, 'title', true, 2000)!),
    abstract: normalizeSpace(str(o.abstract ?? o.summary, 'abstract', true)!),
    authors: strList(o.authors, 'authors'),
  };
}

export function detectFormat(o: any): ImportFormat | null {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  if (o.item && typeof o.item === 'object' && o.archive_date) return 'hf-raw';
  if (o.arxiv_id && o.date && 'upvotes' in o) return 'hf-flat';
  if (o.arxiv_id) return 'seed';
  if (o.id && 'first_seen' in o) return 'arxiv-recent';
  if (o.id && 'created' in o) return 'arxiv-oai-dump';
  return null;
}

/** Normalise one parsed JSON line. Throws Error with a readable reason for an unusable record. */
export const normalizeRecord = (o: any): ImportRecord => ((r) => ({ ...r, paper: cleanPaperFields(r.paper) }))(normalizeFields(o));
function normalizeFields(o: any): ImportRecord {
  const format = detectFormat(o);
  switch (format) {
    case 'seed': {
      const codeUrls = strList(o.code_urls, 'code_urls');
      const categories = strList(o.categories, 'categories');
      const primary = str(o.primary_category, 'primary_category', false, 40);
      if (primary && !categories.includes(primary)) categories.unshift(primary);
      const c = common(o);
      return {
        format,
        paper: {
          id: id(o.arxiv_id),
          ...c,
          categories,
          primaryCategory: primary,
          publishedAt: isoDate(o.published, 'published'),
          codeUrl: codeUrls.map((u) => findGithubRepo(u)).find(Boolean) ?? findGithubRepo(c.abstract),
        },
      };
    }
    case 'arxiv-recent': {
      const c = common(o);
      const comment = str(o.comment, 'comment', false, 10_000);
      const categories = strList(o.categories, 'categories');
      const firstSeen = str(o.first_seen, 'first_seen', true, 10)!;
      if (!DATE.test(firstSeen)) throw new Error(`first_seen is not YYYY-MM-DD: ${JSON.stringify(firstSeen)}`);
      return {
        format,
        paper: {
          id: id(o.id),
          ...c,
          categories,
          primaryCategory: categories[0] ?? null,
          // The dump has no submission time; the announcement date is the best we have.
          publishedAt: isoDate(firstSeen, 'first_seen'),
          comment: comment ? normalizeSpace(comment) : null,
          codeUrl: findGithubRepo(c.abstract) ?? findGithubRepo(comment),
        },
      };
    }
    case 'arxiv-oai-dump': {
      const c = common(o);
      const comment = str(o.comments, 'comments', false, 10_000);
      const categories = strList(o.categories, 'categories');
      const primary = str(o.primary_category, 'primary_category', false, 40) ?? categories[0] ?? null;
      if (primary) {
        const i = categories.indexOf(primary);
        if (i > 0) categories.splice(i, 1);
        if (i !== 0) categories.unshift(primary);
      }
      const created = isoDate(o.created, 'created');
      const updated = isoDate(o.updated, 'updated');
      return {
        format,
        paper: {
          id: id(o.id),
          ...c,
          categories,
          primaryCategory: primary,
          publishedAt: created,
          updatedAt: updated ?? created,
          comment: comment ? normalizeSpace(comment) : null,
          doi: str(o.doi, 'doi', false, 300),
          codeUrl: findGithubRepo(c.abstract) ?? findGithubRepo(comment),
        },
      };
    }
    case 'hf-raw': {
      const item = o.item;
      const p = item.paper;
      if (!p || typeof p !== 'object') throw new Error('missing item.paper');
      return hfRecord(format, {
        id: p.id,
        title: p.title ?? item.title,
        summary: p.summary,
        authors: (Array.isArray(p.authors) ? p.authors : []).filter((a: any) => !a?.hidden),
        publishedAt: p.publishedAt,
        githubRepo: p.githubRepo,
        githubStars: p.githubStars,
        projectPage: p.projectPage,
        aiSummary: p.ai_summary,
        aiKeywords: p.ai_keywords,
        date: o.archive_date,
        submittedAt: p.submittedOnDailyAt ?? item.publishedAt,
        submitter: p.submittedOnDailyBy?.user ?? item.submittedBy?.user ?? item.submittedBy?.name,
        submitterProfile: hfUser(p.submittedOnDailyBy, item.submittedBy),
        upvotes: p.upvotes,
        comments: item.numComments,
        rank: null,
        extras: {
          discussionId: hfDiscussionId(p.discussionId),
          // Only an http(s) image becomes a thumbnail (src/domain/safe-url.ts).
          thumbnail: safeHttpUrl(item.thumbnail),
          organization: hfOrganization(p.organization) ?? hfOrganization(item.organization),
          authorLinks: hfAuthorLinks(p.authors),
        },
      });
    }
    case 'hf-flat':
      return hfRecord(format, {
        id: o.arxiv_id,
        title: o.title,
        summary: o.summary,
        authors: o.authors,
        publishedAt: o.published_at,
        githubRepo: o.github_repo,
        githubStars: o.github_stars,
        projectPage: o.project_page,
        aiSummary: o.ai_summary,
        aiKeywords: o.ai_keywords,
        date: o.date,
        submittedAt: o.submitted_on_daily_at,
        submitter: o.submitted_by,
        submitterProfile: null,
        upvotes: o.upvotes,
        comments: o.num_comments,
        rank: typeof o.rank_in_response === 'number' ? o.rank_in_response : null,
      });
    default:
      throw new Error('unrecognised record: expected a seed-papers, arxiv-recent-ai, arxiv-cs-2015-2018 or Hugging Face daily_papers line');
  }
}

/** The fields a Hugging Face daily-papers record carries, whichever of its two shapes it came in. */
interface HfFields {
  id: unknown;
  title: unknown;
  summary: unknown;
  authors: unknown;
  publishedAt: unknown;
  githubRepo: unknown;
  githubStars: unknown;
  projectPage: unknown;
  aiSummary: unknown;
  aiKeywords: unknown;
  date: unknown; // the daily-papers date
  submittedAt: unknown;
  submitter: unknown;
  submitterProfile: HfUser | null;
  upvotes: unknown;
  comments: unknown;
  rank: number | null;
  extras?: HfPaperExtras;
}

function hfRecord(format: ImportFormat, f: HfFields): ImportRecord {
  const date = str(f.date, 'date', true, 10)!;
  if (!DATE.test(date)) throw new Error(`date is not YYYY-MM-DD: ${JSON.stringify(date)}`);
  const c = common({ title: f.title, summary: f.summary, authors: f.authors });
  const upvotes = Number(f.upvotes ?? 0);
  const comments = Number(f.comments ?? 0);
  if (!Number.isFinite(upvotes) || upvotes < 0 || !Number.isFinite(comments) || comments < 0) throw new Error('upvotes or comment count is not a count');
  return {
    format,
    paper: {
      id: id(f.id),
      ...c,
      categories: [],
      publishedAt: isoDate(f.publishedAt, 'publishedAt'),
      // Links from the data are http(s) or dropped (src/domain/safe-url.ts); a bad link loses the
      // link, not the record.
      codeUrl: safeHttpUrl(findGithubRepo(typeof f.githubRepo === 'string' ? f.githubRepo.slice(0, 2000) : null)) ?? safeHttpUrl(findGithubRepo(c.abstract)),
      githubStars: typeof f.githubStars === 'number' ? f.githubStars : null,
      projectPage: safeHttpUrl(f.projectPage),
      aiSummary: str(f.aiSummary, 'ai_summary', false, 5000),
      aiKeywords: strList(f.aiKeywords, 'ai_keywords'),
    },
    daily: {
      date,
      submittedAt: isoDate(f.submittedAt, 'submittedOnDailyAt') ?? `${date}T00:00:00.000Z`,
      submitterName: typeof f.submitter === 'string' ? cleanText(f.submitter.slice(0, 100)) : null,
      submitterProfile: f.submitterProfile,
      upvotes: Math.floor(upvotes),
      comments: Math.floor(comments),
      rank: f.rank,
    },
    ...(f.extras ? { hf: f.extras } : {}),
  };
}
