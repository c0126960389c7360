/**
 * @huggingface/transformers (feature-extraction pipeline, mean pooling, normalised) with a local
 * model folder or a hub id. Optional: the package is not a dependency (it adds ~470 MB and
 * needs ONNXRUNTIME_NODE_INSTALL=skip here); it is imported only when this embedder is chosen,
 * and its absence is reported with how to install it.
 */
import { EmbedderError, normalizeVector, type Embedder } from '../embedder.js';

export interface TransformersEmbedderOptions {
  model: string; // local folder or hub id, e.g. Xenova/bge-small-en-v1.5
  dim: number;
  /** For tests: replaces the dynamic import. */
  importer?: () => Promise<unknown>;
}

export const TRANSFORMERS_MISSING =
  'The transformers embedder needs the optional package @huggingface/transformers: run `ONNXRUNTIME_NODE_INSTALL=skip npm install @huggingface/transformers@4`, or use the built-in embedder (the default) or an OpenAI-compatible endpoint.';

export async function createTransformersEmbedder(o: TransformersEmbedderOptions): Promise<Embedder> {
  let mod: { pipeline?: (task: string, model: string) => Promise<(t: string[], opts: object) => Promise<{ tolist(): number[][] }>> };
  try {
    const name = '@huggingface/transformers';
    mod = (await (o.importer ? o.importer() : import(/* webpackIgnore: true */ name))) as typeof mod;
  } catch (e) {
    throw new EmbedderError(TRANSFORMERS_MISSING, e);
  }
  if (typeof mod.pipeline !== 'function') throw new EmbedderError(TRANSFORMERS_MISSING);
  let extractor: Awaited<ReturnType<NonNullable<typeof mod.pipeline>>>;
  try {
    extractor = await mod.pipeline('feature-extraction', o.model);
  } catch (e) {
    throw new EmbedderError(`could not load model "${o.model}": ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const run = async (texts: string[]) => {
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    return out.tolist().map((v) => {
      if (v.length !== o.dim) throw new EmbedderError(`model "${o.model}" gives dimension ${v.length}, configured ${o.dim}`);
      return normalizeVector(v);
    });
  };
  return {
    id: `transformers:${o.model}`,
    dim: o.dim,
    embedDocuments: run,
    async embedQuery(text) {
      return (await run([text]))[0];
    },
  };
}
