// The search language as a reader types it: every filter on both sides of its boundary, the
// exact error a person sees, and the canonical query written back into links and feeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchQuery, formatSearchQuery, parseDateBound, MAX_QUERY_LENGTH, type ParsedQuery } from './search-query.js';

function ok(q: string): ParsedQuery {
  const r = parseSearchQuery(q);
  assert.ok(r.ok, `${q}: ${r.ok ? '' : r.error}`);
  return r.query;
}
function refused(q: string): string {
  const r = parseSearchQuery(q);
  assert.equal(r.ok, false, q);
  return r.ok ? '' : r.error;
}
const range = (q: string) => {
  const f = ok(q).filters;
  return [f.from, f.to];
};

test('a query of 1,000 characters is searched; 1,001 is refused with its length', () => {
  assert.equal(MAX_QUERY_LENGTH, 1000);
  assert.equal(ok('a'.repeat(1000)).text, 'a'.repeat(1000));
  assert.equal(refused('a'.repeat(1001)), 'The query is too long (1001 characters; at most 1000).');
  assert.equal(refused(42 as unknown as string), 'The query must be text.');
});

test('control characters separate words like spaces do', () => {
  assert.equal(ok('graph\u0001neural\u007fnetworks\u001fx').text, 'graph neural networks x');
  assert.deepEqual(ok('a\u0000b').nodes, [{ type: 'term', text: 'a' }, { type: 'term', text: 'b' }]);
});

test('a lone minus is a word, a minus before a word excludes it', () => {
  assert.equal(ok('a -').text, 'a -');
  assert.equal(ok('a - b').text, 'a - b');
  const q = ok('a -b -"c d"');
  assert.deepEqual(q.excluded, ['b', 'c d']);
  assert.deepEqual(q.nodes, [
    { type: 'term', text: 'a' },
    { type: 'not', child: { type: 'term', text: 'b' } },
    { type: 'not', child: { type: 'phrase', text: 'c d' } },
  ]);
  assert.equal(q.text, 'a');
});

test('a word ends at a quotation mark; quoted text is trimmed and its spaces collapsed', () => {
  const q = ok('foo"bar  baz"qux');
  assert.deepEqual(q.nodes, [
    { type: 'term', text: 'foo' },
    { type: 'phrase', text: 'bar baz' },
    { type: 'term', text: 'qux' },
  ]);
  assert.deepEqual(q.phrases, ['bar baz']);
  assert.equal(q.text, 'foo bar baz qux');
  assert.deepEqual(ok('author:"  Geoffrey \t  Hinton "').filters.authors, ['Geoffrey Hinton']);
  assert.deepEqual(ok('"" x ""').nodes, [{ type: 'term', text: 'x' }]);
  assert.deepEqual(ok('""').nodes, []);
});

test('the position of an unclosed quotation mark is told, counted from 1', () => {
  assert.equal(refused('ab "cd'), 'A quotation mark is not closed (at character 4). Add the closing " or remove it.');
  assert.equal(refused('"x" "'), 'A quotation mark is not closed (at character 5). Add the closing " or remove it.');
});

test('field names are case-insensitive; unknown ones and long ones are words', () => {
  const q = ok('AUTHOR:Hinton Cat:cs.LG HAS:CODE Year:2020');
  assert.deepEqual(q.filters, { authors: ['Hinton'], categories: ['cs.LG'], from: '2020-01-01', to: '2020-12-31', hasCode: true });
  assert.equal(q.text, '');
  assert.equal(ok('title:x authorx:y').text, 'title:x authorx:y');
  assert.equal(ok('author2:x').text, 'author2:x');
});

test('every filter without a value says what to write', () => {
  assert.equal(refused('author:'), '"author:" needs a value, e.g. author:hinton or author:"Geoffrey Hinton".');
  assert.equal(refused('cat:'), '"cat:" needs a value, e.g. cat:cs.CL.');
  assert.equal(refused('year:'), '"year:" needs a value, e.g. year:2024.');
  assert.equal(refused('has:'), '"has:" needs a value, e.g. has:code.');
  assert.equal(refused('before:'), '"before:" needs a value, e.g. before:2024-06-01.');
  assert.equal(refused('after:""'), '"after:" needs a value, e.g. after:2024-06-01.');
  assert.equal(refused('x author:"  "'), '"author:" needs a value, e.g. author:hinton or author:"Geoffrey Hinton".');
});

