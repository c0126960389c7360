/**
 * Clients for arXiv's three interfaces plus "one paper by id or URL". All of them go through
 * one PoliteFetcher, so the 3-second rule holds across the API, OAI-PMH and RSS together.
 */
import { extractArxivId, formatArxivId } from '../domain/arxiv-id.js';
import type { PaperInput } from '../domain/paper.js';
import { parseAtomFeed, type AtomPage } from './atom.js';
import { IngestError } from './errors.js';
import type { HttpResponse, PoliteFetcher } from './http.js';
import { silentLog, type IngestLog } from './log.js';
import { parseOaiPage, type OaiPage } from './oai.js';
import { parseRssFeed, type RssFeed } from './rss.js';

export interface ArxivUrls {
  api: string; // https://export.arxiv.org/api/query
  oai: string; // https://oaipmh.arxiv.org/oai
  rss: string; // https://rss.arxiv.org/rss
}

/** API limits (https://info.arxiv.org/help/api/user-manual.html#paging). */
export const API_MAX_PER_CALL = 2000;
export const API_MAX_PER_QUERY = 30000;

export interface ApiQuery {
  searchQuery?: string;
  idList?: string[];
  start?: number;
  maxResults?: number;
  sortBy?: 'relevance' | 'lastUpdatedDate' | 'submittedDate';
  sortOrder?: 'ascending' | 'descending';
}

export type OaiRequest =
  | { resumptionToken: string }
  | { set?: string | null; from?: string | null; until?: string | null; metadataPrefix?: 'arXiv' | 'arXivRaw' };

const CATEGORY_RE = /^[a-z-]+(\.[A-Za-z-]+)?$/;

export class ArxivClient {
  constructor(
    private readonly http: PoliteFetcher,
    private readonly urls: ArxivUrls,
    private readonly log: IngestLog = silentLog,
    /** Re-fetches of a page whose body was HTML, truncated or malformed. */
    private readonly badBodyRetries = 2,
  ) {}

  get fetcher(): PoliteFetcher {
    return this.http;
  }

  /** GET, require 2xx, parse; re-fetch a bad body a couple of times (maintenance pages, cut transfers). */
  private async getParsed<T extends { damaged: string | null }>(url: string, what: string, parse: (body: string, what: string) => T): Promise<T> {
    let lastError: unknown;
    for (let i = 0; i <= this.badBodyRetries; i++) {
      const res: HttpResponse = await this.http.get(url);
      if (res.status < 200 || res.status >= 300) {
        throw new IngestError(res.status === 404 ? 'not_found' : 'http', `${what}: HTTP ${res.status} from ${url}`, { status: res.status });
      }
      try {
        const page = parse(res.body, what);
        if (page.damaged && i < this.badBodyRetries) {
          this.log.warn({ url, attempt: i + 1 }, `${page.damaged}; fetching the page again`);
          lastError = page;
          continue;
        }
        return page;
      } catch (e) {
        if (!(e instanceof IngestError) || (e.code !== 'bad_xml' && e.code !== 'not_xml')) throw e;
        lastError = e;
        if (i < this.badBodyRetries) this.log.warn({ url, attempt: i + 1, code: e.code }, `${e.message}; fetching the page again`);
      }
    }
    if (lastError instanceof Error) throw lastError;
    return lastError as T; // damaged even after retries: the caller keeps the complete records
  }

  apiUrl(q: ApiQuery): string {
    const u = new URL(this.urls.api);
    if (q.searchQuery) u.searchParams.set('search_query', q.searchQuery);
    if (q.idList?.length) u.searchParams.set('id_list', q.idList.join(','));
    u.searchParams.set('start', String(q.start ?? 0));
    u.searchParams.set('max_results', String(Math.min(q.maxResults ?? 100, API_MAX_PER_CALL)));
    if (q.sortBy) u.searchParams.set('sortBy', q.sortBy);
    if (q.sortOrder) u.searchParams.set('sortOrder', q.sortOrder);
    return u.toString();
  }

  async apiQuery(q: ApiQuery): Promise<AtomPage> {
    const url = this.apiUrl(q);
    return this.getParsed(url, `arXiv API (start=${q.start ?? 0})`, parseAtomFeed);
  }

  /**
   * Page through a query: ≤ 2,000 a call, ≤ 30,000 a query (arXiv's limits), stopping at
   * `limit`, at totalResults, or at an empty page.
   */
  async *apiQueryAll(q: Omit<ApiQuery, 'start' | 'maxResults'> & { pageSize?: number; limit?: number; start?: number }): AsyncGenerator<AtomPage> {
    const pageSize = Math.min(Math.max(1, q.pageSize ?? 500), API_MAX_PER_CALL);
    const limit = Math.min(q.limit ?? API_MAX_PER_QUERY, API_MAX_PER_QUERY);
    let start = q.start ?? 0;
    while (start < limit) {
      const page = await this.apiQuery({ ...q, start, maxResults: Math.min(pageSize, limit - start) });
      yield page;
      if (page.entryCount === 0) return;
      start += page.entryCount;
      if (page.totalResults !== null && start >= page.totalResults) return;
    }
  }

  /** One paper by id or pasted URL (arxiv.org/abs|pdf, huggingface.co/papers, old-style ids). */
  async getPaper(input: string): Promise<PaperInput> {
    const parsed = extractArxivId(input);
    if (!parsed) throw new IngestError('bad_input', `not an arXiv id or URL: ${JSON.stringify(input.slice(0, 100))}`);
    const page = await this.apiQuery({ idList: [formatArxivId(parsed)], maxResults: 1 });
    const paper = page.papers.find((p) => p.id === parsed.id);
    if (!paper) {
      const why = page.skipped.find((s) => s.id === parsed.id)?.reason;
      throw new IngestError('not_found', why ? `arXiv returned ${parsed.id} without ${why.replace(/^missing /, '')}` : `arXiv has no paper ${formatArxivId(parsed)}`);
    }
    return paper;
  }

  oaiUrl(r: OaiRequest): string {
    const u = new URL(this.urls.oai);
    u.searchParams.set('verb', 'ListRecords');
    if ('resumptionToken' in r) {
      u.searchParams.set('resumptionToken', r.resumptionToken);
    } else {
      u.searchParams.set('metadataPrefix', r.metadataPrefix ?? 'arXiv');
      if (r.set) u.searchParams.set('set', r.set);
      if (r.from) u.searchParams.set('from', r.from);
      if (r.until) u.searchParams.set('until', r.until);
    }
    return u.toString();
  }

  async oaiListRecords(r: OaiRequest, what = 'OAI-PMH page'): Promise<OaiPage> {
    return this.getParsed(this.oaiUrl(r), what, parseOaiPage);
  }

  rssUrl(categories: string[]): string {
    for (const c of categories) if (!CATEGORY_RE.test(c)) throw new IngestError('bad_input', `not an arXiv category: ${JSON.stringify(c)}`);
    return `${this.urls.rss.replace(/\/+$/, '')}/${categories.join('+')}`;
  }

  async rss(categories: string[]): Promise<RssFeed> {
    return this.getParsed(this.rssUrl(categories), `arXiv RSS ${categories.join('+')}`, parseRssFeed);
  }
}
