/**
 * The built-in, offline embedder: word vectors learned from the indexed corpus itself, then
 * smooth-inverse-frequency document vectors.
 *
 *   1. co-occurrence counts of index terms (stemmed, no stop words) in a ±window, over the
 *      corpus (or a deterministic sample of it at large scale);
 *   2. positive PMI with context-distribution smoothing α = 0.75 (Levy, Goldberg & Dagan 2015,
 *      "Improving distributional similarity with lessons learned from word embeddings");
 *   3. truncated eigen-decomposition of the symmetric PPMI matrix by randomized SVD
 *      (linalg.ts); word vector = U_k · |Λ_k|^p (k = 200, p = 0.5 by default);
 *   4. a text's vector = Σ_w a/(a + p(w)) · v_w / n, minus its projection on the corpus'
 *      first principal component (Arora, Liang & Ma 2017, "A simple but tough-to-beat baseline
 *      for sentence embeddings"), L2-normalised.
 *
 * Why this one: with no model to download, it is what measured best on SciFact (search-notes.md
 * and docs/search.md). Its id contains a hash of the learned model, so a retrained model never
 * silently mixes with vectors of another.
 */
import { createHash } from 'node:crypto';
import { randomizedEigSym, type Csr } from '../linalg.js';
import { tokenize } from '../tokenizer.js';

export interface CorpusEmbedderOptions {
  dim: number;
  window: number;
  minCount: number;
  maxVocab: number;
  alpha: number; // context distribution smoothing
  eigPower: number; // p in U·|Λ|^p
  sifA: number;
  powerIters: number;
  /** L2-normalise each word vector before SIF averaging (Levy et al. 2015 normalise rows). */
  normalizeRows: boolean;
  /**
   * Bound on training cost: at most this many documents (an even, deterministic stride over the
   * input) are used to count co-occurrences; the rest of the corpus is still embedded.
   */
  maxTrainDocs: number;
  /** Oversampling of the randomized eigensolver (extra basis vectors beyond `dim`). */
  oversample: number;
  /** Remove the first principal component of document vectors (Arora et al. 2017). */
  removeCommon: boolean;
  /** A title token counts this many times in a paper's vector (query vectors are unchanged). */
  titleWeight: number;
}
/**
 * Defaults chosen on SciFact train (docs/search.md, "Quality"): 200 dimensions with eigenvalue
 * weighting p = 0.5 rank as well as 300 with p = 0 inside the hybrid ranker (and better in plain
 * z-score fusion), for about half the eigensolver time and 2/3 of the vector memory. Training
 * cost is bounded by maxTrainDocs (co-occurrence sample) and maxVocab (eigensolver size).
 */
export const DEFAULT_CORPUS_EMBEDDER: CorpusEmbedderOptions = {
  dim: 200,
  window: 10,
  minCount: 2,
  maxVocab: 40000,
  alpha: 0.75,
  eigPower: 0.5,
  sifA: 1e-4,
  powerIters: 2,
  normalizeRows: false,
  maxTrainDocs: 50_000,
  oversample: 20,
  removeCommon: true,
  titleWeight: 1,
};
/** SIF a with which the evaluation cache keeps weights (finish() converts to the options' a). */
const SIF_A0 = 1e-4;

/** `max` items at an even (fractional) stride, deterministic (the same corpus always gives the same sample). */
export function strideSample<T>(items: T[], max: number): T[] {
  if (!(max > 0) || items.length <= max) return items;
  const out: T[] = [];
  const step = items.length / max;
  for (let i = 0; i < max; i++) out.push(items[Math.floor(i * step)]);
  return out;
}

