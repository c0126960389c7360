/**
 * The search engine: a main segment (built by reindex, persisted) plus an in-memory delta
 * segment for papers upserted since, each with a BM25F lexical index and int8 vectors.
 * Query flow: parse (domain/search-query) → filter mask → lexical top-K (MaxScore) and vector
 * top-K (IVF) → union, each candidate scored exactly by both → z-score fusion → sort → page.
 */
import { zScoreFusion } from '../domain/fusion.js';
import { prepareHybridRanker, rankHybrid } from './hybrid-ranker.js';
import { queryStyle, type QueryStyle, type StyleRule } from './query-style.js';
import type { ParsedQuery } from '../domain/search-query.js';
import { CorpusEmbedder, type CorpusEmbedderOptions } from './embedders/corpus-embedder.js';
import { DEFAULT_BM25F, idf, IMPACT_SCALE, isoToDays, LexicalBuilder, LexicalIndex, NO_DATE, type SearchDoc } from './lexical-index.js';
import { TopK } from './top-k.js';
import { PositionBuilder, POSITIONS_MAX_DOCS, type PositionStore, type SentenceTokens } from './positions.js';
import { KEEP_POSITIONS, KEYWORD_RANKING, type HybridWeights } from './rank-params.js';
import type { Rm3Params } from './rm3.js';
import { collectGarbage } from './gc.js';
import { normalize, stem, tokenize, tokenizeName, words } from './tokenizer.js';
import { quantize, VectorIndex } from './vector-index.js';

export type SearchMode = 'lexical' | 'dense' | 'hybrid';
export type SortOrder = 'relevance' | 'newest' | 'upvotes';

/** Tuned on SciFact train (docs/search.md). */
export const FUSION_ALPHA = 0.7;
export const LEXICAL_K = 100;
export const VECTOR_K = 100;
/**
 * Counting the matches of a relevance query reads every posting of its terms once. Above this
 * many postings (never at 75k papers: a 25-word sentence reads ~280k) the count is estimated
 * from the first documents of each segment and labelled as an estimate.
 */
export const COUNT_EXACT_MAX_POSTINGS = 4_000_000;

export interface EngineHit {
  id: string;
  score: number;
  lexical: number;
  vector: number;
  lexicalRank: number | null;
  vectorRank: number | null;
  matchedTerms: string[];
}

/**
 * `total` counts every match (see `SearchEngine.search`); `totalExact` is false when it is an
 * estimate (a relevance query over very long posting lists, COUNT_EXACT_MAX_POSTINGS).
 */
export interface EngineResult {
  hits: EngineHit[];
  total: number;
  totalExact: boolean;
  /** How a hybrid query was read (query-style.ts): keywords are ranked by BM25F alone. */
  style?: QueryStyle;
}

export interface Segment {
  lex: LexicalIndex;
  vec: VectorIndex | null;
  /** Token positions with sentence boundaries (positions.ts); null above its cap or when not saved. */
  pos: PositionStore | null;
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
  /** How many candidates each retriever contributes to the fused pool (default 100, whatever the page). */
  depth?: number;
  /**
   * Hybrid only: read the query's style first (query-style.ts) and rank keyword queries by BM25F
   * alone (default true). False keeps the hybrid ranker for every query (comparisons, eval).
   */
  queryStyle?: boolean;
  /** Hybrid ranker weights for this query instead of rank-params.ts (comparisons, eval variants). */
  weights?: HybridWeights;
  /** RM3 parameters for this query instead of rank-params.ts (comparisons, eval variants). */
  rm3?: Rm3Params;
  /** How keyword-style queries are ranked instead of KEYWORD_RANKING (comparisons, eval variants). */
  keywordRanking?: HybridWeights | 'lexical';
  /** Which reading of the query style (query-style.ts) instead of the default (comparisons). */
  styleRule?: StyleRule;
}

/**
 * The delta: papers added or changed since the last full build. Its LexicalBuilder stays open,
 * so an upsert costs only the new documents' tokenisation (and their vectors with the existing
 * embedder, no retraining); the searchable segment is finished lazily, once, at the next query
 * after a change. A 74k-paper import (one upsert per 1,000-line batch) is therefore linear, not
 * quadratic. Replaced documents stay in the builder as dead rows (masked by `live`).
 */
