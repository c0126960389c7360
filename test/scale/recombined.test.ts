/**
 * The recombined corpus of bench:search-1m and bench:scale: real documents first, then new ones
 * made deterministically from them, with ids every store accepts, written as lines
 * `papertide import` reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arxivRecentLine, generatedArxivId, recombined } from '../../bench/recombined.js';
import { parseArxivId } from '../../src/domain/arxiv-id.js';
import { normalizeRecord } from '../../src/papers/import-formats.js';
import type { SearchDoc } from '../../src/search/lexical-index.js';

const real: SearchDoc[] = [1, 2, 3].map((i) => ({
  id: `2501.0000${i}`,
  title: `Real title ${i}`,
  abstract: `First sentence of ${i}. Second sentence of ${i}. Third sentence of ${i}.`,
  authors: [`Author ${i}`],
  categories: ['cs.LG'],
  publishedAt: '2025-01-0' + i,
  codeUrl: null,
  upvotes: 0,
}));

test('generated ids are distinct arXiv ids, a million and more', () => {
  const ids = new Set<string>();
  for (const i of [0, 1, 74_728, 99_999, 100_000, 999_999, 1_199_999, 1_200_000, 2_500_000]) {
    const id = generatedArxivId(i);
    assert.equal(parseArxivId(id)?.id, id, `${i} → ${id}`);
    ids.add(id);
  }
  assert.equal(ids.size, 9);
});

test('the corpus starts with the real documents, then recombines them the same way every run', () => {
  const a = [...recombined(real, 8, generatedArxivId)];
  const b = [...recombined(real, 8, generatedArxivId)];
  assert.deepEqual(a, b);
  assert.deepEqual(a.slice(0, 3), real);
  assert.equal(a[5].id, generatedArxivId(5));
  assert.ok(real.some((r) => r.title === a[5].title));
  assert.match(a[5].abstract, /^First sentence of \d\. Second sentence of \d\. Third sentence of \d\.$/);
});

test('a generated document is a line papertide import accepts', () => {
  const [d] = [...recombined(real, 4, generatedArxivId)].slice(3);
  const rec = normalizeRecord(JSON.parse(arxivRecentLine(d)));
  assert.equal(rec.format, 'arxiv-recent');
  assert.equal(rec.paper.id, d.id);
  assert.equal(rec.paper.title, d.title);
  assert.equal(rec.paper.abstract, d.abstract);
  assert.equal(rec.paper.publishedAt, `${d.publishedAt}T00:00:00.000Z`);
});