/** Open-addressing hash of uint32 keys → float32 counts. */
class PairCounter {
  keys: Uint32Array;
  vals: Float32Array;
  size = 0;
  constructor(cap = 1 << 20) {
    this.keys = new Uint32Array(cap);
    this.vals = new Float32Array(cap);
  }
  add(key: number, v: number) {
    // key is ≥ 1
    let mask = this.keys.length - 1;
    let h = Math.imul(key, 0x9e3779b1) >>> 0;
    for (;;) {
      const i = h & mask;
      const k = this.keys[i];
      if (k === key) {
        this.vals[i] += v;
        return;
      }
      if (k === 0) {
        this.keys[i] = key;
        this.vals[i] = v;
        if (++this.size * 2 > this.keys.length) this.grow();
        return;
      }
      h = (h + 1) >>> 0;
      mask = this.keys.length - 1;
    }
  }
  private grow() {
    const ok = this.keys, ov = this.vals;
    this.keys = new Uint32Array(ok.length * 2);
    this.vals = new Float32Array(ok.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < ok.length; i++) {
      const key = ok[i];
      if (key === 0) continue;
      let h = Math.imul(key, 0x9e3779b1) >>> 0;
      while (this.keys[h & mask] !== 0) h = (h + 1) >>> 0;
      this.keys[h & mask] = key;
      this.vals[h & mask] = ov[i];
    }
  }
}

export interface CorpusEmbedderModel {
  terms: string[];
  vectors: Float32Array; // V × dim
  weights: Float32Array; // SIF weight per term
  common: Float32Array; // first principal component of doc vectors (unit)
  dim: number;
  /** CorpusEmbedderOptions.titleWeight (absent: 1). */
  titleWeight?: number;
}

export class CorpusEmbedder {
  readonly vocab = new Map<string, number>();
  readonly id: string;
  readonly dim: number;
  constructor(readonly model: CorpusEmbedderModel) {
    model.terms.forEach((t, i) => this.vocab.set(t, i));
    this.dim = model.dim;
    const h = createHash('sha256');
    h.update(model.terms.join('\n'));
    h.update(new Uint8Array(model.vectors.buffer, model.vectors.byteOffset, Math.min(model.vectors.byteLength, 1 << 20)));
    if ((model.titleWeight ?? 1) !== 1) h.update(`title ${model.titleWeight}`);
    this.id = `builtin-ppmi-svd-${model.dim}-${h.digest('hex').slice(0, 12)}`;
  }

