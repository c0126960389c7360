/**
 * Ranking constants of the hybrid ranker (hybrid-ranker.ts), chosen on the SciFact TRAIN split
 * only (throwaway grid search over the product's own features; figures in docs/search.md,
 * "Quality"). Test-split figures were read once, after the choice.
 */
import type { HybridWeights } from './hybrid-ranker.js';
import type { RedundancyParams } from './query-weights.js';
import type { Rm3Params } from './rm3.js';

/**
 * RM3 pseudo-relevance feedback. fbTerms 50 rather than 75: same train nDCG@10 in the product
 * (0.7189 vs 0.7188; 40 → 0.7184, 30 → 0.7168) for a third less re-scoring work per query.
 */
export const RM3_PARAMS: Rm3Params = {
  fbDocs: 10,
  fbTerms: 50,
  origWeight: 0.6,
  temperature: 0.5,
  maxTermsPerDoc: 32,
};

/** Weights of the standardised features (z-scores over the candidate pool). */
export const HYBRID_WEIGHTS: HybridWeights = {
  rm3: 0.7,
  vec: 0,
  vecRm3: 0.3,
  lex: 0,
};

/**
 * Concept-redundancy discount of the original query terms (query-weights.ts). SciFact train:
 * 0.7189 without → 0.7285 (θ 0.3; θ 0.2 0.7271, 0.4 0.7265, 0.5 0.7250). Fallback without word
 * vectors (external embedders): Jaccard over the lexical top 30 of the pool, θ 0.5 → 0.7249
 * (all pool documents: 0.7236).
 */
export const QUERY_REDUNDANCY: RedundancyParams = {
  threshold: 0.3,
  poolThreshold: 0.5,
  poolTop: 30,
};
