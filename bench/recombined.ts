/**
 * The recombined corpus of the 1M benches (bench:search-1m, bench:scale): the real papers of
 * arxiv-recent-ai first, then new papers made deterministically from them (the title of one, the
 * first half of another's abstract and the second half of a third's), so a million papers read
 * like real ones without a million real ones.
 */
import { readJsonl } from '../src/search/beir.js';
import type { SearchDoc } from '../src/search/lexical-index.js';
import { rng } from '../src/search/linalg.js';

/**
 * A global regex replace returns a rope (V8 cons string: one node per piece, ~10 KB per abstract)
 * until something reads it; reading one character flattens it. Without this, the 74k documents
 * held here took 1.4 GB of heap instead of 150 MB, and the bench's RSS was mostly its own data.
 */
const flat = (s: string): string => {
  s.charCodeAt(0);
  return s;
};

/** arxiv-recent-ai's papers as search documents (whitespace normalised). */
export async function readRealDocs(dataDir: string): Promise<SearchDoc[]> {
  const real: SearchDoc[] = [];
  for await (const o of readJsonl(`${dataDir}/arxiv-recent-ai/papers.jsonl.gz`)) {
    const r = o as { id: string; title: string; abstract: string; authors: string[]; categories: string[]; first_seen: string; comment: string | null };
    real.push({ id: r.id, title: flat(r.title.replace(/\s+/g, ' ')), abstract: flat(r.abstract.replace(/\s+/g, ' ')), authors: r.authors, categories: r.categories, publishedAt: r.first_seen, codeUrl: /github\.com/.test(r.abstract + (r.comment ?? '')) ? 'https://github.com/x/y' : null, upvotes: 0 });
  }
  return real;
}

/**
 * An arXiv id for the i-th generated paper: new-style ids of years 40 and on (no real paper has
 * one yet), 100,000 a month. The search bench's `g0000123` ids are not ids a store accepts.
 */
export function generatedArxivId(i: number): string {
  const yy = 40 + Math.floor(i / 1_200_000);
  const mm = 1 + Math.floor((i % 1_200_000) / 100_000);
  return `${yy}${String(mm).padStart(2, '0')}.${String(i % 100_000).padStart(5, '0')}`;
}

/** Deterministic recombination: the first `real.length` documents are the real ones, then new ones. */
export function* recombined(real: SearchDoc[], n: number, idOf: (i: number) => string = (i) => `g${String(i).padStart(7, '0')}`): Generator<SearchDoc> {
  const r = rng(12345);
  const pick = () => real[Math.floor(r() * real.length)];
  for (let i = 0; i < n; i++) {
    if (i < real.length) {
      yield real[i];
      continue;
    }
    const a = pick(), b = pick(), c = pick();
    const sa = a.abstract.split(/(?<=\.)\s+/), sb = b.abstract.split(/(?<=\.)\s+/);
    const half = (s: string[], first: boolean) => (first ? s.slice(0, Math.ceil(s.length / 2)) : s.slice(Math.ceil(s.length / 2)));
    yield {
      id: idOf(i),
      title: c.title,
      abstract: [...half(sa, true), ...half(sb, false)].join(' '),
      authors: [...a.authors.slice(0, 3), ...b.authors.slice(0, 2)],
      categories: c.categories,
      publishedAt: c.publishedAt,
      codeUrl: c.codeUrl,
      upvotes: Math.floor(r() * 50),
    };
  }
}

/** A document as a line of arxiv-recent-ai's format, which `papertide import` reads. */
export function arxivRecentLine(d: SearchDoc): string {
  return JSON.stringify({ id: d.id, title: d.title, abstract: d.abstract, authors: d.authors, categories: d.categories, first_seen: (d.publishedAt ?? '2025-01-01').slice(0, 10), comment: null });
}