  /** Train on token streams (one array of index terms per document). */
  static train(allDocs: string[][], opts: Partial<CorpusEmbedderOptions> = {}, log: (m: string) => void = () => {}): CorpusEmbedder {
    const o = { ...DEFAULT_CORPUS_EMBEDDER, ...opts };
    const docs = strideSample(allDocs, o.maxTrainDocs);
    const tStart = Date.now();
    // Evaluation runs only (src/search/evaluate.ts): reuse the word vectors learned on the same
    // sample with the same options; what follows them (SIF weights, common component) is redone.
    const cache = CorpusEmbedder.trainCache;
    let key = '';
    if (cache) {
      const h = createHash('sha256');
      const { removeCommon: _r, sifA: _a, titleWeight: _t, ...learn } = o;
      h.update(JSON.stringify(learn));
      for (const d of docs) h.update(d.join(' ') + '\n');
      key = h.digest('hex').slice(0, 24);
      const hit = cache.get(key);
      if (hit) {
        log(`embedder: word vectors from the evaluation cache (${key})`);
        return CorpusEmbedder.finish(hit.terms, hit.vectors, hit.weights, hit.dim, docs, o);
      }
    }
    const freq = new Map<string, number>();
    let total = 0;
    for (const d of docs) for (const t of d) {
      freq.set(t, (freq.get(t) ?? 0) + 1);
      total++;
    }
    const terms = [...freq.entries()].filter(([, c]) => c >= o.minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, Math.min(o.maxVocab, 65000)).map(([t]) => t);
    const V = terms.length;
    const idx = new Map<string, number>();
    terms.forEach((t, i) => idx.set(t, i));
    const counts = new Float64Array(V);
    const pc = new PairCounter();
    const ids = new Int32Array(4096);
    for (const d of docs) {
      let n = 0;
      for (const t of d) {
        const i = idx.get(t);
        if (i !== undefined && n < ids.length) ids[n++] = i;
      }
      for (let a = 0; a < n; a++) {
        const wa = ids[a];
        counts[wa]++;
        const end = Math.min(n, a + o.window + 1);
        for (let b = a + 1; b < end; b++) {
          const wb = ids[b];
          if (wa === wb) continue;
          const lo = wa < wb ? wa : wb, hi = wa < wb ? wb : wa;
          pc.add(lo * V + hi + 1, 1);
        }
      }
    }
    const secs = () => ((Date.now() - tStart) / 1000).toFixed(1);
    log(`embedder: ${docs.length} training docs, vocab ${V}, pairs ${pc.size} (${secs()} s)`);
    // Marginals from the pair counts (symmetric).
    const row = new Float64Array(V);
    let sum = 0;
    for (let i = 0; i < pc.keys.length; i++) {
      const key = pc.keys[i];
      if (key === 0) continue;
      const k0 = key - 1;
      const a = Math.floor(k0 / V), b = k0 - a * V;
      const c = pc.vals[i];
      row[a] += c;
      row[b] += c;
      sum += 2 * c;
    }
    let ctxSum = 0;
    const ctx = new Float64Array(V);
    for (let i = 0; i < V; i++) {
      ctx[i] = Math.pow(row[i], o.alpha);
      ctxSum += ctx[i];
    }
    // Build symmetric CSR of PPMI.
    const rowCount = new Uint32Array(V);
    const keep: number[] = [];
    for (let i = 0; i < pc.keys.length; i++) {
      const key = pc.keys[i];
      if (key === 0) continue;
      const k0 = key - 1;
      const a = Math.floor(k0 / V), b = k0 - a * V;
      const c = pc.vals[i];
      // pmi(a,b) = log( c·ΣΣ / (row_a · ctx_b^α/Σctx^α · ΣΣ) ) — symmetrised by averaging both directions
      const pab = Math.log((c * ctxSum) / (row[a] * ctx[b]));
      const pba = Math.log((c * ctxSum) / (row[b] * ctx[a]));
      const v = (pab + pba) / 2;
      if (v > 0) {
        keep.push(i);
        rowCount[a]++;
        rowCount[b]++;
      }
    }
    const rowPtr = new Uint32Array(V + 1);
    for (let i = 0; i < V; i++) rowPtr[i + 1] = rowPtr[i] + rowCount[i];
    const nnz = rowPtr[V];
    const col = new Uint32Array(nnz);
    const val = new Float32Array(nnz);
    const fill = rowPtr.slice(0, V);
    for (const i of keep) {
      const k0 = pc.keys[i] - 1;
      const a = Math.floor(k0 / V), b = k0 - a * V;
      const c = pc.vals[i];
      const v = (Math.log((c * ctxSum) / (row[a] * ctx[b])) + Math.log((c * ctxSum) / (row[b] * ctx[a]))) / 2;
      col[fill[a]] = b;
      val[fill[a]++] = v;
      col[fill[b]] = a;
      val[fill[b]++] = v;
    }
    void sum;
    log(`embedder: PPMI nnz ${nnz} (${secs()} s)`);
    const A: Csr = { n: V, rowPtr, col, val };
    const dim = Math.min(o.dim, Math.max(1, V - 1));
    const { U, values } = randomizedEigSym(A, dim, { powerIters: o.powerIters, oversample: o.oversample, seed: 7 });
    const vectors = new Float32Array(V * dim);
    for (let j = 0; j < dim; j++) {
      const s = Math.pow(Math.abs(values[j]), o.eigPower);
      for (let i = 0; i < V; i++) vectors[i * dim + j] = U[i * dim + j] * s;
    }
    if (o.normalizeRows) {
      for (let i = 0; i < V; i++) {
        let n = 0;
        for (let j = 0; j < dim; j++) n += vectors[i * dim + j] ** 2;
        n = Math.sqrt(n);
        if (n > 0) for (let j = 0; j < dim; j++) vectors[i * dim + j] /= n;
      }
    }
    log(`embedder: eigendecomposition done (${secs()} s)`);
    const weights = new Float32Array(V);
    for (let i = 0; i < V; i++) weights[i] = SIF_A0 / (SIF_A0 + counts[i] / Math.max(1, total));
    if (cache) cache.set(key, { terms, vectors, weights, dim });
    return CorpusEmbedder.finish(terms, vectors, weights, dim, docs, o);
  }

