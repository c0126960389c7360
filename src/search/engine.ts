/**
 * The search engine: a main segment (built by reindex, persisted) plus an in-memory delta
 * segment for papers upserted since, each with a BM25F lexical index and int8 vectors.
 * Query flow: parse (domain/search-query) → filter mask → lexical top-K (MaxScore) and vector
 * top-K (IVF) → union, each candidate scored exactly by both → z-score fusion → sort → page.
 */
import { zScoreFusion } from '../domain/fusion.js';
import type { ParsedQuery } from '../domain/search-query.js';
import { CorpusEmbedder, type CorpusEmbedderOptions } from './embedders/corpus-embedder.js';
import { DEFAULT_BM25F, idf, isoToDays, LexicalBuilder, LexicalIndex, NO_DATE, type SearchDoc, docTokens } from './lexical-index.js';
import { tokenize, tokenizeName } from './tokenizer.js';
import { VectorIndex } from './vector-index.js';

export type SearchMode = 'lexical' | 'dense' | 'hybrid';
export type SortOrder = 'relevance' | 'newest' | 'upvotes';

/** Tuned on SciFact train (docs/search.md). */
export const FUSION_ALPHA = 0.7;
export const LEXICAL_K = 100;
export const VECTOR_K = 100;

export interface EngineHit {
  id: string;
  score: number;
  lexical: number;
  vector: number;
  lexicalRank: number | null;
  vectorRank: number | null;
  matchedTerms: string[];
}

export interface Segment {
  lex: LexicalIndex;
  vec: VectorIndex | null;
  live: Uint8Array;
  deleted: number;
}

export interface EngineSearchOptions {
  mode?: SearchMode;
  sort?: SortOrder;
  offset?: number;
  limit?: number;
  /** Query vector from an external embedder (already unit length); built-in used when absent. */
  queryVector?: Float32Array | null;
  alpha?: number;
  /** How many candidates each retriever contributes (default 100, raised to cover offset+limit). */
  depth?: number;
}

export class SearchEngine {
  readonly segments: Segment[];
  private deltaDocs = new Map<string, SearchDoc>();

  constructor(
    main: { lex: LexicalIndex; vec: VectorIndex | null },
    readonly embedder: CorpusEmbedder | null,
  ) {
    this.segments = [{ lex: main.lex, vec: main.vec, live: new Uint8Array(main.lex.size).fill(1), deleted: 0 }];
  }

