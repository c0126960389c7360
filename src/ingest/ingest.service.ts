/**
 * Ingest use cases: harvest OAI-PMH (resumable), run an API query, read today's RSS, fetch one
 * paper. Each stores through upsertPapers (one row per arXiv id, latest version wins, history
 * kept), then hands the changed ids to the search index.
 *
 * Resumability: after every OAI-PMH page, the page's papers, its withdrawals and the
 * checkpoint (next resumptionToken, highest datestamp) are written in ONE transaction. A process
 * killed at any moment therefore resumes at the first page not committed; a page re-read after a
 * crash is idempotent. An expired token (badResumptionToken, tokens live about a day) restarts
 * the list with from= the highest datestamp completed — arXiv lists records in datestamp order,
 * and re-reading that day is harmless.
 */
import type { Kysely } from 'kysely';
import { sqliteHandleOf } from '../db/index.js';
import type { Database } from '../db/schema.js';
import type { PaperInput } from '../domain/paper.js';
import { upsertPapers } from '../papers/papers.repository.js';
import { markWithdrawn } from '../papers/papers.ingest-repository.js';
import type { ArxivClient, ApiQuery } from './arxiv-client.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoints.repository.js';
import { IngestError, type SkippedRecord } from './errors.js';
import { silentLog, type IngestLog } from './log.js';
import type { AnnounceType } from './rss.js';

export interface IngestDeps {
  db: Kysely<Database>;
  client: ArxivClient;
  log?: IngestLog;
  now?: () => Date;
  /** Called after each committed batch with ids whose searchable text changed and ids withdrawn. */
  onStored?: (changedIds: string[], withdrawnIds: string[]) => Promise<void> | void;
}

export interface StoreCounts {
  added: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  skipped: number;
}

export const emptyCounts = (): StoreCounts => ({ added: 0, updated: 0, unchanged: 0, withdrawn: 0, skipped: 0 });

function addCounts(a: StoreCounts, b: Partial<StoreCounts>): void {
  for (const k of Object.keys(a) as (keyof StoreCounts)[]) a[k] += b[k] ?? 0;
}

function logSkipped(log: IngestLog, where: string, skipped: SkippedRecord[]): void {
  for (const s of skipped) log.warn({ where, id: s.id, reason: s.reason }, `skipped record ${s.id ?? '(no id)'} in ${where}: ${s.reason}`);
}

/** Store one batch (and optionally a checkpoint) in one transaction, then notify the index. */
export async function storeBatch(
  deps: IngestDeps,
  papers: PaperInput[],
  deletedIds: string[] = [],
  checkpoint?: { source: string; state: unknown },
): Promise<StoreCounts> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const sqlite = sqliteHandleOf(deps.db); // the embedded store: prepared statements for the bulk upsert
  const { r, withdrawn } = await deps.db.transaction().execute(async (trx) => {
    const r = papers.length ? await upsertPapers(trx, papers, { now, sqlite }) : { added: 0, updated: 0, unchanged: 0, changedIds: [] as string[] };
    const withdrawn = deletedIds.length ? await markWithdrawn(trx, deletedIds, now) : [];
    if (checkpoint) await saveCheckpoint(trx, checkpoint.source, checkpoint.state, now);
    return { r, withdrawn };
  });
  if (deps.onStored && (r.changedIds.length || withdrawn.length)) await deps.onStored(r.changedIds, withdrawn);
  return { added: r.added, updated: r.updated, unchanged: r.unchanged, withdrawn: withdrawn.length, skipped: 0 };
}

// ---------------------------------------------------------------------------------------------
// OAI-PMH

export interface OaiCheckpoint {
  v: 1;
  set: string | null;
  prefix: 'arXiv' | 'arXivRaw';
  from: string | null;
  until: string | null;
  status: 'running' | 'done';
  /** Next page to fetch; null = start (or restart) the list with from=restartFrom ?? from. */
  token: string | null;
  restartFrom: string | null;
  pages: number;
  records: number;
  counts: StoreCounts;
  completeListSize: number | null;
  cursor: number | null;
  /** Highest datestamp among committed pages. */
  maxDatestamp: string | null;
  startedAt: string;
  /** After a finished harvest: from= for the next incremental one. */
  nextFrom: string | null;
}

export interface OaiHarvestOptions {
  set?: string | null;
  from?: string | null;
  until?: string | null;
  prefix?: 'arXiv' | 'arXivRaw';
  /** Ignore a running checkpoint and start over. */
  restart?: boolean;
  /** Stop after this many pages (the checkpoint stays 'running'; the next run continues). */
  maxPages?: number;
  onPage?: (p: OaiProgress) => void;
}

