import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRecord, detectFormat } from './import-formats.js';

test('arxiv-recent-ai lines: whitespace collapsed, primary category first, GitHub link found', () => {
  const r = normalizeRecord({ id: '2503.11677', title: 'A\n  title', abstract: 'Code at\nhttps://github.com/org/repo.git.', authors: ['A B'], categories: ['cs.HC', 'cs.CV'], comment: null, first_seen: '2025-03-18', last_seen: '2025-03-18' });
  assert.equal(r.format, 'arxiv-recent');
  assert.equal(r.paper.title, 'A title');
  assert.equal(r.paper.primaryCategory, 'cs.HC');
  assert.equal(r.paper.codeUrl, 'https://github.com/org/repo');
  assert.equal(r.paper.publishedAt, '2025-03-18T00:00:00.000Z');
});

test('arxiv-cs-2015-2018 lines keep created/updated dates and move the primary category first', () => {
  const r = normalizeRecord({ id: '1501.00255', title: 'T', abstract: 'A', authors: ['X'], categories: ['cs.LG', 'cs.DB'], primary_category: 'cs.DB', created: '2015-01-01', updated: '2015-02-03', comments: '10 pages', doi: '10.1/x', acm_class: null });
  assert.deepEqual(r.paper.categories, ['cs.DB', 'cs.LG']);
  assert.equal(r.paper.updatedAt, '2015-02-03T00:00:00.000Z');
  assert.equal(r.paper.doi, '10.1/x');
});

test('Hugging Face daily_papers items carry a daily entry with upvotes, comments and submitter', () => {
  const r = normalizeRecord({ archive_date: '2024-05-27', item: { paper: { id: '2405.15738', title: 'T', summary: 'S', authors: [{ name: 'A', hidden: false }, { name: 'Hidden', hidden: true }], publishedAt: '2024-05-24T17:34:15.000Z', upvotes: 32, githubRepo: 'https://github.com/alibaba/conv-llava', githubStars: 10, submittedOnDailyBy: { user: 'akhaliq' } }, numComments: 3, publishedAt: '2024-05-27T03:50:58.348Z' } });
  assert.equal(r.format, 'hf-raw');
  assert.deepEqual(r.paper.authors, ['A']);
  assert.equal(r.paper.codeUrl, 'https://github.com/alibaba/conv-llava');
  assert.deepEqual(r.daily, { date: '2024-05-27', submittedAt: '2024-05-27T03:50:58.348Z', submitterName: 'akhaliq', upvotes: 32, comments: 3, rank: null });
});

test('unusable records give a readable reason', () => {
  assert.throws(() => normalizeRecord({ id: 'not-an-id', title: 'T', abstract: 'A', authors: [], categories: [], first_seen: '2025-01-01' }), /not an arXiv id/);
  assert.throws(() => normalizeRecord({ id: '2503.11677', abstract: 'A', authors: [], categories: [], first_seen: '2025-01-01' }), /missing title/);
  assert.throws(() => normalizeRecord({ id: '2503.11677', title: 'T', abstract: 'A', authors: 'Alice', categories: [], first_seen: '2025-01-01' }), /authors is not a list/);
  assert.throws(() => normalizeRecord({ hello: 1 }), /unrecognised record/);
  assert.throws(() => normalizeRecord({ id: '1501.00255', title: 'T', abstract: 'A', authors: [], categories: ['cs.DB'], created: 'yesterday' }), /created is not a date/);
  assert.equal(detectFormat([1, 2]), null);
});
