/**
 * One interface for every embedder. The index records `id` and `dim`; a search service opened
 * with a different embedder refuses the index until `papertide reindex`.
 *
 * - builtin (default): CorpusEmbedder, learned from the indexed corpus at reindex time, offline.
 * - openai: any OpenAI-compatible POST /v1/embeddings endpoint (Ollama, TEI, vLLM, OpenAI).
 * - transformers: @huggingface/transformers with a local model folder or hub id, optional and
 *   lazily imported.
 */
import type { TabledError } from '../domain/errors.js';

export interface Embedder {
  /** Stable identity recorded in the index manifest, e.g. "openai:nomic-embed-text". */
  readonly id: string;
  readonly dim: number;
  /** Embed document texts (title + abstract). Unit vectors. */
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
  /** Embed a query. Rejects on failure/time-out; the search service then falls back to lexical. */
  embedQuery(text: string): Promise<Float32Array>;
}

export function normalizeVector(v: Float32Array | number[]): Float32Array {
  const out = Float32Array.from(v);
  let n = 0;
  for (let i = 0; i < out.length; i++) n += out[i] * out[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

/** An embedder that cannot be made or does not answer: 'unavailable' in the error table. */
export class EmbedderError extends Error implements TabledError {
  readonly appCode = 'unavailable' as const;
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'EmbedderError';
  }
}
