import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorpusEmbedder, strideSample } from './corpus-embedder.js';

test('strideSample: even, deterministic, whole input when small', () => {
  const xs = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(strideSample(xs, 5), [0, 2, 4, 6, 8]);
  assert.deepEqual(strideSample(xs, 4), [0, 2, 5, 7]);
  assert.equal(strideSample(xs, 20), xs);
  assert.equal(strideSample(xs, 0), xs);
});

const docs = [
  ['graph', 'neural', 'network', 'node'],
  ['vision', 'image', 'pixel', 'convolut'],
  ['graph', 'node', 'edge', 'neural'],
  ['image', 'pixel', 'vision', 'segment'],
  ['protein', 'fold', 'amino', 'acid'],
  ['protein', 'amino', 'fold', 'structur'],
];

test('maxTrainDocs bounds the training sample (vocabulary comes from the sampled documents only)', () => {
  const o = { dim: 3, window: 3, minCount: 1, oversample: 2 };
  const all = CorpusEmbedder.train(docs, o);
  const capped = CorpusEmbedder.train(docs, { ...o, maxTrainDocs: 3 }); // docs 0, 2, 4
  assert.ok(all.vocab.has('vision'));
  assert.ok(!capped.vocab.has('vision'));
  assert.ok(capped.vocab.has('protein'));
  assert.notEqual(all.id, capped.id);
});

test('embedding options: removeCommon off keeps a zero common component; vectors are unit length', () => {
  const e = CorpusEmbedder.train(docs, { dim: 3, window: 3, minCount: 1, oversample: 2, removeCommon: false, normalizeRows: true });
  assert.ok(e.model.common.every((x) => x === 0));
  const v = e.embedTokens(['graph', 'node']);
  const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  assert.ok(Math.abs(n - 1) < 1e-5);
  assert.ok(e.embedTokens(['unknownword']).every((x) => x === 0));
});
