/**
 * Issue 15: the arXiv evaluation sets (scripts/build-eval-sets.mjs) and `papertide eval` over
 * several splits of one corpus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBeirEval } from '../../src/search/evaluate.js';

const root = join(import.meta.dirname, '..', '..');

function build(out: string) {
  const line = execFileSync(process.execPath, ['scripts/build-eval-sets.mjs', '--docs', '3000', '--queries', '60', '--out', out], { cwd: root, encoding: 'utf8' });
  return JSON.parse(line.trim().split('\n').pop()!);
}

test('the eval-set script is deterministic, its known-item targets are disjoint, and a sentence query is withheld from its paper', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evalsets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = build(join(dir, 'a'));
  const b = build(join(dir, 'b'));
  assert.deepEqual(a.queries, { 'kw-terms': 30, 'kw-phrases': 60, sentences: 60, 'kw-generic': 60, topical: a.queries.topical });
  assert.ok(a.queries.topical >= 10);
  for (const f of ['corpus.jsonl', 'queries.jsonl', 'qrels/kw-terms.tsv', 'qrels/kw-phrases.tsv', 'qrels/sentences.tsv', 'qrels/topical.tsv']) {
    assert.equal(readFileSync(join(dir, 'a', f), 'utf8'), readFileSync(join(dir, 'b', f), 'utf8'), f);
  }
  const corpus = new Map(readFileSync(join(dir, 'a', 'corpus.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((d) => [d._id, d]));
  assert.equal(corpus.size, 3000);
  const queries = new Map(readFileSync(join(dir, 'a', 'queries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((q) => [q._id, q.text]));
  const targets = new Set<string>();
  for (const split of ['kw-terms', 'kw-phrases', 'kw-generic', 'sentences']) {
    const rows = readFileSync(join(dir, 'a', 'qrels', `${split}.tsv`), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    for (const [q, d] of rows) {
      assert.ok(corpus.has(d), `${split}: target ${d} in the corpus`);
      assert.ok(!targets.has(d), `${split}: target ${d} used once`);
      targets.add(d);
      const text = queries.get(q)!;
      if (split === 'sentences') assert.ok(!corpus.get(d).text.includes(text), `sentence of ${d} withheld`);
      if (split === 'kw-phrases' || split === 'kw-generic') assert.equal(text.split(', ').length, 5, text);
      if (split === 'kw-terms') assert.match(text, /^[a-z-]+$/);
    }
  }
});

test('papertide eval: comma-separated splits share one index and give one line each', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evalsplit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const docs = [
    ['d1', 'Graph neural networks for traffic forecasting', 'We forecast traffic speed with graph convolutions.'],
    ['d2', 'Lattice cryptography', 'Post-quantum key exchange from lattices.'],
    ['d3', 'Robot grasping', 'Learning to grasp unknown objects with a parallel gripper.'],
  ];
  writeFileSync(join(dir, 'corpus.jsonl'), docs.map(([id, t, x]) => JSON.stringify({ _id: id, title: t, text: x })).join('\n'));
  writeFileSync(join(dir, 'queries.jsonl'), [JSON.stringify({ _id: 'q1', text: 'traffic forecasting' }), JSON.stringify({ _id: 'q2', text: 'lattice key exchange' }), JSON.stringify({ _id: 'q3', text: 'grasping objects' })].join('\n'));
  mkdirSync(join(dir, 'qrels'));
  writeFileSync(join(dir, 'qrels', 'one.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
  writeFileSync(join(dir, 'qrels', 'two.tsv'), 'query-id\tcorpus-id\tscore\nq2\td2\t1\nq3\td3\t1\n');
  const r = await runBeirEval(dir, 'one,two', ['lexical']);
  assert.deepEqual(r.map((x) => [x.split, x.mode, x.queries, x['mrr@10']]), [['one', 'lexical', 1, 1], ['two', 'lexical', 2, 1]]);
});
