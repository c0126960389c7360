/**
 * The product's hybrid ranking of the fused candidate pool (docs/search.md, "Quality").
 *
 * Input: the candidates of both retrievers (lexical top-K ∪ vector top-K), each with its exact
 * BM25F score and its cosine with the query vector. Output: the same candidates, re-scored by
 * a linear combination of standardised features (weights in rank-params.ts, tuned on SciFact
 * train only):
 *   - rm3:    BM25F of the RM3-expanded query (rm3.ts), feedback = the lexical top documents;
 *   - vec:    cosine with the query vector;
 *   - vecRm3: cosine with the built-in embedder's vector of the expanded query — the dense
 *             side alone is weak on short claims (SciFact train 0.594), the expanded query
 *             reads like an abstract (0.676), and that is the dense signal that adds to BM25F;
 *   - lex:    BM25F of the original query;
 *   - cov:    best-sentence query coverage (positions.ts: idf × redundancy-multiplier weighted
 *             share of the original query terms found in the document's best sentence, the
 *             title being one); left out when a candidate's segment keeps no positions;
 *   - prox:   query-term pairs within a window (weight 0: no gain on train).
 * The original query terms' weights in the expanded query are first discounted for concept
 * redundancy (query-weights.ts: the words of a multi-word concept share one term's weight).
 * Costs |pool| × |expanded query| posting binary searches and one extra embedding; no second
 * retrieval pass.
 */
import { linearZFusion } from '../domain/fusion.js';
import type { CorpusEmbedder } from './embedders/corpus-embedder.js';
import { idf, type LexicalIndex } from './lexical-index.js';
import { presenceJaccard, redundancyMultipliers, vectorCosine, type RedundancyParams } from './query-weights.js';
import { HYBRID_WEIGHTS, POSITIONAL_PARAMS, QUERY_REDUNDANCY, RM3_PARAMS, type HybridWeights, type PositionalParams } from './rank-params.js';
import { forwardTermsOf, rm3Expand, type FeedbackDoc, type Rm3Params } from './rm3.js';
import type { VectorIndex } from './vector-index.js';
import { positionalFeatures, type PositionStore } from './positions.js';

export interface RankSegment {
  lex: LexicalIndex;
  vec: VectorIndex | null;
  /** Token positions (positions.ts); absent above its document cap or in an older saved index. */
  pos?: PositionStore | null;
}
export interface RankCandidate {
  key: number;
  si: number; // segment
  d: number; // doc within the segment
  lexical: number;
  vector: number; // NaN when the vector side is unavailable
}
export interface RankedCandidate {
  key: number;
  score: number;
  lexical: number;
  vector: number;
}
// The weight shapes live beside their values (rank-params.ts), which this file reads.
export type { HybridWeights, PositionalParams } from './rank-params.js';

