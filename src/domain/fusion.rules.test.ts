// Hybrid-search fusion as a ranking a reader sees: exact scores, every fallback, every tie.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanStd, zScoreFusion, reciprocalRankFusion, linearZFusion } from './fusion.js';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b} ${msg ?? ''}`);

test('mean and population standard deviation; nothing or a constant gives std 1', () => {
  assert.deepEqual(meanStd([]), { mean: 0, std: 1 });
  assert.deepEqual(meanStd([4]), { mean: 4, std: 1 });
  const r = meanStd([1, 2, 3, 6]);
  close(r.mean, 3);
  close(r.std, Math.sqrt((4 + 1 + 0 + 9) / 4));
  assert.deepEqual(meanStd(new Float64Array([0, 2])), { mean: 1, std: 1 });
  assert.deepEqual(meanStd([0, 4]), { mean: 2, std: 2 });
  // A spread of 1e-12 counts as none; a little more is kept.
  assert.equal(meanStd([0, 2e-12]).std, 1);
  close(meanStd([0, 4e-12]).std, 2e-12);
});

test('z-score fusion keeps each result\'s own scores and mixes the sides with alpha', () => {
  const items = [
    { key: 7, lexical: 2, vector: 0.2 },
    { key: 4, lexical: 0, vector: 0.8 },
  ];
  // Each side standardises to ±1.
  const f = zScoreFusion(items, 0.25);
  assert.deepEqual(f.map((x) => [x.key, x.lexical, x.vector]), [[4, 0, 0.8], [7, 2, 0.2]]);
  close(f[0].score, 0.25 * -1 + 0.75 * 1);
  close(f[1].score, 0.25 * 1 + 0.75 * -1);
  const lex = zScoreFusion(items, 1);
  assert.deepEqual(lex.map((x) => x.key), [7, 4]);
  close(lex[0].score, 1);
  const vec = zScoreFusion(items, 0);
  assert.deepEqual(vec.map((x) => x.key), [4, 7]);
  close(vec[0].score, 1);
});

test('without a usable vector on every result, the ranking is lexical whatever alpha says', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const f = zScoreFusion([{ key: 1, lexical: 0, vector: 0.9 }, { key: 2, lexical: 4, vector: bad }], 0);
    assert.deepEqual(f.map((x) => x.key), [2, 1], String(bad));
    close(f[0].score, 1);
    close(f[1].score, -1);
  }
  assert.deepEqual(zScoreFusion([], 0.5), []);
});

test('equal scores rank by the smaller key, whatever the input order', () => {
  const f = zScoreFusion([{ key: 5, lexical: 1, vector: 0 }, { key: 2, lexical: 1, vector: 0 }, { key: 9, lexical: 3, vector: 0 }], 1);
  assert.deepEqual(f.map((x) => x.key), [9, 2, 5]);
  const r = reciprocalRankFusion([{ key: 8, ranks: [1] }, { key: 3, ranks: [1] }, { key: 5, ranks: [2] }]);
  assert.deepEqual(r.map((x) => x.key), [3, 8, 5]);
});

test('reciprocal-rank fusion: 1/(k + rank) summed, an absent rank adds nothing, k is 60 unless given', () => {
  const r = reciprocalRankFusion([{ key: 1, ranks: [1, 0] }, { key: 2, ranks: [0, 0] }, { key: 3, ranks: [3, 2] }]);
  assert.deepEqual(r.map((x) => x.key), [3, 1, 2]);
  close(r[0].score, 1 / 63 + 1 / 62);
  close(r[1].score, 1 / 61);
  assert.equal(r[2].score, 0);
  const k1 = reciprocalRankFusion([{ key: 1, ranks: [1, 2] }], 1);
  close(k1[0].score, 1 / 2 + 1 / 3);
});

test('linear fusion: weights apply per feature; a missing, zero or ill-sized feature is left out', () => {
  const a = [0, 2, 4]; // mean 2, std sqrt(8/3)
  const s = linearZFusion([a, [5, 5], [1, 2, 3]], [2, 1]);
  const za = (x: number) => (x - 2) / Math.sqrt(8 / 3);
  for (let i = 0; i < 3; i++) close(s[i], 2 * za(a[i]), `at ${i}`);
  const neg = linearZFusion([a], [-1]);
  for (let i = 0; i < 3; i++) close(neg[i], -za(a[i]));
  const inf = linearZFusion([a, [0, Infinity, 1]], [1, 1]);
  for (let i = 0; i < 3; i++) close(inf[i], za(a[i]));
  // A feature with more values than there are candidates is left out too, not read in part.
  const long = linearZFusion([a, [1, 2, 3, 100]], [1, 1]);
  for (let i = 0; i < 3; i++) close(long[i], za(a[i]));
  assert.deepEqual([...linearZFusion([[1, 2]], [0])], [0, 0]);
  assert.equal(linearZFusion([[1, 2, 3, 4]], [1]).length, 4);
});
