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
