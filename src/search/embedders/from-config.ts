/**
 * Which embedder the search index uses, from the configuration (EMBEDDER and friends, see the
 * README's configuration table):
 *   builtin      → null: the search engine learns its own vectors from the corpus (offline)
 *   openai       → any OpenAI-compatible /v1/embeddings endpoint (openai.ts)
 *   transformers → @huggingface/transformers with a local folder or hub id (transformers.ts)
 *
 * `EmbedderSettings` is plain data so that a background build (a worker thread) can make the
 * same embedder as the server that started it.
 */
import type { Embedder } from '../embedder.js';
import { EmbedderError } from '../embedder.js';

export interface EmbedderSettings {
  kind: 'builtin' | 'openai' | 'transformers';
  url?: string;
  model?: string;
  apiKey?: string;
  /** Known dimension (EMBEDDINGS_DIM); otherwise taken from the index or learned by one probe. */
  dim?: number;
  timeoutMs: number;
  transformersModel?: string;
}

export function embedderSettings(c: {
  EMBEDDER: EmbedderSettings['kind'];
  EMBEDDINGS_URL?: string;
  EMBEDDINGS_MODEL?: string;
  EMBEDDINGS_API_KEY?: string;
  EMBEDDINGS_DIM?: number;
  EMBEDDINGS_TIMEOUT_MS: number;
  TRANSFORMERS_MODEL?: string;
}): EmbedderSettings {
  return {
    kind: c.EMBEDDER,
    url: c.EMBEDDINGS_URL,
    model: c.EMBEDDINGS_MODEL,
    apiKey: c.EMBEDDINGS_API_KEY,
    dim: c.EMBEDDINGS_DIM,
    timeoutMs: c.EMBEDDINGS_TIMEOUT_MS,
    transformersModel: c.TRANSFORMERS_MODEL,
  };
}

/** The id an index built with these settings records (openai:MODEL, transformers:MODEL), null for builtin. */
export function embedderId(s: EmbedderSettings): string | null {
  if (s.kind === 'openai') return `openai:${s.model}`;
  if (s.kind === 'transformers') return `transformers:${s.transformersModel}`;
  return null;
}

/**
 * Make the configured embedder (null for the built-in one). `knownDim` is the dimension an
 * existing index recorded for the same embedder id: with it (or EMBEDDINGS_DIM) an endpoint
 * need not answer at start-up. Rejects with an EmbedderError whose message says what to fix.
 */
export async function createEmbedder(s: EmbedderSettings, knownDim?: number): Promise<Embedder | null> {
  if (s.kind === 'builtin') return null;
  if (s.kind === 'transformers') {
    if (!s.transformersModel) throw new EmbedderError('EMBEDDER=transformers needs TRANSFORMERS_MODEL (a local model folder or a hub id)');
    const { createTransformersEmbedder } = await import('./transformers.js');
    return createTransformersEmbedder({ model: s.transformersModel, dim: s.dim });
  }
  if (!s.url || !s.model) throw new EmbedderError('EMBEDDER=openai needs EMBEDDINGS_URL and EMBEDDINGS_MODEL');
  const { createOpenAIEmbedder } = await import('./openai.js');
  const opts = { baseUrl: s.url, model: s.model, apiKey: s.apiKey, timeoutMs: Math.max(s.timeoutMs, 10_000) };
  let dim = s.dim ?? knownDim;
  if (dim === undefined) {
    // One probe request learns the dimension (the response format carries it, the API does not).
    const probe = createOpenAIEmbedder({ ...opts, dim: -1, timeoutMs: s.timeoutMs, acceptAnyDim: true });
    try {
      dim = (await probe.embedQuery('papertide')).length;
    } catch (e) {
      throw new EmbedderError(
        `EMBEDDINGS_DIM is not set and the embeddings endpoint could not tell it (${e instanceof Error ? e.message : String(e)}): start the endpoint or set EMBEDDINGS_DIM`,
        e,
      );
    }
  }
  return createOpenAIEmbedder({ ...opts, dim });
}
