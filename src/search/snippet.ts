/**
 * Highlighted, HTML-escaped snippets: the window of the abstract with the most query-term
 * matches (a word matches when its stem is one of the hit's matched terms), words wrapped in
 * <mark>. Everything else is escaped, so the result can be inserted as HTML.
 */
import { normalize, stem, STOPWORDS, tokenizeName, words } from './tokenizer.js';
import { escapeHtml } from '../domain/html.js';

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Stems of the words snippets met, remembered (bounded: emptied when full). A search page
 * stems every word of ten abstracts, and stemming was an eighth of the page's CPU; the words
 * of abstracts repeat from one page to the next.
 */
const stems = new Map<string, string>();
const STEMS_MAX = 50_000;

function stemOf(w: string): string {
  let s = stems.get(w);
  if (s === undefined) {
    if (stems.size >= STEMS_MAX) stems.clear();
    s = stem(w);
    stems.set(w, s);
  }
  return s;
}

/** How many stems are remembered (tests: the memory stays bounded). */
export const rememberedStems = (): number => stems.size;

function isMatch(word: string, terms: Set<string>): boolean {
  const w = normalize(word);
  if (STOPWORDS.has(w)) return false;
  return terms.has(stemOf(w)) || terms.has(w);
}

/** Escape `text` and mark matching words. */
export function highlight(text: string, matched: string[]): string {
  const terms = new Set(matched);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const i = m.index ?? 0;
    out += escapeHtml(text.slice(last, i));
    out += isMatch(m[0], terms) ? `<mark>${escapeHtml(m[0])}</mark>` : escapeHtml(m[0]);
    last = i + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** Best window of about `size` words from the text, highlighted; "…" marks cuts. */
export function snippet(text: string, matched: string[], size = 40): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const tokens = clean.split(' ');
  if (tokens.length <= size) return highlight(clean, matched);
  const terms = new Set(matched);
  const hits = tokens.map((t) => {
    const ws = t.match(WORD) ?? [];
    return ws.some((w) => isMatch(w, terms)) ? 1 : 0;
  });
  let best = 0, bestAt = 0, cur = 0;
  for (let i = 0; i < tokens.length; i++) {
    cur += hits[i];
    if (i >= size) cur -= hits[i - size];
    if (i >= size - 1 && cur > best) {
      best = cur;
      bestAt = i - size + 1;
    }
  }
  const part = tokens.slice(bestAt, bestAt + size).join(' ');
  return (bestAt > 0 ? '… ' : '') + highlight(part, matched) + (bestAt + size < tokens.length ? ' …' : '');
}

/**
 * The authors a query asked for, so a hit can show them even when they are far down a long
 * author list: for each `author:` filter, the authors whose name holds all its tokens (else any
 * of them); for the query's plain words, the authors with a name token equal to one. In the
 * paper's order, at most `max`.
 */
export function matchedAuthors(authors: string[], filterNames: string[], queryText: string, max = 3): string[] {
  const toks = authors.map((a) => new Set(tokenizeName(a)));
  const hit = new Set<number>();
  for (const f of filterNames) {
    const ft = tokenizeName(f);
    if (ft.length === 0) continue;
    let all = toks.map((t, i) => (ft.every((x) => t.has(x)) ? i : -1)).filter((i) => i >= 0);
    if (all.length === 0) all = toks.map((t, i) => (ft.some((x) => t.has(x)) ? i : -1)).filter((i) => i >= 0);
    for (const i of all) hit.add(i);
  }
  const plain = words(queryText).filter((w) => w.length > 1 && !STOPWORDS.has(w));
  if (plain.length) toks.forEach((t, i) => plain.some((w) => t.has(w)) && hit.add(i));
  return [...hit].sort((a, b) => a - b).slice(0, max).map((i) => authors[i]);
}
