/**
 * Search service — the interface the web layer, the CLI and jobs use.
 *
 *   const search = await createSearchService({ db, dataDir, embedder?, log? });
 *   await search.search('diffusion author:ho -survey', { filters, sort, page, limit, debug })
 *     → { hits: [{ id, title, score, lexicalRank, vectorRank, matchedTerms, snippet, titleHtml }],
 *         total, page, limit, error?, redirect?, degraded? }
 *       error:    a readable message for an invalid query (never thrown)
 *       redirect: an arXiv id when the query is an id or an arXiv / Hugging Face URL
 *       degraded: why the vector side was skipped (external embedder slow or down)
 *     snippet/titleHtml are HTML-escaped with <mark> around matched words.
 *   search.similar(id, k) → [{ id, score }]     vector neighbours ("similar papers")
 *   await search.upsert(docs) / await search.remove(ids)   incremental, no full rebuild
 *   await search.rebuild()                      full reindex from the store (papertide reindex)
 *   search.status()                             for `papertide doctor`
 *
 * The index is derived data: built from the store (iterateSearchDocs), persisted to
 * DATA_DIR/search, versioned by persist.ts. Ranking lives here in typed arrays, so it is the
 * same whichever store is primary.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { extractArxivId } from '../domain/arxiv-id.js';
import { parseSearchQuery, type QueryFilters } from '../domain/search-query.js';
import type { Database } from '../db/schema.js';
import type { Embedder } from './embedder.js';
import { createEmbedder, embedderId, embedderSettings, type EmbedderSettings } from './embedders/from-config.js';
import { buildEngine, SearchEngine, type SearchMode, type SortOrder } from './engine.js';
import type { SearchDoc } from './lexical-index.js';
import { appendDelta, appendRemoved, DeltaTooLargeError, IndexMismatchError, IndexMissingError, loadEngine, readManifest, saveEngine } from './persist.js';
import { escapeHtml, highlight, snippet } from './snippet.js';

export interface SearchOptions {
  filters?: Partial<QueryFilters>;
  sort?: SortOrder;
  page?: number; // 1-based
  limit?: number;
  debug?: boolean;
  mode?: SearchMode;
  /** Search-box suggestions for `query` as typed (`suggestions`, no hits). */
  suggest?: boolean;
}

