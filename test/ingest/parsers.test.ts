import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAtomFeed } from '../../src/ingest/atom.js';
import { parseOaiPage } from '../../src/ingest/oai.js';
import { parseRssFeed } from '../../src/ingest/rss.js';
import { IngestError } from '../../src/ingest/errors.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof IngestError, String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('expected an IngestError');
};

test('API Atom feed: entries normalised (whitespace, versions, code links, old-style ids)', () => {
  const page = parseAtomFeed(fx('api-query.atom.xml'));
  assert.equal(page.totalResults, 3);
  assert.equal(page.startIndex, 0);
  assert.equal(page.damaged, null);
  assert.deepEqual(page.skipped, []);
  const [a, b, c] = page.papers;
  assert.equal(a.id, '2403.01234');
  assert.equal(a.version, 2);
  assert.equal(a.title, 'Sparse Mixtures of Experts at $\\mathcal{O}(n)$ Cost');
  assert.match(a.abstract, /^We study sparse .* linearly with the sequence length\. Code is available at https:\/\/github\.com/);
  assert.deepEqual(a.authors, ['Ada Lovelace', 'Alan Turing']);
  assert.deepEqual(a.categories, ['cs.LG', 'cs.CL']);
  assert.equal(a.primaryCategory, 'cs.LG');
  assert.equal(a.codeUrl, 'https://github.com/papertide-lab/sparse-moe');
  assert.equal(a.publishedAt, '2024-03-02T10:11:12.000Z');
  assert.equal(a.updatedAt, '2024-03-04T17:59:58.000Z');
  assert.deepEqual(a.versions, [
    { version: 1, date: '2024-03-02T10:11:12.000Z' },
    { version: 2, date: '2024-03-04T17:59:58.000Z' },
  ]);
  assert.equal(a.comment, '12 pages, 4 figures');
  assert.equal(b.id, 'hep-th/9901001');
  assert.equal(b.version, 3);
  assert.equal(b.title, 'Strings on the <Boundary> & Beyond');
  assert.equal(b.codeUrl, 'https://github.com/old-school/strings');
  assert.equal(b.doi, '10.1103/PhysRevD.60.000001');
  assert.equal(b.journalRef, 'Phys.Rev. D60 (1999) 1');
  assert.equal(c.version, 1);
  assert.equal(c.codeUrl, null);
});

test("API error feed is an error, not a paper called 'Error'", () => {
  const e = code(() => parseAtomFeed(fx('api-error.atom.xml')));
  assert.equal(e.code, 'arxiv_error');
  assert.match(e.message, /incorrect id format for 1234\.12345/);
});

test('API entries missing fields are skipped with reasons; good entries of the page kept', () => {
  const page = parseAtomFeed(fx('api-missing-fields.atom.xml'));
  assert.deepEqual(page.papers.map((p) => p.id), ['2403.07001', '2403.07004']);
  assert.deepEqual(page.skipped, [
    { id: '2403.07002', reason: 'missing title' },
    { id: null, reason: 'missing id' },
  ]);
  assert.equal(page.entryCount, 4);
});

test('truncated XML is a clear error, and complete entries before the cut are kept', () => {
  const page = parseAtomFeed(fx('api-truncated.atom.xml'));
  assert.match(page.damaged ?? '', /malformed or truncated XML at line \d+/);
  assert.deepEqual(page.papers.map((p) => p.id), ['2403.01234']);
  const e = code(() => parseAtomFeed(fx('api-query.atom.xml').slice(0, 400)));
  assert.equal(e.code, 'bad_xml');
  assert.match(e.message, /arXiv API feed: malformed or truncated XML/);
});

test('a 200 with an HTML body is reported as HTML, for every source', () => {
  for (const f of [parseAtomFeed, parseOaiPage, parseRssFeed]) {
    const e = code(() => f(fx('html-200.html')));
    assert.equal(e.code, 'not_xml');
    assert.match(e.message, /HTML page instead of XML \("arXiv is temporarily unavailable"\)/);
  }
  assert.equal(code(() => parseOaiPage('')).code, 'bad_xml');
  assert.equal(code(() => parseOaiPage('{"json": true}')).code, 'not_xml');
  assert.equal(code(() => parseOaiPage(fx('api-query.atom.xml'))).code, 'not_xml');
});

