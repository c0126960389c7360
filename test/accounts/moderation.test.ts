/** Moderation over HTTP: hide a comment and a paper, ban a user; the audit log records each. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';

const P = '2506.00001';

test('moderators hide comments and papers, ban users; every action is audited; users cannot', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }, { id: '2506.00002', featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const { browser: mod } = await signedIn(app, 'mod', 'moderator');
  const { browser: troll } = await signedIn(app, 'troll');
  const { browser: alice } = await signedIn(app, 'alice');
  const r = await troll.post('/comments', { paper: P, body: 'buy cheap pills' });
  const id = Number(/#c(\d+)/.exec(r.location!)![1]);

  // A plain user is refused everywhere.
  assert.equal((await alice.get('/moderation')).status, 403);
  assert.equal((await alice.post(`/moderation/comments/${id}/hide`)).status, 403);
  assert.equal((await alice.post('/moderation/users/ban', { name: 'troll' })).status, 403);
  assert.equal((await alice.post('/moderation/papers/hide', { paper: P })).status, 403);

  // Hide the comment: gone for readers, marked for moderators, count adjusted.
  assert.equal((await mod.post(`/moderation/comments/${id}/hide`, { reason: 'spam' })).status, 303);
  assert.doesNotMatch((await alice.get(`/papers/${P}`)).html, /cheap pills/);
  const modView = (await mod.get(`/papers/${P}`)).html;
  assert.match(modView, /cheap pills/);
  assert.match(modView, /hidden by a moderator/);
  assert.equal(Number((await app.ctx.store.db.selectFrom('papers').select('num_comments').where('id', '=', P).executeTakeFirstOrThrow()).num_comments), 0);
  // The troll cannot edit a hidden comment.
  assert.equal((await troll.post(`/comments/${id}/edit`, { body: 'sneaky' })).status, 403);

  // Ban the user: sessions end, the user page says so, login is refused with the reason.
  assert.equal((await mod.post('/moderation/users/ban', { name: 'troll', reason: 'spam links' })).status, 303);
  const trollHome = await troll.get('/');
  assert.doesNotMatch(trollHome.html, /href="\/u\/troll"/);
  assert.match((await alice.get('/u/troll')).html, /suspended/);
  // A moderator cannot ban another moderator, nor themselves.
  await signedIn(app, 'mod2', 'moderator');
  assert.equal((await mod.post('/moderation/users/ban', { name: 'mod2' })).status, 403);
  assert.equal((await mod.post('/moderation/users/ban', { name: 'mod' })).status, 400);
  assert.equal((await mod.post('/moderation/users/ban', { name: 'nobody' })).status, 404);

  // Hide a paper: 404 for readers, off trending; moderators still see it.
  assert.equal((await mod.post('/moderation/papers/hide', { paper: '2506.00002', reason: 'not a paper' })).status, 303);
  assert.equal((await alice.get('/papers/2506.00002')).status, 404);
  assert.doesNotMatch(await (await app.request('/papers/trending?window=day')).text(), /2506\.00002/);
  assert.equal((await mod.get('/papers/2506.00002')).status, 200);

  // The audit log lists each action with who, what and why.
  const page = await mod.get('/moderation');
  assert.equal(page.status, 200);
  const rows = [...page.html.matchAll(/<tr class="audit-row"><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3], m[4]]);
  assert.deepEqual(rows, [
    ['mod', 'paper.hide', 'paper 2506.00002', 'not a paper'],
    ['mod', 'user.ban', 'user troll', 'spam links'],
    ['mod', 'comment.hide', `comment ${id}`, 'spam'],
  ]);
});

test('user page lists submissions, upvotes and comments; unknown users are a 404', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, publishedAt: '2025-06-04T00:00:00.000Z' }]);
  const { browser: alice } = await signedIn(app, 'alice');
  assert.equal((await alice.post('/submit', { arxiv: P })).status, 303);
  assert.equal((await alice.post('/vote', { paper: P })).status, 303);
  assert.equal((await alice.post('/comments', { paper: P, body: 'my *note*' })).status, 303);
  const page = await (await app.request('/u/alice')).text();
  assert.match(page, /Submissions \(1\)/);
  assert.match(page, /Upvotes \(1\)/);
  assert.match(page, /Comments \(1\)/);
  assert.match(page, /my <em>note<\/em>/);
  assert.equal((await app.request('/u/nobody')).status, 404);
  assert.equal((await app.request('/u/%3Cscript%3E')).status, 404);
});