  get main(): Segment {
    return this.segments[0];
  }

  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.lex.size - s.deleted;
    return n;
  }

  /** Documents added since the last full build. */
  get pending(): SearchDoc[] {
    return [...this.deltaDocs.values()];
  }

  private locate(id: string): { seg: Segment; doc: number } | null {
    for (const seg of this.segments) {
      const doc = seg.lex.docOf(id);
      if (doc >= 0 && seg.live[doc]) return { seg, doc };
    }
    return null;
  }

  has(id: string): boolean {
    return this.locate(id) !== null;
  }

  /** Remove papers from search (tombstones in the main segment; the delta is rebuilt). */
  remove(ids: string[]): void {
    let deltaChanged = false;
    for (const id of ids) {
      const main = this.main;
      const d = main.lex.docOf(id);
      if (d >= 0 && main.live[d]) {
        main.live[d] = 0;
        main.deleted++;
      }
      if (this.deltaDocs.delete(id)) deltaChanged = true;
    }
    if (deltaChanged) this.rebuildDelta();
  }

  /** Add or replace papers without a full rebuild: they go to a small delta segment. */
  upsert(docs: SearchDoc[], externalVectors?: Float32Array[]): void {
    if (docs.length === 0) return;
    const main = this.main;
    for (const doc of docs) {
      const d = main.lex.docOf(doc.id);
      if (d >= 0 && main.live[d]) {
        main.live[d] = 0;
        main.deleted++;
      }
      this.deltaDocs.set(doc.id, doc);
    }
    this.rebuildDelta(externalVectors ? new Map(docs.map((d, i) => [d.id, externalVectors[i]])) : undefined);
  }

  private deltaVectors = new Map<string, Float32Array>();
  private rebuildDelta(newVectors?: Map<string, Float32Array>): void {
    if (newVectors) for (const [k, v] of newVectors) this.deltaVectors.set(k, v);
    const docs = [...this.deltaDocs.values()];
    this.segments.length = 1;
    if (docs.length === 0) return;
    const b = new LexicalBuilder(this.main.lex.params);
    const vecs: Float32Array[] = [];
    for (const doc of docs) {
      const t = docTokens(doc);
      b.add(doc, t);
      const ext = this.deltaVectors.get(doc.id);
      if (ext) vecs.push(ext);
      else if (this.embedder) vecs.push(this.embedder.embedTokens([...t.title, ...t.abstract]));
    }
    const lex = b.finish(this.main.lex.averages);
    const dim = this.main.vec?.dim ?? 0;
    const vec = dim > 0 && vecs.length === docs.length ? VectorIndex.fromVectors(vecs, docs.length, dim, { ivfMin: Infinity }) : null;
    this.segments.push({ lex, vec, live: new Uint8Array(lex.size).fill(1), deleted: 0 });
  }

  /** Query terms with idf over all segments (N and df summed). */
  queryTerms(text: string): { term: string; idf: number }[] {
    const terms = [...new Set(tokenize(text))];
    let N = 0;
    for (const s of this.segments) N += s.lex.size;
    return terms
      .map((term) => {
        let df = 0;
        for (const s of this.segments) df += s.lex.df(term);
        return { term, idf: df > 0 ? idf(N, df) : 0 };
      })
      .filter((t) => t.idf > 0);
  }

  /** Per-segment allow mask for filters, exclusions and required phrase words (null = all live). */
  mask(seg: Segment, q: ParsedQuery | null): Uint8Array | null {
    const f = q?.filters;
    const needs = !!f && (f.authors.length > 0 || f.categories.length > 0 || f.from !== null || f.to !== null || f.hasCode);
    const excl = q?.excluded ?? [];
    const phr = q?.phrases ?? [];
    if (!needs && excl.length === 0 && phr.length === 0) return seg.deleted > 0 ? seg.live : null;
    const lex = seg.lex;
    const n = lex.size;
    const m = Uint8Array.from(seg.live);
    if (f) {
      if (f.from !== null || f.to !== null) {
        const lo = f.from ? isoToDays(f.from) : -Infinity;
        const hi = f.to ? isoToDays(f.to) : Infinity;
        const days = lex.days;
        for (let i = 0; i < n; i++) {
          const d = days[i];
          if (d === NO_DATE || d < lo || d > hi) m[i] = 0;
        }
      }
      if (f.hasCode) for (let i = 0; i < n; i++) if (!lex.hasCode[i]) m[i] = 0;
      if (f.categories.length > 0) {
        const any = new Uint8Array(n);
        for (const c of f.categories) {
          const want = c.toLowerCase();
          for (const [cat, list] of lex.categories) {
            if (cat === want || (!want.includes('.') && cat.startsWith(want + '.')) || cat === want) for (const d of list) any[d] = 1;
          }
        }
        for (let i = 0; i < n; i++) if (!any[i]) m[i] = 0;
      }
      for (const a of f.authors) {
        const toks = tokenizeName(a);
        if (toks.length === 0) continue;
        const count = new Uint8Array(n);
        for (const t of toks) {
          const list = lex.authors.get(t);
          if (list) for (const d of list) count[d]++;
        }
        for (let i = 0; i < n; i++) if (count[i] < toks.length) m[i] = 0;
      }
    }
    const requireAll = (text: string, keepIfAll: boolean) => {
      const toks = [...new Set(tokenize(text))];
      if (toks.length === 0) return;
      const count = new Uint8Array(n);
      for (const t of toks) for (const d of lex.postings(t)) count[d]++;
      for (let i = 0; i < n; i++) {
        const all = count[i] === toks.length;
        if (keepIfAll ? !all : all) m[i] = 0;
      }
    };
    for (const e of excl) requireAll(e, false);
    for (const p of phr) requireAll(p, true);
    return m;
  }

  embedQuery(text: string): Float32Array | null {
    if (!this.embedder) return null;
    const v = this.embedder.embedTokens([...new Set(tokenize(text))]);
    let n = 0;
    for (let i = 0; i < v.length; i++) n += v[i] * v[i];
    return n > 0 ? v : null;
  }

  search(q: ParsedQuery, opts: EngineSearchOptions = {}): { hits: EngineHit[]; total: number } {
    const mode = opts.mode ?? 'hybrid';
    const offset = Math.max(0, opts.offset ?? 0);
    const limit = Math.max(0, opts.limit ?? 10);
    const sort = opts.sort ?? 'relevance';
    const qterms = this.queryTerms(q.text);
    const masks = this.segments.map((s) => this.mask(s, q));
    if (qterms.length === 0 && (mode === 'lexical' || !q.text.trim())) return this.browse(masks, sort === 'relevance' ? 'newest' : sort, offset, limit);
    const depth = Math.max(opts.depth ?? LEXICAL_K, offset + limit);
    let qvec: Float32Array | null = null;
    if (mode !== 'lexical') qvec = opts.queryVector ?? this.embedQuery(q.text);
    // Candidates from both retrievers, keyed by (segment, doc).
    const key = (si: number, d: number) => si * 0x40000000 + d;
    const cands = new Map<number, { si: number; d: number }>();
    this.segments.forEach((seg, si) => {
      if (mode !== 'dense' && qterms.length > 0) {
        const qt = qterms.map((t) => ({ termId: seg.lex.vocab.get(t.term) ?? -1, w: t.idf })).filter((t) => t.termId >= 0);
        for (const h of seg.lex.search(qt, depth, masks[si])) cands.set(key(si, h.doc), { si, d: h.doc });
      }
      if (qvec && seg.vec) {
        const vk = mode === 'dense' ? depth : Math.max(opts.depth ?? VECTOR_K, offset + limit);
        for (const h of seg.vec.search(qvec, vk, masks[si])) cands.set(key(si, h.doc), { si, d: h.doc });
      }
    });
    const list = [...cands.entries()];
    const items = list.map(([k, { si, d }]) => {
      const seg = this.segments[si];
      let lexical = 0;
      for (const t of qterms) {
        const tid = seg.lex.vocab.get(t.term);
        if (tid !== undefined) lexical += t.idf * seg.lex.impact(tid, d);
      }
      const vector = qvec && seg.vec ? seg.vec.dot(qvec, d) : NaN;
      return { key: k, lexical, vector };
    });
    let fused;
    if (mode === 'lexical') fused = items.map((x) => ({ ...x, score: x.lexical })).sort((a, b) => b.score - a.score || a.key - b.key);
    else if (mode === 'dense') fused = items.map((x) => ({ ...x, score: Number.isFinite(x.vector) ? x.vector : 0 })).sort((a, b) => b.score - a.score || a.key - b.key);
    else fused = zScoreFusion(items, opts.alpha ?? FUSION_ALPHA);
    // Ranks within each retriever (1-based), for ?debug=1.
    const lexRank = new Map<number, number>();
    items.filter((x) => x.lexical > 0).sort((a, b) => b.lexical - a.lexical || a.key - b.key).forEach((x, i) => lexRank.set(x.key, i + 1));
    const vecRank = new Map<number, number>();
    items.filter((x) => Number.isFinite(x.vector)).sort((a, b) => b.vector - a.vector || a.key - b.key).forEach((x, i) => vecRank.set(x.key, i + 1));
    if (sort !== 'relevance') {
      fused.sort((a, b) => {
        const sa = this.segments[Math.floor(a.key / 0x40000000)], sb = this.segments[Math.floor(b.key / 0x40000000)];
        const da = a.key % 0x40000000, db = b.key % 0x40000000;
        const va = sort === 'newest' ? sa.lex.days[da] : sa.lex.upvotes[da];
        const vb = sort === 'newest' ? sb.lex.days[db] : sb.lex.upvotes[db];
        return vb - va || b.score - a.score;
      });
    }
    const page = fused.slice(offset, offset + limit);
    const hits = page.map((x) => {
      const si = Math.floor(x.key / 0x40000000), d = x.key % 0x40000000;
      const seg = this.segments[si];
      const matchedTerms = qterms.filter((t) => {
        const tid = seg.lex.vocab.get(t.term);
        return tid !== undefined && seg.lex.impact(tid, d) > 0;
      }).map((t) => t.term);
      return {
        id: seg.lex.ids[d],
        score: x.score,
        lexical: x.lexical,
        vector: x.vector,
        lexicalRank: lexRank.get(x.key) ?? null,
        vectorRank: vecRank.get(x.key) ?? null,
        matchedTerms,
      };
    });
    return { hits, total: fused.length };
  }

  /** Filter-only listing (no words): every allowed document, sorted by date or upvotes. */
  private browse(masks: (Uint8Array | null)[], sort: 'newest' | 'upvotes', offset: number, limit: number): { hits: EngineHit[]; total: number } {
    const all: { si: number; d: number; v: number }[] = [];
    this.segments.forEach((seg, si) => {
      const m = masks[si];
      const arr = sort === 'newest' ? seg.lex.days : seg.lex.upvotes;
      for (let d = 0; d < seg.lex.size; d++) if (!m || m[d]) all.push({ si, d, v: arr[d] });
    });
    all.sort((a, b) => b.v - a.v || a.si - b.si || b.d - a.d);
    const hits = all.slice(offset, offset + limit).map((x) => ({
      id: this.segments[x.si].lex.ids[x.d],
      score: 0,
      lexical: 0,
      vector: NaN,
      lexicalRank: null,
      vectorRank: null,
      matchedTerms: [],
    }));
    return { hits, total: all.length };
  }

  /** Vector neighbours of a paper ("similar papers"). */
  similar(id: string, k: number): { id: string; score: number }[] {
    const at = this.locate(id);
    if (!at || !at.seg.vec) return [];
    const v = at.seg.vec.vector(at.doc);
    let n = 0;
    for (let i = 0; i < v.length; i++) n += v[i] * v[i];
    if (n === 0) return [];
    const out: { id: string; score: number }[] = [];
    this.segments.forEach((seg, si) => {
      if (!seg.vec) return;
      for (const h of seg.vec.search(v, k + 1, this.mask(seg, null), 32)) {
        const hid = seg.lex.ids[h.doc];
        if (hid !== id) out.push({ id: hid, score: h.score });
      }
      void si;
    });
    return out.sort((a, b) => b.score - a.score).slice(0, k);
  }
}

