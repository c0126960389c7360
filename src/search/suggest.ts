/**
 * Search-box suggestions from the candidates `SearchEngine.suggestCandidates` found: author
 * names and titles that really contain what was typed — every complete word (a title word with
 * the same stem; a name token equal to it) and, for the last word still being typed, a word
 * starting with it. Authors come first (as `author:"Name"`, the query that finds them), most
 * frequent first; then titles in BM25F order.
 */
import { normalize, stem, tokenizeName, words } from './tokenizer.js';

export interface SuggestPaper {
  title: string;
  authors: string[];
}

export function suggestions(text: string, titleCands: SuggestPaper[], authorCands: SuggestPaper[], max = 8): string[] {
  const ws = words(text);
  if (ws.length === 0) return [];
  const done = /\s$/.test(text);
  const complete = (done ? ws : ws.slice(0, -1)).map(normalize);
  const prefix = done ? null : normalize(ws[ws.length - 1]);
  const fits = (tokens: string[], same: (a: string, b: string) => boolean) =>
    complete.every((w) => tokens.some((t) => same(t, w))) && (prefix === null || tokens.some((t) => t.startsWith(prefix)));

  const names = new Map<string, number>();
  for (const p of authorCands) {
    for (const a of p.authors) {
      const name = a.replace(/\s+/g, ' ').trim();
      if (name && fits(tokenizeName(name), (t, w) => t === w)) names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  const out: string[] = [...names]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([name]) => `author:"${name.replace(/"/g, '')}"`);
  const seen = new Set<string>();
  for (const p of titleCands) {
    if (out.length >= max) break;
    const title = p.title.replace(/\s+/g, ' ').trim();
    const key = title.toLowerCase();
    if (!title || seen.has(key)) continue;
    if (!fits(words(title), (t, w) => t === w || stem(t) === stem(w))) continue;
    seen.add(key);
    out.push(title);
  }
  return out;
}