class Delta {
  builder: LexicalBuilder;
  positions: PositionBuilder;
  rowOf = new Map<string, number>();
  live: number[] = [];
  dead = 0;
  codes: Int8Array;
  scales: number[] = [];
  /** Rows added without a vector (dim > 0 only), and how many of them are live. */
  noVector: number[] = [];
  missing = 0;
  constructor(params: LexicalIndex['params'], readonly dim: number, keepPositions: boolean) {
    this.builder = new LexicalBuilder(params);
    this.positions = new PositionBuilder(this.builder.vocab, keepPositions ? POSITIONS_MAX_DOCS : 0);
    this.codes = new Int8Array(dim * 1024);
  }
  get size(): number {
    return this.builder.size - this.dead;
  }
  /** `st` null: no positions and no token strings needed (the builder tokenises to term ids). */
  add(doc: SearchDoc, st: SentenceTokens | null, vec: Float32Array | null): void {
    const old = this.rowOf.get(doc.id);
    if (old !== undefined && this.live[old]) {
      this.live[old] = 0;
      this.dead++;
      this.missing -= this.noVector[old] ?? 0;
    }
    const row = st ? this.builder.add(doc, st.tokens) : this.builder.add(doc);
    if (st) this.positions.add(st);
    else this.positions.skip();
    this.rowOf.set(doc.id, row);
    this.live.push(1);
    if (this.dim > 0) {
      if ((row + 1) * this.dim > this.codes.length) {
        const c = new Int8Array(this.codes.length * 2);
        c.set(this.codes);
        this.codes = c;
      }
      this.noVector[row] = vec ? 0 : 1;
      if (vec) this.scales.push(quantize(vec, this.codes, row * this.dim));
      else {
        this.scales.push(0);
        this.missing++;
      }
    }
  }
  remove(id: string): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined || !this.live[row]) return false;
    this.live[row] = 0;
    this.dead++;
    this.missing -= this.noVector[row] ?? 0;
    this.rowOf.delete(id);
    return true;
  }
  /** Immutable segment; impacts use field-length averages over the main segment and the delta. */
  finish(main: LexicalIndex): Segment {
    const sums = this.builder.lengthSums();
    const nm = main.size;
    const n = nm + sums.n;
    const avg = (m: number, d: number) => (n > 0 ? (m * nm + d) / n || 1 : 1);
    const lex = this.builder.finish(
      nm > 0 ? { title: avg(main.averages.title, sums.title), abstract: avg(main.averages.abstract, sums.abstract), authors: avg(main.averages.authors, sums.authors) } : undefined,
    );
    const rows = this.builder.size;
    const vec =
      this.dim > 0
        ? new VectorIndex({ dim: this.dim, codes: this.codes.subarray(0, rows * this.dim), scales: Float32Array.from(this.scales), centroids: null, listOffsets: null, listDocs: null })
        : null;
    return { lex, vec, pos: this.positions.finish(), live: Uint8Array.from(this.live), deleted: this.dead };
  }
}

/** Candidate key: segment index × SEG_STRIDE + doc number. */
const SEG_STRIDE = 0x40000000;
interface ScoredCandidate {
  key: number;
  lexical: number;
  vector: number;
}

export class SearchEngine {
  private readonly segs: Segment[];
  private delta: Delta | null = null;
  private deltaDirty = false;
  /**
   * Dimension of an external embedder's vectors, for a delta opened while the main segment has
   * none (built empty, or its vectors failed) and its first papers come without vectors.
   */
  externalDim = 0;

  constructor(
    main: { lex: LexicalIndex; vec: VectorIndex | null; pos?: PositionStore | null },
    readonly embedder: CorpusEmbedder | null,
  ) {
    this.segs = [{ lex: main.lex, vec: main.vec, pos: main.pos ?? null, live: new Uint8Array(main.lex.size).fill(1), deleted: 0 }];
  }

