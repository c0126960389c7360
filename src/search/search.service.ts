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
 *   await search.catchUp()                      apply the store's change log (any process's writes)
 *   await search.upsert(docs) / await search.remove(ids)   incremental, in memory
 *   await search.rebuild()                      full reindex from the store (papertide reindex)
 *   search.status()                             for `papertide doctor`
 *
 * The index is derived data: built from the store (iterateSearchDocs), persisted to
 * DATA_DIR/search as an immutable snapshot that records the last change-log entry it contains
 * (persist.ts), and kept current by re-reading the papers the store's change log names after
 * that position (src/changes/), whichever process wrote them. Ranking lives here in typed
 * arrays, so it is the same whichever store is primary.
 */
import { explainStyle, queryStyle } from './query-style.js';
import { join } from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { acquireLease, leaseHolder, releaseLease, renewLease } from '../db/leases.js';
import type { Kysely } from 'kysely';
import { extractArxivId } from '../domain/arxiv-id.js';
import { parseSearchQuery, type QueryFilters } from '../domain/search-query.js';
import type { Database } from '../db/schema.js';
import type { Embedder } from './embedder.js';
import { createEmbedder, embedderId, embedderSettings, type EmbedderSettings } from './embedders/from-config.js';
import { buildEngine, SearchEngine, type SearchMode, type SortOrder } from './engine.js';
import type { SearchDoc } from './lexical-index.js';
import { checkManifest, openIndex, readManifest, removeStaleFiles, saveEngine } from './persist.js';
import { latestChange, oldestChange, papersChangedAfter } from '../changes/changes.repository.js';
import { countPapers, getPapers, iterateSearchDocs } from '../papers/papers.repository.js';
import { planStart, servingEngine, type IndexState, type SearchLog } from './index-state.js';
import type { Logger } from '../logger.js';
import { IndexFollower } from './follow.js';
import { runBuildWorker, type BuildRun } from './build-runner.js';
import type { HealthCheck } from '../health.js';
import type { EventBus } from '../events.js';
import type { Config } from '../config.js';
import type { Store } from '../db/index.js';
import { highlight, matchedAuthors, snippet } from './snippet.js';
import { suggestions } from './suggest.js';

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
  /** How the ranking was decided for this query (query-style.ts), for `?debug=1`. */
  ranking?: string;
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
  /** Do not load a persisted index nor follow the store (a build worker, `papertide reindex`). */
  skipLoad?: boolean;
  /** Time-out for an external embedder at query time. */
  queryEmbedTimeoutMs?: number;
  /** Progress at 'info'; degraded service at 'warn'; a failed build at 'error'. */
  log?: SearchLog;
  /**
   * Several processes on one data directory (`serve --workers N`) build the index once: the one
   * that takes this lock builds and saves, the others wait for its snapshot and load it. Held
   * until the build ends; a holder that dies loses it (a lease in the store).
   */
  buildLock?: BuildLock;
  /** Where documents come from (default: the papers repository). */
  docSource?: (db: Kysely<Database>) => AsyncIterable<SearchDoc[]>;
}

export type { SearchLog } from './index-state.js';
export interface BuildLock {
  /** True when this process may build now. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface SearchService {
  search(query: string, opts?: SearchOptions): Promise<SearchResult>;
  similar(id: string, k?: number): { id: string; score: number }[];
  upsert(docs: SearchDoc[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** Re-read these papers from the store and update the index. */
  refresh(ids: string[]): Promise<void>;
  /** Apply the store's change log after the index's position (every change event calls it). */
  catchUp(): Promise<void>;
  /** The last change-log entry the index contains (null while it does not follow the store). */
  readonly position: number | null;
  /** Where the index stands (index-state.ts). */
  readonly state: IndexState;
  /** Finish deferred index work (call before `similar` when you can await). */
  settle(): Promise<void>;
  rebuild(): Promise<{ docs: number; seconds: number }>;
  status(): SearchStatus;
  /** False while there is no usable index (being built, missing or refused). */
  readonly ready: boolean;
  /** Resolves when a background build or a catch-up started by the service has finished (or at once). */
  idle(): Promise<void>;
  /** Stop a background build (on shutdown). */
  close(): Promise<void>;
  readonly engine: SearchEngine | null;
  /** The search thread answering queries (query-thread.ts), when there is one. */
  readonly thread?: { readonly ready: boolean; readonly answered: number; stop(): Promise<void> };
}

