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
import { buildEngine, SearchEngine, type SearchMode, type SortOrder } from './engine.js';
import type { SearchDoc } from './lexical-index.js';
import { appendDelta, appendRemoved, IndexMismatchError, IndexMissingError, loadEngine, readManifest, saveEngine } from './persist.js';
import { escapeHtml, highlight, snippet } from './snippet.js';

export interface SearchOptions {
  filters?: Partial<QueryFilters>;
  sort?: SortOrder;
  page?: number; // 1-based
  limit?: number;
  debug?: boolean;
  mode?: SearchMode;
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
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
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
  /** Build automatically when there is no index and the store has at most this many papers. */
  autoBuildMax?: number;
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
  rebuild(): Promise<{ docs: number; seconds: number }>;
  status(): SearchStatus;
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

  async function embedDocs(docs: SearchDoc[]): Promise<Float32Array[] | undefined> {
    if (!external) return undefined;
    return external.embedDocuments(docs.map((d) => `${d.title}\n${d.abstract}`));
  }

  async function rebuild(): Promise<{ docs: number; seconds: number }> {
    const t0 = Date.now();
    const src = await source();
    const e = await buildEngine(src, { embedder: external ? 'none' : 'builtin', log });
    if (external) {
      // External embedder: vectors for every document, in batches.
      const { VectorIndex } = await import('./vector-index.js');
      const all: Float32Array[] = [];
      const ids = e.main.lex.ids;
      const byId = new Map<string, SearchDoc>();
      for await (const batch of await source()) for (const d of batch) byId.set(d.id, d);
      for (let i = 0; i < ids.length; i += 64) {
        const docs = ids.slice(i, i + 64).map((id) => byId.get(id)!);
        all.push(...(await external.embedDocuments(docs.map((d) => `${d.title}\n${d.abstract}`))));
      }
      e.main.vec = all.length ? VectorIndex.fromVectors(all, all.length, external.dim) : null;
    }
    saveEngine(e, dir, external ? { id: external.id, dim: external.dim } : undefined);
    engine = e;
    problem = null;
    return { docs: e.size, seconds: (Date.now() - t0) / 1000 };
  }

  try {
    engine = loadEngine(dir, expected);
  } catch (err) {
    if (err instanceof IndexMissingError) {
      const n = await deps.db
        .selectFrom('papers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
        .catch(() => ({ n: 0 }));
      if (Number(n?.n ?? 0) <= (deps.autoBuildMax ?? 20000)) {
        await rebuild();
      } else problem = err.message;
    } else if (err instanceof IndexMismatchError) {
      problem = err.message;
    } else throw err;
  }

  async function search(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const t0 = performance.now();
    const limit = Math.min(Math.max(1, opts.limit ?? 10), 120);
    const page = Math.max(1, Math.floor(opts.page ?? 1));
    const base = { hits: [], total: 0, page, limit };
    const q = (query ?? '').trim();
    const asId = q && !/\s/.test(q) ? extractArxivId(q) : null;
    if (asId) return { ...base, redirect: asId.id, tookMs: performance.now() - t0 };
    const parsed = parseSearchQuery(q);
    if (!parsed.ok) return { ...base, error: parsed.error, tookMs: performance.now() - t0 };
    if (!engine) return { ...base, error: problem ?? 'Search is not available yet.', tookMs: performance.now() - t0 };
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
      });
    }
    return { hits, total: r.total, page, limit, degraded, tookMs: performance.now() - t0 };
  }

  return {
    get engine() {
      return engine;
    },
    search,
    similar(id, k = 6) {
      return engine ? engine.similar(id, k) : [];
    },
    async upsert(docs) {
      if (!engine || docs.length === 0) return;
      engine.upsert(docs, await embedDocs(docs));
      appendDelta(dir, docs);
    },
    async remove(ids) {
      if (!engine || ids.length === 0) return;
      engine.remove(ids);
      appendRemoved(dir, ids);
    },
    rebuild,
    status() {
      const m = readManifest(dir);
      if (!engine) return { ok: false, detail: problem ?? 'no index', docs: 0, pending: 0, embedder: m?.embedder?.id ?? null, builtAt: m?.builtAt ?? null };
      const pending = engine.pending.length;
      return {
        ok: true,
        detail: `${engine.size} papers indexed (${pending} since the last reindex), embedder ${m?.embedder?.id ?? 'none'}, built ${m?.builtAt ?? 'in memory'}`,
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
 * One search service per application context, created on first use and kept in sync with the
 * store through ctx.onPapersChanged (new and edited papers go to the delta segment).
 */
const services = new WeakMap<object, Promise<SearchService>>();
export function getSearchService(ctx: {
  store: { db: Kysely<Database> };
  config: { dataDir: string };
  onPapersChanged: ((ids: string[]) => Promise<void> | void)[];
  healthChecks?: { name: string; check: () => Promise<{ ok: boolean; detail: string }> }[];
}): Promise<SearchService> {
  let p = services.get(ctx);
  if (!p) {
    p = createSearchService({ db: ctx.store.db, dataDir: ctx.config.dataDir }).then((svc) => {
      ctx.onPapersChanged.push(async (ids) => {
        const { iterateSearchDocs } = await import('../papers/papers.repository.js');
        const found: SearchDoc[] = [];
        for await (const batch of iterateSearchDocs(ctx.store.db, 500, ids)) found.push(...(batch as SearchDoc[]));
        const present = new Set(found.map((d) => d.id));
        await svc.upsert(found);
        await svc.remove(ids.filter((id) => !present.has(id)));
      });
      ctx.healthChecks?.push({ name: 'search index', check: async () => svc.status() });
      return svc;
    });
    services.set(ctx, p);
  }
  return p;
}
