import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LexicalBuilder, type SearchDoc, type Bm25fParams } from './lexical-index.js';
import { ForwardTerms, rm3Expand } from './rm3.js';

const doc = (id: string, abstract: string): SearchDoc => ({ id, title: '', abstract, authors: [], categories: [], publishedAt: null, codeUrl: null, upvotes: 0 });
// b = 0: impacts depend on tf only, so they are easy to compare by hand.
const params: Bm25fParams = { k1: 1.2, fields: { title: { w: 0, b: 0 }, abstract: { w: 1, b: 0 }, authors: { w: 0, b: 0 } } };

function corpus() {
  const b = new LexicalBuilder(params);
  b.add(doc('a', 'graph graph graph neural network unique'));
  b.add(doc('b', 'graph neural vision'));
  b.add(doc('c', 'vision network language'));
  return b.finish();
}

test('forward index keeps each document\'s strongest terms with df >= 2, at most T', () => {
  const ix = corpus();
  const f = ForwardTerms.fromLexical(ix, 2);
  const termsOf = (d: number) => [...f.term.subarray(d * f.T, d * f.T + f.count[d])].map((t) => ix.terms[t]).sort();
  // doc a: graph (tf 3) beats neural/network (tf 1); "uniqu" (df 1) is never kept
  assert.equal(termsOf(0).length, 2);
  assert.ok(termsOf(0).includes('graph'));
  assert.ok(!termsOf(0).includes('uniqu'));
  assert.deepEqual(termsOf(2), ['network', 'vision']); // "languag" has df 1
  const all = ForwardTerms.fromLexical(ix, 10);
  assert.deepEqual([...all.term.subarray(all.T, all.T + all.count[1])].map((t) => ix.terms[t]).sort(), ['graph', 'neural', 'vision']);
});

test('rm3Expand: original terms keep weight λ/|q|, expansion terms share 1−λ by feedback mass', () => {
  const ix = corpus();
  const p = { fbDocs: 1, fbTerms: 10, origWeight: 0.6, temperature: 1, maxTermsPerDoc: 10 };
  // One feedback doc (b: graph, neural, vision, each tf 1 → equal impacts → 1/3 each).
  const q = rm3Expand(['graph'], [{ lex: ix, doc: 1, score: 5 }], p);
  const w = new Map(q.map((x) => [x.term, x.weight]));
  assert.ok(Math.abs(w.get('graph')! - (0.6 + 0.4 / 3)) < 1e-9);
  assert.ok(Math.abs(w.get('neural')! - 0.4 / 3) < 1e-9);
  assert.ok(Math.abs(w.get('vision')! - 0.4 / 3) < 1e-9);
  assert.ok(Math.abs([...w.values()].reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // No feedback: the original query, unit mass.
  assert.deepEqual(rm3Expand(['graph', 'graph'], [], p), [{ term: 'graph', weight: 1 }]);
  // fbTerms caps the expansion; the temperature sends almost all mass to the best document.
  const sharp = rm3Expand(['x'], [{ lex: ix, doc: 2, score: 10 }, { lex: ix, doc: 1, score: 0 }], { ...p, fbDocs: 2, fbTerms: 2, temperature: 0.1 });
  assert.deepEqual(sharp.map((x) => x.term).sort(), ['network', 'vision', 'x']);
});
