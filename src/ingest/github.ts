/**
 * Optional GitHub client for repository stars (https://docs.github.com/en/rest/repos/repos#get-a-repository).
 * Token optional (60 requests/hour without, 5,000 with). Conditional requests with ETag: a 304
 * costs no rate limit and returns the cached stars. Rate-limit headers are respected: when
 * x-ratelimit-remaining reaches 0 (or a 403/429 says so) no request is sent until
 * x-ratelimit-reset / Retry-After.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { papersNeedingStars, setGithubStars } from '../papers/papers.ingest-repository.js';
import { silentLog, type IngestLog } from './log.js';

export interface GithubClientOptions {
  apiUrl?: string; // https://api.github.com
  token?: string | null;
  userAgent: string;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  log?: IngestLog;
  /** ETag cache; in memory by default, keyed by owner/repo. */
  cache?: Map<string, { etag: string; stars: number }>;
}

export type StarsResult =
  | { ok: true; stars: number; cached: boolean }
  | { ok: false; reason: 'not_found' | 'rate_limited' | 'bad_url' | 'error'; message: string; retryAt?: number };

/** https://github.com/owner/repo → owner/repo, or null. */
export function githubRepoPath(url: string): string | null {
  const m = /^https?:\/\/(?:www\.)?github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : null;
}

export class GithubClient {
  private readonly o: Required<Omit<GithubClientOptions, 'token'>> & { token: string | null };
  /** When set (ms), no request is sent before this time. */
  blockedUntil = 0;
  requests = 0;

  constructor(opts: GithubClientOptions) {
    this.o = {
      apiUrl: 'https://api.github.com',
      fetch: globalThis.fetch.bind(globalThis),
      now: () => Date.now(),
      log: silentLog,
      cache: new Map(),
      ...opts,
      token: opts.token ?? null,
    };
  }

  private noteRateLimit(h: Headers): void {
    const remaining = h.get('x-ratelimit-remaining');
    const reset = h.get('x-ratelimit-reset');
    if (remaining !== null && Number(remaining) <= 0 && reset && /^\d+$/.test(reset)) {
      this.blockedUntil = Math.max(this.blockedUntil, Number(reset) * 1000);
    }
  }

  async stars(repoUrl: string): Promise<StarsResult> {
    const repo = githubRepoPath(repoUrl);
    if (!repo) return { ok: false, reason: 'bad_url', message: `not a GitHub repository URL: ${repoUrl}` };
    const now = this.o.now();
    if (this.blockedUntil > now) {
      return { ok: false, reason: 'rate_limited', message: `GitHub rate limit reached; next request after ${new Date(this.blockedUntil).toISOString()}`, retryAt: this.blockedUntil };
    }
    const cached = this.o.cache.get(repo);
    const headers: Record<string, string> = {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': this.o.userAgent,
    };
    if (this.o.token) headers.Authorization = `Bearer ${this.o.token}`;
    if (cached) headers['If-None-Match'] = cached.etag;
    let res: Response;
    try {
      this.requests++;
      res = await this.o.fetch(`${this.o.apiUrl.replace(/\/+$/, '')}/repos/${repo}`, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      return { ok: false, reason: 'error', message: `GitHub ${repo}: ${(e as Error).message}` };
    }
    this.noteRateLimit(res.headers);
    if (res.status === 304 && cached) return { ok: true, stars: cached.stars, cached: true };
    if (res.status === 404 || res.status === 451) return { ok: false, reason: 'not_found', message: `GitHub ${repo}: repository not found` };
    if (res.status === 403 || res.status === 429) {
      const ra = res.headers.get('retry-after');
      const until = ra && /^\d+$/.test(ra) ? this.o.now() + Number(ra) * 1000 : this.blockedUntil > this.o.now() ? this.blockedUntil : this.o.now() + 60_000;
      this.blockedUntil = Math.max(this.blockedUntil, until);
      return { ok: false, reason: 'rate_limited', message: `GitHub rate limit (HTTP ${res.status}); next request after ${new Date(this.blockedUntil).toISOString()}`, retryAt: this.blockedUntil };
    }
    if (!res.ok) return { ok: false, reason: 'error', message: `GitHub ${repo}: HTTP ${res.status}` };
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { ok: false, reason: 'error', message: `GitHub ${repo}: response is not JSON` };
    }
    const stars = (body as { stargazers_count?: unknown }).stargazers_count;
    if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 0) return { ok: false, reason: 'error', message: `GitHub ${repo}: no stargazers_count in the response` };
    const etag = res.headers.get('etag');
    if (etag) this.o.cache.set(repo, { etag, stars });
    return { ok: true, stars, cached: false };
  }
}

/** Fill in stars for papers with a code URL and unknown stars; stops at the rate limit. */
export async function refreshStars(db: Kysely<Database>, client: GithubClient, opts: { limit?: number; now?: () => Date; log?: IngestLog } = {}): Promise<{ updated: number; notFound: number; rateLimited: boolean }> {
  const log = opts.log ?? silentLog;
  const out = { updated: 0, notFound: 0, rateLimited: false };
  for (const p of await papersNeedingStars(db, opts.limit ?? 50)) {
    const r = await client.stars(p.codeUrl);
    if (r.ok) {
      await setGithubStars(db, p.id, r.stars, (opts.now?.() ?? new Date()).toISOString());
      out.updated++;
    } else if (r.reason === 'rate_limited') {
      log.info({ retryAt: r.retryAt }, r.message);
      out.rateLimited = true;
      break;
    } else {
      if (r.reason === 'not_found') out.notFound++;
      log.warn({ paper: p.id, codeUrl: p.codeUrl }, r.message);
    }
  }
  return out;
}
