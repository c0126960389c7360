/**
 * Tokenizer used by the lexical index, the built-in embedder and snippets.
 *
 * Pipeline: Unicode NFKD → strip combining marks → lower-case → split on anything that is not
 * a letter or digit (so hyphenated words and LaTeX commands split into their parts) → drop
 * English stop words and one-letter tokens → Snowball English (Porter2) stemmer, from the
 * `porter2` package (the tokenizer caches each raw word's term). It gives exactly the stems of the
 * Snowball project's JS port (`snowball-stemmers`, a dev dependency kept for that check) on every word of our
 * corpora and on random words (tokenizer.test.ts), at ~0.25 µs a word instead of ~6 µs.
 *
 * The tokenizer's id is recorded in the index manifest: change anything here that changes
 * tokens and bump TOKENIZER_ID, so an old index is refused until `papertide reindex`.
 */
import { stem as porter2 } from 'porter2';

export const TOKENIZER_ID = 'pt-en-snowball-v1';

/** Lucene's English list plus common words of scientific prose with no retrieval value. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with ' +
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself its itself them theirs themselves ' +
    'what which who whom those am were been being have has had having do does did doing would should could ought ' +
    'because until while about against between through during before after above below from up down out off over under again further once ' +
    'here when where why how all any both each few more most other some nor only own same so than too very can just don now also ' +
    'et al via us may might must shall whether upon thus hence within without among'
  ).split(/\s+/),
);

/** Stem of a lower-case word (words of one or two letters are kept as they are). */
export function stem(word: string): string {
  return word.length <= 2 ? word : porter2(word);
}

const COMBINING = /[\u0300-\u036f]/g;
const SPLIT = /[^\p{L}\p{N}]+/u;
const HAS_UPPER_OR_MARK = /[^\x00-\x40\x5b-\x7f]/; // upper-case ASCII or anything beyond ASCII

/** Lower-case and fold accents. Fast path for plain ASCII text. */
export function normalize(text: string): string {
  let s = text;
  if (HAS_UPPER_OR_MARK.test(s)) s = s.normalize('NFKD').replace(COMBINING, '').toLowerCase();
  return s;
}

/** Raw words (normalised, not stemmed, stop words kept). */
export function words(text: string): string[] {
  const out = normalize(text).split(SPLIT);
  return out.filter((w) => w.length > 0);
}

function keep(w: string): boolean {
  if (w.length === 1 && !(w >= '0' && w <= '9')) return false;
  if (w.length > 40) return false;
  return !STOPWORDS.has(w);
}

/**
 * A substring of 13+ characters is a V8 "sliced string" that keeps its whole parent alive: a
 * word cached (or kept in the index vocabulary) straight from `text.slice()` would pin the
 * abstract it first appeared in. Cached words are copied out of their parent instead.
 */
function detach(w: string): string {
  return w.length >= 13 ? (' ' + w).slice(1) : w;
}