export interface OaiProgress {
  pages: number;
  records: number;
  counts: StoreCounts;
  completeListSize: number | null;
  cursor: number | null;
  resumed: boolean;
  done: boolean;
}

export interface OaiHarvestResult extends OaiProgress {
  source: string;
  from: string | null;
  tokenRestarts: number;
}

export const oaiSource = (set: string | null | undefined, prefix = 'arXiv') => `oai:${set || 'all'}:${prefix}`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function harvestOai(deps: IngestDeps, opts: OaiHarvestOptions = {}): Promise<OaiHarvestResult> {
  const log = deps.log ?? silentLog;
  const nowIso = () => (deps.now?.() ?? new Date()).toISOString();
  const prefix = opts.prefix ?? 'arXiv';
  const set = opts.set ?? null;
  for (const [k, v] of [['from', opts.from], ['until', opts.until]] as const) {
    if (v && !DATE.test(v)) throw new IngestError('bad_input', `--${k} must be YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  const source = oaiSource(set, prefix);
  const prev = await loadCheckpoint<OaiCheckpoint>(deps.db, source);
  let cp: OaiCheckpoint;
  let resumed = false;
  const sameRequest = prev && (opts.from === undefined || opts.from === prev.from) && (opts.until === undefined || opts.until === prev.until);
  if (prev && prev.v === 1 && prev.status === 'running' && !opts.restart && sameRequest) {
    cp = prev;
    resumed = true;
    log.info({ source, pages: cp.pages, records: cp.records, token: cp.token }, `resuming OAI-PMH harvest ${source} after page ${cp.pages} (${cp.records} records so far)`);
  } else {
    const from = opts.from !== undefined ? opts.from : (prev?.nextFrom ?? null);
    cp = {
      v: 1, set, prefix, from, until: opts.until ?? null, status: 'running', token: null, restartFrom: null,
      pages: 0, records: 0, counts: emptyCounts(), completeListSize: null, cursor: null, maxDatestamp: null,
      startedAt: nowIso(), nextFrom: null,
    };
    log.info({ source, from, until: cp.until }, `starting OAI-PMH harvest ${source}${from ? ` from ${from}` : ''}${cp.until ? ` until ${cp.until}` : ''}`);
  }
  const progress = (done: boolean): OaiProgress => ({
    pages: cp.pages, records: cp.records, counts: { ...cp.counts }, completeListSize: cp.completeListSize, cursor: cp.cursor, resumed, done,
  });

  let tokenRestarts = 0;
  let pagesThisRun = 0;
  for (;;) {
    if (opts.maxPages !== undefined && pagesThisRun >= opts.maxPages) break;
    const req = cp.token
      ? { resumptionToken: cp.token }
      : { set, from: cp.restartFrom ?? cp.from, until: cp.until, metadataPrefix: prefix };
    const what = `OAI-PMH ${source} page ${cp.pages + 1}`;
    let page;
    try {
      page = await deps.client.oaiListRecords(req, what);
    } catch (e) {
      if (e instanceof IngestError && e.code === 'bad_resumption_token' && cp.token) {
        tokenRestarts++;
        if (tokenRestarts > 3) throw new IngestError('bad_resumption_token', `${e.message}; gave up after ${tokenRestarts - 1} restarts`);
        const restartFrom = cp.maxDatestamp ? cp.maxDatestamp.slice(0, 10) : cp.from;
        log.warn({ source, token: cp.token, restartFrom }, `${what}: resumption token expired; restarting the list from ${restartFrom ?? 'the beginning'} (last completed datestamp)`);
        cp = { ...cp, token: null, restartFrom };
        await saveCheckpoint(deps.db, source, cp, nowIso());
        continue;
      }
      throw e;
    }
    logSkipped(log, what, page.skipped);
    const next: OaiCheckpoint = {
      ...cp,
      token: page.damaged ? cp.token : page.resumptionToken,
      pages: page.damaged ? cp.pages : cp.pages + 1,
      records: page.damaged ? cp.records : cp.records + page.records,
      completeListSize: page.completeListSize ?? cp.completeListSize,
      cursor: page.cursor ?? cp.cursor,
      maxDatestamp: !page.damaged && page.maxDatestamp && (!cp.maxDatestamp || page.maxDatestamp > cp.maxDatestamp) ? page.maxDatestamp : cp.maxDatestamp,
    };
    const finished = !page.damaged && !page.resumptionToken;
    if (finished) {
      next.status = 'done';
      next.nextFrom = next.maxDatestamp ? next.maxDatestamp.slice(0, 10) : cp.from;
      next.restartFrom = null;
    }
    const counts = await storeBatch(deps, page.papers, page.deleted, { source, state: next });
    counts.skipped = page.skipped.length;
    addCounts(next.counts, counts);
    if (!page.damaged) {
      // The counts are informative; persist them with the next page's transaction (or now, at the end).
      cp = next;
      pagesThisRun++;
    }
    if (page.damaged) {
      throw new IngestError('bad_xml', `${what}: ${page.damaged}. Kept ${page.papers.length} complete records; the resumption token was lost, so the next run re-reads this page.`);
    }
    opts.onPage?.(progress(finished));
    if (finished) {
      await saveCheckpoint(deps.db, source, cp, nowIso());
      log.info({ source, pages: cp.pages, records: cp.records, ...cp.counts }, `OAI-PMH harvest ${source} done: ${cp.pages} pages, ${cp.records} records (${cp.counts.added} added, ${cp.counts.updated} updated, ${cp.counts.withdrawn} withdrawn, ${cp.counts.skipped} skipped)`);
      break;
    }
  }
  return { ...progress(cp.status === 'done'), source, from: cp.from, tokenRestarts };
}

// ---------------------------------------------------------------------------------------------
// API, RSS, one paper

export interface ApiIngestOptions extends Omit<ApiQuery, 'start' | 'maxResults'> {
  limit?: number;
  pageSize?: number;
  onPage?: (p: { pages: number; fetched: number; totalResults: number | null; counts: StoreCounts }) => void;
}

export async function ingestApiQuery(deps: IngestDeps, opts: ApiIngestOptions): Promise<{ pages: number; fetched: number; totalResults: number | null; counts: StoreCounts }> {
  const log = deps.log ?? silentLog;
  const counts = emptyCounts();
  let pages = 0;
  let fetched = 0;
  let totalResults: number | null = null;
  for await (const page of deps.client.apiQueryAll(opts)) {
    pages++;
    fetched += page.entryCount;
    totalResults = page.totalResults;
    if (page.damaged) log.error({ page: pages }, `arXiv API page ${pages}: ${page.damaged}; kept ${page.papers.length} complete entries`);
    logSkipped(log, `arXiv API page ${pages}`, page.skipped);
    const c = await storeBatch(deps, page.papers);
    c.skipped = page.skipped.length;
    addCounts(counts, c);
    opts.onPage?.({ pages, fetched, totalResults, counts: { ...counts } });
  }
  return { pages, fetched, totalResults, counts };
}

export interface RssIngestResult {
  categories: string[];
  items: number;
  byType: Record<AnnounceType, number>;
  counts: StoreCounts;
  announcedAt: string | null;
}

/** Today's announcements for the categories, in ONE request (categories joined with '+'). */
export async function ingestRss(deps: IngestDeps, categories: string[]): Promise<RssIngestResult> {
  const log = deps.log ?? silentLog;
  const feed = await deps.client.rss(categories);
  const where = `RSS ${categories.join('+')}`;
  if (feed.damaged) log.error({ categories }, `${where}: ${feed.damaged}; kept ${feed.items.length} complete items`);
  logSkipped(log, where, feed.skipped);
  const byType: Record<AnnounceType, number> = { new: 0, cross: 0, replace: 0, 'replace-cross': 0 };
  for (const i of feed.items) byType[i.announceType]++;
  const counts = await storeBatch(deps, feed.items.map((i) => i.paper));
  counts.skipped = feed.skipped.length;
  if (feed.items.length === 0 && !feed.damaged) {
    log.info({ categories }, `${where}: no announcements today (normal on weekends and holidays)`);
  } else {
    log.info({ categories, ...byType, ...counts }, `${where}: ${feed.items.length} items (${byType.new} new, ${byType.cross} cross, ${byType.replace} replace, ${byType['replace-cross']} replace-cross); ${counts.added} added, ${counts.updated} updated`);
  }
  return { categories, items: feed.items.length, byType, counts, announcedAt: feed.announcedAt };
}

/** One paper by id or URL: fetched from the API and stored. */
export async function ingestOne(deps: IngestDeps, input: string): Promise<{ paper: PaperInput; counts: StoreCounts }> {
  const paper = await deps.client.getPaper(input);
  const counts = await storeBatch(deps, [paper]);
  return { paper, counts };
}