  /** Set by evaluation runs only: word vectors keyed by training sample and options. */
  static trainCache: { get(key: string): { terms: string[]; vectors: Float32Array; weights: Float32Array; dim: number } | undefined; set(key: string, v: { terms: string[]; vectors: Float32Array; weights: Float32Array; dim: number }): void } | null = null;

  /** SIF weights for the options' a and the common component, on top of learned word vectors. */
  private static finish(terms: string[], vectors: Float32Array, weights: Float32Array<ArrayBufferLike>, dim: number, docs: string[][], o: CorpusEmbedderOptions): CorpusEmbedder {
    const V = terms.length;
    if (o.sifA !== SIF_A0) {
      // weights came with a = SIF_A0: p(w) = a0 (1/w0 − 1), then w = a / (a + p(w))
      weights = weights.slice();
      for (let i = 0; i < V; i++) weights[i] = o.sifA / (o.sifA + SIF_A0 * (1 / weights[i] - 1));
    }
    const model: CorpusEmbedderModel = { terms, vectors, weights, common: new Float32Array(dim), dim, titleWeight: o.titleWeight };
    // Common component: first principal direction of the (uncentered) doc vectors, by power iteration.
    const emb = new CorpusEmbedder(model);
    const step = Math.max(1, Math.floor(docs.length / 20000));
    const sample: Float32Array[] = [];
    for (let i = 0; i < docs.length; i += step) sample.push(emb.rawVector(docs[i]));
    const u = new Float64Array(dim).fill(1 / Math.sqrt(dim));
    for (let it = 0; it < 30; it++) {
      const nu = new Float64Array(dim);
      for (const v of sample) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += v[j] * u[j];
        for (let j = 0; j < dim; j++) nu[j] += d * v[j];
      }
      let n = 0;
      for (let j = 0; j < dim; j++) n += nu[j] * nu[j];
      n = Math.sqrt(n) || 1;
      for (let j = 0; j < dim; j++) u[j] = nu[j] / n;
    }
    model.common = o.removeCommon ? Float32Array.from(u) : new Float32Array(dim);
    return new CorpusEmbedder(model);
  }

  /** A term's word vector (a view into the model, not a copy), or null when the term is unknown. */
  wordVector(term: string): Float32Array | null {
    const i = this.vocab.get(term);
    if (i === undefined) return null;
    const { dim, vectors } = this.model;
    return vectors.subarray(i * dim, (i + 1) * dim);
  }

  /** SIF average without common-component removal. */
  rawVector(tokens: string[], tokenWeights?: number[]): Float32Array {
    const { dim, vectors, weights } = this.model;
    const out = new Float32Array(dim);
    let n = 0;
    for (let k = 0; k < tokens.length; k++) {
      const i = this.vocab.get(tokens[k]);
      n++;
      if (i === undefined) continue;
      const w = weights[i] * (tokenWeights ? tokenWeights[k] : 1);
      const o = i * dim;
      for (let j = 0; j < dim; j++) out[j] += w * vectors[o + j];
    }
    if (n > 0) for (let j = 0; j < dim; j++) out[j] /= n;
    return out;
  }

  /** Unit vector for a token stream (zero vector when no known term). */
  embedTokens(tokens: string[], tokenWeights?: number[]): Float32Array {
    const v = this.rawVector(tokens, tokenWeights);
    const u = this.model.common;
    let d = 0;
    for (let j = 0; j < this.dim; j++) d += v[j] * u[j];
    let n = 0;
    for (let j = 0; j < this.dim; j++) {
      v[j] -= d * u[j];
      n += v[j] * v[j];
    }
    n = Math.sqrt(n);
    if (n > 0) for (let j = 0; j < this.dim; j++) v[j] /= n;
    return v;
  }

  /** A paper's vector: its title tokens count `titleWeight` times. */
  embedDoc(title: string[], abstract: string[]): Float32Array {
    const tw = this.model.titleWeight ?? 1;
    if (tw === 1) return this.embedTokens([...title, ...abstract]);
    return this.embedTokens([...title, ...abstract], [...title.map(() => tw), ...abstract.map(() => 1)]);
  }

  embedText(text: string): Float32Array {
    return this.embedTokens(tokenize(text));
  }
}
