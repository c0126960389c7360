/**
 * Paper features for recommendations, read from the search engine's own index: the sparse
 * vector is a paper's strongest BM25F impacts × idf^REC_IDF_POWER (a forward index like RM3's, selected by
 * idf too), the dense vector the built-in embedder's. Nothing is stored per user.
 */
import type { SearchEngine, Segment } from '../search/engine.js';
import { idf, type LexicalIndex } from '../search/lexical-index.js';
import type { RecFeatures, SparseVec } from './rank.js';

/**
 * Terms kept per paper, the strongest by impact × idf (an abstract has about 80 distinct index
 * terms, so nearly all are kept): 96 × 8 bytes × 75k papers ≈ 58 MB, once per index segment.
 */
export const REC_TERMS_PER_DOC = 96;

/**
 * A term's weight is its BM25F impact × idf^REC_IDF_POWER. Cosine similarity squares the idf,
 * which made rare words dominate; on reco-author-next (first 300 users, docs/recs.md) idf^0.5
 * ranked an author's next papers better than idf^1 (0.4556 vs 0.4468 nDCG@10) and idf^1.5 worse
 * (0.395): the words an author keeps using are not only the rare ones.
 */
export const REC_IDF_POWER = 0.5;

/** Per document, up to T (term id, impact × idf) pairs: the heaviest ones. */
interface Forward {
  T: number;
  idfPower: number;
  count: Uint16Array;
  term: Uint32Array;
  weight: Float32Array;
}

/**
 * For a newer (delta) segment, document frequencies and idf are the main segment's plus its
 * own, so that its papers' vectors live in the same space and its new papers keep their terms.
 */
function buildForward(lex: LexicalIndex, T: number, main: LexicalIndex, idfPower: number): Forward {
  const N = lex === main ? lex.size : lex.size + main.size;
  const { offsets, postDocs, postImpact } = lex;
  const V = offsets.length - 1;
  const hTerm = new Uint32Array(N * T);
  const hW = new Float32Array(N * T);
  const cnt = new Uint16Array(N);
  for (let t = 0; t < V; t++) {
    const s = offsets[t], e = offsets[t + 1];
    const df = lex === main ? e - s : e - s + main.df(lex.terms[t]);
    // Terms of one paper are kept: a later paper (in a newer segment) may share them.
    const wt = Math.pow(idf(N, df), idfPower);
    for (let p = s; p < e; p++) {
      const d = postDocs[p], w = postImpact[p] * wt;
      const base = d * T;
      const n = cnt[d];
      if (n < T) {
        let i = n;
        cnt[d] = n + 1;
        while (i > 0) {
          const par = (i - 1) >> 1;
          if (hW[base + par] <= w) break;
          hW[base + i] = hW[base + par];
          hTerm[base + i] = hTerm[base + par];
          i = par;
        }
        hW[base + i] = w;
        hTerm[base + i] = t;
      } else if (w > hW[base]) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= T) break;
          const r = l + 1;
          const c = r < T && hW[base + r] < hW[base + l] ? r : l;
          if (hW[base + c] >= w) break;
          hW[base + i] = hW[base + c];
          hTerm[base + i] = hTerm[base + c];
          i = c;
        }
        hW[base + i] = w;
        hTerm[base + i] = t;
      }
    }
  }
  return { T, idfPower, count: cnt, term: hTerm, weight: hW };
}

const forwardCache = new WeakMap<LexicalIndex, Forward>();
function forwardOf(lex: LexicalIndex, T: number, main: LexicalIndex, idfPower: number): Forward {
  let f = forwardCache.get(lex);
  if (!f || f.T !== T || f.idfPower !== idfPower) forwardCache.set(lex, (f = buildForward(lex, T, main, idfPower)));
  return f;
}

/**
 * A bounded id → value cache in two generations: a hit in the current one is a single Map look-up
 * (an LRU's delete + set per hit cost ~5 ms over a month of candidates); a hit in the older one
 * moves the entry up; when the current generation is full the older one is dropped. Holds between
 * max/2 and max entries.
 */
class Lru<V> {
  private cur = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.cur.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }
  set(k: string, v: V): void {
    if (this.cur.size >= Math.max(1, this.max >> 1)) {
      this.old = this.cur;
      this.cur = new Map();
    }
    this.cur.set(k, v);
  }
}

export function engineFeatures(engine: SearchEngine, opts: { cache?: number; terms?: number; idfPower?: number } = {}): RecFeatures {
  const T = opts.terms ?? REC_TERMS_PER_DOC;
  const idfPower = opts.idfPower ?? REC_IDF_POWER;
  const segments = engine.segments;
  const main = segments[0].lex;
  const locate = (id: string): { seg: Segment; doc: number } | null => {
    for (const seg of segments) {
      const doc = seg.lex.docOf(id);
      if (doc >= 0 && seg.live[doc]) return { seg, doc };
    }
    return null;
  };
  const extra = new Map<string, number>();
  const extraId = (term: string) => {
    let id = extra.get(term);
    if (id === undefined) extra.set(term, (id = main.terms.length + extra.size));
    return id;
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
        const fw = forwardOf(lex, T, main, idfPower);
        const base = at.doc * fw.T, n = fw.count[at.doc];
        const pairs: [number, number][] = [];
        for (let i = 0; i < n; i++) {
          // Term ids of the main segment, so vectors of all segments share one space; a term the
          // main segment lacks gets an id past its vocabulary (stable for this reader).
          const t = lex === main ? fw.term[base + i] : (main.vocab.get(lex.terms[fw.term[base + i]]) ?? extraId(lex.terms[fw.term[base + i]]));
          pairs.push([t, fw.weight[base + i]]);
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
