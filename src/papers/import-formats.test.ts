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
  assert.deepEqual(r.daily, { date: '2024-05-27', submittedAt: '2024-05-27T03:50:58.348Z', submitterName: 'akhaliq', submitterProfile: { name: 'akhaliq', fullname: 'akhaliq', type: 'user', isPro: false, user: 'akhaliq' }, upvotes: 32, comments: 3, rank: null });
});

test("Hugging Face's submitter, organization, discussion, thumbnail and author links are kept, hostile values dropped", () => {
  const item = (paper: object, extra: object = {}) => ({ archive_date: '2026-08-21', item: { paper: { id: '2608.13210', title: 'T', summary: 'S', upvotes: 1, publishedAt: '2026-08-13T00:00:00.000Z', ...paper }, numComments: 0, publishedAt: '2026-08-12T20:00:00.000Z', ...extra } });
  const good = normalizeRecord(
    item(
      {
        authors: [{ _id: 'a1', name: 'Xinye Li', hidden: false, user: { id: 'u1', avatarUrl: '/avatars/x.svg', isPro: true, fullname: 'Xinye Li', user: 'asdfo123', type: 'user' } }, { _id: 'a2', name: 'B', hidden: false }],
        discussionId: '6a8808b689e517cbfd75dd62',
        submittedOnDailyBy: { _id: '650817c22a9cebcc9b1cc25d', avatarUrl: '/avatars/40bd.svg', isPro: false, fullname: 'Yuheng Huang', user: 'yuhenghuang', type: 'user' },
        organization: { _id: 'o1', name: 'utokyo-ai', fullname: 'The University of Tokyo', avatar: 'https://cdn-avatars.huggingface.co/x.png' },
      },
      { thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.13210.png' },
    ),
  );
  assert.deepEqual(good.daily!.submitterProfile, { _id: '650817c22a9cebcc9b1cc25d', name: 'yuhenghuang', fullname: 'Yuheng Huang', avatarUrl: 'https://huggingface.co/avatars/40bd.svg', type: 'user', isPro: false, user: 'yuhenghuang' });
  assert.deepEqual(good.hf, {
    discussionId: '6a8808b689e517cbfd75dd62',
    thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.13210.png',
    organization: { _id: 'o1', name: 'utokyo-ai', fullname: 'The University of Tokyo', avatar: 'https://cdn-avatars.huggingface.co/x.png' },
    authorLinks: [
      { name: 'Xinye Li', _id: 'a1', user: { _id: 'u1', name: 'asdfo123', fullname: 'Xinye Li', avatarUrl: 'https://huggingface.co/avatars/x.svg', type: 'user', isPro: true, user: 'asdfo123' } },
      { name: 'B', _id: 'a2' },
    ],
  });

  const bad = normalizeRecord(
    item(
      {
        authors: [{ _id: 'a1', name: '<b>X</b>', hidden: false, user: { user: '<script>', fullname: 'x' } }],
        discussionId: '"><img src=x>',
        submittedOnDailyBy: { user: 'ok-name', fullname: '<img src=x onerror=alert(1)>', avatarUrl: 'javascript:alert(1)' },
        organization: { name: 'javascript:alert(1)', fullname: 'Evil' },
      },
      { thumbnail: 'javascript:alert(1)' },
    ),
  );
  // The full name is text (escaped where shown); the avatar is not an http(s) URL, so it is gone.
  assert.deepEqual(bad.daily!.submitterProfile, { name: 'ok-name', fullname: '<img src=x onerror=alert(1)>', type: 'user', isPro: false, user: 'ok-name' });
  assert.deepEqual(bad.hf, { discussionId: null, thumbnail: null, organization: null, authorLinks: [{ name: '<b>X</b>', _id: 'a1' }] });
  assert.equal(normalizeRecord(item({ authors: [], submittedOnDailyBy: { user: '../../admin' } })).daily!.submitterProfile, null, 'a handle that is not one is no profile');
});

test('unusable records give a readable reason', () => {
  assert.throws(() => normalizeRecord({ id: 'not-an-id', title: 'T', abstract: 'A', authors: [], categories: [], first_seen: '2025-01-01' }), /not an arXiv id/);
  assert.throws(() => normalizeRecord({ id: '2503.11677', abstract: 'A', authors: [], categories: [], first_seen: '2025-01-01' }), /missing title/);
  assert.throws(() => normalizeRecord({ id: '2503.11677', title: 'T', abstract: 'A', authors: 'Alice', categories: [], first_seen: '2025-01-01' }), /authors is not a list/);
  assert.throws(() => normalizeRecord({ hello: 1 }), /unrecognised record/);
  assert.throws(() => normalizeRecord({ id: '1501.00255', title: 'T', abstract: 'A', authors: [], categories: ['cs.DB'], created: 'yesterday' }), /created is not a date/);
  assert.equal(detectFormat([1, 2]), null);
});
