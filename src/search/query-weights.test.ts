import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presenceJaccard, redundancyMultipliers, vectorCosine } from './query-weights.js';

test('redundancy: the words of one concept share a weight, an unrelated term keeps 1', () => {
  // terms 0 and 1 are near-synonyms (cos 0.9), term 2 is orthogonal to both.
  const rows = [Float32Array.of(1, 0.1, 0), Float32Array.of(0.9, 0.3, 0), Float32Array.of(0, 0, 2)];
  const sim = vectorCosine(rows);
  assert.ok(Math.abs(sim(0, 1) - sim(1, 0)) < 1e-12);
  assert.ok(Math.abs(sim(0, 2)) < 1e-12);
  const m = redundancyMultipliers(3, sim, 0.3);
  assert.equal(m[2], 1);
  assert.ok(m[0] < 0.6 && m[0] > 0.5, `m0 = ${m[0]}`); // r ≈ (0.98 − 0.3)/0.7 ≈ 0.97 → m ≈ 0.51
  assert.ok(Math.abs(m[0] - m[1]) < 1e-12);
});

test('redundancy: identical vectors of k terms give each 1/k; unknown terms (null rows) are left alone', () => {
  const v = Float32Array.of(0.3, 0.4);
  const m = redundancyMultipliers(4, vectorCosine([v, v, v, null]), 0.3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(m[i] - 1 / 3) < 1e-6);
  assert.equal(m[3], 1);
  assert.deepEqual([...redundancyMultipliers(0, () => 1, 0.3)], []);
  assert.deepEqual([...redundancyMultipliers(1, () => 1, 0.3)], [1]);
});

test('redundancy fallback: Jaccard of presence over documents', () => {
  const has = [Uint8Array.of(1, 1, 0, 0), Uint8Array.of(1, 1, 0, 0), Uint8Array.of(1, 0, 1, 1), Uint8Array.of(0, 0, 0, 0)];
  const sim = presenceJaccard(has);
  assert.equal(sim(0, 1), 1);
  assert.equal(sim(0, 2), 1 / 4);
  assert.ok(Number.isNaN(presenceJaccard([new Uint8Array(2), new Uint8Array(2)])(0, 1)));
  const m = redundancyMultipliers(4, sim, 0.5);
  assert.equal(m[0], 0.5);
  assert.equal(m[1], 0.5);
  assert.equal(m[2], 1);
  assert.equal(m[3], 1);
});
