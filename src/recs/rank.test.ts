import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankForUser, RECS, sparseDot, type RecFeatures, type SparseVec } from './rank.js';
import { buildEngine } from '../search/engine.js';
import { engineFeatures } from './engine-features.js';

// Hand-made features: each paper is a bag of topic ids with weights, normalised.
function features(bags: Record<string, Record<number, number>>): RecFeatures {
  return {
    sparse(id) {
      const b = bags[id];
      if (!b) return null;
      const pairs = Object.entries(b).map(([t, w]) => [Number(t), w] as const).sort((x, y) => x[0] - y[0]);
      const n = Math.sqrt(pairs.reduce((s, [, w]) => s + w * w, 0));
      return { terms: Uint32Array.from(pairs, (x) => x[0]), weights: Float32Array.from(pairs, (x) => x[1] / n) } satisfies SparseVec;
    },
    dense: () => null,
  };
}

const bags = {
  libGraphs: { 1: 1, 2: 1 },
  libSpeech: { 5: 1, 6: 1 },
  candGraphs: { 1: 1, 2: 1, 3: 0.2 },
  candSpeech: { 5: 1, 6: 0.8 },
  candOther: { 9: 1 },
  candNearDismissed: { 1: 1, 7: 1 },
  dismissed: { 7: 1, 8: 0.5 },
};
const lib = [
  { id: 'libGraphs', title: 'Graph networks', weight: 1 },
  { id: 'libSpeech', title: 'Speech models', weight: 1 },
];

test('each recommendation names the library paper it is most like, and unrelated papers come last', () => {
  const recs = rankForUser({ library: lib, dismissed: [], candidates: ['candOther', 'candSpeech', 'candGraphs'], limit: 10 }, features(bags));
  assert.deepEqual(recs.map((r) => r.id).slice(2), ['candOther']);
  const byId = new Map(recs.map((r) => [r.id, r]));
  assert.equal(byId.get('candGraphs')!.like?.id, 'libGraphs');
  assert.equal(byId.get('candGraphs')!.reason, 'like “Graph networks” in your library');
  assert.equal(byId.get('candSpeech')!.like?.id, 'libSpeech');
  assert.equal(byId.get('candOther')!.like, null);
});

test('saved and dismissed papers are never recommended; a dismissal pushes similar papers down', () => {
  const cands = ['libGraphs', 'dismissed', 'candGraphs', 'candNearDismissed'];
  const before = rankForUser({ library: lib, dismissed: [], candidates: cands, limit: 10 }, features(bags));
  assert.ok(before.some((r) => r.id === 'dismissed'));
  const after = rankForUser({ library: lib, dismissed: ['dismissed'], candidates: cands, limit: 10 }, features(bags));
  assert.deepEqual(after.map((r) => r.id).sort(), ['candGraphs', 'candNearDismissed']);
  const s = (rs: typeof after, id: string) => rs.find((r) => r.id === id)!.score;
  assert.ok(s(after, 'candNearDismissed') < s(before, 'candNearDismissed'));
  assert.equal(s(after, 'candGraphs'), s(before, 'candGraphs'), 'a paper unlike the dismissed one keeps its score');
});

test('a follow boost lifts a paper and explains itself when it outweighs the content match', () => {
  const boosts = new Map([['candOther', { amount: 5, reason: 'you follow cat:cs.CL' }]]);
  const recs = rankForUser({ library: lib, dismissed: [], candidates: ['candGraphs', 'candOther'], boosts, limit: 10 }, features(bags));
  assert.equal(recs[0].id, 'candOther');
  assert.equal(recs[0].reason, 'you follow cat:cs.CL');
});

test('deterministic: the same order whatever the candidates\' order, ties broken by id, limit respected', () => {
  const f = features({ ...bags, tieB: { 1: 1 }, tieA: { 1: 1 } });
  const a = rankForUser({ library: lib, dismissed: [], candidates: ['tieB', 'candOther', 'tieA', 'candGraphs'], limit: 10 }, f);
  const b = rankForUser({ library: lib, dismissed: [], candidates: ['candGraphs', 'tieA', 'candOther', 'tieB', 'tieA'], limit: 10 }, f);
  assert.deepEqual(a, b);
  assert.deepEqual(a.filter((r) => r.id.startsWith('tie')).map((r) => r.id), ['tieA', 'tieB']);
  assert.equal(rankForUser({ library: lib, dismissed: [], candidates: ['tieB', 'tieA', 'candGraphs'], limit: 2 }, f).length, 2);
});

test('decay: the newest library paper counts most', () => {
  const f = features(bags);
  const recs = rankForUser({ library: lib, dismissed: [], candidates: ['candGraphs', 'candSpeech'], limit: 10 }, f, { ...RECS, decay: 0.1 });
  assert.equal(recs[0].id, 'candSpeech'); // libSpeech is the newer one (libraries are oldest first)
  const flipped = rankForUser({ library: [...lib].reverse(), dismissed: [], candidates: ['candGraphs', 'candSpeech'], limit: 10 }, f, { ...RECS, decay: 0.1 });
  assert.equal(flipped[0].id, 'candGraphs');
});

