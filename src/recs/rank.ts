/**
 * "For you": rank candidate papers for one user from the papers in their library. Pure: the
 * papers' features come from a `RecFeatures` (the search engine's, in the product and in
 * `papertide eval-recs`), so the same function serves the page and the evaluation.
 *
 * A library is rarely one topic, so a candidate is scored against the library as a whole AND
 * against its single closest library paper (a researcher with two interests should get papers
 * of each, not papers halfway between them):
 *
 *   score(c) = wCentroid · cos(Σ lex(l), lex(c))  +  wMax · max_l lex(l)·lex(c)
 *            + wDense    · cos(Σ vec(l), vec(c))  +  wDenseMax · max_l vec(l)·vec(c)
 *            − wBackground · cos(Σ lex(candidates), lex(c))
 *            − wDismissed · max_d (lex(d)·lex(c) + vec(d)·vec(c)) / 2   (lex only when dense is off)
 *            + boost(c)                                   (follows, given by the caller)
 *
 * lex(·) is a paper's L2-normalised sparse vector of BM25F impacts × idf^0.5 over its strongest
 * terms (engine-features.ts); vec(·) its unit dense vector. Σ is weighted by each library paper's weight (saved 1,
 * upvoted less) and decays with age in the library. The explanation names the library paper l with the largest
 * wMax·lex(l)·lex(c) + wDenseMax·vec(l)·vec(c), i.e. the one that contributed most.
 * Ties are broken by id, so the order is deterministic.
 */

export interface SparseVec {
  /** Term ids, strictly increasing. */
  terms: Uint32Array;
  /** L2-normalised weights. */
  weights: Float32Array;
}

export interface RecFeatures {
  sparse(id: string): SparseVec | null;
  /** Unit vector, or null when the paper has none. */
  dense(id: string): Float32Array | null;
}

export interface LibraryItem {
  id: string;
  title: string;
  /** Saved 1, upvoted RECS.upvoteWeight; any positive number. */
  weight: number;
}

export interface Boost {
  amount: number;
  /** Shown when the boost outweighs the content match, e.g. "you follow cat:cs.CL". */
  reason: string;
}

export interface RecInput {
  library: LibraryItem[];
  dismissed: string[];
  /** Candidate ids (duplicates ignored), or a set prepared once for many users (`CandidateSet`). */
  candidates: string[] | CandidateSet;
  /** Extra score for candidates matching a follow (already decided by the caller). */
  boosts?: Map<string, Boost>;
  limit: number;
}

export interface Rec {
  id: string;
  score: number;
  /** The library paper it is most like (null when it is here for a follow only). */
  like: { id: string; title: string } | null;
  reason: string;
}

export interface RecParams {
  wCentroid: number;
  wMax: number;
  wDense: number;
  wDenseMax: number;
  wDismissed: number;
  upvoteWeight: number;
  /**
   * A library is given oldest first; the k-th newest paper's weight is multiplied by decay^k,
   * since what someone saved last says most about what they read next (1 = no decay).
   */
  decay: number;
  /**
   * Weight of the candidates' own centroid, subtracted: what every recent paper shares (the
   * field's fashion) says nothing about this user (Rocchio with the candidates as background).
   */
  wBackground: number;
}

/**
 * Measured on reco-author-next (docs/recs.md): the closest single paper counts as much as the
 * library's centroid, a 0.9 decay per newer paper and subtracting 0.3 × the candidates' centroid
 * help a little, and the built-in embedder's vectors lowered nDCG@10 at every weight tried, so
 * they are off (kept for embedders that help).
 */
export const RECS: RecParams = {
  wCentroid: 1,
  wMax: 1,
  wDense: 0,
  wDenseMax: 0,
  wDismissed: 0.5,
  upvoteWeight: 0.5,
  decay: 0.9,
  wBackground: 0.3,
};