export interface BuildOptions {
  embedder?: 'builtin' | 'none';
  embedderOptions?: Partial<CorpusEmbedderOptions>;
  /** Documents used to learn word vectors (the first N; default 120,000). */
  embedderSample?: number;
  log?: (msg: string) => void;
}

/** Build a full index from any (async) iterable of documents or batches of documents. */
export async function buildEngine(source: AsyncIterable<SearchDoc | SearchDoc[]> | Iterable<SearchDoc | SearchDoc[]>, opts: BuildOptions = {}): Promise<SearchEngine> {
  const log = opts.log ?? (() => {});
  const builder = new LexicalBuilder(DEFAULT_BM25F);
  const sampleMax = opts.embedderSample ?? 120_000;
  const sample: string[][] = [];
  const wantVectors = (opts.embedder ?? 'builtin') === 'builtin';
  const t0 = Date.now();
  const addOne = (doc: SearchDoc) => {
    const t = docTokens(doc);
    builder.add(doc, t);
    if (wantVectors && sample.length < sampleMax) sample.push([...t.title, ...t.abstract]);
    if (builder.size % 100000 === 0) log(`indexed ${builder.size} docs (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  };
  for await (const item of source as AsyncIterable<SearchDoc | SearchDoc[]>) {
    if (Array.isArray(item)) for (const d of item) addOne(d);
    else addOne(item);
  }
  let embedder: CorpusEmbedder | null = null;
  let vec: VectorIndex | null = null;
  if (wantVectors && builder.size > 0) {
    const t1 = Date.now();
    embedder = CorpusEmbedder.train(sample, opts.embedderOptions, log);
    sample.length = 0;
    log(`embedder trained in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    // Document vectors from the builder's bag of words: SIF is a weighted sum over tokens.
    const lex2emb = new Int32Array(builder.terms.length).fill(-1);
    builder.terms.forEach((t, i) => {
      const e = embedder!.vocab.get(t);
      if (e !== undefined) lex2emb[i] = e;
    });
    const { dim, vectors, weights, common } = embedder.model;
    const tmp = new Float32Array(dim);
    const t2 = Date.now();
    vec = VectorIndex.fromVectors(
      (doc) => {
        tmp.fill(0);
        let n = 0;
        builder.forEachTerm(doc, (tid, tfT, tfA) => {
          const c = tfT + tfA;
          n += c;
          const e = lex2emb[tid];
          if (e < 0) return;
          const w = weights[e] * c;
          const o = e * dim;
          for (let j = 0; j < dim; j++) tmp[j] += w * vectors[o + j];
        });
        let dp = 0;
        for (let j = 0; j < dim; j++) dp += tmp[j] * common[j];
        let nn = 0;
        for (let j = 0; j < dim; j++) {
          tmp[j] -= dp * common[j];
          nn += tmp[j] * tmp[j];
        }
        nn = Math.sqrt(nn);
        if (nn > 0 && n > 0) for (let j = 0; j < dim; j++) tmp[j] /= nn;
        return tmp;
      },
      builder.size,
      dim,
    );
    log(`vectors built in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
  }
  const lex = builder.finish();
  log(`index built: ${lex.size} docs, ${lex.terms.length} terms, ${lex.postDocs.length} postings in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return new SearchEngine({ lex, vec }, embedder);
}
