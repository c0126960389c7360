import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findCodeRepo, LIMITS, normalizeEntry, splitAuthors, toIsoDate, type RawArxivEntry } from './arxiv-entry.js';
import { parseArxivId } from './arxiv-id.js';
import { normalizeSpace } from './paper.js';

const junk = fc.oneof(fc.string(), fc.fullUnicodeString(), fc.constant(''), fc.constant(null), fc.constant(undefined));
const rawEntry: fc.Arbitrary<RawArxivEntry> = fc.record(
  {
    id: fc.oneof(junk, fc.constantFrom('2401.12345v2', 'http://arxiv.org/abs/hep-th/9901001v1', 'oai:arXiv.org:1501.00001', '2401.12345v0')),
    title: junk,
    abstract: fc.oneof(junk, fc.lorem({ maxCount: 40 })),
    authors: fc.oneof(fc.constant(null), fc.array(junk, { maxLength: 5 })),
    categories: fc.oneof(fc.constant(null), fc.array(fc.oneof(junk, fc.constantFrom('cs.LG', 'math.CO', 'hep-th', 'cs.LG')), { maxLength: 5 })),
    primaryCategory: junk,
    published: fc.oneof(junk, fc.date({ min: new Date('1991-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString())),
    updated: fc.oneof(junk, fc.constantFrom('2024-03-01', 'Sat, 13 Dec 2008 17:26:00 GMT', 'not a date')),
    version: fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 50 })),
    versions: fc.oneof(fc.constant(null), fc.array(fc.record({ version: fc.integer({ min: -1, max: 20 }), date: junk as fc.Arbitrary<string | null> }), { maxLength: 6 })),
    comment: junk,
    journalRef: junk,
    doi: junk,
    license: junk,
  },
  { requiredKeys: [] },
);

const hasBadSpace = (s: string) => s !== s.trim() || /\s{2,}|[\n\t\r]/.test(s);

test('normalizeEntry never throws, and what it accepts is clean', () => {
  fc.assert(
    fc.property(rawEntry, (raw) => {
      const r = normalizeEntry(raw);
      if (!r.ok) {
        assert.ok(r.reason.length > 0);
        return;
      }
      const p = r.paper;
      assert.deepEqual(parseArxivId(p.id), { id: p.id, version: null });
      for (const s of [p.title, p.abstract, ...p.authors]) {
        assert.ok(s.length > 0);
        assert.ok(!hasBadSpace(s), JSON.stringify(s));
      }
      assert.ok(p.title.length <= LIMITS.title && p.abstract.length <= LIMITS.abstract);
      assert.ok(p.version === null || p.version === undefined || (Number.isInteger(p.version) && p.version >= 1));
      const vs = p.versions ?? [];
      for (let i = 1; i < vs.length; i++) assert.ok(vs[i].version > vs[i - 1].version, 'versions sorted, unique');
      assert.equal(new Set(p.categories).size, p.categories.length);
      if (p.codeUrl) assert.match(p.codeUrl, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
      for (const d of [p.publishedAt, p.updatedAt]) if (d) assert.equal(new Date(d).toISOString(), d);
    }),
    { numRuns: 3000 },
  );
});

const word = fc.stringMatching(/^[A-Za-z0-9$\\{}().,-]{1,12}$/);
const words = fc.array(word, { minLength: 1, maxLength: 30 });
const space = fc.stringMatching(/^[ \t\n\r]{1,4}$/);

test('whitespace (hard wraps, indentation) never changes the normalised text', () => {
  fc.assert(
    fc.property(words, words, fc.array(space, { minLength: 64, maxLength: 64 }), (t, a, spaces) => {
      const wrap = (ws: string[]) => spaces[0] + ws.map((w, i) => w + spaces[(i + 1) % spaces.length]).join('');
      const base = { id: '2401.00001v1', authors: ['A B'], published: '2024-01-02' };
      const r1 = normalizeEntry({ ...base, title: t.join(' '), abstract: a.join(' ') });
      const r2 = normalizeEntry({ ...base, title: wrap(t), abstract: wrap(a) });
      assert.deepEqual(r1, r2);
      assert.ok(r1.ok && r1.paper.title === t.join(' '));
    }),
  );
});

const ghName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/);

test('a GitHub repository named in the abstract or comment becomes the code URL', () => {
  fc.assert(
    fc.property(ghName, ghName, fc.constantFrom('', '.', ',', ')', '.git', '/', '/tree/main', '}'), fc.boolean(), fc.boolean(), (owner, repo, tail, inComment, bare) => {
      fc.pre(!['about', 'features', 'pricing', 'orgs', 'topics', 'sponsors'].includes(owner.toLowerCase()));
      const url = `${bare ? '' : 'https://'}github.com/${owner}/${repo}${tail}`;
      const text = `Our code is at ${bare ? '' : '\\url{'}${url}${bare ? '' : '}'} now`;
      const r = normalizeEntry({
        id: '2401.00001',
        title: 'T',
        abstract: inComment ? 'No link here.' : text,
        comment: inComment ? text : '10 pages',
        authors: ['A'],
      });
      assert.ok(r.ok);
      assert.equal(r.paper.codeUrl, `https://github.com/${owner}/${repo}`);
    }),
  );
});

test('missing required fields are rejected with a reason naming the field', () => {
  const good = { id: '2401.00001', title: 'T', abstract: 'A', authors: ['X'] };
  assert.equal(normalizeEntry(good).ok, true);
  assert.deepEqual(normalizeEntry({ ...good, id: '' }), { ok: false, id: null, reason: 'missing id' });
  assert.deepEqual(normalizeEntry({ ...good, title: '  \n ' }), { ok: false, id: '2401.00001', reason: 'missing title' });
  assert.deepEqual(normalizeEntry({ ...good, abstract: null }), { ok: false, id: '2401.00001', reason: 'missing abstract' });
  assert.deepEqual(normalizeEntry({ ...good, authors: [' ', null] }), { ok: false, id: '2401.00001', reason: 'missing authors' });
  assert.match((normalizeEntry({ ...good, id: 'http://arxiv.org/abs/99999' }) as { reason: string }).reason, /not an arXiv id/);
});

test('helpers: dates, authors, bare links', () => {
  assert.equal(toIsoDate('2024-03-01'), '2024-03-01T00:00:00.000Z');
  assert.equal(toIsoDate('Sat, 13 Dec 2008 17:26:00 GMT'), '2008-12-13T17:26:00.000Z');
  assert.equal(toIsoDate('2003-07-07T13:46:39-04:00'), '2003-07-07T17:46:39.000Z');
  assert.equal(toIsoDate('yesterday'), null);
  assert.equal(toIsoDate('0001-01-01'), null);
  assert.deepEqual(splitAuthors('Ileana Streinu and Louis Theran'), ['Ileana Streinu', 'Louis Theran']);
  assert.deepEqual(splitAuthors('A. One,  B. Two,\n and C. Three'), ['A. One', 'B. Two', 'C. Three']);
  assert.equal(findCodeRepo('see https://github.com/about', 'mygithub.com/x/y'), null);
});

test('normalizeSpace collapses every whitespace run to one space and trims (same as /\\s+/ → " ")', () => {
  const ws = fc.constantFrom(' ', '  ', '\n', '\t', '\r\n', '\u00a0', ' \n ', '\u2003');
  const text = fc.array(fc.oneof(fc.string({ maxLength: 5 }), ws), { maxLength: 30 }).map((xs) => xs.join(''));
  fc.assert(fc.property(text, (s) => normalizeSpace(s) === s.replace(/\s+/g, ' ').trim()), { numRuns: 2000 });
});
