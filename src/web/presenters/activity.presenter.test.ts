import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presentComment, presentVote } from './activity.presenter.js';
import { ApiComment, ApiVote } from '../api/schemas.js';

test('a vote is presented as the API documents it: the paper id, upvoted, the count', () => {
  assert.deepEqual(presentVote({ paperId: '2506.01234', voted: true, upvotes: 7 }), { id: '2506.01234', upvoted: true, upvotes: 7 });
  assert.deepEqual(presentVote({ paperId: '2506.01234', voted: false, upvotes: 0 }), { id: '2506.01234', upvoted: false, upvotes: 0 });
  ApiVote.strict().parse(presentVote({ paperId: '2506.01234', voted: false, upvotes: 0 }));
});

test('a comment is presented with its text as written (not rendered), an ISO time and the author name only', () => {
  const c = presentComment({ id: 42, paperId: '2506.01234' }, '<b>hi</b> $x$', new Date('2025-06-04T12:00:00Z'), 'ada');
  assert.deepEqual(c, { id: 42, paperId: '2506.01234', body: '<b>hi</b> $x$', createdAt: '2025-06-04T12:00:00.000Z', author: { name: 'ada' } });
  ApiComment.strict().parse(c);
});
