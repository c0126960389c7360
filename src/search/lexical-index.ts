/**
 * BM25F lexical index on typed arrays, with MaxScore pruning.
 *
 * Scoring (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", §3.5):
 *   tf~(t,d) = Σ_f w_f · tf_f(t,d) / (1 − b_f + b_f · len_f(d) / avglen_f)
 *   score(q,d) = Σ_{t∈q} qw_t · idf(t) · tf~ / (k1 + tf~),   idf(t) = ln(1 + (N − df + ½)/(df + ½))
 * Fields: title, abstract, authors. The saturated part tf~/(k1+tf~) ∈ [0,1) does not depend on
 * the query, so it is computed once at build time and stored per posting as a 16-bit "impact";
 * a query multiplies it by qw·idf. Per-term maximum impacts give MaxScore upper bounds
 * (Turtle & Flood 1995): once the current k-th best score exceeds the summed upper bounds of the
 * remaining low-idf terms, those terms only update documents already in the candidate set
 * (galloping look-ups) instead of scanning their long posting lists.
 *
 * Memory layout (CSR): termOffsets[V+1] into postDocs (Uint32, doc ids ascending) and
 * postImpact (Uint16). Plus per-doc metadata used by filters and sorts, and two small
 * filter-only inverted lists: categories and unstemmed author-name tokens.
 */
import { TermIds, tokenize, tokenizeName } from './tokenizer.js';
import { TopK, type ScoredDoc } from './top-k.js';

import type { SearchDoc } from '../domain/paper.js';
export type { SearchDoc };

export interface Bm25fParams {
  k1: number;
  fields: { title: { w: number; b: number }; abstract: { w: number; b: number }; authors: { w: number; b: number } };
}

/** Tuned on the SciFact train split (see docs/search.md). */
export const DEFAULT_BM25F: Bm25fParams = {
  k1: 1.2,
  fields: { title: { w: 3.5, b: 0.7 }, abstract: { w: 1, b: 0.75 }, authors: { w: 1.5, b: 0.5 } },
};

export const IMPACT_SCALE = 65535;
/**
 * search() strategy (measured at 74,728 and 1,000,000 papers, docs/search.md): queries of at
 * least EXHAUSTIVE_TERMS terms are scored term-at-a-time over all their postings (one float32
 * accumulator per document, then one scan): a branch-free add per posting beat MaxScore's
 * per-candidate look-ups 2× at 1M on 25-word sentences. Shorter queries score the first
 * FIRST_CHUNK documents exhaustively, then the rest with MaxScore, θ taken from that chunk.
 */
const EXHAUSTIVE_TERMS = 6;
const FIRST_CHUNK = 16384;

/** Up to this many documents a segment keeps a forward index for candidate scoring (see forward()). */
export const FORWARD_MAX_DOCS = 300_000;