export interface SearchHit {
  id: string;
  title: string;
  titleHtml: string;
  snippet: string;
  score: number;
  lexicalScore: number;
  vectorScore: number | null;
  lexicalRank: number | null;
  vectorRank: number | null;
  matchedTerms: string[];
  publishedAt: string | null;
  authors: string[];
  categories: string[];
  codeUrl: string | null;
  upvotes: number;
  /** Authors the query asked for (author: filters, plain words equal to a name), to show even past "et al.". */
  matchedAuthors: string[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Every paper that matches (engine.ts: SearchEngine.search), whatever the page or the sort. */
  total: number;
  /** False when `total` is an estimate (show it as "about …"). */
  totalExact: boolean;
  suggestions?: string[];
  page: number;
  limit: number;
  error?: string;
  redirect?: string;
  degraded?: string;
  tookMs: number;
}

export interface SearchStatus {
  ok: boolean;
  detail: string;
  docs: number;
  pending: number;
  embedder: string | null;
  builtAt: string | null;
}

export interface SearchServiceDeps {
  db: Kysely<Database>;
  dataDir: string;
  /** An external embedder (OpenAI-compatible, transformers); the built-in one when absent. */
  embedder?: Embedder | null;
  /**
   * How that embedder was made (from-config.ts): a background build (worker thread) makes the
   * same one from these. Without them an external embedder's index is built in-process only.
   */
  embedderSettings?: EmbedderSettings;
  /** The configured embedder could not be made: search answers with this message instead. */
  unavailable?: string;
  /**
   * No index yet (or a large backlog of changes since the last build): build synchronously,
   * before the service is returned, when the store has at most this many papers (default
   * 5,000: the 62 demo papers build in well under a second); above it, build in the background
   * (see `background`) and answer with a "being built" note until ready.
   */
  autoBuildMax?: number;
  /**
   * Background builds: run in a worker thread that opens its own connection to this database
   * (so the server's event loop stays free), writes the index to DATA_DIR/search, and the
   * service then loads it. Without it (or for an in-memory database) large stores are not
   * built automatically: `papertide reindex`.
   */
  background?: { databaseUrl: string } | null;
  /** Do not load a persisted index (the build worker builds from scratch). */
  skipLoad?: boolean;
  /** Time-out for an external embedder at query time. */
  queryEmbedTimeoutMs?: number;
  log?: (msg: string) => void;
  /** Where documents come from (default: the papers repository). */
  docSource?: (db: Kysely<Database>) => AsyncIterable<SearchDoc[]>;
}

export interface SearchService {
  search(query: string, opts?: SearchOptions): Promise<SearchResult>;
  similar(id: string, k?: number): { id: string; score: number }[];
  upsert(docs: SearchDoc[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** Re-read these papers from the store and update the index (the onPapersChanged hook). */
  refresh(ids: string[]): Promise<void>;
  /** Finish deferred index work (call before `similar` when you can await). */
  settle(): Promise<void>;
  rebuild(): Promise<{ docs: number; seconds: number }>;
  status(): SearchStatus;
  /** False while there is no usable index (being built, missing or refused). */
  readonly ready: boolean;
  /** Resolves when a background build (or a restore of recent papers' vectors) started by the service has finished (or at once). */
  idle(): Promise<void>;
  /** Stop a background build (on shutdown). */
  close(): Promise<void>;
  readonly engine: SearchEngine | null;
}

async function defaultSource(db: Kysely<Database>): Promise<AsyncIterable<SearchDoc[]>> {
  const repo = await import('../papers/papers.repository.js');
  return repo.iterateSearchDocs(db, 5000) as AsyncIterable<SearchDoc[]>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export async function createSearchService(deps: SearchServiceDeps): Promise<SearchService> {
  const dir = join(deps.dataDir, 'search');
  const log = deps.log ?? (() => {});
  const external = deps.embedder ?? null;
  const expected = external ? { id: external.id, dim: external.dim } : ('builtin' as const);
  const timeoutMs = deps.queryEmbedTimeoutMs ?? 1500;
  let engine: SearchEngine | null = null;
  let problem: string | null = null;

  const source = async () => (deps.docSource ? deps.docSource(deps.db) : await defaultSource(deps.db));

  /** What an external embedder is given for a paper. */
  const docText = (d: Pick<SearchDoc, 'title' | 'abstract'>) => `${d.title}\n${d.abstract}`;
  async function embedDocs(docs: SearchDoc[]): Promise<Float32Array[] | undefined> {
    if (!external) return undefined;
    return external.embedDocuments(docs.map(docText));
  }

  /** Why the index has no vectors although an external embedder is configured (it failed at build). */
  let vectorNote: string | null = null;

  /**
   * Full build from the store. With an external embedder every document is embedded in
   * batches; if the embedder fails, `papertide reindex` (lexicalFallback false) stops with its
   * message, while an automatic build (lexicalFallback true) serves a lexical-only index from
   * memory (not saved, so the next start tries again) and says why.
   */
  async function rebuild(opts: { lexicalFallback?: boolean } = {}): Promise<{ docs: number; seconds: number }> {
    const t0 = Date.now();
    const src = await source();
    const e = await buildEngine(src, { embedder: external ? 'none' : 'builtin', log });
    if (external) {
      e.externalDim = external.dim;
      const { VectorIndex } = await import('./vector-index.js');
      const all: Float32Array[] = [];
      const ids = e.main.lex.ids;
      const byId = new Map<string, SearchDoc>();
      for await (const batch of await source()) for (const d of batch) byId.set(d.id, d);
      // (a paper deleted between the two reads keeps a row: its id stands in for the text)
      const texts = ids.map((id) => {
        const d = byId.get(id);
        return d ? docText(d) : id;
      });
      try {
        for (let i = 0; i < texts.length; i += 64) all.push(...(await external.embedDocuments(texts.slice(i, i + 64))));
      } catch (err) {
        if (!opts.lexicalFallback) throw err;
        vectorNote = `vector search is off until \`papertide reindex\` succeeds: the embedder failed while the index was built (${err instanceof Error ? err.message : String(err)})`;
        log(vectorNote);
        engine = e;
        problem = null;
        return { docs: e.size, seconds: (Date.now() - t0) / 1000 };
      }
      e.main.vec = all.length ? VectorIndex.fromVectors(all, all.length, external.dim) : null;
    }
    saveEngine(e, dir, external ? { id: external.id, dim: external.dim } : undefined);
    engine = e;
    problem = null;
    vectorNote = null;
    return { docs: e.size, seconds: (Date.now() - t0) / 1000 };
  }

  // ---- background builds (worker thread) -------------------------------------------------
  let building: Promise<void> | null = null;
  let buildNote: string | null = null;
  let worker: import('node:worker_threads').Worker | null = null;
  /** Ids changed while a background build ran: re-applied once the new index is loaded. */
  let changedDuringBuild: Set<string> | null = null;

  async function fetchDocs(ids: string[]): Promise<SearchDoc[]> {
    const { iterateSearchDocs } = await import('../papers/papers.repository.js');
    const found: SearchDoc[] = [];
    for await (const batch of iterateSearchDocs(deps.db, 500, ids)) found.push(...(batch as SearchDoc[]));
    return found;
  }

  /** Bring the index up to date for these ids (upsert what the store has, remove the rest). */
  async function refresh(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    if (changedDuringBuild) for (const id of ids) changedDuringBuild.add(id);
    if (!engine) return;
    const found = await fetchDocs(ids);
    const present = new Set(found.map((d) => d.id));
    await upsert(found);
    await remove(ids.filter((id) => !present.has(id)));
    // A small index built before it had papers (fresh store, then the demo or a first import)
    // has no embedder yet: rebuild it fully while that is cheap, so it gets vectors — once the
    // changes settle (2 s without a change, or at the next query), not after every batch of a
    // large import (which stays lexical-only until its background build or reindex).
    if (!external && !engine.embedder && engine.pendingCount > 0 && engine.size <= syncMax) {
      smallRebuildDue = true;
      if (settleTimer) clearTimeout(settleTimer);
      settleTimer = setTimeout(() => void settle().catch((e) => log(`search index rebuild failed: ${e instanceof Error ? e.message : String(e)}`)), 2000);
      settleTimer.unref?.();
    }
  }

  let smallRebuildDue = false;
  let settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Finish deferred work (the small-store rebuild above) before answering. */
  async function settle(): Promise<void> {
    if (!smallRebuildDue) return;
    smallRebuildDue = false;
    if (settleTimer) clearTimeout(settleTimer);
    settleTimer = null;
    if (engine && !engine.embedder && engine.size <= syncMax) await rebuild();
  }

  function startBackgroundBuild(papers: number, why: string): void {
    if (building || !deps.background || (external && !deps.embedderSettings) || /:memory:|mode=memory/.test(deps.background.databaseUrl)) return;
    buildNote = `The search index is being built (${papers} papers, ${why}); results will appear when it is ready.`;
    log(buildNote);
    changedDuringBuild = new Set();
    const t0 = Date.now();
    building = (async () => {
      const { Worker } = await import('node:worker_threads');
      const w = (worker = new Worker(new URL('./build-worker.mjs', import.meta.url), { workerData: { databaseUrl: deps.background!.databaseUrl, dataDir: deps.dataDir, embedder: deps.embedderSettings ?? null } }));
      const ok = await new Promise<boolean>((resolve) => {
        w.on('message', (m: { log?: string; done?: unknown; error?: string }) => {
          if (m.log) log(`search index build: ${m.log}`);
          if (m.error) log(`search index build failed: ${m.error}`);
        });
        w.on('error', (e) => {
          log(`search index build failed: ${e.message}`);
          resolve(false);
        });
        w.on('exit', (code) => resolve(code === 0));
      });
      worker = null;
      if (!ok) {
        problem = 'The search index build failed (see the log); run `papertide reindex`.';
        return;
      }
      engine = loadEngine(dir, expected);
      problem = null;
      const again = [...(changedDuringBuild ?? [])];
      changedDuringBuild = null;
      await refresh(again);
      log(`search index ready: ${engine.size} papers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    })()
      .catch((e) => {
        problem = `The search index build failed: ${e instanceof Error ? e.message : String(e)}`;
        log(problem);
      })
      .finally(() => {
        building = null;
        buildNote = null;
        changedDuringBuild = null;
      });
  }

  async function countPapers(): Promise<number> {
    const n = await deps.db
      .selectFrom('papers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst()
      .catch(() => ({ n: 0 }));
    return Number(n?.n ?? 0);
  }

  /**
   * Papers added since the last build are replayed from delta.jsonl as text only; with an
   * external embedder they get their vectors again here, in the background, from the store's
   * current version (the built-in embedder embeds them itself while replaying).
   */
  let restoring: Promise<void> | null = null;
  function restorePendingVectors(): void {
    const ids = external && engine ? engine.pendingWithoutVectors() : [];
    if (ids.length === 0) return;
    restoring = (async () => {
      for (let i = 0; i < ids.length; i += 500) await refresh(ids.slice(i, i + 500));
    })()
      .catch((e) => log(`search index: could not restore vectors of ${ids.length} recent papers: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (restoring = null));
  }

  const syncMax = deps.autoBuildMax ?? 5000;
  if (deps.unavailable) problem = deps.unavailable;
  else if (!deps.skipLoad) {
    try {
      engine = loadEngine(dir, expected, { maxDelta: syncMax });
      restorePendingVectors();
    } catch (err) {
      if (err instanceof IndexMissingError) {
        const n = await countPapers();
        if (n <= syncMax) await rebuild({ lexicalFallback: true });
        else {
          problem = err.message;
          startBackgroundBuild(n, 'no index yet');
        }
      } else if (err instanceof DeltaTooLargeError) {
        // Many papers changed since the build (e.g. a big `papertide import`): serve the last
        // build without them while a fresh one is made, rather than replaying them at start.
        engine = err.engine;
        startBackgroundBuild(await countPapers(), `${err.pending} papers changed since the last build`);
        if (!building) {
          engine.upsert(err.docs); // no background build possible: replay them now
          restorePendingVectors();
        }
      } else if (err instanceof IndexMismatchError) {
        problem = err.message;
      } else throw err;
    }
  }

  async function search(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const t0 = performance.now();
    const limit = Math.min(Math.max(1, opts.limit ?? 10), 120);
    const page = Math.max(1, Math.floor(opts.page ?? 1));
    const base = { hits: [], total: 0, totalExact: true, page, limit };
    if (opts.suggest) {
      if (smallRebuildDue) await settle();
      if (!engine) return { ...base, suggestions: [], tookMs: performance.now() - t0 };
      const cands = engine.suggestCandidates(query ?? '');
      const { getPapers } = await import('../papers/papers.repository.js');
      const papers = await getPapers(deps.db, [...new Set([...cands.titles, ...cands.authors])]);
      const pick = (ids: string[]) => ids.map((id) => papers.get(id)).filter((p) => !!p);
      const { suggestions } = await import('./suggest.js');
      return { ...base, suggestions: suggestions(query ?? '', pick(cands.titles), pick(cands.authors)), tookMs: performance.now() - t0 };
    }
    const q = (query ?? '').trim();
    const asId = q && !/\s/.test(q) ? extractArxivId(q) : null;
    if (asId) return { ...base, redirect: asId.id, tookMs: performance.now() - t0 };
    const parsed = parseSearchQuery(q);
    if (!parsed.ok) return { ...base, error: parsed.error, tookMs: performance.now() - t0 };
    if (smallRebuildDue) await settle();
    if (!engine) return { ...base, error: buildNote ?? problem ?? 'Search is not available yet.', tookMs: performance.now() - t0 };
    const f = parsed.query.filters;
    const extra = opts.filters ?? {};
    const filters: QueryFilters = {
      authors: [...f.authors, ...(extra.authors ?? [])],
      categories: [...f.categories, ...(extra.categories ?? [])],
      from: [f.from, extra.from ?? null].filter((x): x is string => !!x).sort().pop() ?? null,
      to: [f.to, extra.to ?? null].filter((x): x is string => !!x).sort()[0] ?? null,
      hasCode: f.hasCode || !!extra.hasCode,
    };
    let mode: SearchMode = opts.mode ?? 'hybrid';
    let queryVector: Float32Array | null = null;
    let degraded: string | undefined;
    if (external && mode !== 'lexical' && parsed.query.text.trim()) {
      try {
        queryVector = await withTimeout(external.embedQuery(parsed.query.text), timeoutMs, `embedder ${external.id}`);
      } catch (e) {
        degraded = `vector search skipped: ${e instanceof Error ? e.message : String(e)}`;
        mode = 'lexical';
        log(degraded);
      }
    }
    const r = engine.search({ ...parsed.query, filters }, { mode, sort: opts.sort ?? 'relevance', offset: (page - 1) * limit, limit, queryVector });
    const { getPapers } = await import('../papers/papers.repository.js');
    const { matchedAuthors } = await import('./snippet.js');
    const papers = await getPapers(deps.db, r.hits.map((h) => h.id));
    const hits: SearchHit[] = [];
    for (const h of r.hits) {
      const p = papers.get(h.id);
      if (!p) continue; // removed from the store since indexing
      hits.push({
        id: h.id,
        title: p.title,
        titleHtml: highlight(p.title, h.matchedTerms),
        snippet: snippet(p.abstract, h.matchedTerms),
        score: h.score,
        lexicalScore: h.lexical,
        vectorScore: Number.isFinite(h.vector) ? h.vector : null,
        lexicalRank: h.lexicalRank,
        vectorRank: h.vectorRank,
        matchedTerms: h.matchedTerms,
        publishedAt: p.publishedAt,
        authors: p.authors,
        categories: p.categories,
        codeUrl: p.codeUrl,
        upvotes: p.upvotes,
        matchedAuthors: matchedAuthors(p.authors, filters.authors, parsed.query.text),
      });
    }
    if (!degraded && vectorNote && mode !== 'lexical') degraded = vectorNote;
    if (!degraded && buildNote) degraded = buildNote;
    return { hits, total: r.total, totalExact: r.totalExact, page, limit, degraded, tookMs: performance.now() - t0 };
  }

  async function upsert(docs: SearchDoc[]): Promise<void> {
    if (!engine || docs.length === 0) return;
    let vectors: Float32Array[] | undefined;
    try {
      vectors = await embedDocs(docs);
    } catch (e) {
      // The papers must still be findable: lexical only until the next reindex.
      log(`search index: ${docs.length} papers added without vectors (${e instanceof Error ? e.message : String(e)}); \`papertide reindex\` adds them`);
    }
    engine.upsert(docs, vectors);
    appendDelta(dir, docs);
  }
  async function remove(ids: string[]): Promise<void> {
    if (!engine || ids.length === 0) return;
    engine.remove(ids);
    appendRemoved(dir, ids);
  }

  return {
    get engine() {
      return engine;
    },
    search,
    similar(id, k = 6) {
      return engine ? engine.similar(id, k) : [];
    },
    upsert,
    remove,
    refresh,
    settle,
    get ready() {
      return engine !== null;
    },
    async idle() {
      while (building || restoring) await (building ?? restoring);
    },
    async close() {
      if (settleTimer) clearTimeout(settleTimer);
      const w = worker;
      if (w) await w.terminate();
      await building?.catch(() => {});
    },
    rebuild,
    status() {
      const m = readManifest(dir);
      if (!engine) return { ok: false, detail: buildNote ?? problem ?? 'no index', docs: 0, pending: 0, embedder: m?.embedder?.id ?? null, builtAt: m?.builtAt ?? null };
      const pending = engine.pendingCount;
      const noVec =
        (pending > 0 && !engine.pendingHaveVectors && (external || engine.main.vec || engine.embedder) ? '; some of them have no vector until the next reindex' : '') + (vectorNote ? `; ${vectorNote}` : '');
      return {
        ok: true,
        detail: `${engine.size} papers indexed (${pending} since the last reindex${noVec}), embedder ${m?.embedder?.id ?? 'none'}, built ${m?.builtAt ?? 'in memory'}${buildNote ? `; ${buildNote}` : ''}`,
        docs: engine.size,
        pending,
        embedder: m?.embedder?.id ?? null,
        builtAt: m?.builtAt ?? null,
      };
    },
  };
}

export { escapeHtml };

/**
 * One search service per application context, created by createApp (src/app.ts) and kept in
 * sync with the store through ctx.onPapersChanged (new and edited papers go to the delta
 * segment). Registers the `papertide doctor` health check and stops a background build on close.
 */
const services = new WeakMap<object, Promise<SearchService>>();
export function getSearchService(ctx: {
  store: { db: Kysely<Database> };
  config: { dataDir: string; databaseUrl?: string } & Parameters<typeof embedderSettings>[0];
  onPapersChanged: ((ids: string[]) => Promise<void> | void)[];
  healthChecks?: { name: string; check: () => Promise<{ ok: boolean; detail: string }> }[];
  disposers?: (() => Promise<void> | void)[];
  logger?: { info(obj: object, msg?: string): void };
}): Promise<SearchService> {
  let p = services.get(ctx);
  if (!p) {
    const log = ctx.logger ? (m: string) => ctx.logger!.info({}, m) : undefined;
    p = configuredEmbedder(ctx.config)
      .then(({ embedder, settings, failure }) => {
        const unavailable = failure && `Search is unavailable: ${failure}`;
        if (unavailable) log?.(unavailable);
        return createSearchService({
          db: ctx.store.db,
          dataDir: ctx.config.dataDir,
          background: ctx.config.databaseUrl ? { databaseUrl: ctx.config.databaseUrl } : null,
          embedder,
          embedderSettings: settings,
          unavailable,
          queryEmbedTimeoutMs: settings.timeoutMs,
          log,
        });
      })
      .then((svc) => {
        ctx.onPapersChanged.push((ids) => svc.refresh(ids));
        ctx.healthChecks?.push({ name: 'search index', check: async () => svc.status() });
        ctx.disposers?.push(() => svc.close());
        return svc;
      });
    services.set(ctx, p);
  }
  return p;
}

/**
 * The configured embedder for a server or CLI command (from-config.ts). The dimension an
 * existing index recorded for the same embedder is reused, so an endpoint that is down at
 * start-up does not stop the server. `failure` says why the embedder could not be made at all
 * (no dimension known, package missing): the server then keeps the site up and /search says so.
 */
export async function configuredEmbedder(
  config: { dataDir: string } & Parameters<typeof embedderSettings>[0],
): Promise<{ embedder: Embedder | null; settings: EmbedderSettings; failure?: string }> {
  const settings = embedderSettings(config);
  const m = readManifest(join(config.dataDir, 'search'));
  const knownDim = m?.embedder && m.embedder.id === embedderId(settings) ? m.embedder.dim : undefined;
  try {
    return { embedder: await createEmbedder(settings, knownDim), settings };
  } catch (e) {
    return { embedder: null, settings, failure: e instanceof Error ? e.message : String(e) };
  }
}
