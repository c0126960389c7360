/**
 * The paper as the domain sees it: one record per arXiv id (no version suffix).
 * Every source (JSONL dumps, arXiv API/OAI-PMH/RSS, Hugging Face daily papers)
 * is normalised into `PaperInput` before it reaches the store.
 */
import type { HfAuthorLink, HfOrganization } from './hf-profile.js';

export interface PaperVersion {
  version: number; // 1, 2, ...
  date: string | null; // ISO date-time or YYYY-MM-DD of that version's submission
}

export interface PaperInput {
  id: string; // arXiv id without version: 2401.12345 or hep-th/9901001
  version?: number | null; // latest known version number
  versions?: PaperVersion[];
  title: string;
  abstract: string;
  authors: string[]; // in order
  categories: string[]; // primary first
  primaryCategory?: string | null;
  publishedAt?: string | null; // ISO of v1 submission (or announcement date when only that is known)
  updatedAt?: string | null; // ISO of latest version
  comment?: string | null;
  journalRef?: string | null;
  doi?: string | null;
  license?: string | null;
  codeUrl?: string | null; // GitHub repository URL
  githubStars?: number | null;
  projectPage?: string | null;
  withdrawn?: boolean;
  aiSummary?: string | null;
  aiKeywords?: string[] | null;
}

/**
 * A paper as read back from the store: the one shape every page, API answer, feed entry and
 * digest item is rendered from (src/papers/paper-row.ts decodes the stored row into it).
 */
export interface Paper extends Required<Omit<PaperInput, 'version' | 'versions'>> {
  /** The latest version the store knows (1 when none was given). */
  version: number;
  versions: PaperVersion[];
  upvotes: number;
  numComments: number;
  /** Of numComments, those imported from Hugging Face (a count: the text stays there). */
  externalComments: number;
  trendingScore: number;
  hidden: boolean;
  isDemo: boolean;
  /** Kept from Hugging Face's archive: its discussion id, thumbnail, organization, authors' ids and claimed users. */
  hfDiscussionId: string | null;
  thumbnail: string | null;
  organization: HfOrganization | null;
  authorLinks: HfAuthorLink[];
  /** When the paper was first stored here, and last changed here (ISO). */
  storedAt: string;
  changedAt: string;
}

/** Collapse whitespace (arXiv hard-wraps titles and abstracts at ~80 columns). */
export function normalizeSpace(s: string): string {
  // Single spaces (nearly all whitespace) are left alone; only other runs are rewritten: ~4× faster.
  return s.replace(/ \s+|[^\S ]\s*/g, ' ').trim();
}

const GITHUB_REPO = /https?:\/\/(?:www\.)?github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)/;

/** The first GitHub repository URL in a text, canonicalised, or null. */
export function findGithubRepo(text: string | null | undefined): string | null {
  if (!text) return null;
  const m = GITHUB_REPO.exec(text);
  if (!m) return null;
  const owner = m[1];
  const repo = m[2].replace(/[.]+$/, '').replace(/\.git$/, '');
  if (!repo || ['about', 'features', 'pricing', 'orgs', 'topics', 'sponsors'].includes(owner.toLowerCase())) return null;
  return `https://github.com/${owner}/${repo}`;
}

/** What the search index is derived from: one visible paper (see papers.repository iterateSearchDocs). */
export interface SearchDoc {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  publishedAt: string | null;
  codeUrl: string | null;
  upvotes: number;
}
