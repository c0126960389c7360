import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRecEval, sanityTfidfFeatures, scoreRuns } from './evaluate.js';
import { sparseDot } from './rank.js';

test('metrics of hand-ranked lists: nDCG@10, recall@10/100, MRR@10 averaged over users with relevant papers', () => {
  const qrels = new Map([
    ['u1', new Map([['a', 1]])],
    ['u2', new Map([['x', 1], ['y', 1]])],
  ]);
  const m = scoreRuns([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }], [['b', 'a'], ['x', 'q'], ['z']], qrels);
  // u1: hit at rank 2 → nDCG 1/log2(3) = 0.6309, MRR 0.5, recall 1.
  // u2: x at rank 1 of 2 relevant → nDCG 1/(1 + 1/log2 3) = 0.6131, MRR 1, recall 0.5. u3 has none: not counted.
  assert.deepEqual(m, { 'ndcg@10': 0.622, 'recall@10': 0.75, 'recall@100': 0.75, 'mrr@10': 0.75 });
});

test('eval-recs on a tiny task: candidates come from the user\'s window only and the author\'s topic ranks first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'recs-'));
  const p = (id: string, title: string, text: string, date: string) => JSON.stringify({ _id: id, title, text, categories: ['cs.LG'], date });
  writeFileSync(
    join(dir, 'corpus.jsonl'),
    [
      p('h1', 'Graph neural networks for molecules', 'message passing neural networks on molecular graphs', '2018-01-01'),
      p('h2', 'Molecular property prediction', 'graph networks predict molecular properties', '2018-03-01'),
      p('old', 'Molecular graphs again', 'graph neural networks molecular message passing', '2018-05-01'), // before the window
      p('n1', 'Speech recognition', 'acoustic models for speech recognition', '2018-11-10'),
      p('n2', 'Message passing for molecules', 'molecular graph neural networks with message passing', '2018-11-20'),
      p('n3', 'Image segmentation', 'convolutional networks segment images', '2018-12-01'),
      p('late', 'Graph networks for molecules', 'molecular graph message passing', '2019-02-01'), // after it
    ].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'users.jsonl'), JSON.stringify({ _id: 'u1', history: ['h1', 'h2'], from: '2018-11-06', to: '2019-01-01' }) + '\n');
  writeFileSync(join(dir, 'qrels.tsv'), 'user-id\tcorpus-id\tscore\nu1\tn2\t1\n');
  const rs = await runRecEval(dir, { embedder: 'none' });
  const r = rs[rs.length - 1];
  assert.equal(r.users, 1);
  assert.equal(r.candidates, 3);
  assert.equal(r['ndcg@10'], 1);
  assert.equal(r['mrr@10'], 1);
  assert.equal(r.baseline['ndcg@10'], 1);
});

test('the arxiv-sanity floor features: word 1-2 grams, min_df, max_df drops words most papers share', () => {
  // 20 papers all say "model"; "graph neural" appears in 3; "speech" in 2.
  const docs = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, title: 'model', text: i < 3 ? 'graph neural networks' : i < 5 ? 'speech' : `filler${i}` }));
  const f = sanityTfidfFeatures(docs, { minDf: 2, maxDf: 0.5 });
  const names = (id: string) => f.sparse(id)?.terms.length ?? 0;
  // p0: "graph", "neural", "networks", "model graph", "graph neural", "neural networks" (df 3);
  // "model" is in every paper: dropped.
  assert.equal(names('p0'), 6);
  assert.equal(f.sparse('p10'), null, 'a paper with only dropped words has no vector');
  assert.ok(Math.abs(sparseDot(f.sparse('p0')!, f.sparse('p1')!) - 1) < 1e-6);
  assert.equal(sparseDot(f.sparse('p0')!, f.sparse('p3')!), 0);
});
