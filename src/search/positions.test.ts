import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSearchQuery } from '../domain/search-query.js';
import { buildEngine } from './engine.js';
import { docTokens, LexicalBuilder, type SearchDoc } from './lexical-index.js';
import { loadEngine, saveEngine } from './persist.js';
import { docTokensWithSentences, PositionBuilder, positionalFeatures, SENTENCE_BREAK, sentenceStarts } from './positions.js';
import { tokenize } from './tokenizer.js';

const doc = (id: string, title: string, abstract: string): SearchDoc => ({ id, title, abstract, authors: [], categories: [], publishedAt: null, codeUrl: null, upvotes: 0 });

/** A lexical index and its position store over the same documents, built as buildEngine does. */
function indexWithPositions(docs: SearchDoc[]) {
  const lb = new LexicalBuilder();
  const pb = new PositionBuilder(lb.vocab);
  for (const d of docs) {
    const st = pb.tokenize(d);
    lb.add(d, st.tokens);
    pb.add(st);
  }
  return { lex: lb.finish(), pos: pb.finish() };
}

test('positions: sentence splitting keeps the index tokens ("e.g. the" and decimals stay in one sentence)', () => {
  const text = 'Graphs are everywhere, e.g. in chemistry. We use 3.5 layers! Does it work? Yes.\nNew line here';
  const starts = sentenceStarts(text);
  assert.deepEqual(starts.map((s) => text.slice(s, s + 4)), ['We u', 'Does', 'Yes.', 'New ']);
  const st = docTokensWithSentences({ title: 'T', abstract: text, authors: ['Ada Lovelace'] });
  const pieces = ['Graphs are everywhere, e.g. in chemistry.', 'We use 3.5 layers!', 'Does it work?', 'Yes.', 'New line here'];
  assert.deepEqual(st.sentences, pieces.map((x) => tokenize(x).length).filter((k) => k > 0));
  // Same tokens as the index's own tokenisation, ASCII or not.
  for (const abstract of [text, 'Café au lait. Über-große Modelle! Ünïcode  stays.\tTabs. X.Y. Z', 'one sentence only', '', '. . Starts. ']) {
    const d = { title: 'Étude des graphes', abstract, authors: ['Ada Lovelace'] };
    assert.deepEqual(docTokensWithSentences(d).tokens, docTokens(d));
  }
  assert.equal(docTokensWithSentences({ title: '', abstract: 'no sentence end here', authors: [] }).sentences, null);
});

test('positions: a document\'s slice is its title, then its abstract sentences, as LexicalIndex term ids', () => {
  const docs = [doc('a', 'Graph networks', 'Graph models learn. Molecules are graphs.'), doc('b', '', 'Only abstract here'), doc('c', 'Only title', '')];
  const { lex, pos } = indexWithPositions(docs);
  const store = pos!;
  assert.equal(store.size, 3);
  const words = (d: number) => store.sentences(d).map((s) => s.map((id) => lex.terms[id]));
  assert.deepEqual(words(0), [['graph', 'network'], ['graph', 'model', 'learn'], ['molecul', 'graph']]);
  assert.deepEqual(words(1), [tokenize('Only abstract here')]);
  assert.deepEqual(words(2), [tokenize('Only title')]);
  assert.equal([...store.doc(0)].filter((t) => t === SENTENCE_BREAK).length, 2);
  assert.equal(store.bytes, store.tokens.byteLength + store.offsets.byteLength);
});

test('positions: above the document cap nothing is kept', () => {
  const lb = new LexicalBuilder();
  const pb = new PositionBuilder(lb.vocab, 2);
  for (let i = 0; i < 3; i++) {
    const d = doc(String(i), 'title ' + i, 'abstract words');
    const st = pb.tokenize(d);
    lb.add(d, st.tokens);
    pb.add(st);
  }
  assert.equal(pb.active, false);
  assert.equal(pb.finish(), null);
});