test('filters cannot be negated', () => {
  for (const f of ['author:x', 'cat:cs', 'year:2024', 'has:code', 'before:2024', 'after:2024']) {
    const field = f.split(':')[0];
    assert.equal(refused(`x -${f}`), `"-${field}:" is not supported; filters cannot be negated.`);
  }
});

test('categories: an archive or archive.subject, nothing else', () => {
  assert.deepEqual(ok('cat:cs').filters.categories, ['cs']);
  assert.deepEqual(ok('cat:cs.CL cat:hep-th').filters.categories, ['cs.CL', 'hep-th']);
  assert.deepEqual(ok('cat:math-ph.x-y').nodes, [{ type: 'cat', value: 'math-ph.x-y' }]);
  for (const bad of ['cs.CL.x', 'cs.', '.CL', 'cs1', 'cs.C1', 'cs CL', 'cs..CL']) {
    assert.equal(refused(`cat:"${bad}"`), `"${bad}" is not an arXiv category; use e.g. cat:cs.CL or cat:cs.`);
  }
});

test('years: 1900 to 2200, a single one or a range that does not run backwards', () => {
  assert.deepEqual(range('year:1900'), ['1900-01-01', '1900-12-31']);
  assert.deepEqual(range('year:2200'), ['2200-01-01', '2200-12-31']);
  assert.deepEqual(range('year:2024..2024'), ['2024-01-01', '2024-12-31']);
  assert.equal(refused('year:1899'), '"year:1899" is out of range.');
  assert.equal(refused('year:2201'), '"year:2201" is out of range.');
  assert.equal(refused('year:2020..2201'), '"year:2020..2201" is out of range.');
  assert.equal(refused('year:2025..2024'), '"year:2025..2024": the range ends before it starts.');
  for (const bad of ['2024..', '24', '20245', 'x2024', '2024..2025x', '2024-2025']) {
    assert.equal(refused(`year:${bad}`), `"year:${bad}" is not a year; use year:2024 or year:2023..2025.`);
  }
  assert.deepEqual(ok('year:2023..2025').nodes, [{ type: 'date', field: 'year', from: '2023-01-01', to: '2025-12-31', raw: '2023..2025' }]);
});

test('dates: years, months and days on both sides of every edge', () => {
  assert.deepEqual(parseDateBound('1900'), { first: '1900-01-01', last: '1900-12-31' });
  assert.equal(parseDateBound('1899'), null);
  assert.deepEqual(parseDateBound('2200-12'), { first: '2200-12-01', last: '2200-12-31' });
  assert.equal(parseDateBound('2201-01-01'), null);
  assert.deepEqual(parseDateBound('2024-1'), { first: '2024-01-01', last: '2024-01-31' });
  assert.equal(parseDateBound('2024-0'), null);
  assert.equal(parseDateBound('2024-13'), null);
  assert.deepEqual(parseDateBound('2024-02'), { first: '2024-02-01', last: '2024-02-29' });
  assert.deepEqual(parseDateBound('2023-02'), { first: '2023-02-01', last: '2023-02-28' });
  assert.deepEqual(parseDateBound('2024-04'), { first: '2024-04-01', last: '2024-04-30' });
  assert.deepEqual(parseDateBound('2024-2-9'), { first: '2024-02-09', last: '2024-02-09' });
  assert.deepEqual(parseDateBound('2024-02-29'), { first: '2024-02-29', last: '2024-02-29' });
  assert.equal(parseDateBound('2023-02-29'), null);
  assert.equal(parseDateBound('2024-04-31'), null);
  assert.equal(parseDateBound('2024-04-00'), null);
  assert.equal(parseDateBound('2024-12-32'), null);
  for (const bad of ['2024-', '2024-01-', '2024-001', '2024-01-001', ' 2024', '2024 ', 'x2024', '2024-01-01x', '12024']) {
    assert.equal(parseDateBound(bad), null, bad);
  }
});

