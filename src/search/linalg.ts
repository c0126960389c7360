/**
 * The little dense/sparse linear algebra the built-in embedder needs: a CSR sparse matrix,
 * a seeded Gaussian generator, Gram–Schmidt orthonormalisation, a cyclic Jacobi eigen-solver
 * for small symmetric matrices, and randomized SVD (Halko, Martinsson & Tropp 2011,
 * "Finding structure with randomness", Algorithms 4.4 + 5.1) for a symmetric sparse matrix.
 * Dense matrices are row-major Float64Arrays.
 */

export interface Csr {
  n: number; // rows (= cols, square)
  rowPtr: Uint32Array;
  col: Uint32Array;
  val: Float32Array;
}

/** Deterministic PRNG (mulberry32) so that a rebuild gives the same vectors. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export function gaussian(r: () => number): () => number {
  return () => {
    const u = Math.max(r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
}

/** Y (n×l) = A (n×n sparse) · X (n×l). */
export function spmm(A: Csr, X: Float64Array, l: number): Float64Array {
  const Y = new Float64Array(A.n * l);
  const { rowPtr, col, val } = A;
  for (let i = 0; i < A.n; i++) {
    const yo = i * l;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const v = val[p];
      const xo = col[p] * l;
      for (let j = 0; j < l; j++) Y[yo + j] += v * X[xo + j];
    }
  }
  return Y;
}

/** Orthonormalise the l columns of an n×l row-major matrix in place (two-pass Gram–Schmidt via column copies). */
export function orthonormalize(Y: Float64Array, n: number, l: number): void {
  // Work on columns for locality.
  const cols: Float64Array[] = [];
  for (let j = 0; j < l; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = Y[i * l + j];
    cols.push(c);
  }
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < l; j++) {
      const c = cols[j];
      for (let k = 0; k < j; k++) {
        const q = cols[k];
        let d = 0;
        for (let i = 0; i < n; i++) d += c[i] * q[i];
        for (let i = 0; i < n; i++) c[i] -= d * q[i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += c[i] * c[i];
      norm = Math.sqrt(norm);
      if (norm < 1e-12) {
        c.fill(0);
      } else for (let i = 0; i < n; i++) c[i] /= norm;
    }
  }
  for (let j = 0; j < l; j++) {
    const c = cols[j];
    for (let i = 0; i < n; i++) Y[i * l + j] = c[i];
  }
}

function scaleColumns(Y: Float64Array, n: number, l: number): void {
  const norms = new Float64Array(l);
  for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) norms[j] += Y[i * l + j] * Y[i * l + j];
  for (let j = 0; j < l; j++) norms[j] = norms[j] > 0 ? 1 / Math.sqrt(norms[j]) : 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) Y[i * l + j] *= norms[j];
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi). Returns values desc and vectors as columns (row-major m×m). */
export function jacobiEigen(S: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(S);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += A[p * m + q] * A[p * m + q];
    if (off < 1e-22) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * m + p], aqq = A[q * m + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p], akq = A[k * m + q];
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k], aqk = A[q * m + k];
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p], vkq = V[k * m + q];
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => A[b * m + b] - A[a * m + a]);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    values[dst] = A[src * m + src];
    for (let k = 0; k < m; k++) vectors[k * m + dst] = V[k * m + src];
  });
  return { values, vectors };
}

/**
 * Top-k eigenpairs (by |λ|) of a symmetric sparse matrix via randomized range finding with
 * power iterations, then Rayleigh–Ritz on the small projected matrix. For a PPMI matrix
 * (nearly positive semi-definite in its leading part) these are its leading singular pairs.
 * Returns U (n×k row-major) and the eigenvalues.
 */
export function randomizedEigSym(A: Csr, k: number, opts: { oversample?: number; powerIters?: number; seed?: number } = {}): { U: Float64Array; values: Float64Array } {
  const n = A.n;
  const l = Math.min(n, k + (opts.oversample ?? 20));
  const g = gaussian(rng(opts.seed ?? 42));
  let Y: Float64Array = new Float64Array(n * l);
  for (let i = 0; i < Y.length; i++) Y[i] = g();
  // Power iterations: only rescale columns in between (cheap); one full orthonormalisation at
  // the end. With ≤ 3 applications of A the basis stays well-conditioned in double precision.
  Y = spmm(A, Y, l);
  for (let it = 0; it < (opts.powerIters ?? 2); it++) {
    scaleColumns(Y, n, l);
    Y = spmm(A, Y, l);
  }
  orthonormalize(Y, n, l);
  // T = Qᵀ A Q  (l×l)
  const AQ = spmm(A, Y, l);
  const T = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const qo = i * l;
    for (let a = 0; a < l; a++) {
      const qa = Y[qo + a];
      if (qa === 0) continue;
      const to = a * l;
      for (let b = 0; b < l; b++) T[to + b] += qa * AQ[qo + b];
    }
  }
  for (let a = 0; a < l; a++) for (let b = a + 1; b < l; b++) {
    const v = (T[a * l + b] + T[b * l + a]) / 2;
    T[a * l + b] = v;
    T[b * l + a] = v;
  }
  const { values, vectors } = jacobiEigen(T, l);
  // Keep the k largest eigenvalues (PPMI's useful directions are the positive ones).
  const kk = Math.min(k, l);
  const Vt = new Float64Array(kk * l); // transposed eigenvectors for contiguous access
  for (let j = 0; j < kk; j++) for (let a = 0; a < l; a++) Vt[j * l + a] = vectors[a * l + j];
  const U = new Float64Array(n * kk);
  for (let i = 0; i < n; i++) {
    const qo = i * l;
    for (let j = 0; j < kk; j++) {
      let s = 0;
      const vo = j * l;
      for (let a = 0; a < l; a++) s += Y[qo + a] * Vt[vo + a];
      U[i * kk + j] = s;
    }
  }
  return { U, values: values.slice(0, kk) };
}