/** Dot product of two sparse vectors (merge over sorted term ids). */
export function sparseDot(a: SparseVec, b: SparseVec): number {
  const at = a.terms, bt = b.terms;
  let i = 0, j = 0, s = 0;
  while (i < at.length && j < bt.length) {
    const x = at[i], y = bt[j];
    if (x === y) s += a.weights[i++] * b.weights[j++];
    else if (x < y) i++;
    else j++;
  }
  return s;
}

function denseDot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

function denseCentroid(vs: { v: Float32Array; w: number }[]): Float32Array | null {
  if (vs.length === 0) return null;
  const out = new Float32Array(vs[0].v.length);
  for (const { v, w } of vs) for (let i = 0; i < out.length; i++) out[i] += w * v[i];
  let n = 0;
  for (let i = 0; i < out.length; i++) n += out[i] * out[i];
  n = Math.sqrt(n);
  if (n === 0) return null;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

/**
 * Scratch arrays indexed by term id, kept between calls and cleaned after each (only the entries
 * a call touched): allocating and normalising arrays as long as the vocabulary (~200k terms on a
 * real store) cost ~15 ms per request. rankForUser is synchronous, so one set is enough.
 */
let scratchCap = 0;
let sCentroid = new Float64Array(0), sBackground = new Float64Array(0), sHead = new Int32Array(0), sMark = new Uint8Array(0), sBits = new Uint32Array(0);
function scratch(V: number): void {
  if (V <= scratchCap) return;
  scratchCap = Math.max(V, Math.ceil(scratchCap * 1.5));
  sCentroid = new Float64Array(scratchCap);
  sBackground = new Float64Array(scratchCap);
  sHead = new Int32Array(scratchCap).fill(-1);
  sMark = new Uint8Array(scratchCap);
  // One bit per term: "some library paper has it", 1/32 of sHead's size, so a candidate's many
  // terms that no library paper has are rejected from a cache-resident array.
  sBits = new Uint32Array((scratchCap >>> 5) + 1);
}

let bgCache: { f: RecFeatures; key: string; score: Map<string, number> } | null = null;

/** Count and two order-free sums of 32-bit FNV-1a hashes of the ids. */
function candidateKey(ids: string[]): string {
  let a = 0, b = 0;
  for (const id of ids) {
    let h = 2166136261;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
    a = (a + (h >>> 0)) % 4294967296;
    b = (b + Math.imul(h, 2654435761) >>> 0) % 4294967296;
  }
  return `${ids.length}:${a}:${b}`;
}

/** Weighted sum of sparse vectors into dst (zero where untouched), L2-normalised; returns the terms touched and the norm. */
function addInto(dst: Float64Array, vs: { v: SparseVec; w: number }[]): { touched: number[]; norm: number } {
  const touched: number[] = [];
  for (const { v, w } of vs)
    for (let i = 0; i < v.terms.length; i++) {
      const t = v.terms[i];
      if (sMark[t] === 0) {
        sMark[t] = 1;
        touched.push(t);
      }
      dst[t] += w * v.weights[i];
    }
  let n = 0;
  for (const t of touched) {
    sMark[t] = 0;
    n += dst[t] * dst[t];
  }
  n = Math.sqrt(n);
  if (n > 0) for (const t of touched) dst[t] /= n;
  return { touched, norm: n };
}

function denseDotSparse(dst: Float64Array, v: SparseVec): number {
  let s = 0;
  for (let i = 0; i < v.terms.length; i++) s += dst[v.terms[i]] * v.weights[i];
  return s;
}

/**
 * A candidate set prepared once and ranked for many users: every user of a day, week or month
 * view shares one (recs.service.ts keeps one per window until the store changes). It holds the
 * candidates' vectors, an inverted index over them (term → the candidates holding it, with their
 * weights) and, on first use, their background scores cos(Σ lex(candidates), lex(c)).
 * About 8 bytes per (candidate, term) pair plus 4 per term id: ~8 MB for a month of 8,908 papers.
 */
export class CandidateSet {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();
  readonly lex: (SparseVec | null)[] = [];
  /** Postings of term t: [start[t], start[t + 1]) in postCand / postW. */
  private readonly start: Int32Array;
  private readonly postCand: Int32Array;
  private readonly postW: Float32Array;
  private bg: Float64Array | null = null;
  private byId: Int32Array | null = null;

  constructor(
    ids: readonly string[],
    readonly features: RecFeatures,
  ) {
    let maxTerm = -1, pairs = 0;
    for (const id of ids) {
      if (this.index.has(id)) continue;
      const v = features.sparse(id);
      this.index.set(id, this.ids.length);
      this.ids.push(id);
      this.lex.push(v);
      if (v && v.terms.length) {
        pairs += v.terms.length;
        if (v.terms[v.terms.length - 1] > maxTerm) maxTerm = v.terms[v.terms.length - 1];
      }
    }
    const start = new Int32Array(maxTerm + 2);
    for (const v of this.lex) if (v) for (let i = 0; i < v.terms.length; i++) start[v.terms[i] + 1]++;
    for (let t = 0; t <= maxTerm; t++) start[t + 1] += start[t];
    const fill = start.slice(0, maxTerm + 1);
    const postCand = new Int32Array(pairs), postW = new Float32Array(pairs);
    // Candidates in order, so each term's postings are in candidate order.
    this.lex.forEach((v, ci) => {
      if (!v) return;
      for (let i = 0; i < v.terms.length; i++) {
        const k = fill[v.terms[i]]++;
        postCand[k] = ci;
        postW[k] = v.weights[i];
      }
    });
    this.start = start;
    this.postCand = postCand;
    this.postW = postW;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Memory held, roughly (bytes), for the cache's bounds. */
  get bytes(): number {
    return this.start.byteLength + this.postCand.byteLength + this.postW.byteLength + (this.bg?.byteLength ?? 0) + this.ids.length * 64;
  }

  /**
   * acc[c] += w · (weight of term t in candidate c) for every candidate holding t; a candidate
   * reached for the first time since its mark was cleared is marked and appended to `touched`.
   * Returns the new length of `touched`.
   */
  addTerm(t: number, w: number, acc: Float64Array, mark: Uint8Array, touched: Int32Array, nt: number): number {
    if (t + 1 >= this.start.length) return nt;
    const { postCand, postW } = this;
    for (let k = this.start[t], e = this.start[t + 1]; k < e; k++) {
      const c = postCand[k];
      if (mark[c] === 0) {
        mark[c] = 1;
        touched[nt++] = c;
      }
      acc[c] += postW[k] * w;
    }
    return nt;
  }

  /** cos(Σ lex(candidates), lex(c)) per candidate, computed once. */
  background(): Float64Array {
    if (this.bg) return this.bg;
    const V = this.start.length - 1;
    const dst = new Float64Array(Math.max(0, V));
    const seen = new Uint8Array(Math.max(0, V));
    const touched: number[] = [];
    for (const v of this.lex) {
      if (!v) continue;
      for (let i = 0; i < v.terms.length; i++) {
        const t = v.terms[i];
        if (seen[t] === 0) {
          seen[t] = 1;
          touched.push(t);
        }
        dst[t] += 1 * v.weights[i];
      }
    }
    let n = 0;
    for (const t of touched) n += dst[t] * dst[t];
    n = Math.sqrt(n);
    if (n > 0) for (const t of touched) dst[t] /= n;
    const bg = new Float64Array(this.ids.length);
    this.lex.forEach((v, ci) => {
      if (v) bg[ci] = denseDotSparse(dst, v);
    });
    return (this.bg = bg);
  }

  private work: { acc: Float64Array; mark: Uint8Array; touched: Int32Array; bestLex: Float64Array; best: Float64Array; like: Int32Array; cent: Float64Array; worst: Float64Array; boost: Float64Array } | null = null;
  /**
   * Per-candidate arrays for one ranking, kept with the set (rankForUser is synchronous, so one
   * set of them serves every call): reset here, not allocated per request.
   */
  workArrays() {
    const n = this.ids.length;
    if (!this.work) this.work = { acc: new Float64Array(n), mark: new Uint8Array(n), touched: new Int32Array(n), bestLex: new Float64Array(n), best: new Float64Array(n), like: new Int32Array(n), cent: new Float64Array(n), worst: new Float64Array(n), boost: new Float64Array(n) };
    const w = this.work;
    w.bestLex.fill(0);
    w.best.fill(-Infinity);
    w.like.fill(-1);
    w.cent.fill(0);
    w.worst.fill(0);
    w.boost.fill(0);
    return w;
  }

  /** Candidate indexes in id order (code units), computed once. */
  idOrder(): Int32Array {
    if (this.byId) return this.byId;
    const o = Int32Array.from(this.ids.keys());
    o.sort((a, b) => (this.ids[a] < this.ids[b] ? -1 : this.ids[a] > this.ids[b] ? 1 : 0));
    return (this.byId = o);
  }
}

/**
 * The sets built for plain id lists (eval-recs: one window shared by its users), per features:
 * the last two, keyed by an order-free hash of the ids.
 */
const listSets = new WeakMap<RecFeatures, { key: string; set: CandidateSet }[]>();
function setOfList(ids: string[], f: RecFeatures): CandidateSet {
  const key = candidateKey(ids);
  let l = listSets.get(f);
  if (!l) listSets.set(f, (l = []));
  const hit = l.find((x) => x.key === key);
  if (hit) return hit.set;
  const set = new CandidateSet(ids, f);
  l.unshift({ key, set });
  if (l.length > 2) l.pop();
  return set;
}

/** Top `limit` candidates by (score desc, id asc): a min-heap on that order. */
class TopK {
  readonly s: number[] = [];
  readonly i: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly ids: string[],
  ) {}
  private worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && this.ids[ia] > this.ids[ib]);
  }
  push(sc: number, ix: number): void {
    const { s, i, limit } = this;
    if (limit <= 0) return;
    if (s.length < limit) {
      let k = s.length;
      s.push(sc);
      i.push(ix);
      while (k > 0) {
        const par = (k - 1) >> 1;
        if (!this.worse(s[k], i[k], s[par], i[par])) break;
        [s[k], s[par]] = [s[par], s[k]];
        [i[k], i[par]] = [i[par], i[k]];
        k = par;
      }
    } else if (this.worse(s[0], i[0], sc, ix)) {
      s[0] = sc;
      i[0] = ix;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < limit && this.worse(s[l], i[l], s[m], i[m])) m = l;
        if (r < limit && this.worse(s[r], i[r], s[m], i[m])) m = r;
        if (m === k) break;
        [s[k], s[m]] = [s[m], s[k]];
        [i[k], i[m]] = [i[m], i[k]];
        k = m;
      }
    }
  }
  /** Best first. */
  sorted(): number[] {
    const ids = this.ids;
    return this.i
      .map((ix, k) => ({ ix, sc: this.s[k] }))
      .sort((a, b) => b.sc - a.sc || (ids[a.ix] < ids[b.ix] ? -1 : ids[a.ix] > ids[b.ix] ? 1 : 0))
      .map((x) => x.ix);
  }
}

