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
 * lex(·) is a paper's L2-normalised sparse vector of BM25F impacts × idf over its strongest
 * terms; vec(·) its unit dense vector. Σ is weighted by each library paper's weight (saved 1,
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
  candidates: string[];
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

/** Weighted, L2-normalised sum of sparse vectors, as a dense map term → weight. */
function sparseCentroid(vs: { v: SparseVec; w: number }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const { v, w } of vs) for (let i = 0; i < v.terms.length; i++) m.set(v.terms[i], (m.get(v.terms[i]) ?? 0) + w * v.weights[i]);
  let n = 0;
  for (const x of m.values()) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (const [k, x] of m) m.set(k, x / n);
  return m;
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

export function rankForUser(input: RecInput, f: RecFeatures, p: RecParams = RECS): Rec[] {
  const excluded = new Set<string>([...input.dismissed, ...input.library.map((l) => l.id)]);
  const n = input.library.length;
  const useVec = p.wDense > 0 || p.wDenseMax > 0;
  const dense = (id: string) => (useVec ? f.dense(id) : null);
  const lib = input.library
    .map((l, i) => ({ item: l, w: l.weight * Math.pow(p.decay, n - 1 - i), lex: f.sparse(l.id), vec: dense(l.id) }))
    .filter((l) => l.w > 0);
  const cLex = sparseCentroid(lib.flatMap((l) => (l.lex ? [{ v: l.lex, w: l.w }] : [])));
  const cVec = denseCentroid(lib.flatMap((l) => (l.vec ? [{ v: l.vec, w: l.w }] : [])));
  const dis = input.dismissed.map((id) => ({ lex: f.sparse(id), vec: dense(id) }));
  let bg: Map<number, number> | null = null;
  if (p.wBackground !== 0) {
    bg = sparseCentroid(
      [...new Set(input.candidates)].flatMap((id) => {
        const v = f.sparse(id);
        return v ? [{ v, w: 1 }] : [];
      }),
    );
  }
  const out: Rec[] = [];
  const seen = new Set<string>();
  for (const id of input.candidates) {
    if (excluded.has(id) || seen.has(id)) continue;
    seen.add(id);
    const lex = f.sparse(id);
    const vec = dense(id);
    let score = 0;
    if (lex && cLex.size > 0) {
      let s = 0;
      for (let i = 0; i < lex.terms.length; i++) s += (cLex.get(lex.terms[i]) ?? 0) * lex.weights[i];
      score += p.wCentroid * s;
      if (bg) {
        let b = 0;
        for (let i = 0; i < lex.terms.length; i++) b += (bg.get(lex.terms[i]) ?? 0) * lex.weights[i];
        score -= p.wBackground * b;
      }
    }
    if (vec && cVec) score += p.wDense * denseDot(cVec, vec);
    let best = -Infinity, bestLex = 0, bestVec = 0, like: LibraryItem | null = null;
    for (const l of lib) {
      const sl = lex && l.lex ? sparseDot(lex, l.lex) : 0;
      const sv = vec && l.vec ? denseDot(vec, l.vec) : 0;
      if (sl > bestLex) bestLex = sl;
      if (sv > bestVec) bestVec = sv;
      const c = p.wMax * sl + p.wDenseMax * sv;
      // Strictly greater: the earliest library paper wins a tie, so explanations are stable.
      if (c > best) {
        best = c;
        like = l.item;
      }
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
    const content = best > 0 ? best : 0;
    if (boost && boost.amount >= content) out.push({ id, score, like: null, reason: boost.reason });
    else if (like && best > 0) out.push({ id, score, like: { id: like.id, title: like.title }, reason: `like “${like.title}” in your library` });
    else out.push({ id, score, like: null, reason: 'recent' });
  }
  out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out.slice(0, Math.max(0, input.limit));
}
