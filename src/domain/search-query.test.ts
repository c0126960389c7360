import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSearchQuery, formatSearchQuery } from './search-query.js';

test('words, phrases, exclusions and filters parse into a tree', () => {
  const r = parseSearchQuery('diffusion "video generation" -survey author:"Jonathan Ho" cat:cs.CV year:2024 has:code');
  assert.ok(r.ok);
  const q = r.query;
  assert.equal(q.text, 'diffusion video generation');
  assert.deepEqual(q.phrases, ['video generation']);
  assert.deepEqual(q.excluded, ['survey']);
  assert.deepEqual(q.filters, { authors: ['Jonathan Ho'], categories: ['cs.CV'], from: '2024-01-01', to: '2024-12-31', hasCode: true });
  assert.deepEqual(q.nodes.map((n) => n.type), ['term', 'phrase', 'not', 'author', 'cat', 'date', 'has']);
});

test('before/after are exclusive bounds and combine with year', () => {
  const r = parseSearchQuery('x after:2024-02 before:2024-06-15');
  assert.ok(r.ok);
  assert.equal(r.query.filters.from, '2024-03-01');
  assert.equal(r.query.filters.to, '2024-06-14');
  const y = parseSearchQuery('year:2023..2024');
  assert.ok(y.ok);
  assert.deepEqual([y.query.filters.from, y.query.filters.to], ['2023-01-01', '2024-12-31']);
});

test('invalid queries come back as readable errors', () => {
  const cases: [string, RegExp][] = [
    ['"unclosed phrase', /not closed/],
    ['has:data', /has:code/],
    ['year:20x4', /not a year/],
    ['before:2024-02-30', /not a date/],
    ['author:', /needs a value/],
    ['-survey', /only exclude/],
    ['x after:2025 before:2024', /exclude everything/],
    ['cat:"cs CL"', /not an arXiv category/],
  ];
  for (const [q, re] of cases) {
    const r = parseSearchQuery(q);
    assert.equal(r.ok, false, q);
    if (!r.ok) assert.match(r.error, re, q);
  }
});

test('unknown field-like words are plain words (ratios, urls)', () => {
  const r = parseSearchQuery('ratio 3:1 foo:bar');
  assert.ok(r.ok);
  assert.equal(r.query.text, 'ratio 3:1 foo:bar');
});

test('never throws on arbitrary input, and formatting round-trips', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const r = parseSearchQuery(s);
      if (r.ok) {
        const again = parseSearchQuery(formatSearchQuery(r.query));
        assert.ok(again.ok);
        assert.deepEqual(again.query.filters, r.query.filters);
      } else assert.equal(typeof r.error, 'string');
    }),
    { numRuns: 500 },
  );
});

test('year:2024 after:2024-06 searches July to December 2024, in either order', () => {
  for (const q of ['x year:2024 after:2024-06', 'x after:2024-06 year:2024']) {
    const r = parseSearchQuery(q);
    assert.ok(r.ok, q);
    assert.deepEqual([r.query.filters.from, r.query.filters.to], ['2024-07-01', '2024-12-31'], q);
  }
  for (const q of ['x year:2024 before:2024-06', 'x before:2024-06 year:2024']) {
    const r = parseSearchQuery(q);
    assert.ok(r.ok, q);
    assert.deepEqual([r.query.filters.from, r.query.filters.to], ['2024-01-01', '2024-05-31'], q);
  }
  const narrow = parseSearchQuery('x year:2023..2025 after:2024-12-31 before:2025-02');
  assert.ok(narrow.ok);
  assert.deepEqual([narrow.query.filters.from, narrow.query.filters.to], ['2025-01-01', '2025-01-31']);
});
