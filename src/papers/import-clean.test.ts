/** Import runs the cleaning of domain/clean-text.ts on every format. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRecord } from './import-formats.js';

test('import cleans records of every format', () => {
  const arxiv = normalizeRecord({ id: '2503.16870', title: 'T', abstract: 'A', authors: ['X'], categories: ['cs.LG', 'cs.AI', 'cs.CL', '68T50', 'I.2.7'], comment: null, first_seen: '2025-03-21', last_seen: '2025-03-21' });
  assert.deepEqual(arxiv.paper.categories, ['cs.LG', 'cs.AI', 'cs.CL']);
  const oai = normalizeRecord({ id: '1501.00255', title: 'T', abstract: 'A', authors: ['X'], categories: ['68T05', 'cs.LG'], primary_category: '68T05', created: '2015-01-01' });
  assert.deepEqual(oai.paper.categories, ['cs.LG']);
  assert.equal(oai.paper.primaryCategory, 'cs.LG');
  const hf = normalizeRecord({ arxiv_id: '2503.14492', date: '2025-03-19', title: 'Cosmos', summary: 'S', authors: ['NVIDIA', ':', 'Hassan Abu Alhaija'], upvotes: 3, num_comments: 1 });
  assert.deepEqual(hf.paper.authors, ['NVIDIA', 'Hassan Abu Alhaija']);
  // Text is data: its LaTeX is kept for the renderer.
  const t = normalizeRecord({ arxiv_id: '2603.19835', date: '2026-03-20', title: 'FIPO', summary: 'at 56.0\\% and \\textbf{x}', authors: ['A'], upvotes: 1, num_comments: 0 });
  assert.equal(t.paper.abstract, 'at 56.0\\% and \\textbf{x}');
});