test('OAI-PMH arXiv pages: records, resumption token, deleted records, bad records', () => {
  const p1 = parseOaiPage(fx('oai-page-1.xml'));
  assert.equal(p1.resumptionToken, '6960524|1001');
  assert.equal(p1.completeListSize, 6);
  assert.equal(p1.maxDatestamp, '2024-03-01');
  const [a, b] = p1.papers;
  assert.equal(a.title, 'Attention Is Still All You Need');
  assert.deepEqual(a.authors, ['Ada Lovelace', 'Charles Babbage Jr']);
  assert.equal(a.codeUrl, 'https://github.com/papertide-lab/attention');
  assert.equal(a.version, 1);
  assert.deepEqual(a.versions, [{ version: 1, date: '2024-02-28T00:00:00.000Z' }]);
  assert.equal(a.license, 'http://creativecommons.org/licenses/by/4.0/');
  assert.equal(b.version, null, 'arXiv format has no version number for updated papers');
  assert.equal(b.updatedAt, '2024-03-01T00:00:00.000Z');
  assert.equal(b.doi, '10.1000/xyz123');

  const p2 = parseOaiPage(fx('oai-page-2.xml'));
  assert.deepEqual(p2.papers.map((p) => p.id), ['2403.00003']);
  assert.deepEqual(p2.deleted, ['2401.09999']);
  assert.deepEqual(p2.skipped, [{ id: '2403.00004', reason: 'missing abstract' }]);
  assert.equal(p2.records, 3);
  assert.equal(p2.resumptionToken, '6960524|2001');

  const p3 = parseOaiPage(fx('oai-page-3.xml'));
  assert.equal(p3.resumptionToken, null, 'empty token element ends the list');
  assert.equal(p3.papers[0].title, 'Information & Entropy');
  assert.equal(p3.papers[0].codeUrl, 'https://github.com/shannon/entropy');
});

test('OAI-PMH errors: expired token, no records, truncated page', () => {
  const e = code(() => parseOaiPage(fx('oai-bad-resumption-token.xml')));
  assert.equal(e.code, 'bad_resumption_token');
  assert.match(e.message, /expired/);
  const none = parseOaiPage(fx('oai-no-records.xml'));
  assert.equal(none.noRecordsMatch, true);
  assert.equal(none.papers.length, 0);
  const t = parseOaiPage(fx('oai-truncated.xml'));
  assert.match(t.damaged ?? '', /truncated/);
  assert.equal(t.resumptionToken, null);
  assert.deepEqual(t.papers.map((p) => p.id), ['2403.00003']);
});

test('OAI-PMH arXivRaw gives the full version history', () => {
  const p = parseOaiPage(fx('oai-arxivraw.xml')).papers[0];
  assert.equal(p.id, '0704.0002');
  assert.equal(p.version, 2);
  assert.deepEqual(p.versions, [
    { version: 1, date: '2007-03-31T02:26:18.000Z' },
    { version: 2, date: '2008-12-13T17:26:00.000Z' },
  ]);
  assert.deepEqual(p.authors, ['Ileana Streinu', 'Louis Theran']);
  assert.equal(p.primaryCategory, 'math.CO');
});

test('RSS: announce types, authors, versions; an empty title is skipped with a reason', () => {
  const feed = parseRssFeed(fx('rss-cs-LG.xml'));
  assert.equal(feed.announcedAt, '2024-03-05T05:00:00.000Z');
  assert.deepEqual(
    feed.items.map((i) => [i.paper.id, i.paper.version, i.announceType]),
    [
      ['2403.02001', 1, 'new'],
      ['2403.02002', 1, 'cross'],
      ['2402.11111', 3, 'replace'],
      ['cs/0112017', 2, 'replace-cross'],
    ],
  );
  const [n, , r] = feed.items.map((i) => i.paper);
  assert.deepEqual(n.authors, ['Alice Smith', 'Bob Jones', 'Carol White']);
  assert.equal(n.abstract, 'We measure scaling laws for models under 10M parameters. Code: https://github.com/tiny/scaling');
  assert.equal(n.codeUrl, 'https://github.com/tiny/scaling');
  assert.equal(n.publishedAt, '2024-03-05T05:00:00.000Z');
  assert.equal(r.publishedAt, null, 'a replacement does not know v1 date');
  assert.deepEqual(r.versions, [{ version: 3, date: '2024-03-05T05:00:00.000Z' }]);
  assert.deepEqual(feed.skipped, [{ id: '2403.02005', reason: 'missing title' }]);
});

test('RSS: an empty weekend feed is a normal, empty result', () => {
  const feed = parseRssFeed(fx('rss-empty-weekend.xml'));
  assert.equal(feed.items.length, 0);
  assert.equal(feed.skipped.length, 0);
  assert.equal(feed.damaged, null);
});

test('XML entity bombs are refused, not expanded', () => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><rss><channel><item><title>&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;</title></item></channel></rss>`;
  try {
    const feed = parseRssFeed(bomb);
    assert.ok(JSON.stringify(feed).length < 100_000);
  } catch (e) {
    assert.ok(e instanceof IngestError, String(e));
  }
});