/** Raw word → index term (null: dropped), so each distinct word is checked and stemmed once. */
const TERM_CACHE_MAX = 500_000;
const termCache = new Map<string, string | null>();
function termOf(w: string): string | null {
  // Over-long words are dropped anyway; not caching them bounds the cache in bytes too
  // (500,000 keys of at most 40 characters), whatever text or queries arrive.
  if (w.length > 40) return null;
  let t = termCache.get(w);
  if (t === undefined) {
    const own = detach(w);
    t = keep(own) ? stem(own) : null;
    if (termCache.size >= TERM_CACHE_MAX) termCache.clear();
    termCache.set(own, t);
  }
  return t;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Word table for the ASCII scanner: open addressing on an FNV-1a hash computed while scanning,
 * entries compared char by char against the text, so a known word costs no substring and no
 * Map hashing. Cleared when full (it is only a cache in front of termOf); `wtGen` counts the
 * clears, so a consumer that keeps its own data per entry (TermIds) knows when to drop it.
 */
const WT_BITS = 20;
const WT_MASK = (1 << WT_BITS) - 1;
const WT_MAX = 1 << (WT_BITS - 1);
const wtSlot = new Int32Array(1 << WT_BITS); // entry + 1, 0 = empty
const wtHash = new Int32Array(WT_MAX);
let wtWord: string[] = [];
let wtTerm: (string | null)[] = [];
let wtGen = 0;

/** Drop the word table (its entries are re-learnt on demand). Exported for tests. */
export function clearWordTable(): void {
  wtSlot.fill(0);
  wtWord = [];
  wtTerm = [];
  wtGen++;
}

/** Word-table entries of the kept words (stop words and one-letter words dropped) of the last scan. */
let entries = new Int32Array(4096);

/**
 * Scan an ASCII text into `entries` (returns their count): one pass by char code, without the
 * Unicode split regex, substrings or intermediate arrays for words already in the table.
 */
function scanAscii(text: string): number {
  const s = text.toLowerCase();
  const n = s.length;
  let k = 0;
  let start = -1;
  let h = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) {
        start = i;
        h = -2128831035;
      }
      h = Math.imul(h ^ c, 16777619);
    } else if (start >= 0) {
      const len = i - start;
      if (len > 40) {
        // Dropped by keep() anyway; kept out of the table so it stays bounded in bytes.
        start = -1;
        continue;
      }
      let slot = h & WT_MASK;
      let e = -1;
      for (;;) {
        const x = wtSlot[slot] - 1;
        if (x < 0) break;
        if (wtHash[x] === h) {
          const w = wtWord[x];
          if (w.length === len) {
            let j = 0;
            while (j < len && w.charCodeAt(j) === s.charCodeAt(start + j)) j++;
            if (j === len) {
              e = x;
              break;
            }
          }
        }
        slot = (slot + 1) & WT_MASK;
      }
      if (e < 0) {
        const w = detach(s.slice(start, i));
        if (wtWord.length >= WT_MAX) {
          // Entries already in `entries` belong to the old table: start this text again.
          clearWordTable();
          return scanAscii(text);
        }
        e = wtWord.length;
        wtWord.push(w);
        wtTerm.push(termOf(w));
        wtHash[e] = h;
        wtSlot[slot] = e + 1;
      }
      if (wtTerm[e] !== null) {
        if (k === entries.length) {
          const a = new Int32Array(k * 2);
          a.set(entries);
          entries = a;
        }
        entries[k++] = e;
      }
      start = -1;
    }
  }
  return k;
}

/** The Unicode path: NFKD, the split regex, termOf per word. Gives the same tokens as scanAscii. */
function tokenizeUnicode(text: string): string[] {
  const out: string[] = [];
  for (const w of normalize(text).split(SPLIT)) {
    if (w.length === 0) continue;
    const t = termOf(w);
    if (t !== null) out.push(t);
  }
  return out;
}

/**
 * Index terms of a text, in order (stop words removed, stemmed). ASCII text (nearly every
 * abstract) goes through the word table; other text through NFKD and the regex. Both give the
 * same tokens.
 */
export function tokenize(text: string): string[] {
  if (NON_ASCII.test(text)) return tokenizeUnicode(text);
  const k = scanAscii(text);
  const out: string[] = new Array(k);
  for (let i = 0; i < k; i++) out[i] = wtTerm[entries[i]] as string;
  return out;
}

/**
 * Tokenizing straight to one consumer's term ids (an index builder's): the word table's entries
 * are mapped to the consumer's ids once, so a known word costs an array read instead of a term
 * string per token and a Map look-up per token. `scan(text)` leaves the ids of the text's
 * tokens (the same tokens as `tokenize(text)`, in order) in `ids[0..n)` and returns n.
 */
export class TermIds {
  ids = new Int32Array(4096);
  private map = new Int32Array(0); // word-table entry → term id + 1 (0: not looked up yet)
  private gen = -1;

  constructor(private readonly idOf: (term: string) => number) {}

  scan(text: string): number {
    if (NON_ASCII.test(text)) {
      const ts = tokenizeUnicode(text);
      this.reserve(ts.length);
      for (let i = 0; i < ts.length; i++) this.ids[i] = this.idOf(ts[i]);
      return ts.length;
    }
    const k = scanAscii(text);
    this.reserve(k);
    if (this.gen !== wtGen) {
      this.map = new Int32Array(WT_MAX);
      this.gen = wtGen;
    }
    const map = this.map, ids = this.ids, ent = entries;
    for (let i = 0; i < k; i++) {
      const e = ent[i];
      let id = map[e] - 1;
      if (id < 0) {
        id = this.idOf(wtTerm[e] as string);
        map[e] = id + 1;
      }
      ids[i] = id;
    }
    return k;
  }

  private reserve(n: number): void {
    if (n > this.ids.length) this.ids = new Int32Array(Math.max(n, this.ids.length * 2));
  }
}

/** Terms of author names: no stemming, no stop words (a surname is a surname). */
export function tokenizeName(name: string): string[] {
  return words(name).filter((w) => w.length > 1);
}