test('positions: best-sentence coverage and query-term pairs within a window', () => {
  const docs = [
    doc('together', 'unrelated title', 'Alpha beta gamma in one sentence. Filler words follow.'),
    doc('apart', 'unrelated title', 'Alpha appears here. Then many filler words one two three four five six seven eight nine. Beta and gamma later.'),
    doc('none', 'nothing relevant', 'Filler only.'),
  ];
  const { lex, pos } = indexWithPositions(docs);
  const store = pos!;
  const q = ['alpha', 'beta', 'gamma'];
  const ids = q.map((t) => lex.vocab.get(t) ?? -1);
  const w = [1, 1, 2];
  const cov = new Float64Array(3), prox = new Float64Array(3);
  positionalFeatures(store, lex.terms.length, ids, w, [0, 1, 2], [0, 1, 2], cov, prox, { window: 8, twoSentences: false });
  assert.deepEqual([...cov], [1, 3 / 4, 0]);
  // pairs: alpha-beta 1, alpha-gamma 2, beta-gamma 2 → 5 in all; "apart" only has beta-gamma.
  assert.deepEqual([...prox], [1, 2 / 5, 0]);
  // Best two sentences (mean); output slots follow outIdx; an unknown query term is ignored.
  const cov2 = new Float64Array(5), prox2 = new Float64Array(5);
  positionalFeatures(store, lex.terms.length, [...ids, -1], [...w, 3], [1, 0], [4, 2], cov2, prox2, { window: 3, twoSentences: true });
  assert.equal(cov2[4], (3 / 4 + 1 / 4) / 2);
  assert.equal(cov2[2], 1 / 2);
  assert.equal(prox2[2], 1);
  assert.equal(prox2[4], 2 / 5);
  // The scratch look-up is reset between calls.
  const c3 = new Float64Array(3), p3 = new Float64Array(3);
  positionalFeatures(store, lex.terms.length, [ids[0]], [1], [0, 1, 2], [0, 1, 2], c3, p3, { window: 8, twoSentences: false });
  assert.deepEqual([...c3], [1, 1, 0]);
  assert.deepEqual([...p3], [0, 0, 0]);
});

test('positions: built with the engine, updated by the delta, saved and loaded; an index saved without them still loads', async () => {
  const docs = Array.from({ length: 30 }, (_, i) => doc(`p${i}`, `Topic ${i % 3} paper`, `First sentence about topic ${i % 3}. Second sentence mentions graphs ${i}.`));
  const e = await buildEngine([docs], { positions: true });
  assert.ok(e.main.pos && e.main.pos.size === 30);
  const dir = mkdtempSync(join(tmpdir(), 'pt-pos-'));
  saveEngine(e, dir);
  const loaded = loadEngine(dir, 'builtin');
  assert.deepEqual([...loaded.main.pos!.tokens], [...e.main.pos!.tokens]);
  const q = parseSearchQuery('topic graphs sentence');
  assert.ok(q.ok);
  const ids = (x: typeof e) => x.search(q.query, { limit: 10 }).hits.map((h) => h.id);
  assert.deepEqual(ids(loaded), ids(e));
  e.upsert([doc('new', 'Quantum annealing', 'Annealing schedules. Quantum graphs.')]);
  const delta = e.segments[1];
  assert.ok(delta.pos && delta.pos.size === 1);
  assert.deepEqual(delta.pos.sentences(0).map((s) => s.map((id) => delta.lex.terms[id])), [['quantum', 'anneal'], ['anneal', 'schedul'], ['quantum', 'graph']]);
  assert.equal(e.search(q.query, { limit: 10 }).hits.length, 10);
  // An index written before positions existed: no posTokens/posOffsets in the manifest.
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  delete m.files.posTokens;
  delete m.files.posOffsets;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  const old = loadEngine(dir, 'builtin');
  assert.equal(old.main.pos, null);
  assert.equal(old.search(q.query, { limit: 10 }).hits.length, 10);
});

test('hybrid ranker: best-sentence coverage breaks a tie between equal bags of words; absent without positions', async () => {
  const { rankHybrid } = await import('./hybrid-ranker.js');
  const docs = [doc('apart', '', 'Alpha filler. Beta filler.'), doc('together', '', 'Alpha beta. Filler filler.'), doc('x', '', 'Unrelated text.'), doc('y', '', 'Other words.')];
  const { lex, pos } = indexWithPositions(docs);
  const cands = [0, 1].map((d) => ({ key: d, si: 0, d, lexical: 1, vector: NaN }));
  const opts = { weights: { rm3: 1, vec: 0, vecRm3: 0, lex: 0, cov: 0.5, prox: 0 }, rm3: { fbDocs: 0, fbTerms: 0, origWeight: 1, temperature: 1, maxTermsPerDoc: 32 }, redundancy: null };
  const order = (withPos: boolean) => rankHybrid([{ lex, vec: null, pos: withPos ? pos : null }], cands, ['alpha', 'beta'], null, opts).map((r) => lex.ids[r.key]);
  assert.deepEqual(order(true), ['together', 'apart']);
  assert.deepEqual(order(false), ['apart', 'together']); // tie → key order
});
