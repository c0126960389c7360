import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EmbedderError } from '../embedder.js';
import { createTransformersEmbedder, TRANSFORMERS_MISSING } from './transformers.js';
import { VOCAB, wordVector, writeTinyTransformer } from '../../../test/support/tiny-transformer.js';

test('transformers embedder is optional: absence gives a clear message', async () => {
  await assert.rejects(createTransformersEmbedder({ model: 'x', dim: 3, importer: () => Promise.reject(new Error('Cannot find package')) }), (e: Error) => e.message === TRANSFORMERS_MISSING);
  const fake = { pipeline: async () => async (t: string[]) => ({ tolist: () => t.map(() => [3, 4, 0]) }) };
  const emb = await createTransformersEmbedder({ model: 'local', dim: 3, importer: async () => fake });
  assert.deepEqual([...(await emb.embedQuery('x'))], [0.6000000238418579, 0.800000011920929, 0]);
  assert.equal((await createTransformersEmbedder({ model: 'local', importer: async () => fake })).dim, 3, 'dim learned from one probe');
  await assert.rejects(
    createTransformersEmbedder({ model: 'x', importer: () => Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file')) }),
    (e: Error) => e instanceof EmbedderError && e.message === '@huggingface/transformers is installed but could not be loaded: libonnxruntime.so.1: cannot open shared object file',
  );
});

// ---- the real library with a tiny model folder written by the test (no weights to download) ----

const PKG = '@huggingface/transformers';
type TF = { env: { fetch: (...a: unknown[]) => unknown }; pipeline: (...a: unknown[]) => Promise<unknown> };
let tf: TF | null = null;
let importError: unknown = null;
try {
  tf = (await import(PKG)) as TF;
} catch (e) {
  importError = e;
}
// Skipped only when the package is absent; installed but failing to import (say, a missing
// onnxruntime binary) fails the tests below with the import error.
const absent = (importError as { code?: string } | null)?.code === 'ERR_MODULE_NOT_FOUND';
const skip = absent ? `${PKG} is not installed (optional, ~470 MB): ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save ${PKG}@4.3.1` : false;

let root = '';
let dir = '';
let dim = 0;
const fetched: string[] = [];
let restore = () => {};

before(() => {
  root = mkdtempSync(join(tmpdir(), 'papertide-tiny-transformer-'));
  ({ dir, dim } = writeTinyTransformer(join(root, 'tiny')));
  if (!tf) return;
  const tfm = tf;
  // No network: every fetch transformers.js (or anything else here) would make is recorded and refused.
  const envFetch = tfm.env.fetch;
  const globalFetch = globalThis.fetch;
  const refuse = (input: unknown) => {
    fetched.push(String(input instanceof Request ? input.url : input));
    return Promise.reject(new Error('network disabled in this test'));
  };
  tfm.env.fetch = refuse;
  globalThis.fetch = refuse as typeof fetch;
  restore = () => {
    tfm.env.fetch = envFetch;
    globalThis.fetch = globalFetch;
  };
});

after(() => {
  restore();
  rmSync(root, { recursive: true, force: true });
});

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
/** What mean pooling over the tiny model gives for these tokens ([CLS] ... [SEP]), normalised. */
function expected(tokens: string[]): number[] {
  const rows = ['[CLS]', ...tokens, '[SEP]'].map((t) => wordVector(VOCAB.indexOf(t)));
  const mean = rows[0].map((_, d) => rows.reduce((s, r) => s + r[d], 0) / rows.length);
  const n = Math.sqrt(dot(mean, mean));
  return mean.map((x) => x / n);
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const assertClose = (actual: ArrayLike<number>, want: ArrayLike<number>, msg?: string) => {
  assert.equal(actual.length, want.length, msg);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(actual[i] - want[i]) < 1e-5, `${msg ?? ''} [${i}] ${actual[i]} vs ${want[i]}`);
};

test('real transformers.js: a local model folder loads offline, dim is learned, vectors are the mean-pooled model output', { skip }, async () => {
  if (!tf) throw importError;
  const emb = await createTransformersEmbedder({ model: dir });
  assert.equal(emb.dim, dim);
  assert.equal(emb.id, `transformers:${dir}`);
  // Lower-cased, punctuation split off, [CLS]/[SEP] added, unknown words → [UNK]: the tokenizer ran.
  assertClose(await emb.embedQuery('Graph Neural Networks.'), expected(['graph', 'neural', 'networks', '.']));
  assertClose(await emb.embedQuery('Quantum graphs'), expected(['[UNK]', 'graphs']));
  for (const v of await emb.embedDocuments(['Deep learning on graphs', 'protein folding', 'the', 'zzz qqq'])) {
    assert.equal(v.length, dim);
    assert.ok(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-6, 'unit length');
  }
  // A relative path is a folder too: transformers.js gets it absolute (a relative "a/b" would be
  // taken for a hub id) and local_files_only.
  const rel = relative(process.cwd(), dir);
  assert.ok(!rel.startsWith('/'));
  const calls: unknown[][] = [];
  const spy = { ...tf, pipeline: (...a: unknown[]) => (calls.push(a), tf.pipeline(...a)) };
  const fromRel = await createTransformersEmbedder({ model: rel, importer: async () => spy });
  assert.equal(fromRel.id, `transformers:${rel}`);
  assert.deepEqual(calls, [['feature-extraction', dir, { local_files_only: true }]]);
  assertClose(await fromRel.embedQuery('graph'), await emb.embedQuery('graph'));
  assert.deepEqual(fetched, [], 'no network');
});

test('real transformers.js: a query about one topic is nearer the document of that topic', { skip }, async () => {
  const emb = await createTransformersEmbedder({ model: dir, dim });
  const [ml, bio] = await emb.embedDocuments([
    'Graph neural networks: message passing between nodes, trained by gradient descent.',
    'Protein folding and enzyme binding in cell membranes; a gene mutation study.',
  ]);
  const qMl = await emb.embedQuery('deep learning with attention on graphs');
  const qBio = await emb.embedQuery('How do proteins fold in cells?');
  assert.ok(dot(qMl, ml) > dot(qMl, bio) + 0.3, `ml query: ${dot(qMl, ml)} vs ${dot(qMl, bio)}`);
  assert.ok(dot(qBio, bio) > dot(qBio, ml) + 0.3, `bio query: ${dot(qBio, bio)} vs ${dot(qBio, ml)}`);
  assert.deepEqual(fetched, [], 'no network');
});

test('real transformers.js: a padded batch embeds each text as it does alone', { skip }, async () => {
  const emb = await createTransformersEmbedder({ model: dir });
  const texts = ['graph', 'Protein folding in the cell membrane, with enzymes and DNA.', 'neural networks for genes', 'unknown words only', ''];
  const batch = await emb.embedDocuments(texts);
  assert.equal(batch.length, texts.length);
  for (let i = 0; i < texts.length; i++) assertClose(batch[i], await emb.embedQuery(texts[i]), JSON.stringify(texts[i]));
  assert.deepEqual(fetched, [], 'no network');
});

test('real transformers.js: a wrong configured dimension, a missing folder and a broken model are clear EmbedderErrors', { skip }, async () => {
  const clear = (pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof EmbedderError, String(e));
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /\n\s+at /, 'no stack trace in the message');
    return true;
  };
  await assert.rejects(createTransformersEmbedder({ model: dir, dim: 384 }), clear(new RegExp(`model "${escape(dir)}" gives dimension ${dim}, configured 384`)));

  const missing = join(root, 'no-such-model');
  await assert.rejects(createTransformersEmbedder({ model: missing }), clear(new RegExp(`folder "${escape(missing)}" does not exist`)));

  const noTokenizer = join(root, 'no-tokenizer');
  cpSync(dir, noTokenizer, { recursive: true });
  rmSync(join(noTokenizer, 'tokenizer_config.json'));
  await assert.rejects(createTransformersEmbedder({ model: noTokenizer }), clear(/folder ".*no-tokenizer" lacks tokenizer_config\.json/));

  const noOnnx = join(root, 'no-onnx');
  cpSync(dir, noOnnx, { recursive: true });
  rmSync(join(noOnnx, 'onnx'), { recursive: true });
  await assert.rejects(createTransformersEmbedder({ model: noOnnx }), clear(/could not load transformers model ".*no-onnx": .*onnx\/model\.onnx/));

  const broken = join(root, 'broken');
  cpSync(dir, broken, { recursive: true });
  writeFileSync(join(broken, 'onnx', 'model.onnx'), 'this is not an ONNX protobuf');
  await assert.rejects(createTransformersEmbedder({ model: broken }), clear(/could not load transformers model ".*broken": .*(Protobuf parsing failed|model\.onnx)/));

  assert.deepEqual(fetched, [], 'no network');
});
