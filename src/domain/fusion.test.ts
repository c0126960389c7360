import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanStd, reciprocalRankFusion, zScoreFusion } from './fusion.js';

test('z-score fusion standardises each side then mixes with alpha', () => {
  const items = [
    { key: 1, lexical: 10, vector: 0.1 },
    { key: 2, lexical: 5, vector: 0.9 },
    { key: 3, lexical: 0, vector: 0.5 },
  ];
  // lexical: mean 5, std sqrt(50/3); vector: mean 0.5, std sqrt(0.32/3)
  const sl = Math.sqrt(50 / 3), sv = Math.sqrt(0.32 / 3);
  const f = zScoreFusion(items, 0.5);
  const expect = (l: number, v: number) => 0.5 * ((l - 5) / sl) + 0.5 * ((v - 0.5) / sv);
  assert.deepEqual(f.map((x) => x.key), [2, 1, 3]);
  assert.ok(Math.abs(f[0].score - expect(5, 0.9)) < 1e-12);
  assert.ok(Math.abs(f.find((x) => x.key === 3)!.score - expect(0, 0.5)) < 1e-12);
  // alpha 1 = lexical only
  assert.deepEqual(zScoreFusion(items, 1).map((x) => x.key), [1, 2, 3]);
});

test('a missing vector side falls back to lexical order', () => {
  const f = zScoreFusion([{ key: 1, lexical: 1, vector: NaN }, { key: 2, lexical: 3, vector: NaN }], 0.5);
  assert.deepEqual(f.map((x) => x.key), [2, 1]);
});

test('constant scores do not divide by zero; ties break by key', () => {
  assert.deepEqual(meanStd([2, 2, 2]), { mean: 2, std: 1 });
  const f = zScoreFusion([{ key: 9, lexical: 1, vector: 1 }, { key: 3, lexical: 1, vector: 1 }], 0.5);
  assert.deepEqual(f.map((x) => [x.key, x.score]), [[3, 0], [9, 0]]);
});

test('reciprocal-rank fusion', () => {
  const r = reciprocalRankFusion([{ key: 1, ranks: [1, 0] }, { key: 2, ranks: [2, 1] }], 60);
  assert.equal(r[0].key, 2);
  assert.ok(Math.abs(r[0].score - (1 / 62 + 1 / 61)) < 1e-12);
});

test('linearZFusion: weighted sum of z-scores; zero weights and non-finite features are left out', async () => {
  const { linearZFusion } = await import('./fusion.js');
  // a: mean 2, std sqrt(8/3); b: mean 0, std sqrt(2/3)
  const a = [0, 2, 4], b = [1, 0, -1];
  const s = linearZFusion([a, b, [NaN, 1, 2], [9, 9, 1]], [1, 0.5, 3, 0]);
  const za = (x: number) => (x - 2) / Math.sqrt(8 / 3), zb = (x: number) => x / Math.sqrt(2 / 3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(s[i] - (za(a[i]) + 0.5 * zb(b[i]))) < 1e-12);
  assert.deepEqual([...linearZFusion([], [1])], []);
});
