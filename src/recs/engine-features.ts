/**
 * Paper features for recommendations, read from the search engine's own index: the sparse
 * vector is a paper's strongest BM25F impacts × idf (the forward index RM3 also uses, kept
 * wider here), the dense vector the built-in embedder's. Nothing is stored per user.
 */
import type { SearchEngine, Segment } from '../search/engine.js';
import { idf, type LexicalIndex } from '../search/lexical-index.js';
import { ForwardTerms } from '../search/rm3.js';
import type { RecFeatures, SparseVec } from './rank.js';

/** Terms kept per paper: 64 × 6 bytes × 75k papers ≈ 29 MB, once per index segment. */
export const REC_TERMS_PER_DOC = 64;

const forwardCache = new WeakMap<LexicalIndex, ForwardTerms>();
function forwardOf(lex: LexicalIndex): ForwardTerms {
  let f = forwardCache.get(lex);
  if (!f) forwardCache.set(lex, (f = ForwardTerms.fromLexical(lex, REC_TERMS_PER_DOC)));
  return f;
}

/** A bounded id → value cache: features are recomputed cheaply, but a page asks for the same papers often. */
class Lru<V> {
  private m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    if (this.m.size >= this.max) this.m.delete(this.m.keys().next().value as string);
    this.m.set(k, v);
  }
}

export function engineFeatures(engine: SearchEngine, opts: { cache?: number } = {}): RecFeatures {
  const segments = engine.segments;
  const main = segments[0].lex;
  const N = main.size;
  const locate = (id: string): { seg: Segment; doc: number } | null => {
    for (const seg of segments) {
      const doc = seg.lex.docOf(id);
      if (doc >= 0 && seg.live[doc]) return { seg, doc };
    }
    return null;
  };
  const sparseCache = new Lru<SparseVec | null>(opts.cache ?? 20_000);
  const denseCache = new Lru<Float32Array | null>(opts.cache ?? 20_000);
  return {
    sparse(id) {
      const hit = sparseCache.get(id);
      if (hit !== undefined) return hit;
      const at = locate(id);
      let out: SparseVec | null = null;
      if (at) {
        const lex = at.seg.lex;
        const fw = forwardOf(lex);
        const base = at.doc * fw.T, n = fw.count[at.doc];
        const pairs: [number, number][] = [];
        for (let i = 0; i < n; i++) {
          // Term ids and df of the main segment, so vectors of all segments share one space.
          const t = lex === main ? fw.term[base + i] : main.vocab.get(lex.terms[fw.term[base + i]]);
          if (t === undefined) continue;
          pairs.push([t, fw.impact[base + i] * idf(N, main.offsets[t + 1] - main.offsets[t])]);
        }
        pairs.sort((a, b) => a[0] - b[0]);
        let norm = 0;
        for (const [, w] of pairs) norm += w * w;
        norm = Math.sqrt(norm);
        if (norm > 0) out = { terms: Uint32Array.from(pairs, (x) => x[0]), weights: Float32Array.from(pairs, (x) => x[1] / norm) };
      }
      sparseCache.set(id, out);
      return out;
    },
    dense(id) {
      const hit = denseCache.get(id);
      if (hit !== undefined) return hit;
      const at = locate(id);
      let out: Float32Array | null = null;
      if (at?.seg.vec) {
        const v = at.seg.vec.vector(at.doc);
        let n = 0;
        for (let i = 0; i < v.length; i++) n += v[i] * v[i];
        n = Math.sqrt(n);
        if (n > 0) {
          for (let i = 0; i < v.length; i++) v[i] /= n;
          out = v;
        }
      }
      denseCache.set(id, out);
      return out;
    },
  };
}