class GrowU32 {
  a: Uint32Array;
  n = 0;
  constructor(cap = 1024) {
    this.a = new Uint32Array(cap);
  }
  push(v: number) {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  trim(): Uint32Array {
    return this.a.slice(0, this.n);
  }
}
class GrowU16 {
  a: Uint16Array;
  n = 0;
  constructor(cap = 1024) {
    this.a = new Uint16Array(cap);
  }
  push(v: number) {
    if (this.n === this.a.length) {
      const b = new Uint16Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * The builder's raw (term, title/abstract tf, author tf) tuples in doc order, in fixed chunks
 * of 2^18: no doubling copies while growing, and finish() can drop chunks as it reads them.
 */
const TUP_BITS = 18;
const TUP_CHUNK = 1 << TUP_BITS;
const TUP_MASK = TUP_CHUNK - 1;
class Tuples {
  term: Uint32Array[] = [];
  tf: Uint16Array[] = []; // title tf (high byte) and abstract tf (low byte)
  au: Uint8Array[] = [];
  n = 0;
  push(term: number, tf: number, au: number): void {
    const c = this.n >>> TUP_BITS, o = this.n & TUP_MASK;
    if (o === 0) {
      this.term.push(new Uint32Array(TUP_CHUNK));
      this.tf.push(new Uint16Array(TUP_CHUNK));
      this.au.push(new Uint8Array(TUP_CHUNK));
    }
    this.term[c][o] = term;
    this.tf[c][o] = tf;
    this.au[c][o] = au;
    this.n++;
  }
  drop(c: number): void {
    this.term[c] = EMPTY_U32;
    this.tf[c] = EMPTY_U16;
    this.au[c] = EMPTY_U8;
  }
}
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_U16 = new Uint16Array(0);
const EMPTY_U8 = new Uint8Array(0);

/** Days since 1970-01-01 for an ISO date, or NO_DATE. */
export const NO_DATE = -2147483648;
export function isoToDays(iso: string | null | undefined): number {
  if (!iso) return NO_DATE;
  const t = Date.parse(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
  return Number.isFinite(t) ? Math.floor(t / 86400000) : NO_DATE;
}

/** Per-document token stream, exposed so the embedder can reuse the tokenisation. */
export interface DocTokens {
  title: string[];
  abstract: string[];
  authors: string[];
}
export function docTokens(d: Pick<SearchDoc, 'title' | 'abstract' | 'authors'>): DocTokens {
  return { title: tokenize(d.title), abstract: tokenize(d.abstract), authors: tokenize(d.authors.join(' ')) };
}

/**
 * Accumulates documents, then `finish()` computes impacts with the corpus' average lengths.
 * Raw (term, tf per field) tuples are kept in doc order in growable typed arrays so that a
 * million documents fit in a few hundred MB while building.
 */
export class LexicalBuilder {
  readonly vocab = new Map<string, number>();
  readonly terms: string[] = [];
  private df: number[] = [];
  private tuples = new Tuples();
  private released = false;
  private docStart = new GrowU32(1024);
  private lenT = new GrowU16(1024);
  private lenA = new GrowU16(1024);
  private lenAu = new GrowU16(1024);
  readonly ids: string[] = [];
  private days = new GrowU32(1024);
  private upv = new GrowU32(1024);
  private code: number[] = [];
  private cats = new Map<string, GrowU32>();
  private auth = new Map<string, GrowU32>();

  constructor(readonly params: Bm25fParams = DEFAULT_BM25F) {}

  get size(): number {
    return this.ids.length;
  }

  private termId(t: string): number {
    let id = this.vocab.get(t);
    if (id === undefined) {
      id = this.terms.length;
      this.vocab.set(t, id);
      this.terms.push(t);
      this.df.push(0);
    }
    return id;
  }

  // Per-document scratch (no Map or closure per document): stamp[t] = doc + 1 when term t was
  // already seen in the current document, packed[t] = titleTf<<16 | absTf<<8 | authTf, and
  // seen[0..nSeen) the document's distinct term ids in first-seen order.
  private stamp = new Int32Array(1024);
  private packed = new Int32Array(1024);
  private seen = new Int32Array(256);
  private nSeen = 0;

  /** Count one occurrence of term `id` in the field whose tf sits at bit `shift` of packed. */
  private bump(id: number, shift: number, stampV: number): void {
    if (id >= this.stamp.length) {
      const cap = Math.max(id + 1, this.stamp.length * 2);
      const a = new Int32Array(cap);
      a.set(this.stamp);
      this.stamp = a;
      const b = new Int32Array(cap);
      b.set(this.packed);
      this.packed = b;
    }
    if (this.stamp[id] !== stampV) {
      this.stamp[id] = stampV;
      this.packed[id] = 1 << shift;
      if (this.nSeen === this.seen.length) {
        const a = new Int32Array(this.nSeen * 2);
        a.set(this.seen);
        this.seen = a;
      }
      this.seen[this.nSeen++] = id;
    } else if (((this.packed[id] >>> shift) & 0xff) < 255) this.packed[id] += 1 << shift;
  }

  /** Tokenises straight to this builder's term ids (same tokens as docTokens). */
  private readonly termIds = new TermIds((t) => this.termId(t));

  /** Count one field's tokens (its text, or its tokens when given) into the scratch; returns the field's length. */
  private field(text: string | readonly string[], shift: number, stampV: number): number {
    if (typeof text !== 'string') {
      for (const t of text) this.bump(this.termId(t), shift, stampV);
      return text.length;
    }
    const n = this.termIds.scan(text);
    const ids = this.termIds.ids;
    for (let i = 0; i < n; i++) this.bump(ids[i], shift, stampV);
    return n;
  }

  /**
   * Add one document; `tokens` (= docTokens(doc)) may be passed when the caller already
   * tokenised it, otherwise the builder tokenises the fields itself, straight to term ids.
   */
  add(doc: SearchDoc, tokens?: DocTokens): number {
    const docId = this.ids.length;
    this.ids.push(doc.id);
    if (this.released) throw new Error('LexicalBuilder: finished with release, cannot add');
    this.docStart.push(this.tuples.n);
    const stampV = docId + 1;
    this.nSeen = 0;
    const lenT = this.field(tokens ? tokens.title : doc.title, 16, stampV);
    const lenA = this.field(tokens ? tokens.abstract : doc.abstract, 8, stampV);
    const lenAu = this.field(tokens ? tokens.authors : doc.authors.join(' '), 0, stampV);
    const nSeen = this.nSeen;
    const seen = this.seen, packed = this.packed, df = this.df;
    for (let i = 0; i < nSeen; i++) {
      const id = seen[i];
      const p = packed[id];
      this.tuples.push(id, p >>> 8, p & 0xff);
      df[id]++;
    }
    this.lenT.push(Math.min(lenT, 65535));
    this.lenA.push(Math.min(lenA, 65535));
    this.lenAu.push(Math.min(lenAu, 65535));
    this.days.push(isoToDays(doc.publishedAt) >>> 0);
    this.upv.push(Math.max(0, Math.min(doc.upvotes | 0, 0x7fffffff)));
    this.code.push(doc.codeUrl ? 1 : 0);
    const seenC = new Set<string>();
    for (const c of doc.categories) {
      const k = c.toLowerCase();
      if (seenC.has(k)) continue;
      seenC.add(k);
      let g = this.cats.get(k);
      if (!g) this.cats.set(k, (g = new GrowU32(16)));
      g.push(docId);
    }
    const seenA = new Set<string>();
    for (const a of doc.authors) {
      for (const t of tokenizeName(a)) {
        if (seenA.has(t)) continue;
        seenA.add(t);
        let g = this.auth.get(t);
        if (!g) this.auth.set(t, (g = new GrowU32(4)));
        g.push(docId);
      }
    }
    return docId;
  }

  /** Summed field lengths (for averages shared with another segment). */
  lengthSums(): { n: number; title: number; abstract: number; authors: number } {
    let t = 0, a = 0, au = 0;
    const n = this.ids.length;
    for (let d = 0; d < n; d++) {
      t += this.lenT.a[d];
      a += this.lenA.a[d];
      au += this.lenAu.a[d];
    }
    return { n, title: t, abstract: a, authors: au };
  }

  /** Term ids and (title, abstract) tfs of a document already added. */
  forEachTerm(doc: number, cb: (termId: number, tfTitle: number, tfAbstract: number) => void): void {
    const s = this.docStart.a[doc];
    const e = doc + 1 < this.ids.length ? this.docStart.a[doc + 1] : this.tuples.n;
    const T = this.tuples;
    for (let i = s; i < e; i++) {
      const c = i >>> TUP_BITS, o = i & TUP_MASK;
      const tf = T.tf[c][o];
      if (tf !== 0) cb(T.term[c][o], tf >>> 8, tf & 0xff);
    }
  }

  /**
   * Build the immutable index. `avg` lets a delta segment reuse the main segment's average
   * field lengths so impacts are comparable across segments.
   */
  finish(avg?: { title: number; abstract: number; authors: number }, opts: { release?: boolean; onReleased?: () => void } = {}): LexicalIndex {
    if (this.released) throw new Error('LexicalBuilder: already finished with release');
    const N = this.ids.length;
    const V = this.terms.length;
    const lenT = this.lenT.a, lenA = this.lenA.a, lenAu = this.lenAu.a;
    let sT = 0, sA = 0, sAu = 0;
    for (let d = 0; d < N; d++) {
      sT += lenT[d];
      sA += lenA[d];
      sAu += lenAu[d];
    }
    const averages = avg ?? { title: N ? sT / N || 1 : 1, abstract: N ? sA / N || 1 : 1, authors: N ? sAu / N || 1 : 1 };
    const offsets = new Uint32Array(V + 1);
    for (let t = 0; t < V; t++) offsets[t + 1] = offsets[t] + this.df[t];
    const total = offsets[V];
    const postDocs = new Uint32Array(total);
    const postImpact = new Uint16Array(total);
    const maxImpact = new Uint16Array(V);
    const fill = offsets.slice(0, V);
    const { k1 } = this.params;
    const fT = this.params.fields.title, fA = this.params.fields.abstract, fAu = this.params.fields.authors;
    const starts = this.docStart.a;
    const T = this.tuples;
    const nTup = T.n;
    // With `release`, each chunk of tuples is dropped once read: the postings fill up while the
    // tuples drain, instead of both being held at once (at 1M papers ~850 + 730 MB).
    let chunk = -1;
    let tupTerm = T.term[0] ?? new Uint32Array(0), tupTf = T.tf[0] ?? new Uint16Array(0), tupAu = T.au[0] ?? new Uint8Array(0);
    for (let d = 0; d < N; d++) {
      const s = starts[d];
      const e = d + 1 < N ? starts[d + 1] : nTup;
      const nT = 1 - fT.b + (fT.b * lenT[d]) / averages.title;
      const nA = 1 - fA.b + (fA.b * lenA[d]) / averages.abstract;
      const nAu = 1 - fAu.b + (fAu.b * lenAu[d]) / averages.authors;
      for (let i = s; i < e; i++) {
        const c = i >>> TUP_BITS;
        if (c !== chunk) {
          if (opts.release && chunk >= 0) {
            T.drop(chunk);
            if (chunk % 64 === 63) opts.onReleased?.(); // e.g. let the caller collect them
          }
          chunk = c;
          tupTerm = T.term[c];
          tupTf = T.tf[c];
          tupAu = T.au[c];
        }
        const o = i & TUP_MASK;
        const t = tupTerm[o];
        const tf = tupTf[o];
        const tfT = tf >>> 8, tfA = tf & 0xff, tfAu = tupAu[o];
        const x = (fT.w * tfT) / nT + (fA.w * tfA) / nA + (fAu.w * tfAu) / nAu;
        const imp = Math.max(1, Math.round((x / (k1 + x)) * IMPACT_SCALE));
        const p = fill[t]++;
        postDocs[p] = d;
        postImpact[p] = imp;
        if (imp > maxImpact[t]) maxImpact[t] = imp;
      }
    }
    if (opts.release) {
      for (let c = 0; c < T.term.length; c++) T.drop(c);
      this.released = true;
    }
    const toLists = (m: Map<string, GrowU32>) => {
      const out = new Map<string, Uint32Array>();
      for (const [k, g] of m) out.set(k, g.trim());
      return out;
    };
    return new LexicalIndex({
      terms: this.terms.slice(),
      ids: this.ids.slice(),
      offsets,
      postDocs,
      postImpact,
      maxImpact,
      days: new Int32Array(this.days.a.buffer.slice(0, N * 4)),
      upvotes: new Int32Array(this.upv.a.buffer.slice(0, N * 4)),
      hasCode: Uint8Array.from(this.code),
      categories: toLists(this.cats),
      authors: toLists(this.auth),
      averages,
      params: this.params,
    });
  }
}

export interface LexicalIndexData {
  terms: string[];
  ids: string[];
  offsets: Uint32Array;
  postDocs: Uint32Array;
  postImpact: Uint16Array;
  maxImpact: Uint16Array;
  days: Int32Array;
  upvotes: Int32Array;
  hasCode: Uint8Array;
  categories: Map<string, Uint32Array>;
  authors: Map<string, Uint32Array>;
  averages: { title: number; abstract: number; authors: number };
  params: Bm25fParams;
}

export class LexicalIndex {
  readonly terms: string[];
  readonly vocab: Map<string, number>;
  readonly ids: string[];
  readonly offsets: Uint32Array;
  readonly postDocs: Uint32Array;
  readonly postImpact: Uint16Array;
  readonly maxImpact: Uint16Array;
  readonly days: Int32Array;
  readonly upvotes: Int32Array;
  readonly hasCode: Uint8Array;
  readonly categories: Map<string, Uint32Array>;
  readonly authors: Map<string, Uint32Array>;
  readonly averages: { title: number; abstract: number; authors: number };
  readonly params: Bm25fParams;
  private acc: Float32Array;
  private pdI: Int32Array;
  private offI: Int32Array;

  constructor(d: LexicalIndexData) {
    this.terms = d.terms;
    this.vocab = new Map();
    for (let i = 0; i < d.terms.length; i++) this.vocab.set(d.terms[i], i);
    this.ids = d.ids;
    this.offsets = d.offsets;
    this.postDocs = d.postDocs;
    this.postImpact = d.postImpact;
    this.maxImpact = d.maxImpact;
    this.days = d.days;
    this.upvotes = d.upvotes;
    this.hasCode = d.hasCode;
    this.categories = d.categories;
    this.authors = d.authors;
    this.averages = d.averages;
    this.params = d.params;
    this.acc = new Float32Array(d.ids.length);
    // Int32 views of the postings for the query loops: V8 handles int32 loads as small integers,
    // while uint32 loads may need a float conversion on every element.
    this.pdI = new Int32Array(d.postDocs.buffer, d.postDocs.byteOffset, d.postDocs.length);
    this.offI = new Int32Array(d.offsets.buffer, d.offsets.byteOffset, d.offsets.length);
  }

  get size(): number {
    return this.ids.length;
  }

  private idMap: Map<string, number> | null = null;
  /** Internal doc number of an external id, or -1. */
  docOf(id: string): number {
    if (!this.idMap) {
      this.idMap = new Map();
      for (let i = 0; i < this.ids.length; i++) this.idMap.set(this.ids[i], i);
    }
    return this.idMap.get(id) ?? -1;
  }

  private sortedTerms: string[] | null = null;
  private sortedAuthorTokens: string[] | null = null;
  /** Terms (stems) starting with `prefix`, at most `max`, in alphabetical order (for suggestions). */
  termsWithPrefix(prefix: string, max: number): string[] {
    return withPrefix((this.sortedTerms ??= [...this.terms].sort()), prefix, max);
  }
  /** Author-name tokens (unstemmed, the author filter's) starting with `prefix`. */
  authorTokensWithPrefix(prefix: string, max: number): string[] {
    return withPrefix((this.sortedAuthorTokens ??= [...this.authors.keys()].sort()), prefix, max);
  }

  df(term: string): number {
    const t = this.vocab.get(term);
    return t === undefined ? 0 : this.offsets[t + 1] - this.offsets[t];
  }

  /** Posting list (doc ids) of a term, empty when unknown. */
  postings(term: string): Uint32Array {
    const t = this.vocab.get(term);
    if (t === undefined) return new Uint32Array(0);
    return this.postDocs.subarray(this.offsets[t], this.offsets[t + 1]);
  }

  /** Exact contribution-free impact of a term in a doc (0 when absent), via binary search. */
  impact(termId: number, doc: number): number {
    let lo = this.offsets[termId], hi = this.offsets[termId + 1] - 1;
    const pd = this.postDocs;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = pd[mid];
      if (v === doc) return this.postImpact[mid] / IMPACT_SCALE;
      if (v < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /**
   * Top-k documents for weighted terms. `w` is each term's query weight × idf (the caller may
   * combine statistics of several segments); `allow` (optional) is a per-doc 0/1 mask.
   * Exact: pruning never changes the top k (up to float rounding), only skips work.
   *
   * Terms are ordered by decreasing upper bound (rare terms first); documents are processed in
   * doc-number chunks (see EXHAUSTIVE_TERMS / FIRST_CHUNK for when). For each chunk, with θ = the
   * k-th best complete score so far (the heap's minimum), the "essential" terms are the shortest
   * prefix whose remaining bounds cannot lift a document to θ on their own (MaxScore); their
   * postings inside the chunk are added into float32 accumulators (a branch-free add per
   * posting), then the chunk's accumulators are scanned in doc order and each one that could
   * still beat θ looks up the non-essential terms (forward-only galloping cursors) while its
   * score plus the remaining bounds can.
   */
  search(qterms: { termId: number; w: number }[], k: number, allow: Uint8Array | null): ScoredDoc[] {
    const N = this.ids.length;
    if (k <= 0 || N === 0) return [];
    const ts = qterms
      .filter((q) => q.w > 0 && this.offsets[q.termId + 1] > this.offsets[q.termId])
      .map((q) => ({ termId: q.termId, w: q.w, ub: (q.w * this.maxImpact[q.termId]) / IMPACT_SCALE }));
    if (ts.length === 0) return [];
    ts.sort((a, b) => b.ub - a.ub || a.termId - b.termId);
    const m = ts.length;
    const suffix = new Float64Array(m + 1);
    for (let i = m - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + ts[i].ub;
    const cur = new Int32Array(m);
    const end = new Int32Array(m);
    const sc = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      cur[j] = this.offI[ts[j].termId];
      end[j] = this.offI[ts[j].termId + 1];
      sc[j] = ts[j].w / IMPACT_SCALE;
    }
    const acc = this.acc;
    const pd = this.pdI, pi = this.postImpact;
    const top = new TopK(k);
    let ess = m; // essential terms: [0, ess)
    for (let base = 0; base < N; ) {
      const lim = base === 0 && m < EXHAUSTIVE_TERMS ? Math.min(N, FIRST_CHUNK) : N;
      let thr = top.min;
      while (ess > 0 && suffix[ess - 1] < thr) ess--;
      if (ess === 0) break; // no document left can reach the top k
      // 1. Essential terms: their postings in [base, lim) into the chunk's accumulators.
      for (let j = 0; j < ess; j++) {
        const s = sc[j];
        let p = cur[j];
        const e = end[j];
        if (allow) {
          for (; p < e; p++) {
            const d = pd[p];
            if (d >= lim) break;
            if (allow[d] !== 0) acc[d - base] += s * pi[p];
          }
        } else {
          for (; p < e; p++) {
            const d = pd[p];
            if (d >= lim) break;
            acc[d - base] += s * pi[p];
          }
        }
        cur[j] = p;
      }
      // 2. Candidates in doc order: complete with the non-essential terms while they can win.
      const restBound = suffix[ess];
      for (let x = 0, n = lim - base; x < n; x++) {
        const a = acc[x];
        if (a === 0) continue;
        acc[x] = 0;
        if (a + restBound <= thr) continue;
        const d = base + x;
        let score = a;
        let j = ess;
        for (; j < m; j++) {
          if (score + suffix[j] <= thr) break;
          let p = cur[j];
          const e = end[j];
          if (p < e && pd[p] < d) {
            let step = 1;
            let hi = p + 1;
            while (hi < e && pd[hi] < d) {
              p = hi;
              step <<= 1;
              hi = p + step;
            }
            if (hi > e) hi = e;
            let lo = p + 1;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (pd[mid] < d) lo = mid + 1;
              else hi = mid;
            }
            p = lo;
            cur[j] = p;
          }
          if (p < e && pd[p] === d) score += sc[j] * pi[p];
        }
        if (j === m && score > top.min) {
          top.push(d, score);
          if (top.min > thr) thr = top.min;
        }
      }
      base = lim;
    }
    return top.sorted();
  }

  /**
   * Exact lexical score of given docs, summed term by term in the order given (so it equals
   * Σ w·impact(t, d) computed one look-up at a time). One pass per term over the docs sorted
   * by doc number, galloping through the posting list.
   */
  scoreDocs(qterms: { termId: number; w: number }[], docs: ArrayLike<number>): Float64Array {
    if (this.ids.length <= FORWARD_MAX_DOCS && docs.length > 0) return this.scoreDocsForward(qterms, docs);
    return this.scoreDocsPostings(qterms, docs);
  }

  private fwd: { start: Int32Array; term: Int32Array; impact: Uint16Array } | null = null;
  private qwScratch: Float64Array | null = null;
  /**
   * Forward index (each doc's (term, impact) pairs, contiguous), made once on first use by
   * transposing the postings. Scoring a few hundred candidates against a long expanded query
   * then reads each candidate's own terms sequentially instead of doing |terms| × |candidates|
   * look-ups scattered over the posting lists (cache misses). 6 bytes a posting: ~50 MB at 75k
   * papers; above FORWARD_MAX_DOCS the posting-list path is used instead (memory at 1M).
   */
  private forward(): { start: Int32Array; term: Int32Array; impact: Uint16Array } {
    if (this.fwd) return this.fwd;
    const N = this.ids.length, V = this.terms.length;
    const total = this.postDocs.length;
    const start = new Int32Array(N + 1);
    const pd = this.pdI, off = this.offI, pi = this.postImpact;
    for (let p = 0; p < total; p++) start[pd[p] + 1]++;
    for (let d = 0; d < N; d++) start[d + 1] += start[d];
    const fill = start.slice(0, N);
    const term = new Int32Array(total);
    const impact = new Uint16Array(total);
    for (let t = 0; t < V; t++) {
      for (let p = off[t]; p < off[t + 1]; p++) {
        const q = fill[pd[p]]++;
        term[q] = t;
        impact[q] = pi[p];
      }
    }
    return (this.fwd = { start, term, impact });
  }

  private scoreDocsForward(qterms: { termId: number; w: number }[], docs: ArrayLike<number>): Float64Array {
    const n = docs.length;
    const out = new Float64Array(n);
    const { start, term, impact } = this.forward();
    let qw = this.qwScratch;
    if (!qw) qw = this.qwScratch = new Float64Array(this.terms.length);
    for (const q of qterms) if (q.termId >= 0) qw[q.termId] += q.w;
    for (let i = 0; i < n; i++) {
      const d = docs[i];
      let s = 0;
      for (let x = start[d], e = start[d + 1]; x < e; x++) {
        const w = qw[term[x]];
        if (w !== 0) s += w * (impact[x] / IMPACT_SCALE);
      }
      out[i] = s;
    }
    for (const q of qterms) if (q.termId >= 0) qw[q.termId] = 0;
    return out;
  }

  private scoreDocsPostings(qterms: { termId: number; w: number }[], docs: ArrayLike<number>): Float64Array {
    const n = docs.length;
    const out = new Float64Array(n);
    if (n === 0) return out;
    // Candidates in doc order, without a comparator: (doc, index) packed into one float.
    if (n >= 65536) throw new RangeError('scoreDocs: at most 65,535 documents');
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = docs[i] * 65536 + i;
    packed.sort();
    const sd = new Int32Array(n), si = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      const v = packed[c];
      const d = Math.floor(v / 65536);
      sd[c] = d;
      si[c] = v - d * 65536;
    }
    const pd = this.pdI, pi = this.postImpact;
    for (const q of qterms) {
      if (q.termId < 0) continue;
      let p = this.offI[q.termId];
      const e = this.offI[q.termId + 1];
      const w = q.w;
      if (e - p <= 4 * n) {
        // short list: linear merge
        let c = 0;
        while (p < e && c < n) {
          const a = pd[p], d = sd[c];
          if (a < d) p++;
          else if (a > d) c++;
          else {
            out[si[c]] += w * (pi[p] / IMPACT_SCALE);
            p++;
            c++;
          }
        }
        continue;
      }
      for (let c = 0; c < n && p < e; c++) {
        const d = sd[c];
        if (pd[p] < d) p = seekInterp(pd, p, e, d);
        if (p >= e) break;
        if (pd[p] === d) out[si[c]] += w * (pi[p] / IMPACT_SCALE);
      }
    }
    return out;
  }
}

/**
 * First index in pd[p..e) (ascending) with pd[i] ≥ d, given pd[p] < d. Interpolation guess from
 * the doc-number density of the remaining list (posting lists are spread fairly evenly over the
 * doc numbers), then galloping from the guess in the right direction and a binary search: a few
 * steps per look-up on long lists instead of ~2·log2(gap).
 */
export function seekInterp(pd: Int32Array, p: number, e: number, d: number): number {
  const last = pd[e - 1];
  if (last < d) return e;
  const first = pd[p];
  let g = p + Math.floor(((d - first) / (last - first + 1)) * (e - 1 - p));
  if (g <= p) g = p + 1;
  let lo: number, hi: number; // invariant: pd[lo] < d ≤ pd[hi]
  if (pd[g] < d) {
    lo = g;
    let step = 1;
    hi = g + 1;
    while (hi < e - 1 && pd[hi] < d) {
      lo = hi;
      step <<= 1;
      hi = Math.min(e - 1, lo + step);
    }
  } else {
    hi = g;
    let step = 1;
    lo = g - 1;
    while (lo > p && pd[lo] >= d) {
      hi = lo;
      step <<= 1;
      lo = Math.max(p, hi - step);
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (pd[mid] < d) lo = mid;
    else hi = mid;
  }
  return hi;
}

function withPrefix(sorted: string[], prefix: string, max: number): string[] {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && out.length < max && sorted[i].startsWith(prefix); i++) out.push(sorted[i]);
  return out;
}

export function idf(N: number, df: number): number {
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
}