  /** Main segment, then the delta segment (finished on demand). */
  get segments(): Segment[] {
    if (this.deltaDirty) {
      this.deltaDirty = false;
      this.segs.length = 1;
      if (this.delta && this.delta.builder.size > 0) this.segs.push(this.delta.finish(this.main.lex));
    }
    return this.segs;
  }

  get main(): Segment {
    return this.segs[0];
  }

  get size(): number {
    return this.main.lex.size - this.main.deleted + (this.delta?.size ?? 0);
  }

  /** Number of documents added since the last full build. */
  get pendingCount(): number {
    return this.delta?.size ?? 0;
  }

  /** Whether every document added since the last full build has a vector. */
  get pendingHaveVectors(): boolean {
    return !this.delta || this.delta.missing === 0;
  }

  /** Ids of the documents added since the last full build that have no vector. */
  pendingWithoutVectors(): string[] {
    const d = this.delta;
    if (!d || d.missing === 0) return [];
    return [...d.rowOf].filter(([, row]) => d.noVector[row]).map(([id]) => id);
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

  /** Remove papers from search (tombstones in the main segment and in the delta). */
  remove(ids: string[]): void {
    const main = this.main;
    for (const id of ids) {
      const d = main.lex.docOf(id);
      if (d >= 0 && main.live[d]) {
        main.live[d] = 0;
        main.deleted++;
      }
      if (this.delta?.remove(id)) this.deltaDirty = true;
    }
  }

  /**
   * Add or replace papers without a full rebuild: they go to the delta segment. Vectors come
   * from `externalVectors` (an external embedder) or the built-in embedder of the last build.
   */
  upsert(docs: SearchDoc[], externalVectors?: Float32Array[]): void {
    if (docs.length === 0) return;
    const main = this.main;
    const dim = main.vec?.dim || this.externalDim || externalVectors?.[0]?.length || 0;
    if (!this.delta) this.delta = new Delta(main.lex.params, dim, main.pos !== null || KEEP_POSITIONS);
    docs.forEach((doc, i) => {
      const d = main.lex.docOf(doc.id);
      if (d >= 0 && main.live[d]) {
        main.live[d] = 0;
        main.deleted++;
      }
      const delta = this.delta!;
      let v: Float32Array | null = externalVectors?.[i] ?? null;
      const embed = !v && this.embedder !== null && delta.dim > 0;
      // Token strings only when the embedder or the position store needs them.
      const st = embed || delta.positions.active ? delta.positions.tokenize(doc) : null;
      if (embed && st) v = this.embedder!.embedDoc(st.tokens.title, st.tokens.abstract);
      delta.add(doc, st, v);
    });
    this.deltaDirty = true;
  }

  /** Build what the hybrid ranker needs for the main segment now rather than on the first query. */
  prepareRanker(): void {
    prepareHybridRanker(this.main.lex);
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

  /**
   * What a match is: a live paper that passes the query's filters, exclusions and phrases and
   * contains at least one of its words (title, abstract or author names; the words are ORed, as
   * the query language says). A query without words (filters only) matches every paper that
   * passes its filters. Every order lists exactly the matches, so `total`, the pages and the
   * sorts agree:
   *  - relevance: the fused pool (lexical top-`depth` and vector top-`depth`, the vector side
   *    restricted to the matches) ranked by the hybrid ranker, then the remaining matches by
   *    BM25F. The pool does not depend on the page, so a page never changes when another one is
   *    asked for;
   *  - newest / upvotes: every match ordered by date / upvotes (ties by BM25F), not a re-sort of
   *    the relevance pool.
   * `total` is exact (one pass over the terms' postings), except for a relevance query whose
   * postings exceed COUNT_EXACT_MAX_POSTINGS, where it is an estimate (`totalExact` false).
   */
  search(q: ParsedQuery, opts: EngineSearchOptions = {}): EngineResult {
    const requested = opts.mode ?? 'hybrid';
    const style = requested === 'hybrid' && opts.queryStyle !== false ? queryStyle(q.text, opts.styleRule) : undefined;
    if (style !== 'keywords') {
      const r = this.run(q, opts);
      return style ? { ...r, style } : r;
    }
    // Keywords: BM25F alone, or the keyword weights of the hybrid ranker (rank-params.ts).
    const kw = opts.keywordRanking ?? KEYWORD_RANKING;
    const r = kw === 'lexical' ? this.run(q, { ...opts, mode: 'lexical' }) : this.run(q, { ...opts, weights: kw });
    return { ...r, style };
  }

  private run(q: ParsedQuery, opts: EngineSearchOptions): EngineResult {
    const mode = opts.mode ?? 'hybrid';
    const offset = Math.max(0, opts.offset ?? 0);
    const limit = Math.max(0, opts.limit ?? 10);
    const sort = opts.sort ?? 'relevance';
    const segments = this.segments;
    const qterms = this.queryTerms(q.text);
    const masks = segments.map((s) => this.mask(s, q));
    if (qterms.length === 0 && (mode === 'lexical' || !q.text.trim())) return this.browse(masks, sort === 'relevance' ? 'newest' : sort, offset, limit);
    if (mode !== 'dense' && sort !== 'relevance') return this.sortedMatches(segments, masks, qterms, sort, offset, limit);
    const depth = opts.depth ?? LEXICAL_K;
    // The match set (a per-segment mask) and its size; the vector side only proposes matches.
    const matches = mode === 'dense' ? null : this.matchSets(segments, masks, qterms);
    const vmasks = matches?.masks ?? masks;
    let qvec: Float32Array | null = null;
    if (mode !== 'lexical') qvec = opts.queryVector ?? this.embedQuery(q.text);
    // Candidates from both retrievers, keyed by (segment, doc). The lexical top-K comes with
    // exact scores (MaxScore is exact); only the vector side's other documents need scoring.
    let items: ScoredCandidate[] = [];
    segments.forEach((seg, si) => {
      const known = new Map<number, number>();
      if (mode !== 'dense' && qterms.length > 0) {
        const qt = qterms.map((t) => ({ termId: seg.lex.vocab.get(t.term) ?? -1, w: t.idf })).filter((t) => t.termId >= 0);
        for (const h of seg.lex.search(qt, depth, masks[si])) known.set(h.doc, h.score);
      }
      const others: number[] = [];
      if (qvec && seg.vec) {
        const vk = mode === 'dense' ? Math.max(depth, offset + limit) : (opts.depth ?? VECTOR_K);
        for (const h of seg.vec.search(qvec, vk, vmasks[si])) if (!known.has(h.doc)) others.push(h.doc);
      }
      this.scoreCandidates(seg, si, known, others, qterms, qvec, items);
    });
    // (an estimated count has no match mask: vector candidates without a query word are dropped here)
    if (mode !== 'dense') items = items.filter((x) => x.lexical > 0);
    const fused = this.fuse(items, mode, opts.alpha ?? FUSION_ALPHA, { qterms, external: !!opts.queryVector, explicitAlpha: opts.alpha !== undefined, weights: opts.weights, rm3: opts.rm3 });
    // Past the pool: the other matches in BM25F order (their lexical rank is their place in it).
    const tailRank = new Map<number, number>();
    if (mode !== 'dense' && offset + limit > fused.length && qterms.length > 0) {
      const inPool = new Set(fused.map((x) => x.key));
      const k = offset + limit + inPool.size;
      const lexical: { key: number; score: number }[] = [];
      segments.forEach((seg, si) => {
        const qt = qterms.map((t) => ({ termId: seg.lex.vocab.get(t.term) ?? -1, w: t.idf })).filter((t) => t.termId >= 0);
        for (const h of seg.lex.search(qt, k, masks[si])) lexical.push({ key: si * SEG_STRIDE + h.doc, score: h.score });
      });
      lexical.sort((a, b) => b.score - a.score || a.key - b.key);
      lexical.forEach((x, i) => {
        if (inPool.has(x.key) || fused.length >= offset + limit) return;
        tailRank.set(x.key, i + 1);
        fused.push({ key: x.key, lexical: x.score, vector: NaN, score: x.score });
      });
    }
    // Ranks within each retriever (1-based) for ?debug=1, counted for the page's hits only.
    const rankBy = (x: ScoredCandidate, field: 'lexical' | 'vector'): number | null => {
      if (tailRank.has(x.key)) return field === 'lexical' ? tailRank.get(x.key)! : null;
      const v = x[field];
      if (field === 'lexical' ? !(v > 0) : !Number.isFinite(v)) return null;
      let r = 1;
      for (const y of items) {
        const w = y[field];
        if (w > v || (w === v && y.key < x.key)) r++;
      }
      return r;
    };
    if (sort !== 'relevance') {
      // dense mode only (evaluation): the sorts of the product go through sortedMatches
      fused.sort((a, b) => {
        const sa = segments[Math.floor(a.key / SEG_STRIDE)], sb = segments[Math.floor(b.key / SEG_STRIDE)];
        const da = a.key % SEG_STRIDE, db = b.key % SEG_STRIDE;
        const va = sort === 'newest' ? sa.lex.days[da] : sa.lex.upvotes[da];
        const vb = sort === 'newest' ? sb.lex.days[db] : sb.lex.upvotes[db];
        return vb - va || b.score - a.score;
      });
    }
    const hits = this.toHits(fused.slice(offset, offset + limit), qterms, rankBy);
    return matches ? { hits, total: matches.total, totalExact: matches.exact } : { hits, total: fused.length, totalExact: false };
  }

  private toHits(page: (ScoredCandidate & { score: number })[], qterms: { term: string }[], rankBy: (x: ScoredCandidate, field: 'lexical' | 'vector') => number | null): EngineHit[] {
    const segments = this.segments;
    return page.map((x) => {
      const si = Math.floor(x.key / SEG_STRIDE), d = x.key % SEG_STRIDE;
      const seg = segments[si];
      const matchedTerms = qterms.filter((t) => {
        const tid = seg.lex.vocab.get(t.term);
        return tid !== undefined && seg.lex.impact(tid, d) > 0;
      }).map((t) => t.term);
      return {
        id: seg.lex.ids[d],
        score: x.score,
        lexical: x.lexical,
        vector: x.vector,
        lexicalRank: rankBy(x, 'lexical'),
        vectorRank: rankBy(x, 'vector'),
        matchedTerms,
      };
    });
  }

  /**
   * The matches of a query with words, per segment (a 0/1 mask: allowed by `masks` and holding
   * at least one query term) and how many there are: the union of the terms' posting lists, one
   * pass. Above `countExactMaxPostings` postings, no masks and an estimate of the count from the
   * segments' first documents (postings are in document order, so a prefix is cheap).
   */
  countExactMaxPostings = COUNT_EXACT_MAX_POSTINGS;
  matchSets(segments: Segment[], masks: (Uint8Array | null)[], qterms: { term: string }[]): { masks: Uint8Array[] | null; total: number; exact: boolean } {
    let postings = 0;
    for (const seg of segments) for (const t of qterms) postings += seg.lex.df(t.term);
    const exact = postings <= this.countExactMaxPostings;
    const out: Uint8Array[] = [];
    let total = 0;
    segments.forEach((seg, si) => {
      const lex = seg.lex;
      const n = lex.size;
      // estimate: the first share of the documents whose postings fit in the budget
      const share = exact ? 1 : Math.max(1 / 64, Math.min(1, this.countExactMaxPostings / postings));
      const upTo = exact ? n : Math.max(1, Math.ceil(n * share));
      const mm = new Uint8Array(n);
      const allow = masks[si];
      let c = 0;
      for (const t of qterms) {
        const list = lex.postings(t.term);
        if (exact && allow === null) {
          // the common case, without branches: count a document the first time it is set
          for (let i = 0; i < list.length; i++) {
            const d = list[i];
            c += mm[d] ^ 1;
            mm[d] = 1;
          }
          continue;
        }
        for (let i = 0; i < list.length; i++) {
          const d = list[i];
          if (d >= upTo) break;
          if (mm[d] === 0 && (allow === null || allow[d] !== 0)) {
            mm[d] = 1;
            c++;
          }
        }
      }
      if (exact) total += c;
      else {
        // scaled by the allowed documents (filters, tombstones) in the prefix and in all
        let inPrefix = upTo, all = n;
        if (allow) {
          inPrefix = all = 0;
          for (let d = 0; d < n; d++) if (allow[d] !== 0) (d < upTo ? inPrefix++ : 0, all++);
        }
        total += inPrefix > 0 ? (c * all) / inPrefix : 0;
      }
      out.push(mm);
    });
    if (exact) return { masks: out, total, exact };
    // Two significant digits: an estimate should not look exact.
    const mag = total >= 100 ? 10 ** (Math.floor(Math.log10(total)) - 1) : 1;
    return { masks: null, total: Math.round(total / mag) * mag, exact: false };
  }

  /**
   * Every match ordered by date (newest) or upvotes, ties by BM25F score, then by index order.
   * One term-at-a-time pass accumulates each match's score (so the count is exact too), then a
   * bounded heap keeps the first offset+limit by a composite key: the integer sort key plus the
   * score scaled into [0, 0.5).
   */
  private sortedMatches(segments: Segment[], masks: (Uint8Array | null)[], qterms: { term: string; idf: number }[], sort: 'newest' | 'upvotes', offset: number, limit: number): EngineResult {
    const accs = segments.map((seg, si) => {
      const lex = seg.lex;
      const acc = new Float32Array(lex.size);
      const allow = masks[si];
      for (const t of qterms) {
        const tid = lex.vocab.get(t.term);
        if (tid === undefined) continue;
        const w = t.idf / IMPACT_SCALE;
        const pd = lex.postDocs, pi = lex.postImpact;
        for (let p = lex.offsets[tid], e = lex.offsets[tid + 1]; p < e; p++) {
          const d = pd[p];
          if (allow === null || allow[d] !== 0) acc[d] += w * pi[p];
        }
      }
      return acc;
    });
    let total = 0, max = 0;
    for (const acc of accs) for (let d = 0; d < acc.length; d++) if (acc[d] > 0) {
      total++;
      if (acc[d] > max) max = acc[d];
    }
    const need = Math.min(total, offset + limit);
    const top = new TopK(Math.max(1, need));
    const scale = max > 0 ? 0.5 / max : 0;
    segments.forEach((seg, si) => {
      const acc = accs[si];
      const keyOf = sort === 'newest' ? seg.lex.days : seg.lex.upvotes;
      for (let d = 0; d < acc.length; d++) {
        const a = acc[d];
        if (a > 0) top.push(si * SEG_STRIDE + d, keyOf[d] + a * scale);
      }
    });
    const ranked = need > 0 ? top.sorted() : [];
    const page = ranked.slice(offset, offset + limit).map((x) => {
      const lexical = accs[Math.floor(x.doc / SEG_STRIDE)][x.doc % SEG_STRIDE];
      return { key: x.doc, lexical, vector: NaN, score: lexical };
    });
    return { hits: this.toHits(page, qterms, () => null), total, totalExact: true };
  }

  /**
   * Both scores for every candidate of one segment: lexical hits keep their exact score from
   * the lexical retrieval; the vector side's other documents are scored exactly here (one pass
   * per candidate over its forward terms, or per term over the postings). Vector scores use the
   * float query.
   */
  private scoreCandidates(seg: Segment, si: number, known: Map<number, number>, others: number[], qterms: { term: string; idf: number }[], qvec: Float32Array | null, out: ScoredCandidate[]): void {
    const vec = qvec && seg.vec ? seg.vec : null;
    for (const [d, lexical] of known) out.push({ key: si * SEG_STRIDE + d, lexical, vector: vec ? vec.dot(qvec!, d) : NaN });
    if (others.length === 0) return;
    const qt = qterms.map((t) => ({ termId: seg.lex.vocab.get(t.term) ?? -1, w: t.idf }));
    const lex = qt.some((t) => t.termId >= 0) ? seg.lex.scoreDocs(qt, others) : new Float64Array(others.length);
    others.forEach((d, i) => out.push({ key: si * SEG_STRIDE + d, lexical: lex[i], vector: vec ? vec.dot(qvec!, d) : NaN }));
  }

  /**
   * Final ranking of the candidates — the one place where lexical and vector scores meet:
   * lexical or dense alone, or z-score fusion (domain/fusion.ts) for hybrid.
   */
  private fuse(items: ScoredCandidate[], mode: SearchMode, alpha: number, q?: { qterms: { term: string }[]; external: boolean; explicitAlpha: boolean; weights?: HybridWeights; rm3?: Rm3Params }): (ScoredCandidate & { score: number })[] {
    if (mode === 'lexical') return items.map((x) => ({ key: x.key, lexical: x.lexical, vector: x.vector, score: x.lexical })).sort((a, b) => b.score - a.score || a.key - b.key);
    if (mode === 'dense') return items.map((x) => ({ key: x.key, lexical: x.lexical, vector: x.vector, score: Number.isFinite(x.vector) ? x.vector : 0 })).sort((a, b) => b.score - a.score || a.key - b.key);
    // Search quality (hybrid-ranker.ts): RM3 re-scoring of the pool + dense features, linear
    // z-score fusion with weights tuned on SciFact train (rank-params.ts). An explicit alpha
    // (eval --alpha) keeps the plain two-score z-score fusion for comparison.
    if (q && !q.explicitAlpha) {
      // (explicit fields: an object spread per candidate cost ~0.2 ms a query)
      const cands = items.map((x) => ({ key: x.key, lexical: x.lexical, vector: x.vector, si: Math.floor(x.key / SEG_STRIDE), d: x.key % SEG_STRIDE }));
      return rankHybrid(this.segments, cands, q.qterms.map((t) => t.term), q.external ? null : this.embedder, { weights: q.weights, rm3: q.rm3 });
    }
    return zScoreFusion(items, alpha);
  }

  /**
   * Filter-only listing (no words): every allowed document, sorted by date or upvotes; ties put
   * the later-indexed paper first. A bounded heap over a composite key (the integer sort key plus
   * the index position scaled into [0, 0.5)) instead of sorting every allowed paper.
   */
  private browse(masks: (Uint8Array | null)[], sort: 'newest' | 'upvotes', offset: number, limit: number): EngineResult {
    const segments = this.segments;
    let total = 0, positions = 0;
    for (const seg of segments) positions += seg.lex.size;
    const step = 0.5 / Math.max(1, positions);
    const top = new TopK(Math.max(1, offset + limit));
    let base = 0;
    segments.forEach((seg, si) => {
      const m = masks[si];
      const arr = sort === 'newest' ? seg.lex.days : seg.lex.upvotes;
      for (let d = 0; d < seg.lex.size; d++) {
        if (m ? !m[d] : !seg.live[d]) continue;
        total++;
        top.push(si * SEG_STRIDE + d, arr[d] + (base + d) * step);
      }
      base += seg.lex.size;
    });
    const hits = (offset + limit > 0 ? top.sorted() : []).slice(offset, offset + limit).map((x) => ({
      id: segments[Math.floor(x.doc / SEG_STRIDE)].lex.ids[x.doc % SEG_STRIDE],
      score: 0,
      lexical: 0,
      vector: NaN,
      lexicalRank: null,
      vectorRank: null,
      matchedTerms: [],
    }));
    return { hits, total, totalExact: true };
  }

  /**
   * Candidates for the search box's suggestions (finished by suggest.ts with the papers' text):
   * papers ranked by BM25F for the typed words, the last one read as a prefix (expanded to the
   * indexed stems it starts, and its own stem), and papers with an author-name token starting
   * with it (and the other words as name tokens). Titles and names are checked afterwards, so
   * these are only candidates.
   */
  suggestCandidates(text: string, k = 40): { titles: string[]; authors: string[] } {
    const ws = words(text);
    if (ws.length === 0) return { titles: [], authors: [] };
    const complete = /\s$/.test(text) ? ws : ws.slice(0, -1);
    const prefix = /\s$/.test(text) ? null : normalize(ws[ws.length - 1]);
    const segments = this.segments;
    let N = 0;
    for (const sg of segments) N += sg.lex.size;
    const titles: { key: number; score: number }[] = [];
    const authors: string[] = [];
    segments.forEach((seg, si) => {
      const lex = seg.lex;
      const live = seg.deleted > 0 ? seg.live : null;
      const weights = new Map<number, number>();
      const add = (term: string, boost: number) => {
        const tid = lex.vocab.get(term);
        if (tid === undefined) return;
        let df = 0;
        for (const sg of segments) df += sg.lex.df(term);
        weights.set(tid, Math.max(weights.get(tid) ?? 0, boost * idf(N, df)));
      };
      for (const t of tokenize(complete.join(' '))) add(t, 2);
      if (prefix && prefix.length >= 2) {
        for (const t of lex.termsWithPrefix(prefix, 30)) add(t, 1);
        add(stem(prefix), 1);
      }
      const qt = [...weights].map(([termId, w]) => ({ termId, w }));
      for (const h of lex.search(qt, k, live)) titles.push({ key: si * SEG_STRIDE + h.doc, score: h.score });
      // authors: every complete word a name token, and a token starting with the prefix
      const need = complete.map((w) => lex.authors.get(normalize(w)));
      if (need.some((l) => !l)) return;
      const lists = prefix ? lex.authorTokensWithPrefix(prefix, 50).map((t) => lex.authors.get(t)!) : [];
      const count = new Map<number, number>();
      for (const l of need) for (const d of l!) count.set(d, (count.get(d) ?? 0) + 1);
      const docs = new Set<number>();
      for (const l of lists) for (const d of l) if (complete.length === 0 || count.get(d) === complete.length) docs.add(d);
      if (!prefix) for (const [d, c] of count) if (c === complete.length) docs.add(d);
      for (const d of docs) {
        if (authors.length >= 4 * k) break;
        if (!live || live[d]) authors.push(lex.ids[d]);
      }
    });
    titles.sort((a, b) => b.score - a.score || a.key - b.key);
    return { titles: titles.slice(0, k).map((x) => segments[Math.floor(x.key / SEG_STRIDE)].lex.ids[x.key % SEG_STRIDE]), authors };
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
  /** Keep token positions (positions.ts); default: when a positional feature has a weight. */
  positions?: boolean;
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
  const positions = new PositionBuilder(builder.vocab, (opts.positions ?? KEEP_POSITIONS) ? POSITIONS_MAX_DOCS : 0);
  const sampleMax = opts.embedderSample ?? 120_000;
  const sample: string[][] = [];
  const wantVectors = (opts.embedder ?? 'builtin') === 'builtin';
  const t0 = Date.now();
  const addOne = (doc: SearchDoc) => {
    const wantSample = wantVectors && sample.length < sampleMax;
    if (!wantSample && !positions.active) {
      builder.add(doc); // nothing else needs the token strings: tokenised straight to term ids
      positions.skip();
    } else {
      const st = positions.tokenize(doc); // = docTokens(doc), plus sentence lengths
      const t = st.tokens;
      builder.add(doc, t);
      positions.add(st);
      if (wantSample) sample.push([...t.title, ...t.abstract]);
    }
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
    const tw = embedder.model.titleWeight ?? 1;
    const tmp = new Float32Array(dim);
    const t2 = Date.now();
    vec = VectorIndex.fromVectors(
      (doc) => {
        tmp.fill(0);
        let n = 0;
        builder.forEachTerm(doc, (tid, tfT, tfA) => {
          const c = tfT * tw + tfA;
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
  // The builder's tuples are dropped as they are read, and collected as the postings fill.
  collectGarbage();
  const lex = builder.finish(undefined, { release: true, onReleased: collectGarbage });
  collectGarbage();
  const pos = positions.finish();
  log(`index built: ${lex.size} docs, ${lex.terms.length} terms, ${lex.postDocs.length} postings, positions ${pos ? `${(pos.bytes / 1e6).toFixed(1)} MB` : 'not kept'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return new SearchEngine({ lex, vec, pos }, embedder);
}
