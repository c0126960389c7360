/**
 * Any OpenAI-compatible embeddings endpoint: POST {baseUrl}/v1/embeddings with
 * { model, input: string[] } → { data: [{ index, embedding: number[] }], model, usage }
 * (https://platform.openai.com/docs/api-reference/embeddings). Works with Ollama, TEI, vLLM
 * and OpenAI. Every request has a time-out; the search service falls back to lexical ranking
 * when a query embedding fails or is late.
 */
import { EmbedderError, normalizeVector, type Embedder } from '../embedder.js';

export interface OpenAIEmbedderOptions {
  baseUrl: string; // e.g. http://127.0.0.1:11434 (Ollama) or https://api.openai.com
  model: string;
  dim: number;
  apiKey?: string;
  timeoutMs?: number;
  batchSize?: number;
  fetch?: typeof fetch;
  /** Accept whatever (non-empty) dimension the endpoint returns: for the one request that learns it. */
  acceptAnyDim?: boolean;
}

export function createOpenAIEmbedder(o: OpenAIEmbedderOptions): Embedder {
  const f = o.fetch ?? globalThis.fetch;
  const url = o.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '') + '/v1/embeddings';
  const timeoutMs = o.timeoutMs ?? 10000;
  async function call(input: string[]): Promise<Float32Array[]> {
    let res: Response;
    try {
      res = await f(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
        body: JSON.stringify({ model: o.model, input }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new EmbedderError(`embeddings endpoint ${url} unreachable or slow: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    if (!res.ok) throw new EmbedderError(`embeddings endpoint ${url} answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      throw new EmbedderError(`embeddings endpoint ${url} returned invalid JSON`, e);
    }
    const data = (body as { data?: { index?: number; embedding?: unknown }[] }).data;
    if (!Array.isArray(data) || data.length !== input.length) throw new EmbedderError(`embeddings endpoint ${url} returned ${Array.isArray(data) ? data.length : 'no'} embeddings for ${input.length} inputs`);
    const out: Float32Array[] = new Array(input.length);
    data.forEach((d, i) => {
      const e = d.embedding;
      if (!Array.isArray(e) || (o.acceptAnyDim ? e.length === 0 : e.length !== o.dim) || !e.every((x) => typeof x === 'number' && Number.isFinite(x)))
        throw new EmbedderError(`embedding of dimension ${Array.isArray(e) ? e.length : '?'} from ${url}, configured ${o.dim}`);
      out[typeof d.index === 'number' ? d.index : i] = normalizeVector(e as number[]);
    });
    return out;
  }
  return {
    id: `openai:${o.model}`,
    dim: o.dim,
    async embedDocuments(texts) {
      const out: Float32Array[] = [];
      const bs = o.batchSize ?? 64;
      for (let i = 0; i < texts.length; i += bs) out.push(...(await call(texts.slice(i, i + bs))));
      return out;
    },
    async embedQuery(text) {
      return (await call([text]))[0];
    },
  };
}
