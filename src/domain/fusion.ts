/**
 * Score fusion for hybrid search: pure functions, no I/O.
 *
 * z-score fusion: each retriever's scores are standardised over the candidate set (the union of
 * both retrievers' candidates, every candidate scored by both), then combined linearly:
 *   fused(d) = α · (lex(d) − μ_lex)/σ_lex + (1 − α) · (vec(d) − μ_vec)/σ_vec
 * Standardising makes BM25's unbounded scores and cosine similarities comparable per query.
 * On SciFact train, score fusion beat reciprocal-rank fusion (search-notes.md); RRF is kept for
 * comparison and for retrievers whose scores are not comparable at all.
 */

export interface FusionInput {
  key: number;
  lexical: number; // may be 0 when the doc matches no term
  vector: number; // cosine similarity; NaN when the vector side is unavailable
}
export interface Fused {
  key: number;
  score: number;
  lexical: number;
  vector: number;
}

export function meanStd(xs: ArrayLike<number>): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: 0, std: 1 };
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - m) * (xs[i] - m);
  const std = Math.sqrt(v / n);
  return { mean: m, std: std > 1e-12 ? std : 1 };
}

/** z-score fusion; ties broken by key so results are deterministic. Sorted best first. */
export function zScoreFusion(items: FusionInput[], alpha: number): Fused[] {
  const hasVec = items.length > 0 && items.every((x) => Number.isFinite(x.vector));
  const l = meanStd(items.map((x) => x.lexical));
  const v = hasVec ? meanStd(items.map((x) => x.vector)) : { mean: 0, std: 1 };
  const a = hasVec ? alpha : 1;
  return items
    .map((x) => ({
      key: x.key,
      lexical: x.lexical,
      vector: x.vector,
      score: a * ((x.lexical - l.mean) / l.std) + (1 - a) * (hasVec ? (x.vector - v.mean) / v.std : 0),
    }))
    .sort((p, q) => q.score - p.score || p.key - q.key);
}

/** Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009): Σ 1/(k + rank). Ranks are 1-based; 0 = absent. */
export function reciprocalRankFusion(ranks: { key: number; ranks: number[] }[], k = 60): { key: number; score: number }[] {
  return ranks
    .map((r) => ({ key: r.key, score: r.ranks.reduce((s, x) => (x > 0 ? s + 1 / (k + x) : s), 0) }))
    .sort((p, q) => q.score - p.score || p.key - q.key);
}

/**
 * Linear fusion of several standardised features (the generalisation of zScoreFusion used by
 * the hybrid ranker): score(i) = Σ_f w_f · (x_f(i) − μ_f)/σ_f, with μ, σ over the candidates.
 * A feature whose weight is 0, or that has a non-finite value anywhere, is left out. Returns
 * the scores in input order (the caller sorts, so ties stay under its control).
 */
export function linearZFusion(features: ArrayLike<number>[], weights: number[]): Float64Array {
  const n = features.length > 0 ? features[0].length : 0;
  const out = new Float64Array(n);
  features.forEach((xs, f) => {
    const w = weights[f] ?? 0;
    if (w === 0 || xs.length !== n) return;
    for (let i = 0; i < n; i++) if (!Number.isFinite(xs[i])) return;
    const { mean, std } = meanStd(xs);
    for (let i = 0; i < n; i++) out[i] += (w * (xs[i] - mean)) / std;
  });
  return out;
}
