import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LexicalBuilder, type SearchDoc } from './lexical-index.js';
import { prepareHybridRanker, rankHybrid } from './hybrid-ranker.js';

const doc = (id: string, title: string, abstract: string): SearchDoc => ({ id, title, abstract, authors: [], categories: [], publishedAt: null, codeUrl: null, upvotes: 0 });

test('hybrid ranker: RM3 lifts a candidate that shares the feedback documents\' vocabulary', () => {
  const b = new LexicalBuilder();
  b.add(doc('a', 'graph neural network', 'message passing on graph data'));
  b.add(doc('b', 'graph neural network', 'message passing layers'));
  b.add(doc('c', 'neural message passing', 'network layers for molecules'));
  b.add(doc('d', 'vision', 'image classification benchmark'));
  const lex = b.finish();
  assert.ok(prepareHybridRanker(lex) > 0);
  const score = (d: number) => lex.impact(lex.vocab.get('graph')!, d);
  // c and d do not contain the query word (lexical 0): they stand for vector-side candidates.
  const cands = [0, 1, 2, 3].map((d) => ({ key: d, si: 0, d, lexical: score(d), vector: NaN }));
  const ranked = rankHybrid([{ lex, vec: null }], cands, ['graph'], null);
  const order = ranked.map((r) => lex.ids[r.key]);
  assert.deepEqual(order.slice(2), ['c', 'd']);
  assert.ok(ranked[2].score > ranked[3].score);
  // Scores pass through for ?debug=1.
  assert.equal(ranked.find((r) => r.key === 2)!.lexical, 0);
  assert.deepEqual(rankHybrid([{ lex, vec: null }], [], ['graph'], null), []);
});

test('hybrid ranker: the words of one concept share a weight (word vectors, or pool co-occurrence without them)', async () => {
  const { CorpusEmbedder } = await import('./embedders/corpus-embedder.js');
  const { queryTermMultipliers } = await import('./hybrid-ranker.js');
  const b = new LexicalBuilder();
  b.add(doc('a', '', 'endoplasmic reticulum stress'));
  b.add(doc('a2', '', 'endoplasmic reticulum stress'));
  b.add(doc('b', '', 'pba marker'));
  b.add(doc('b2', '', 'pba marker'));
  for (let i = 0; i < 6; i++) b.add(doc('f' + i, '', 'unrelated filler text ' + i));
  const lex = b.finish();
  const q = ['endoplasm', 'reticulum', 'stress', 'pba', 'marker'];
  for (const t of q) assert.equal(lex.df(t), 2, t);
  const concept = [1, 0, 0];
  const emb = new CorpusEmbedder({
    terms: q,
    vectors: Float32Array.from([...concept, ...concept, ...concept, 0, 1, 0, 0, 0, 1]),
    weights: new Float32Array(5).fill(1),
    common: new Float32Array(3),
    dim: 3,
  });
  const lexScore = (d: number) => q.reduce((s, t) => s + lex.impact(lex.vocab.get(t)!, d), 0);
  const cands = [0, 1, 2, 3].map((d) => ({ key: d, si: 0, d, lexical: lexScore(d), vector: NaN }));
  const segs = [{ lex, vec: null }];
  const R = { threshold: 0.3, poolThreshold: 0.5, poolTop: 30 };
  const m = queryTermMultipliers(segs, cands, q, emb, R);
  for (const t of ['endoplasm', 'reticulum', 'stress']) assert.ok(Math.abs(m.get(t)! - 1 / 3) < 1e-6);
  assert.ok(!m.has('pba') && !m.has('marker'));
  // Without word vectors: presence over the lexical top documents. pba and marker always occur
  // together here too, so they share a weight as well.
  const m2 = queryTermMultipliers(segs, cands, q, null, R);
  for (const t of ['endoplasm', 'reticulum', 'stress']) assert.ok(Math.abs(m2.get(t)! - 1 / 3) < 1e-6);
  assert.ok(Math.abs(m2.get('pba')! - 0.5) < 1e-6);
  // Ranking: three words of one concept (a) no longer outweigh two independent terms (b).
  const opts = { weights: { rm3: 1, vec: 0, vecRm3: 0, lex: 0, cov: 0, prox: 0 }, rm3: { fbDocs: 0, fbTerms: 0, origWeight: 1, temperature: 1, maxTermsPerDoc: 32 } };
  const off = rankHybrid(segs, cands, q, emb, { ...opts, redundancy: null }).map((r) => lex.ids[r.key]);
  const on = rankHybrid(segs, cands, q, emb, opts).map((r) => lex.ids[r.key]);
  assert.deepEqual(off, ['a', 'a2', 'b', 'b2']);
  assert.deepEqual(on, ['b', 'b2', 'a', 'a2']);
});
