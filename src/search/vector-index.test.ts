import assert from 'node:assert/strict';
import test from 'node:test';
import { rng } from './linalg.js';
import { Int8Rows, simdAvailable } from './simd/int8-dot.js';
import { VectorIndex } from './vector-index.js';

function unit(dim: number, r: () => number): Float32Array {
  const v = new Float32Array(dim);
  let n = 0;
  for (let j = 0; j < dim; j++) n += (v[j] = r() * 2 - 1) ** 2;
  n = Math.sqrt(n);
  for (let j = 0; j < dim; j++) v[j] /= n;
  return v;
}

test('the WebAssembly SIMD kernel gives exactly the scalar sums (dims 8, 200, 24, 16)', () => {
  assert.ok(simdAvailable(), 'Node 20 runs WebAssembly SIMD');
  const r = rng(3);
  for (const dim of [8, 200, 24, 16]) {
    const n = 1000;
    const a = new Int8Rows(n, dim);
    const b = new Int8Rows(n, dim, { forceScalar: true });
    assert.equal(a.simd, true);
    assert.equal(b.simd, false);
    for (let i = 0; i < n * dim; i++) a.rows[i] = b.rows[i] = Math.round(r() * 254 - 127);
    const q = new Int8Array(dim);
    for (let j = 0; j < dim; j++) q[j] = j % 2 ? 127 : -127; // extremes: no overflow either way
    a.setQuery(q);
    b.setQuery(q);
    assert.deepEqual([...a.dots(3, 500).subarray(0, 500)], [...b.dots(3, 500).subarray(0, 500)]);
  }
  // A dimension that is not a multiple of 8 uses the scalar loop.
  assert.equal(new Int8Rows(10, 302).simd, false);
});

test('IVF search: probing every cell finds the exhaustive top k; rows are stored cell by cell', () => {
  const r = rng(11);
  const dim = 32, n = 3000;
  const vecs = Array.from({ length: n }, () => unit(dim, r));
  const ivf = VectorIndex.fromVectors(vecs, n, dim, { ivfMin: 1000 });
  const flat = VectorIndex.fromVectors(vecs, n, dim, { ivfMin: Infinity });
  assert.equal(ivf.d.cellOrdered, true);
  assert.equal(flat.d.cellOrdered, false);
  for (let t = 0; t < 20; t++) {
    const q = unit(dim, r);
    const cells = ivf.d.listOffsets!.length - 1;
    const a = ivf.search(q, 10, null, cells).map((h) => h.doc);
    const b = flat.search(q, 10, null).map((h) => h.doc);
    assert.deepEqual(a, b);
    // dot() addresses documents by doc number whatever the row order.
    for (const d of a) assert.ok(Math.abs(ivf.dot(q, d) - flat.dot(q, d)) < 1e-6);
    // and equals the float dot product with the original vector up to int8 rounding
    for (const d of a) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += q[j] * vecs[d][j];
      assert.ok(Math.abs(ivf.dot(q, d) - s) < 0.02);
    }
  }
  // masks apply to doc numbers
  const q = unit(dim, r);
  const top = flat.search(q, 1, null)[0].doc;
  const allow = new Uint8Array(n).fill(1);
  allow[top] = 0;
  assert.notEqual(ivf.search(q, 1, allow, 1000)[0].doc, top);
});

test('an index persisted in doc order (older format) loads into the same cell-ordered index', () => {
  const r = rng(5);
  const dim = 16, n = 2000;
  const vecs = Array.from({ length: n }, () => unit(dim, r));
  const a = VectorIndex.fromVectors(vecs, n, dim, { ivfMin: 1000 });
  const d = a.d;
  // Rebuild the doc-order arrays an older build would have written.
  const codes = new Int8Array(n * dim);
  const scales = new Float32Array(n);
  d.listDocs!.forEach((doc, row) => {
    codes.set(d.codes.subarray(row * dim, (row + 1) * dim), doc * dim);
    scales[doc] = d.scales[row];
  });
  const b = new VectorIndex({ dim, codes, scales, centroids: d.centroids, listOffsets: d.listOffsets, listDocs: d.listDocs });
  const c = new VectorIndex({ ...d });
  for (let t = 0; t < 10; t++) {
    const q = unit(dim, r);
    assert.deepEqual(b.search(q, 5, null), a.search(q, 5, null));
    assert.deepEqual(c.search(q, 5, null), a.search(q, 5, null));
  }
  assert.deepEqual([...b.vector(7)], [...a.vector(7)]);
});