test('before: and after: exclude the day, month or year they name', () => {
  assert.deepEqual(range('x before:2024-01-01'), [null, '2023-12-31']);
  assert.deepEqual(range('x before:2024-03'), [null, '2024-02-29']);
  assert.deepEqual(range('x before:2024'), [null, '2023-12-31']);
  assert.deepEqual(range('x after:2024-02'), ['2024-03-01', null]);
  assert.deepEqual(range('x after:2023-02'), ['2023-03-01', null]);
  assert.deepEqual(range('x after:2024-12'), ['2025-01-01', null]);
  assert.deepEqual(range('x after:2024-12-31'), ['2025-01-01', null]);
  assert.deepEqual(range('x after:2024'), ['2025-01-01', null]);
  assert.deepEqual(ok('x before:2024-3').nodes[1], { type: 'date', field: 'before', from: null, to: '2024-02-29', raw: '2024-3' });
  assert.deepEqual(ok('x after:2024-3').nodes[1], { type: 'date', field: 'after', from: '2024-04-01', to: null, raw: '2024-3' });
  assert.equal(refused('x before:2024-02-30'), '"before:2024-02-30" is not a date; use YYYY, YYYY-MM or YYYY-MM-DD.');
  assert.equal(refused('x after:soon'), '"after:soon" is not a date; use YYYY, YYYY-MM or YYYY-MM-DD.');
});

test('several date filters narrow, in any order; one day left is still a search', () => {
  assert.deepEqual(range('x after:2024-01 after:2024-03'), ['2024-04-01', null]);
  assert.deepEqual(range('x after:2024-03 after:2024-01'), ['2024-04-01', null]);
  assert.deepEqual(range('x before:2024-06 before:2024-03'), [null, '2024-02-29']);
  assert.deepEqual(range('x before:2024-03 before:2024-06'), [null, '2024-02-29']);
  assert.deepEqual(range('x year:2020..2030 year:2024'), ['2024-01-01', '2024-12-31']);
  assert.deepEqual(range('x year:2024 year:2020..2030'), ['2024-01-01', '2024-12-31']);
  assert.deepEqual(range('x after:2024-06-14 before:2024-06-16'), ['2024-06-15', '2024-06-15']);
  assert.equal(refused('x after:2024-06-14 before:2024-06-15'), 'The date filters exclude everything (from 2024-06-15 to 2024-06-14).');
});

test('has: knows only code, in any case', () => {
  assert.equal(ok('x has:Code').filters.hasCode, true);
  assert.equal(ok('x').filters.hasCode, false);
  assert.equal(refused('x has:codes'), '"has:codes" is not known; the only one is has:code.');
});

test('a query must look for something, not only exclude', () => {
  assert.equal(refused('-a -"b c"'), 'A query cannot only exclude words; add something to search for.');
  assert.equal(ok('-a author:x').excluded.length, 1);
  assert.equal(ok('-a has:code').filters.hasCode, true);
  assert.equal(ok('-a b').text, 'b');
  assert.equal(ok('').nodes.length, 0);
  assert.equal(ok('   ').text, '');
});

test('the canonical query written back into links', () => {
  const q = ok('diffusion "video gen" -survey -"old work" author:"Jonathan Ho" author:hinton cat:cs.CV year:2023..2024 before:2024-6 after:2023-02 has:CODE');
  assert.equal(
    formatSearchQuery(q),
    'diffusion "video gen" -survey -"old work" author:"Jonathan Ho" author:hinton cat:cs.CV year:2023..2024 before:2024-6 after:2023-02 has:code',
  );
  // A name holding a quotation mark or a tab is quoted, without the quotation mark.
  const odd: ParsedQuery = { ...q, nodes: [{ type: 'author', name: 'O"Brien x' }, { type: 'author', name: 'a\tb' }, { type: 'author', name: 'O"Brien' }] };
  assert.equal(formatSearchQuery(odd), 'author:"OBrien x" author:"a\tb" author:"OBrien"');
});