/**
 * Ranks `input.candidates` for one user (see the top of this file). Cost, with a prepared
 * `CandidateSet`: each library paper's terms are looked up in the set's inverted index, so the
 * work is the library terms' postings among the candidates (each product once, as the
 * similarity of one library paper to every candidate holding the term), then one pass over the
 * candidates for the final scores and a heap of the top `limit`. The centroid term is
 * Σ w_l·sim_l / ‖Σ w_l·lex(l)‖ from those same similarities. Figures: docs/recs.md,
 * `npm run bench:recs`. With dense vectors on (wDense, wDenseMax) the per-candidate version below
 * is used.
 */
export function rankForUser(input: RecInput, f: RecFeatures, p: RecParams = RECS): Rec[] {
  if (p.wDense > 0 || p.wDenseMax > 0) {
    const ids = Array.isArray(input.candidates) ? input.candidates : (input.candidates as CandidateSet).ids;
    return rankForward({ ...input, candidates: ids }, f, p);
  }
  const cs = Array.isArray(input.candidates) ? setOfList(input.candidates, f) : (input.candidates as CandidateSet);
  if (cs.features !== f) throw new Error('rankForUser: the candidate set was prepared with other features');
  return rankInverted(input, cs, f, p);
}

function rankInverted(input: RecInput, cs: CandidateSet, f: RecFeatures, p: RecParams): Rec[] {
  const n = cs.size;
  const skip = new Uint8Array(n);
  for (const id of input.dismissed) {
    const i = cs.index.get(id);
    if (i !== undefined) skip[i] = 1;
  }
  for (const l of input.library) {
    const i = cs.index.get(l.id);
    if (i !== undefined) skip[i] = 1;
  }
  const N = input.library.length;
  const lib = input.library
    .map((l, i) => ({ item: l, w: l.weight * Math.pow(p.decay, N - 1 - i), lex: f.sparse(l.id) }))
    .filter((l) => l.w > 0);
  // The norm of the library's centroid Σ w_l·lex(l).
  let maxTerm = 0;
  for (const l of lib) if (l.lex && l.lex.terms.length && l.lex.terms[l.lex.terms.length - 1] > maxTerm) maxTerm = l.lex.terms[l.lex.terms.length - 1];
  scratch(maxTerm + 1);
  const libLex = lib.flatMap((l) => (l.lex ? [{ v: l.lex, w: l.w }] : []));
  const { touched: cTouched, norm: cNorm } = addInto(sCentroid, libLex);
  for (const t of cTouched) sCentroid[t] = 0;
  const hasCentroid = libLex.length > 0 && cNorm > 0;
  // Without a library there is nothing for the background to correct (it is the Rocchio negative
  // of the library's centroid): a user with follows only gets their boosts' order (newest first).
  const bg = p.wBackground !== 0 && lib.length > 0 ? cs.background() : null;

  const { acc, mark, touched, bestLex, best, like, cent, worst: worstArr, boost: boostArr } = cs.workArrays();
  lib.forEach((l, li) => {
    const v = l.lex;
    if (!v) return;
    let nt = 0;
    for (let i = 0; i < v.terms.length; i++) nt = cs.addTerm(v.terms[i], v.weights[i], acc, mark, touched, nt);
    const wl = l.w;
    for (let j = 0; j < nt; j++) {
      const c = touched[j];
      const sl = acc[c];
      acc[c] = 0;
      mark[c] = 0;
      if (sl > bestLex[c]) bestLex[c] = sl;
      // Strictly greater, library papers in order: the earliest wins a tie (stable explanations).
      const sc = p.wMax * sl;
      if (sc > best[c]) {
        best[c] = sc;
        like[c] = li;
      }
      cent[c] += wl * sl;
    }
  });
  // "Not interested": the largest similarity to a dismissed paper.
  let worst: Float64Array | null = null;
  for (const id of input.dismissed) {
    const v = f.sparse(id);
    if (!v) continue;
    worst ??= worstArr;
    let nt = 0;
    for (let i = 0; i < v.terms.length; i++) nt = cs.addTerm(v.terms[i], v.weights[i], acc, mark, touched, nt);
    for (let j = 0; j < nt; j++) {
      const c = touched[j];
      if (acc[c] > worst[c]) worst[c] = acc[c];
      acc[c] = 0;
      mark[c] = 0;
    }
  }
  let boost: Float64Array | null = null;
  const boosted: number[] = [];
  if (input.boosts)
    for (const [id, b] of input.boosts) {
      const i = cs.index.get(id);
      if (i === undefined) continue;
      boost ??= boostArr;
      if (mark[i] === 0) boosted.push(i);
      mark[i] = 1;
      boost[i] = b.amount;
    }
  for (const i of boosted) mark[i] = 0;

  const top = new TopK(Math.max(0, input.limit), cs.ids);
  const denseMax = p.wDenseMax * 0;
  const scoreAt = (ci: number) => {
    let score = 0;
    if (bg && cs.lex[ci]) score -= p.wBackground * bg[ci];
    if (hasCentroid) score += (p.wCentroid * cent[ci]) / cNorm;
    score += p.wMax * bestLex[ci] + denseMax;
    score -= p.wDismissed * (worst ? worst[ci] : 0);
    if (boost) score += boost[ci];
    return score;
  };
  if (lib.length === 0) {
    // No library: every candidate that is neither boosted nor like a dismissed paper scores 0,
    // and among those the order is by id, so only the first `limit` of them can be listed.
    const special = new Set<number>(boosted);
    if (worst) for (let ci = 0; ci < n; ci++) if (worst[ci] > 0) special.add(ci);
    for (const ci of special) if (!skip[ci]) top.push(scoreAt(ci), ci);
    let zeros = 0;
    const order = cs.idOrder();
    for (let k = 0; k < n && zeros < input.limit; k++) {
      const ci = order[k];
      if (skip[ci] || special.has(ci)) continue;
      top.push(scoreAt(ci), ci);
      zeros++;
    }
  } else {
    for (let ci = 0; ci < n; ci++) if (!skip[ci]) top.push(scoreAt(ci), ci);
  }
  return top.sorted().map((i) => {
    const id = cs.ids[i];
    const score = scoreAt(i), b = best[i];
    const bo = input.boosts?.get(id);
    const l = like[i] >= 0 ? lib[like[i]].item : null;
    const content = b > 0 ? b : 0;
    if (bo && bo.amount >= content) return { id, score, like: null, reason: bo.reason };
    if (l && b > 0) return { id, score, like: { id: l.id, title: l.title }, reason: `like “${l.title}” in your library` };
    return { id, score, like: null, reason: 'recent' };
  });
}