test('sparseDot merges sorted term ids', () => {
  const v = (t: number[], w: number[]): SparseVec => ({ terms: Uint32Array.from(t), weights: Float32Array.from(w) });
  assert.equal(sparseDot(v([1, 3, 5], [1, 2, 3]), v([2, 3, 5, 9], [7, 1, 1, 7])), 5);
});

test('on the search engine\'s features, papers sharing the library\'s words rank first', async () => {
  const d = (id: string, title: string, abstract: string) => ({ id, title, abstract, authors: [], categories: [], publishedAt: '2024-01-01', codeUrl: null, upvotes: 0 });
  const engine = await buildEngine(
    [[
      d('l1', 'Graph neural networks for molecules', 'message passing graph neural networks predict molecular properties'),
      d('c1', 'Equivariant graph networks', 'graph neural networks with message passing over molecular graphs'),
      d('c2', 'Speech recognition with transformers', 'acoustic models and language models for speech'),
      d('c3', 'Language models for speech', 'speech transformers acoustic'),
      d('c4', 'Molecules as graphs', 'molecular graphs and neural message passing'),
    ]],
    { embedder: 'none' },
  );
  const recs = rankForUser({ library: [{ id: 'l1', title: 'Graph neural networks for molecules', weight: 1 }], dismissed: [], candidates: ['c2', 'c3', 'c1', 'c4', 'l1'], limit: 10 }, engineFeatures(engine));
  assert.deepEqual(new Set(recs.slice(0, 2).map((r) => r.id)), new Set(['c1', 'c4']));
  assert.ok(!recs.some((r) => r.id === 'l1'));
  assert.equal(recs[0].like?.id, 'l1');
});

test('when two library papers are equally close, the explanation names the same one every time (the first saved)', () => {
  const f = features({ a: { 1: 1 }, b: { 1: 1 }, c: { 1: 1, 2: 1 } });
  const lib2 = [{ id: 'a', title: 'A', weight: 1 }, { id: 'b', title: 'B', weight: 1 }];
  assert.equal(rankForUser({ library: lib2, dismissed: [], candidates: ['c'], limit: 1 }, f)[0].like?.id, 'a');
});

test('a paper added to the index after its build (a newer segment) is recommended like any other', async () => {
  const d = (id: string, title: string, abstract: string) => ({ id, title, abstract, authors: [], categories: [], publishedAt: '2024-01-01', codeUrl: null, upvotes: 0 });
  const engine = await buildEngine(
    [[
      d('l1', 'Graph neural networks for molecules', 'message passing graph neural networks predict molecular properties'),
      d('c2', 'Speech recognition with transformers', 'acoustic models and language models for speech'),
      d('c3', 'Language models for speech', 'speech transformers acoustic'),
      d('c4', 'Image segmentation', 'convolutional networks segment images'),
    ]],
    { embedder: 'none' },
  );
  engine.upsert([d('new', 'Molecular message passing', 'graph neural networks for molecular properties')]);
  const recs = rankForUser({ library: [{ id: 'l1', title: 'Graph neural networks for molecules', weight: 1 }], dismissed: [], candidates: ['c2', 'c3', 'c4', 'new'], limit: 10 }, engineFeatures(engine));
  assert.equal(recs[0].id, 'new');
  assert.equal(recs[0].like?.id, 'l1');
});

test('background: a term every candidate shares counts less than one the library and few candidates share', () => {
  // Term 1 is in every candidate (the field's fashion), term 2 only in the library and candB.
  const f = features({ lib: { 1: 1, 2: 1 }, candA: { 1: 1, 3: 1 }, candB: { 2: 1, 4: 1 }, c1: { 1: 1, 5: 1 }, c2: { 1: 1, 6: 1 }, c3: { 1: 1, 7: 1 } });
  const input = { library: [{ id: 'lib', title: 'L', weight: 1 }], dismissed: [], candidates: ['candA', 'candB', 'c1', 'c2', 'c3'], limit: 10 };
  const without = rankForUser(input, f, { ...RECS, wBackground: 0 });
  const withBg = rankForUser(input, f, { ...RECS, wBackground: 0.6 });
  assert.equal(without.find((r) => r.id === 'candA')!.score, without.find((r) => r.id === 'candB')!.score);
  assert.equal(withBg[0].id, 'candB');
});

test('the background kept for one candidate set is not reused for another (a day view after a month view)', () => {
  const f = features(bags);
  const month = ['candGraphs', 'candSpeech', 'candOther', 'candNearDismissed'];
  const day = ['candGraphs', 'candNearDismissed'];
  const scores = (cands: string[]) => rankForUser({ library: lib, dismissed: [], candidates: cands, limit: 10 }, f).map((r) => [r.id, r.score]);
  const dayFirst = scores(day);
  const monthScores = scores(month);
  assert.deepEqual(scores(day), dayFirst, 'the day view scores as it did before the month view was ranked');
  assert.notDeepEqual(monthScores.filter(([id]) => day.includes(id as string)), dayFirst, 'the background differs between the two sets');
  assert.deepEqual(scores([...month].reverse()), monthScores, 'the same set in another order is the same set');
});
