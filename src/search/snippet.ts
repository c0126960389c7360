/**
 * Highlighted, HTML-escaped snippets: the window of the abstract with the most query-term
 * matches (a word matches when its stem is one of the hit's matched terms), words wrapped in
 * <mark>. Everything else is escaped, so the result can be inserted as HTML.
 */
import { normalize, stem, STOPWORDS } from './tokenizer.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const WORD = /[\p{L}\p{N}]+/gu;

function isMatch(word: string, terms: Set<string>): boolean {
  const w = normalize(word);
  if (STOPWORDS.has(w)) return false;
  return terms.has(stem(w)) || terms.has(w);
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