/**
 * Cost: the library is turned into per-term lists (≤ 50 papers × ~96 terms, plus a bitset of its
 * terms), so a candidate costs one pass over its own terms, which yields its similarity to every
 * library paper: the max comes from those, and so does the centroid term
 * (Σ w_l·sim_l / ‖Σ w_l·lex(l)‖), without 50 sparse merges per candidate. The background scores
 * are kept for the last candidate set (all users of a view share it). Only the top `limit`
 * candidates are kept (a heap) and explained. Figures: docs/recs.md, `npm run bench:recs`.
 */
function rankForward(input: RecInput & { candidates: string[] }, f: RecFeatures, p: RecParams): Rec[] {
  const excluded = new Set<string>([...input.dismissed, ...input.library.map((l) => l.id)]);
  const n = input.library.length;
  const useVec = p.wDense > 0 || p.wDenseMax > 0;
  const dense = (id: string) => (useVec ? f.dense(id) : null);
  const lib = input.library
    .map((l, i) => ({ item: l, w: l.weight * Math.pow(p.decay, n - 1 - i), lex: f.sparse(l.id), vec: dense(l.id) }))
    .filter((l) => l.w > 0);
  // Candidates: unique, with their features, once.
  const candIds: string[] = [];
  const candLex: (SparseVec | null)[] = [];
  const seen = new Set<string>();
  let maxTerm = 0;
  const grow = (v: SparseVec | null) => {
    if (v && v.terms.length > 0 && v.terms[v.terms.length - 1] > maxTerm) maxTerm = v.terms[v.terms.length - 1];
  };
  for (const id of input.candidates) {
    if (seen.has(id)) continue;
    seen.add(id);
    const v = f.sparse(id);
    grow(v);
    candIds.push(id);
    candLex.push(v);
  }
  for (const l of lib) grow(l.lex);
  const dis = input.dismissed.map((id) => ({ lex: f.sparse(id), vec: dense(id) }));
  for (const d of dis) grow(d.lex);
  scratch(maxTerm + 1);
  // The library's centroid, and the candidates' own (the background), as dense arrays.
  const cLex = sCentroid;
  const libLex = lib.flatMap((l) => (l.lex ? [{ v: l.lex, w: l.w }] : []));
  // cos(Σ w_l lex(l), lex(c)) = Σ w_l (lex(l)·lex(c)) / ‖Σ w_l lex(l)‖: the centroid term comes from
  // the per-library-paper similarities computed below, only its norm is needed here.
  const { touched: cTouched, norm: cNorm } = addInto(cLex, libLex);
  const libW = Float64Array.from(lib, (l) => l.w);
  const hasCentroid = libLex.length > 0 && cNorm > 0;
  // The background score of each candidate, cos(Σ lex(candidates), lex(c)): the same candidate set
  // (a day, a week, a month) is ranked for every user, so it is kept for the last set seen with
  // these features (keyed by an order-free hash of the ids).
  // Without a library there is nothing for the background to correct (it is the Rocchio negative
  // of the library's centroid): a user with follows only gets their boosts' order (newest first).
  let bgScore: Map<string, number> | null = null;
  if (p.wBackground !== 0 && lib.length > 0) {
    const key = candidateKey(candIds);
    if (bgCache && bgCache.f === f && bgCache.key === key) bgScore = bgCache.score;
    else {
      const bg = sBackground;
      const { touched } = addInto(bg, candLex.flatMap((v) => (v ? [{ v, w: 1 }] : [])));
      bgScore = new Map();
      for (let ci = 0; ci < candIds.length; ci++) {
        const v = candLex[ci];
        bgScore.set(candIds[ci], v ? denseDotSparse(bg, v) : 0);
      }
      for (const t of touched) bg[t] = 0;
      bgCache = { f, key, score: bgScore };
    }
  }
  const cVec = denseCentroid(lib.flatMap((l) => (l.vec ? [{ v: l.vec, w: l.w }] : [])));
  // Per-term lists of (library paper, weight): head[t] → first entry, next[] chains them.
  const head = sHead, bits = sBits;
  let entries = 0;
  for (const l of lib) entries += l.lex ? l.lex.terms.length : 0;
  const next = new Int32Array(entries), eLib = new Int32Array(entries), eW = new Float64Array(entries);
  let e = 0;
  lib.forEach((l, li) => {
    if (!l.lex) return;
    for (let i = 0; i < l.lex.terms.length; i++, e++) {
      const t = l.lex.terms[i];
      next[e] = head[t];
      head[t] = e;
      bits[t >>> 5] |= 1 << (t & 31);
      eLib[e] = li;
      eW[e] = l.lex.weights[i];
    }
  });
  try {
    return rankWith();
  } finally {
    for (const t of cTouched) cLex[t] = 0;
    for (const l of lib)
      if (l.lex)
        for (let i = 0; i < l.lex.terms.length; i++) {
          head[l.lex.terms[i]] = -1;
          bits[l.lex.terms[i] >>> 5] = 0;
        }
  }
  function rankWith(): Rec[] {
  const sims = new Float64Array(lib.length);
  const touched = new Int32Array(lib.length);
  const mark = new Uint8Array(lib.length);
  // Top `limit` by (score desc, id asc), as a min-heap on that order.
  const limit = Math.max(0, input.limit);
  const heapS: number[] = [], heapI: number[] = [];
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && candIds[ia] > candIds[ib]);
  const push = (s: number, i: number) => {
    if (limit === 0) return;
    if (heapS.length < limit) {
      let k = heapS.length;
      heapS.push(s);
      heapI.push(i);
      while (k > 0) {
        const par = (k - 1) >> 1;
        if (!worse(heapS[k], heapI[k], heapS[par], heapI[par])) break;
        [heapS[k], heapS[par]] = [heapS[par], heapS[k]];
        [heapI[k], heapI[par]] = [heapI[par], heapI[k]];
        k = par;
      }
    } else if (worse(heapS[0], heapI[0], s, i)) {
      heapS[0] = s;
      heapI[0] = i;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < limit && worse(heapS[l], heapI[l], heapS[m], heapI[m])) m = l;
        if (r < limit && worse(heapS[r], heapI[r], heapS[m], heapI[m])) m = r;
        if (m === k) break;
        [heapS[k], heapS[m]] = [heapS[m], heapS[k]];
        [heapI[k], heapI[m]] = [heapI[m], heapI[k]];
        k = m;
      }
    }
  };
  const scoreOf = new Float64Array(candIds.length);
  const likeOf = new Int32Array(candIds.length).fill(-1);
  const bestOf = new Float64Array(candIds.length);
  for (let ci = 0; ci < candIds.length; ci++) {
    const id = candIds[ci];
    if (excluded.has(id)) continue;
    const lex = candLex[ci];
    const vec = dense(id);
    let score = 0;
    let nt = 0;
    if (lex) {
      if (bgScore) score -= p.wBackground * (bgScore.get(id) ?? 0);
      for (let i = 0; i < lex.terms.length; i++) {
        const t = lex.terms[i];
        if ((bits[t >>> 5] & (1 << (t & 31))) === 0) continue;
        const w = lex.weights[i];
        for (let k = head[t]; k >= 0; k = next[k]) {
          const li = eLib[k];
          if (mark[li] === 0) {
            mark[li] = 1;
            touched[nt++] = li;
          }
          sims[li] += w * eW[k];
        }
      }
    }
    if (vec && cVec) score += p.wDense * denseDot(cVec, vec);
    let best = -Infinity, bestLex = 0, bestVec = 0, like = -1;
    if (useVec) {
      for (let li = 0; li < lib.length; li++) {
        const l = lib[li];
        const sl = sims[li];
        const sv = vec && l.vec ? denseDot(vec, l.vec) : 0;
        if (sl > bestLex) bestLex = sl;
        if (sv > bestVec) bestVec = sv;
        const c = p.wMax * sl + p.wDenseMax * sv;
        // Strictly greater: the earliest library paper wins a tie, so explanations are stable.
        if (c > best) {
          best = c;
          like = li;
        }
      }
    } else {
      for (let j = 0; j < nt; j++) {
        const li = touched[j];
        const sl = sims[li];
        if (sl > bestLex) bestLex = sl;
        const c = p.wMax * sl;
        if (c > best || (c === best && li < like)) {
          best = c;
          like = li;
        }
      }
    }
    if (hasCentroid) {
      let c = 0;
      for (let j = 0; j < nt; j++) c += libW[touched[j]] * sims[touched[j]];
      score += (p.wCentroid * c) / cNorm;
    }
    for (let j = 0; j < nt; j++) {
      sims[touched[j]] = 0;
      mark[touched[j]] = 0;
    }
    score += p.wMax * bestLex + p.wDenseMax * bestVec;
    let worst = 0;
    for (const d of dis) {
      const s = useVec ? ((lex && d.lex ? sparseDot(lex, d.lex) : 0) + (vec && d.vec ? denseDot(vec, d.vec) : 0)) / 2 : lex && d.lex ? sparseDot(lex, d.lex) : 0;
      if (s > worst) worst = s;
    }
    score -= p.wDismissed * worst;
    const boost = input.boosts?.get(id);
    if (boost) score += boost.amount;
    scoreOf[ci] = score;
    likeOf[ci] = like;
    bestOf[ci] = best;
    push(score, ci);
  }
  const order = heapI.map((i, k) => ({ i, s: heapS[k] })).sort((a, b) => b.s - a.s || (candIds[a.i] < candIds[b.i] ? -1 : candIds[a.i] > candIds[b.i] ? 1 : 0));
  return order.map(({ i }) => {
    const id = candIds[i], score = scoreOf[i], best = bestOf[i];
    const boost = input.boosts?.get(id);
    const like = likeOf[i] >= 0 ? lib[likeOf[i]].item : null;
    const content = best > 0 ? best : 0;
    if (boost && boost.amount >= content) return { id, score, like: null, reason: boost.reason };
    if (like && best > 0) return { id, score, like: { id: like.id, title: like.title }, reason: `like “${like.title}” in your library` };
    return { id, score, like: null, reason: 'recent' };
  });
  }
}
