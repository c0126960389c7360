/**
 * The k best (doc, score) pairs of a scan: a bounded min-heap shared by the lexical and vector
 * indexes and the engine.
 */
export interface ScoredDoc {
  doc: number;
  score: number;
}

/** Min-heap of (score, doc) used to keep the k best. */
export class TopK {
  scores: Float64Array;
  docs: Int32Array;
  n = 0;
  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.docs = new Int32Array(k);
  }
  get min(): number {
    return this.n < this.k ? -Infinity : this.scores[0];
  }
  push(doc: number, score: number) {
    const { scores, docs } = this;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (scores[p] <= score) break;
        scores[i] = scores[p];
        docs[i] = docs[p];
        i = p;
      }
      scores[i] = score;
      docs[i] = doc;
    } else if (score > scores[0]) {
      let i = 0;
      const n = this.n;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && scores[r] < scores[l] ? r : l;
        if (scores[c] >= score) break;
        scores[i] = scores[c];
        docs[i] = docs[c];
        i = c;
      }
      scores[i] = score;
      docs[i] = doc;
    }
  }
  sorted(): ScoredDoc[] {
    const out: ScoredDoc[] = [];
    for (let i = 0; i < this.n; i++) out.push({ doc: this.docs[i], score: this.scores[i] });
    out.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return out;
  }
}
