import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docTokens, idf, LexicalBuilder, type LexicalIndex, type SearchDoc, type Bm25fParams } from './lexical-index.js';
import { clearWordTable, tokenize } from './tokenizer.js';

const doc = (id: string, title: string, abstract: string, extra: Partial<SearchDoc> = {}): SearchDoc => ({ id, title, abstract, authors: [], categories: [], publishedAt: null, codeUrl: null, upvotes: 0, ...extra });

/** A seeded linear congruential generator in [0, 1): the same test data on every run. */
function lcg(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** `n` documents of `len.min` + [0, `len.spread`) words drawn from `words` with a skew (r^power); the first `titleWords` are the title. */
function skewedIndex(r: () => number, words: string[], n: number, len: { min: number; spread: number }, power: number, titleWords: number) {
  const b = new LexicalBuilder();
  for (let i = 0; i < n; i++) {
    const k = len.min + Math.floor(r() * len.spread);
    const ws: string[] = [];
    for (let j = 0; j < k; j++) ws.push(words[Math.floor(Math.pow(r(), power) * words.length)]);
    b.add(doc(`d${i}`, ws.slice(0, titleWords).join(' '), ws.join(' ')));
  }
  return b.finish();
}

/** A query of up to `len` distinct random words, weighted by idf. */
function randomQuery(ix: LexicalIndex, r: () => number, words: string[], len: number) {
  return [...new Set(Array.from({ length: len }, () => words[Math.floor(r() * words.length)]))].map((w) => {
    const termId = ix.vocab.get(tokenize(w)[0])!;
    return { termId, w: idf(ix.size, ix.offsets[termId + 1] - ix.offsets[termId]) };
  });
}

/** The top k by scoring every (allowed) document: what pruned search must return. */
function exhaustiveTopK(ix: LexicalIndex, q: { termId: number; w: number }[], k: number, mask: Uint8Array | null) {
  return ix.ids
    .map((_, d) => ({ doc: d, score: mask && !mask[d] ? 0 : q.reduce((s, x) => s + x.w * ix.impact(x.termId, d), 0) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.doc - b.doc)
    .slice(0, k);
}

test('tokenizer: lower-case, accents folded, hyphens split, stop words dropped, Snowball stems', () => {
  assert.deepEqual(tokenize('The Self-Attention of Transformers, naïvely'), ['self', 'attent', 'transform', 'naiv']);
});

test('BM25F scores match a hand computation on a tiny corpus', () => {
  // Plain BM25 on one field: title weight 0 so only the abstract counts.
  const params: Bm25fParams = { k1: 1.2, fields: { title: { w: 0, b: 0 }, abstract: { w: 1, b: 0.75 }, authors: { w: 0, b: 0 } } };
  const b = new LexicalBuilder(params);
  b.add(doc('a', '', 'graph graph neural'));
  b.add(doc('b', '', 'graph'));
  b.add(doc('c', '', 'vision language model'));
  const ix = b.finish();
  const avg = (3 + 1 + 3) / 3;
  const bm25 = (tf: number, len: number, df: number) => idf(3, df) * ((tf / (1 - 0.75 + (0.75 * len) / avg)) / (1.2 + tf / (1 - 0.75 + (0.75 * len) / avg)));
  const q = [{ termId: ix.vocab.get('graph')!, w: idf(3, 2) }, { termId: ix.vocab.get('neural')!, w: idf(3, 1) }];
  const hits = ix.search(q, 10, null);
  assert.deepEqual(hits.map((h) => ix.ids[h.doc]), ['a', 'b']);
  const ea = bm25(2, 3, 2) + bm25(1, 3, 1);
  const eb = bm25(1, 1, 2);
  // impacts are stored with 16-bit precision
  assert.ok(Math.abs(hits[0].score - ea) < 1e-3 * ea, `${hits[0].score} vs ${ea}`);
  assert.ok(Math.abs(hits[1].score - eb) < 1e-3 * eb, `${hits[1].score} vs ${eb}`);
  assert.equal(idf(3, 2), Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5)));
});

test('title weight lifts a title match above the same word in the abstract', () => {
  const b = new LexicalBuilder();
  b.add(doc('abs', 'Other things', 'we study retrieval here among other words'));
  b.add(doc('tit', 'Retrieval', 'we study something here among other words'));
  const ix = b.finish();
  const hits = ix.search([{ termId: ix.vocab.get('retriev')!, w: 1 }], 2, null);
  assert.equal(ix.ids[hits[0].doc], 'tit');
});

test('MaxScore pruning returns the same top k as exhaustive scoring', () => {
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon'.split(' ');
  const r = lcg(1);
  const ix = skewedIndex(r, words, 3000, { min: 5, spread: 30 }, 2, 3);
  for (let t = 0; t < 20; t++) {
    const q = randomQuery(ix, r, words, 2 + (t % 8));
    const pruned = ix.search(q, 10, null);
    const exact = exhaustiveTopK(ix, q, 10, null);
    assert.deepEqual(pruned.map((h) => h.score.toFixed(4)), exact.map((h) => h.score.toFixed(4)));
  }
});

test('chunked MaxScore (more documents than the first chunk, short queries, masks) returns the exhaustive top k', () => {
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');
  const r = lcg(7);
  const ix = skewedIndex(r, words, 40000, { min: 3, spread: 12 }, 3, 2);
  const allow = new Uint8Array(ix.size).map(() => (r() < 0.7 ? 1 : 0));
  for (let t = 0; t < 30; t++) {
    const q = randomQuery(ix, r, words, 2 + (t % 4));
    const mask = t % 3 === 0 ? allow : null;
    const pruned = ix.search(q, 50, mask);
    const exact = exhaustiveTopK(ix, q, 50, mask);
    assert.deepEqual(pruned.map((h) => h.score.toFixed(3)), exact.map((h) => h.score.toFixed(3)));
  }
});

test('finish with release (tuples dropped chunk by chunk) builds the same index, across tuple chunks', () => {
  const r = lcg(3);
  const a = new LexicalBuilder();
  const b = new LexicalBuilder();
  for (let i = 0; i < 3000; i++) {
    // ~110 distinct terms a document: 330k tuples, more than one chunk of 2^18
    const ws = Array.from({ length: 140 }, () => `w${Math.floor(r() * 5000)}x`);
    const d = doc(`d${i}`, ws.slice(0, 5).join(' '), ws.join(' '), { authors: [`Author ${i % 50}`] });
    a.add(d);
    b.add(d);
  }
  const x = a.finish();
  const y = b.finish(undefined, { release: true });
  assert.ok(x.postDocs.length > 1 << 18);
  assert.deepEqual([...y.offsets], [...x.offsets]);
  assert.deepEqual([...y.postDocs], [...x.postDocs]);
  assert.deepEqual([...y.postImpact], [...x.postImpact]);
  assert.throws(() => b.add(doc('late', 'x', 'y')), /finished/);
  // Without release the builder stays usable (the delta segment finishes it repeatedly).
  a.add(doc('more', 'w1x', 'w2x'));
  assert.equal(a.finish().size, 3001);
});

test('builder tokenising straight to term ids builds the index that docTokens gives, across word-table clears and non-ASCII text', () => {
  const r = lcg(11);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const vocab = ['Graph', 'neural', 'networks', 'the', 'of', 'a', 'x', '3D', 'self-attention', 'Transformers', 'naïve', 'Ångström', 'learning', 'LEARNED', 'is', 'αβγ', 'covid19', 'µ-law', 'e.g.', 'state-of-the-art', 'pre-training'];
  const text = (n: number) => Array.from({ length: n }, () => (r() < 0.2 ? `w${Math.floor(r() * 400)}` : pick(vocab))).join(r() < 0.5 ? ' ' : ', ');
  const docs = Array.from({ length: 400 }, (_, i) => doc(`d${i}`, text(6), text(60), { authors: [pick(['Zoë Müller', 'Ann Lee', 'J. Smith']), `Author ${i % 7}`] }));
  const byTokens = new LexicalBuilder();
  const byIds = new LexicalBuilder();
  docs.forEach((d, i) => {
    byTokens.add(d, docTokens(d));
    if (i % 97 === 0) clearWordTable(); // the shared word table is renumbered
    byIds.add(d);
  });
  const x = byTokens.finish();
  const y = byIds.finish();
  assert.deepEqual(y.terms, x.terms);
  assert.deepEqual([...y.offsets], [...x.offsets]);
  assert.deepEqual([...y.postDocs], [...x.postDocs]);
  assert.deepEqual([...y.postImpact], [...x.postImpact]);
  assert.deepEqual(y.averages, x.averages);
  assert.ok(y.terms.includes('naiv') && y.terms.includes('angstrom') && !y.terms.includes('the'));
});