async function defaultSource(db: Kysely<Database>): Promise<AsyncIterable<SearchDoc[]>> {
  return iterateSearchDocs(db, 5000) as AsyncIterable<SearchDoc[]>;
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
  const syncMax = deps.autoBuildMax ?? 5000;

  // ---- the state (index-state.ts), and what queries read of it --------------------------------
  let state: IndexState = { kind: 'absent', message: 'Search is not available yet.' };
  /** Projections of `state` for the query path: set only by setState. */
  let engine: SearchEngine | null = null;
  let problem: string | null = null;
  let buildNote: string | null = null;
  function setState(s: IndexState): void {
    const before = engine;
    state = s;
    engine = servingEngine(s);
    // The ranker's RM3 forward index is built once per engine; doing it here, as the engine starts
    // to serve, spares the first searcher the wait (1–3 s at 74k papers on this machine).
    if (engine && engine !== before) engine.prepareRanker();
    problem = s.kind === 'unavailable' || s.kind === 'refused' || s.kind === 'absent' ? s.message : null;
    buildNote = s.kind === 'building' ? s.note : null;
  }

  /** Why the index has no vectors although an external embedder is configured (it failed at build). */
  let vectorNote: string | null = null;

  // ---- following the store (follow.ts): only a ready index follows ----------------------------
  const follows = !deps.skipLoad;
  const follower = new IndexFollower(deps.db, (ids) => refresh(ids), log);

  /** Serve `e`, which holds the store up to change `seq`, and catch up on what came after. */
  function becomeReady(e: SearchEngine, seq: number): void {
    setState({ kind: 'ready', engine: e });
    if (!follows) return;
    follower.startAt(seq);
    void follower.catchUp();
  }

  const source = async () => (deps.docSource ? deps.docSource(deps.db) : await defaultSource(deps.db));

  /** What an external embedder is given for a paper. */
  const docText = (d: Pick<SearchDoc, 'title' | 'abstract'>) => `${d.title}\n${d.abstract}`;
  async function embedDocs(docs: SearchDoc[]): Promise<Float32Array[] | undefined> {
    if (!external) return undefined;
    return external.embedDocuments(docs.map(docText));
  }

  /** The newest change in the store's log (0 without one: a store opened without migrations). */
  const latest = () => latestChange(deps.db).catch(() => 0);

  /**
   * Full build from the store. With an external embedder every document is embedded in
   * batches; if the embedder fails, `papertide reindex` (lexicalFallback false) stops with its
   * message, while an automatic build (lexicalFallback true) serves a lexical-only index from
   * memory (not saved, so the next start tries again) and says why. The snapshot records the
   * change-log position read before the first paper: whatever changes during the build is
   * applied after it.
   */
  async function rebuild(opts: { lexicalFallback?: boolean } = {}): Promise<{ docs: number; seconds: number }> {
    const t0 = Date.now();
    const seq = await latest();
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
        log(vectorNote, 'warn');
        becomeReady(e, seq);
        return { docs: e.size, seconds: (Date.now() - t0) / 1000 };
      }
      e.main.vec = all.length ? VectorIndex.fromVectors(all, all.length, external.dim) : null;
    }
    // An empty store gives the built-in embedder nothing to learn from: such an index is kept
    // in memory only (rebuilt with vectors once papers arrive), never saved without an embedder.
    if (e.size > 0 || external) saveEngine(e, dir, external ? { id: external.id, dim: external.dim } : undefined, seq);
    vectorNote = null;
    becomeReady(e, seq);
    return { docs: e.size, seconds: (Date.now() - t0) / 1000 };
  }

  async function fetchDocs(ids: string[]): Promise<SearchDoc[]> {
    const found: SearchDoc[] = [];
    for await (const batch of iterateSearchDocs(deps.db, 500, ids)) found.push(...(batch as SearchDoc[]));
    return found;
  }

  /** Bring the index up to date for these ids (upsert what the store has, remove the rest). */
  async function refresh(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
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
      settleTimer = setTimeout(() => void settle().catch((e) => log(`search index rebuild failed: ${e instanceof Error ? e.message : String(e)}`, 'error')), 2000);
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

  // ---- background builds (build-runner.ts) ---------------------------------------------------
  let building: Promise<void> | null = null;
  let run: BuildRun | null = null;

  function canBuildInBackground(): boolean {
    return !!deps.background && !(external && !deps.embedderSettings) && !/:memory:|mode=memory/.test(deps.background.databaseUrl);
  }

  /** Build in a worker; `serving` (an older snapshot, not following the store) answers meanwhile. */
  function startBackgroundBuild(papers: number, why: string, serving: SearchEngine | null): void {
    if (building || !canBuildInBackground()) return;
    const note = `The search index is being built (${papers} papers, ${why}); results will appear when it is ready.`;
    log(note);
    follower.startAt(null);
    setState({ kind: 'building', note, serving });
    const t0 = Date.now();
    building = (async () => {
      run = runBuildWorker({ databaseUrl: deps.background!.databaseUrl, dataDir: deps.dataDir, embedder: deps.embedderSettings ?? null, log });
      const ok = await run.done;
      run = null;
      if (!ok) {
        setState(serving ? { kind: 'ready', engine: serving } : { kind: 'absent', message: 'The search index build failed (see the log); run `papertide reindex`.' });
        return;
      }
      const r = openIndex(dir, expected);
      if (r.kind !== 'loaded') throw new Error(r.message);
      becomeReady(r.engine, r.manifest.seq ?? 0);
      await follower.busy;
      log(`search index ready: ${r.engine.size} papers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    })()
      .catch((e) => {
        const message = `The search index build failed: ${e instanceof Error ? e.message : String(e)}`;
        log(message, 'error');
        setState(serving ? { kind: 'ready', engine: serving } : { kind: 'absent', message });
      })
      .finally(() => {
        building = null;
      });
  }

  const papersInStore = () => countPapers(deps.db).catch(() => 0);

  /** Run a build that holds the build lock (already taken), and give the lock back after it. */
  async function lockedBuild<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      await deps.buildLock?.release();
    }
  }

  /**
   * Another process on this data directory builds the index: serve `serving` (or nothing)
   * meanwhile, poll for the snapshot it saves (a manifest newer than `seen`) and load it; the
   * follower then catches up on what changed since. If the builder dies without saving, its
   * lease runs out and this process takes the lock and builds.
   */
  async function loadOthersBuild(seen: string | null, serving: SearchEngine | null): Promise<void> {
    const note = 'The search index is being built by another server process; results will appear when it is ready.';
    log(note);
    follower.startAt(null);
    setState({ kind: 'building', note, serving });
    {
      while (!closed) {
        await new Promise((r) => setTimeout(r, 250).unref?.());
        const m = readManifest(dir);
        if (m && (m.generation ?? 'legacy') !== (seen ?? '')) {
          const r = openIndex(dir, expected);
          if (r.kind === 'loaded') {
            becomeReady(r.engine, r.manifest.seq ?? 0);
            await follower.busy;
            log(`search index loaded from another process's build: ${r.engine.size} papers`);
            return;
          }
          seen = m.generation ?? 'legacy';
        }
        if (await deps.buildLock!.acquire()) {
          const papers = await papersInStore();
          if (papers <= syncMax || !canBuildInBackground()) await lockedBuild(() => rebuild({ lexicalFallback: true }));
          else {
            startBackgroundBuild(papers, 'the process that was building it stopped', serving);
            const started = building as Promise<void> | null; // (set by startBackgroundBuild)
            if (started) void started.finally(() => deps.buildLock?.release());
            else await deps.buildLock!.release();
          }
          return;
        }
      }
    }
  }
  let closed = false;

  // ---- start-up: reuse the snapshot on disk, catch up, or build (planStart) -------------------
  if (deps.unavailable) setState({ kind: 'unavailable', message: deps.unavailable });
  else if (!deps.skipLoad) {
    // Nothing of this process is building yet: what a killed build left can go.
    removeStaleFiles(dir, { ownToo: true });
    const opened = openIndex(dir, expected);
    const snapshotSeq = opened.kind === 'loaded' ? (opened.manifest.seq ?? 0) : 0;
    const plan = planStart({
      found: opened.kind,
      snapshotSeq,
      oldestSeq: await oldestChange(deps.db).catch(() => null),
      latestSeq: await latest(),
      changedPapers: opened.kind === 'loaded' ? await papersChangedAfter(deps.db, snapshotSeq).catch(() => 0) : 0,
      papers: await papersInStore(),
      syncMax,
      canBuildInBackground: canBuildInBackground(),
    });
    const snapshot = opened.kind === 'loaded' ? opened.engine : null;
    if (opened.kind !== 'loaded') setState({ kind: opened.kind === 'mismatch' ? 'refused' : 'absent', message: opened.message });
    const builds = plan.action === 'build-now' || plan.action === 'build-in-background';
    // An empty store's index is never saved, so there would be nothing to wait for: build it.
    const waitsForOther = builds && deps.buildLock && (await papersInStore()) > 0 && !(await deps.buildLock.acquire());
    if (waitsForOther) {
      const waiting = loadOthersBuild(readManifest(dir)?.generation ?? null, plan.action === 'build-in-background' && plan.serveSnapshot ? snapshot : null);
      if (plan.action === 'build-now') await waiting;
    } else if (plan.action === 'build-now') await lockedBuild(() => rebuild({ lexicalFallback: true }));
    else if (plan.action === 'build-in-background') {
      startBackgroundBuild(await papersInStore(), plan.why, plan.serveSnapshot ? snapshot : null);
      const started = building as Promise<void> | null; // (set by startBackgroundBuild)
      if (started) void started.finally(() => deps.buildLock?.release());
      else await deps.buildLock?.release();
    } else if (plan.action === 'catch-up' && snapshot) {
      becomeReady(snapshot, plan.from);
      // The built-in embedder's catch-up is quick: be current before the first query. An
      // external one embeds the changed papers meanwhile (idle() waits for it).
      if (!external) await follower.busy;
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
      const papers = await getPapers(deps.db, [...new Set([...cands.titles, ...cands.authors])]);
      const pick = (ids: string[]) => ids.map((id) => papers.get(id)).filter((p) => !!p);
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
    // Keyword queries are ranked by BM25F alone (query-style.ts): no need to ask the endpoint.
    if (external && mode !== 'lexical' && parsed.query.text.trim() && !(mode === 'hybrid' && queryStyle(parsed.query.text) === 'keywords')) {
      try {
        queryVector = await withTimeout(external.embedQuery(parsed.query.text), timeoutMs, `embedder ${external.id}`);
      } catch (e) {
        degraded = `vector search skipped: ${e instanceof Error ? e.message : String(e)}`;
        mode = 'lexical';
        log(degraded, 'warn');
      }
    }
    const r = engine.search({ ...parsed.query, filters }, { mode, sort: opts.sort ?? 'relevance', offset: (page - 1) * limit, limit, queryVector });
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
    const ranking = r.style ? explainStyle(r.style) : mode === 'lexical' ? 'ranked by BM25F alone' : undefined;
    return { hits, total: r.total, totalExact: r.totalExact, page, limit, degraded, ranking, tookMs: performance.now() - t0 };
  }

  /** In memory only: the snapshot on disk never changes; the change log says what came after it. */
  async function upsert(docs: SearchDoc[]): Promise<void> {
    if (!engine || docs.length === 0) return;
    let vectors: Float32Array[] | undefined;
    try {
      vectors = await embedDocs(docs);
    } catch (e) {
      // The papers must still be findable: lexical only until the next reindex.
      log(`search index: ${docs.length} papers added without vectors (${e instanceof Error ? e.message : String(e)}); \`papertide reindex\` adds them`, 'warn');
    }
    engine.upsert(docs, vectors);
  }
  async function remove(ids: string[]): Promise<void> {
    if (!engine || ids.length === 0) return;
    engine.remove(ids);
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
    catchUp: () => follower.catchUp(),
    settle,
    get ready() {
      return engine !== null;
    },
    get position() {
      return follower.position;
    },
    get state() {
      return state;
    },
    async idle() {
      while (building || follower.busy) await (building ?? follower.busy);
    },
    async close() {
      closed = true;
      if (settleTimer) clearTimeout(settleTimer);
      const r = run;
      if (r) await r.terminate();
      await building?.catch(() => {});
      await follower.stop();
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


/** The part of the application context (src/context.ts) a server's search service is wired into. */
interface SearchHost {
  store: Store;
  config: Config;
  events: EventBus;
  healthChecks: HealthCheck[];
  disposers: (() => Promise<void> | void)[];
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/**
 * The server's search service, made once by createApp: it follows the store (every change event,
 * local or seen in the change log by the follower, makes it catch up), registers the `papertide
 * doctor` check and stops a background build on close.
 */
export async function openSearchService(ctx: SearchHost): Promise<SearchService> {
  const log: SearchLog = (m, level = 'info') => ctx.logger[level]({}, m);
  const { embedder, settings, failure } = await configuredEmbedder(ctx.config);
  const unavailable = failure && `Search is unavailable: ${failure}`;
  if (unavailable) log(unavailable, 'warn');
  const svc = await createSearchService({
    db: ctx.store.db,
    dataDir: ctx.config.dataDir,
    background: ctx.config.databaseUrl ? { databaseUrl: ctx.config.databaseUrl } : null,
    embedder,
    embedderSettings: settings,
    unavailable,
    queryEmbedTimeoutMs: settings.timeoutMs,
    log,
    buildLock: leaseBuildLock(ctx),
  });
  ctx.events.on(['papers', 'store'], () => svc.catchUp());
  ctx.healthChecks.push({ name: 'search index', check: async () => svc.status() });
  ctx.disposers.push(() => svc.close());
  return svc;
}

/**
 * The build lock of the processes sharing this box's data directory: a lease in the store named
 * after the host and the folder (another box has its own folder and builds its own index),
 * renewed while held so a long build keeps it and a killed builder loses it within a minute.
 */
export function leaseBuildLock(ctx: Pick<SearchHost, 'store' | 'config'>): BuildLock {
  const name = `search-build:${os.hostname()}:${ctx.config.dataDir}`;
  const holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const ttl = 60_000;
  let renew: NodeJS.Timeout | null = null;
  return {
    async acquire() {
      if (!(await acquireLease(ctx.store.db, name, holder, new Date(), ttl))) {
        // A builder on this host that is gone (a killed worker, restarted at once) need not be
        // waited for until its lease runs out.
        const other = await leaseHolder(ctx.store.db, name, new Date());
        const [host, pid] = (other ?? '').split(':');
        if (!other || host !== os.hostname() || processAlive(Number(pid))) return false;
        await releaseLease(ctx.store.db, name, other);
        if (!(await acquireLease(ctx.store.db, name, holder, new Date(), ttl))) return false;
      }
      renew ??= setInterval(() => void renewLease(ctx.store.db, name, holder, new Date(), ttl).catch(() => {}), ttl / 3);
      renew.unref();
      return true;
    },
    async release() {
      if (renew) clearInterval(renew);
      renew = null;
      await releaseLease(ctx.store.db, name, holder).catch(() => {});
    },
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The search service wired into this context (a server's; a CLI command has none). */
export async function getSearchService(ctx: { search: SearchService | null }): Promise<SearchService> {
  if (!ctx.search) throw new Error('no search service in this process (a CLI command does not load the index)');
  return ctx.search;
}

/**
 * `papertide doctor`'s view of the server's index, read from disk and the change log without
 * loading or building anything: whether a server can use it, and how far the store has moved on.
 */
export function indexHealthCheck(ctx: Pick<SearchHost, 'store' | 'config'>): HealthCheck {
  return {
    name: 'search index',
    async check() {
      const dir = join(ctx.config.dataDir, 'search');
      const m = readManifest(dir);
      if (!m) return { ok: true, detail: `not built yet: \`papertide serve\` builds it at start (or run \`papertide reindex\`)` };
      // null: the built-in embedder
      const configured = embedderId(embedderSettings(ctx.config));
      try {
        checkManifest(m, configured === null ? 'builtin' : { id: configured, dim: m.embedder?.id === configured ? m.embedder.dim : -1 });
      } catch (e) {
        // (an index built on an empty store has no embedder yet: the server rebuilds it at start)
        if (!(configured === null && !m.embedder)) return { ok: false, detail: (e as Error).message };
      }
      const since = m.seq ?? 0;
      const changed = await papersChangedAfter(ctx.store.db, since).catch(() => 0);
      return {
        ok: true,
        detail: `${m.docs} papers in the last snapshot (built ${m.builtAt}, embedder ${m.embedder?.id ?? 'none'}); ${changed} papers changed since, which a running server applies from the store's change log`,
      };
    },
  };
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
