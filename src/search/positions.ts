/**
 * Per-document token positions with sentence boundaries, for ranking features that need word
 * order (best-sentence query coverage, query-term proximity; hybrid-ranker.ts).
 *
 * Layout: one Uint32Array `tokens` holding, for each document in order, its title tokens, then
 * its abstract sentences, separated by SENTENCE_BREAK (the title counts as the first
 * "sentence"); `offsets[d] .. offsets[d+1]` is document d's slice. A token is the LexicalIndex
 * term id of the same segment (the builder's vocabulary: `LexicalBuilder.finish` keeps its ids),
 * from the index's own tokenisation (`docTokens`: stop words dropped, stemmed): positions count
 * kept tokens only. ~4 bytes per kept token (+1 per sentence): ~35–40 MB at 75k arXiv papers.
 *
 * Kept only for segments of at most POSITIONS_MAX_DOCS documents (like the forward index of
 * lexical-index.ts), so a 1M-paper index stays within its memory budget; above the cap the
 * builder frees what it had and `finish()` returns null — the ranker then works without the
 * positional features.
 */
import { docTokens, type DocTokens, type SearchDoc } from './lexical-index.js';
import { tokenize } from './tokenizer.js';

export const POSITIONS_MAX_DOCS = 300_000;
/** Separator between sentences inside a document's slice (never a term id). */
export const SENTENCE_BREAK = 0xffffffff;

export class PositionStore {
  constructor(
    readonly tokens: Uint32Array,
    /** N + 1 entries. */
    readonly offsets: Uint32Array,
  ) {}

  get size(): number {
    return this.offsets.length - 1;
  }

  get bytes(): number {
    return this.tokens.byteLength + this.offsets.byteLength;
  }

  /** Document d's tokens (term ids and SENTENCE_BREAKs), a view. */
  doc(d: number): Uint32Array {
    return this.tokens.subarray(this.offsets[d], this.offsets[d + 1]);
  }

  /** Document d's sentences as arrays of term ids (tests, debugging). */
  sentences(d: number): number[][] {
    const out: number[][] = [[]];
    for (const t of this.doc(d)) {
      if (t === SENTENCE_BREAK) out.push([]);
      else out[out.length - 1].push(t);
    }
    return out;
  }
}

/**
 * Sentence ends in an abstract: after '.', '!' or '?' followed by white space and then not a
 * lower-case letter ("e.g. the" stays one sentence), and at line breaks. Returns the character
 * offsets where each sentence after the first starts. Every split point is a non-alphanumeric
 * character, so tokenising the pieces gives the same tokens as tokenising the whole text.
 */
export function sentenceStarts(text: string): number[] {
  const out: number[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let j = -1;
    if (c === 10 || c === 13) j = i + 1;
    else if ((c === 46 || c === 33 || c === 63) && i + 1 < n) {
      const nx = text.charCodeAt(i + 1);
      if (nx === 32 || nx === 9 || nx === 10 || nx === 13) j = i + 1;
    }
    if (j < 0) continue;
    while (j < n && (text.charCodeAt(j) <= 32)) j++;
    if (j >= n) break;
    const f = text.charCodeAt(j);
    if (c !== 10 && c !== 13 && f >= 97 && f <= 122) continue;
    out.push(j);
    i = j - 1;
  }
  return out;
}

/** A document's index tokens (`docTokens`) and the token counts of its abstract's sentences. */
export interface SentenceTokens {
  tokens: DocTokens;
  /** null: one sentence (or positions not kept). */
  sentences: number[] | null;
}

/**
 * `docTokens` computed sentence by sentence: the abstract is tokenised piece by piece, cut at
 * sentence starts (always after white space, so at a point where the tokenizer splits anyway):
 * the concatenated pieces are exactly `tokenize(abstract)` (tested), and the sentence lengths
 * come for free instead of a second tokenising pass.
 */
