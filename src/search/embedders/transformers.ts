/**
 * @huggingface/transformers (feature-extraction pipeline, mean pooling, normalised) with a local
 * model folder or a hub id. Optional: the package is not a dependency (it adds ~470 MB and
 * needs ONNXRUNTIME_NODE_INSTALL=skip here); it is imported only when this embedder is chosen,
 * and its absence is reported with how to install it.
 *
 * A local folder (an existing directory, or any absolute or ./ ../ path) is loaded strictly
 * offline: transformers.js gets its absolute path (a relative "a/b" would be taken for a hub id)
 * and `local_files_only`, so it never asks the hub. It needs config.json, tokenizer.json,
 * tokenizer_config.json (without it transformers.js silently loads no tokenizer) and
 * onnx/model.onnx (fp32; other dtypes are onnx/model_<suffix>.onnx).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { EmbedderError, normalizeVector, type Embedder } from '../embedder.js';

export interface TransformersEmbedderOptions {
  model: string; // local folder or hub id, e.g. Xenova/bge-small-en-v1.5
  /** Expected dimension; when absent it is learned by embedding one probe text. */
  dim?: number;
  /** For tests: replaces the dynamic import. */
  importer?: () => Promise<unknown>;
}

export const TRANSFORMERS_MISSING =
  'The transformers embedder needs the optional package @huggingface/transformers: run `ONNXRUNTIME_NODE_INSTALL=skip npm install @huggingface/transformers@4`, or use the built-in embedder (the default) or an OpenAI-compatible endpoint.';

type Extractor = (texts: string[], opts: object) => Promise<{ tolist(): number[][] }>;
type PipelineFn = (task: string, model: string, opts?: object) => Promise<Extractor>;

/** Files transformers.js needs in a local model folder besides the ONNX file. */
const LOCAL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The absolute folder when `model` names a local folder, null for a hub id. */
function localFolder(model: string): string | null {
  const looksLikePath = isAbsolute(model) || model === '.' || model === '..' || /^\.\.?[/\\]/.test(model);
  if (!looksLikePath && !existsSync(model)) return null;
  const dir = resolve(model);
  const where = dir === model ? '' : ` (${dir})`;
  if (!existsSync(dir)) throw new EmbedderError(`transformers model folder "${model}" does not exist${where}`);
  if (!statSync(dir).isDirectory()) throw new EmbedderError(`transformers model "${model}" is not a folder${where}`);
  const missing = LOCAL_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw new EmbedderError(`transformers model folder "${model}" lacks ${missing.join(', ')}${where}`);
  return dir;
}

export async function createTransformersEmbedder(o: TransformersEmbedderOptions): Promise<Embedder> {
  let mod: { pipeline?: PipelineFn };
  try {
    const name = '@huggingface/transformers';
    mod = (await (o.importer ? o.importer() : import(/* webpackIgnore: true */ name))) as typeof mod;
  } catch (e) {
    // Absent, or installed but failing to load (say, its onnxruntime binary): different fixes.
    const absent = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(message(e));
    throw new EmbedderError(absent ? TRANSFORMERS_MISSING : `@huggingface/transformers is installed but could not be loaded: ${message(e)}`, e);
  }
  if (typeof mod.pipeline !== 'function') throw new EmbedderError(TRANSFORMERS_MISSING);
  const dir = localFolder(o.model);
  let extractor: Extractor;
  try {
    extractor = dir ? await mod.pipeline('feature-extraction', dir, { local_files_only: true }) : await mod.pipeline('feature-extraction', o.model);
  } catch (e) {
    throw new EmbedderError(`could not load transformers model "${o.model}": ${message(e)}`, e);
  }
  const embed = async (texts: string[]) => {
    try {
      return (await extractor(texts, { pooling: 'mean', normalize: true })).tolist();
    } catch (e) {
      throw new EmbedderError(`transformers model "${o.model}" failed to embed: ${message(e)}`, e);
    }
  };
  // One probe text learns the dimension, or checks the configured one now rather than at the
  // first query (where a failure would only show as a fall-back to lexical search).
  const probe = (await embed(['papertide']))[0];
  const dim = o.dim ?? probe.length;
  const check = (v: number[]) => {
    if (v.length !== dim) throw new EmbedderError(`transformers model "${o.model}" gives dimension ${v.length}, configured ${dim}`);
    return normalizeVector(v);
  };
  check(probe);
  const run = async (texts: string[]) => (await embed(texts)).map(check);
  return {
    id: `transformers:${o.model}`,
    dim,
    embedDocuments: run,
    async embedQuery(text) {
      return (await run([text]))[0];
    },
  };
}