export function rankHybrid(
  segments: RankSegment[],
  cands: RankCandidate[],
  queryTerms: string[],
  /** The built-in embedder when the segment vectors are its own (null for external embedders). */
  embedder: CorpusEmbedder | null,
  /** `redundancy: null` switches the query-term redundancy discount off (comparisons, tests). */
  opts: { weights?: HybridWeights; rm3?: Rm3Params; redundancy?: RedundancyParams | null; positional?: PositionalParams } = {},
): RankedCandidate[] {
  const W = opts.weights ?? HYBRID_WEIGHTS;
  const PP = opts.positional ?? POSITIONAL_PARAMS;
  const P = opts.rm3 ?? RM3_PARAMS;
  const R = opts.redundancy === undefined ? QUERY_REDUNDANCY : opts.redundancy;
  const n = cands.length;
  if (n === 0) return [];
  const feedback: FeedbackDoc[] = cands
    .filter((c) => c.lexical > 0)
    .sort((a, b) => b.lexical - a.lexical || a.key - b.key)
    .slice(0, P.fbDocs)
    .map((c) => ({ lex: segments[c.si].lex, doc: c.d, score: c.lexical }));
  let expanded = rm3Expand(queryTerms, feedback, P);
  const uniq = [...new Set(queryTerms)];
  const mult = R ? queryTermMultipliers(segments, cands, uniq, embedder, R) : new Map<string, number>();
  if (mult.size > 0) expanded = expanded.map((x) => ({ term: x.term, weight: x.weight * (mult.get(x.term) ?? 1) }));
  // idf over all segments (as SearchEngine.queryTerms does).
  let N = 0;
  for (const s of segments) N += s.lex.size;
  const qw = expanded.map((x) => {
    let df = 0;
    for (const s of segments) df += s.lex.df(x.term);
    return { term: x.term, w: df > 0 ? x.weight * idf(N, df) : 0 };
  }).filter((x) => x.w > 0);
  const tids = segments.map((s) => qw.map((x) => s.lex.vocab.get(x.term) ?? -1));
  const rm3 = new Float64Array(n);
  const lex = new Float64Array(n);
  const vec = new Float64Array(n);
  const vecRm3 = new Float64Array(n);
  let qr: Float32Array | null = null;
  if (embedder && W.vecRm3 !== 0 && expanded.length > 0) {
    qr = embedder.embedTokens(expanded.map((x) => x.term), expanded.map((x) => x.weight));
    let nn = 0;
    for (let j = 0; j < qr.length; j++) nn += qr[j] * qr[j];
    if (nn === 0) qr = null;
  }
  // BM25F of the expanded query for the whole pool: one galloping pass per (segment, term) over
  // the candidates in doc order (LexicalIndex.scoreDocs; same sums as impact() per candidate,
  // without |pool| × |terms| binary searches) — search speed, see docs/search.md.
  segments.forEach((seg, si) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (cands[i].si === si) idx.push(i);
    if (idx.length === 0) return;
    const sc = seg.lex.scoreDocs(qw.map((x, k) => ({ termId: tids[si][k], w: x.w })), idx.map((i) => cands[i].d));
    idx.forEach((i, j) => (rm3[i] = sc[j]));
  });
  for (let i = 0; i < n; i++) {
    const c = cands[i];
    const seg = segments[c.si];
    lex[i] = c.lexical;
    vec[i] = c.vector;
    vecRm3[i] = qr && seg.vec && qr.length === seg.vec.dim ? seg.vec.dot(qr, c.d) : NaN;
  }
  const score = linearZFusion([rm3, vec, vecRm3, lex], [W.rm3, W.vec, W.vecRm3, W.lex]);
  // Positional features (positions.ts) re-rank the head only: computed for the best
  // `PP.head` candidates by the score so far, z-scored over them and added (the others keep
  // their score, i.e. an average feature value). Scanning every pool member's tokens cost
  // ~350 µs per query with cold caches; the head ~1/4 of that. Left out when a head
  // candidate's segment keeps no positions (older index, or above POSITIONS_MAX_DOCS).
  if ((W.cov !== 0 || W.prox !== 0) && uniq.length > 0) {
    const head = Array.from(score.keys()).sort((a, b) => score[b] - score[a] || cands[a].key - cands[b].key).slice(0, Math.max(1, PP.head));
    if (head.every((i) => segments[cands[i].si].pos)) {
      const qwo = uniq.map((t) => {
        let df = 0;
        for (const s of segments) df += s.lex.df(t);
        return df > 0 ? idf(N, df) * (mult.get(t) ?? 1) : 0;
      });
      const m = head.length;
      const cov = new Float64Array(m);
      const prox = new Float64Array(m);
      segments.forEach((seg, si) => {
        const idx: number[] = [];
        for (let j = 0; j < m; j++) if (cands[head[j]].si === si) idx.push(j);
        if (idx.length === 0) return;
        const ids = uniq.map((t) => seg.lex.vocab.get(t) ?? -1);
        positionalFeatures(seg.pos!, seg.lex.terms.length, ids, qwo, idx.map((j) => cands[head[j]].d), idx, cov, prox, W.prox !== 0 ? PP : { ...PP, window: 0 });
      });
      const add = linearZFusion([cov, prox], [W.cov, W.prox]);
      for (let j = 0; j < m; j++) score[head[j]] += add[j];
    }
  }
  return cands
    .map((c, i) => ({ key: c.key, score: score[i], lexical: c.lexical, vector: c.vector }))
    .sort((a, b) => b.score - a.score || a.key - b.key);
}

/**
 * Concept-redundancy multipliers of the original query terms (query-weights.ts): word-vector
 * cosines of the built-in embedder when it is there, else the terms' co-occurrence over the
 * pool's lexical top documents. Terms whose multiplier is 1 are left out of the map.
 */
export function queryTermMultipliers(
  segments: RankSegment[],
  cands: RankCandidate[],
  terms: string[],
  embedder: CorpusEmbedder | null,
  R: RedundancyParams,
): Map<string, number> {
  const out = new Map<string, number>();
  if (terms.length < 2) return out;
  let m: Float64Array;
  if (embedder) {
    m = redundancyMultipliers(terms.length, vectorCosine(terms.map((t) => embedder.wordVector(t))), R.threshold);
  } else {
    const top = cands
      .filter((c) => c.lexical > 0)
      .sort((a, b) => b.lexical - a.lexical || a.key - b.key)
      .slice(0, R.poolTop);
    if (top.length === 0) return out;
    const has = terms.map((t) => {
      const tids = segments.map((s) => s.lex.vocab.get(t) ?? -1);
      return Uint8Array.from(top, (c) => (tids[c.si] >= 0 && segments[c.si].lex.impact(tids[c.si], c.d) > 0 ? 1 : 0));
    });
    m = redundancyMultipliers(terms.length, presenceJaccard(has), R.poolThreshold);
  }
  terms.forEach((t, i) => {
    if (m[i] < 1) out.set(t, m[i]);
  });
  return out;
}

/**
 * Build a segment's RM3 forward index ahead of time (otherwise the first hybrid query on that
 * segment pays for it: O(postings · log 32), 1–3 s at 74k papers on a 2-core machine). Returns its size in bytes.
 */
export function prepareHybridRanker(lex: LexicalIndex): number {
  return forwardTermsOf(lex, RM3_PARAMS.maxTermsPerDoc).bytes;
}