export function docTokensWithSentences(d: Pick<SearchDoc, 'title' | 'abstract' | 'authors'>): SentenceTokens {
  const starts = sentenceStarts(d.abstract);
  if (starts.length === 0) return { tokens: docTokens(d), sentences: null };
  const abs: string[] = [];
  const lens: number[] = [];
  let from = 0;
  for (let i = 0; i <= starts.length; i++) {
    const to = i < starts.length ? starts[i] : d.abstract.length;
    const piece = tokenize(d.abstract.slice(from, to));
    from = to;
    if (piece.length === 0) continue;
    lens.push(piece.length);
    for (const t of piece) abs.push(t);
  }
  return { tokens: { title: tokenize(d.title), abstract: abs, authors: tokenize(d.authors.join(' ')) }, sentences: lens.length > 1 ? lens : null };
}

export class PositionBuilder {
  private tok = new Uint32Array(1 << 16);
  private nTok = 0;
  private offs: number[] = [0];
  private dropped = false;

  constructor(
    /** The LexicalBuilder's vocabulary (term → id), filled by its `add` before ours. */
    private readonly vocab: Map<string, number>,
    readonly maxDocs = POSITIONS_MAX_DOCS,
  ) {}

  get size(): number {
    return this.offs.length - 1;
  }

  /**
   * Whether the next document's positions would be kept (false when positions are not wanted,
   * maxDocs 0, or the cap is reached). When it is false a caller may `skip()` instead of
   * tokenising the document by sentences for `add`.
   */
  get active(): boolean {
    return !this.dropped && this.size < this.maxDocs;
  }

  private push(v: number): void {
    if (this.nTok === this.tok.length) {
      const b = new Uint32Array(this.tok.length * 2);
      b.set(this.tok);
      this.tok = b;
    }
    this.tok[this.nTok++] = v;
  }

  /** The document's index tokens, with its sentence lengths while positions are kept. */
  tokenize(d: Pick<SearchDoc, 'title' | 'abstract' | 'authors'>): SentenceTokens {
    return this.dropped || this.size >= this.maxDocs ? { tokens: docTokens(d), sentences: null } : docTokensWithSentences(d);
  }

  /** The next document keeps no positions: the store would be incomplete, so nothing is kept. */
  skip(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.tok = new Uint32Array(0);
    this.offs = [0];
    this.nTok = 0;
  }

  /** Append the next document (same order as the LexicalBuilder, after its `add`). */
  add(st: SentenceTokens): void {
    const tokens = st.tokens;
    if (this.dropped) return;
    if (this.size >= this.maxDocs) return this.skip();
    const vocab = this.vocab;
    for (const t of tokens.title) this.push(vocab.get(t)!);
    const abs = tokens.abstract;
    if (abs.length > 0) {
      if (tokens.title.length > 0) this.push(SENTENCE_BREAK);
      const lens = st.sentences ?? [abs.length];
      let k = 0;
      lens.forEach((len, si) => {
        if (si > 0) this.push(SENTENCE_BREAK);
        for (let e = k + len; k < e; k++) this.push(vocab.get(abs[k])!);
      });
    }
    this.offs.push(this.nTok);
  }

  /** The store, or null when positions were not wanted (maxDocs 0) or not kept for every document. */
  finish(): PositionStore | null {
    if (this.dropped || this.maxDocs === 0) return null;
    return new PositionStore(this.tok.slice(0, this.nTok), Uint32Array.from(this.offs));
  }
}

/** Largest proximity window `positionalFeatures` accepts (size of its ring of recent hits). */
export const MAX_PROX_WINDOW = 64;

/**
 * Positional query features of some documents of one store, written into `cov`/`prox` at
 * `outIdx[i]` for `docs[i]`:
 *   - cov:  best-sentence query coverage, Σ w_t over the distinct query terms of the document's
 *           best sentence (the title is one), divided by Σ w_t; with `twoSentences` the mean of
 *           the best two sentences;
 *   - prox: Σ w_a·w_b over the pairs of distinct query terms that occur within `window` tokens
 *           of each other (anywhere in the document, kept tokens only), divided by Σ_{a<b} w_a·w_b;
 *           `window` 0 skips it (prox left at 0).
 * `qTermIds` are the query's term ids in this store's segment (-1: absent); `vocabSize` bounds
 * them. Cost: one pass over each document's tokens; a 4096-bit filter (L1-resident) rejects
 * almost every non-query token before the term → query-index look-up.
 */
export function positionalFeatures(
  store: PositionStore,
  vocabSize: number,
  qTermIds: ArrayLike<number>,
  qWeights: ArrayLike<number>,
  docs: ArrayLike<number>,
  outIdx: ArrayLike<number>,
  cov: Float64Array,
  prox: Float64Array,
  opts: { window: number; twoSentences: boolean },
): void {
  const nq = qTermIds.length;
  const slot = scratchSlots(vocabSize);
  const bits = new Int32Array(FILTER_WORDS);
  let wSum = 0, pSum = 0;
  for (let a = 0; a < nq; a++) {
    const t = qTermIds[a];
    if (t >= 0 && t < vocabSize && qWeights[a] > 0) {
      slot[t] = a + 1;
      bits[(t >>> 5) & (FILTER_WORDS - 1)] |= 1 << (t & 31);
      pSum += qWeights[a] * wSum;
      wSum += qWeights[a];
    }
  }
  const win = Math.max(0, Math.min(MAX_PROX_WINDOW, opts.window | 0));
  const w = Float64Array.from({ length: nq }, (_, a) => qWeights[a]);
  const seenSent = new Int32Array(nq).fill(-1);
  const pairStamp = win > 0 ? new Int32Array(nq * nq).fill(-1) : new Int32Array(0);
  const ringPos = new Int32Array(MAX_PROX_WINDOW);
  const ringQ = new Int32Array(MAX_PROX_WINDOW);
  // Int32 view: term ids are < 2^31 and SENTENCE_BREAK reads as -1, so the loop stays on small integers.
  const toks = new Int32Array(store.tokens.buffer, store.tokens.byteOffset, store.tokens.length);
  const offs = store.offsets;
  const two = opts.twoSentences;
  let sentId = 0;
  try {
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i];
      let best1 = 0, best2 = 0, sent = 0, p = 0, pairs = 0;
      let ringN = 0, ringHead = 0; // ring of the last hits (positions ascending)
      sentId++;
      const e = offs[d + 1];
      for (let k = offs[d]; k < e; k++) {
        const tok = toks[k];
        if (tok < 0) {
          if (sent > best1) {
            best2 = best1;
            best1 = sent;
          } else if (sent > best2) best2 = sent;
          sent = 0;
          sentId++;
          continue;
        }
        p++;
        if ((bits[(tok >>> 5) & (FILTER_WORDS - 1)] & (1 << (tok & 31))) === 0) continue;
        const q = tok < vocabSize ? slot[tok] - 1 : -1;
        if (q < 0) continue;
        const wq = w[q];
        if (seenSent[q] !== sentId) {
          seenSent[q] = sentId;
          sent += wq;
        }
        if (win === 0) continue;
        for (let r = 0; r < ringN; r++) {
          const at = (ringHead - 1 - r) & (MAX_PROX_WINDOW - 1);
          if (p - ringPos[at] > win) break;
          const b = ringQ[at];
          if (b === q) continue;
          const key = q < b ? q * nq + b : b * nq + q;
          if (pairStamp[key] !== i) {
            pairStamp[key] = i;
            pairs += wq * w[b];
          }
        }
        ringPos[ringHead] = p;
        ringQ[ringHead] = q;
        ringHead = (ringHead + 1) & (MAX_PROX_WINDOW - 1);
        if (ringN < MAX_PROX_WINDOW) ringN++;
      }
      // The last sentence.
      if (sent > best1) {
        best2 = best1;
        best1 = sent;
      } else if (sent > best2) best2 = sent;
      const j = outIdx[i];
      cov[j] = wSum > 0 ? (two ? (best1 + best2) / 2 : best1) / wSum : 0;
      prox[j] = pSum > 0 ? pairs / pSum : 0;
    }
  } finally {
    for (let a = 0; a < nq; a++) {
      const t = qTermIds[a];
      if (t >= 0 && t < vocabSize) slot[t] = 0;
    }
  }
}

const FILTER_WORDS = 128; // 4096 bits
// Term id → query index + 1 (0: not a query term); reset after each call.
let slots = new Int32Array(0);
function scratchSlots(n: number): Int32Array {
  if (slots.length < n) slots = new Int32Array(Math.max(n, slots.length * 2, 1024));
  return slots;
}
