/** Comments over HTTP: Markdown sanitised, replies one level deep, own edits/deletes, limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';

const P = '2506.00001';
const commentIds = (html: string) => [...html.matchAll(/<li id="c(\d+)"/g)].map((m) => Number(m[1]));
const numComments = async (app: Awaited<ReturnType<typeof testApp>>) => Number((await app.ctx.store.db.selectFrom('papers').select('num_comments').where('id', '=', P).executeTakeFirstOrThrow()).num_comments);

test('post, reply (one level), Markdown rendered and sanitised, links nofollow ugc', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const { browser: alice } = await signedIn(app, 'alice');
  const { browser: bob } = await signedIn(app, 'bob');
  const body = 'Nice **result**. See [the code](https://github.com/x/y) <script>alert(1)</script> <img src=x onerror=alert(2)> [js](javascript:alert(3))';
  const r = await alice.post('/comments', { paper: P, body });
  assert.equal(r.status, 303);
  assert.match(r.location!, new RegExp(`^/papers/${P}#c\\d+$`));
  const page = await bob.get(`/papers/${P}`);
  assert.match(page.html, /Nice <strong>result<\/strong>/);
  assert.match(page.html, /<a href="https:\/\/github.com\/x\/y" rel="nofollow ugc noopener">the code<\/a>/);
  assert.doesNotMatch(page.html, /<script>alert/);
  assert.doesNotMatch(page.html, /<img/);
  assert.doesNotMatch(page.html, /href="javascript:/);
  const [top] = commentIds(page.html);
  const reply = await bob.post('/comments', { paper: P, body: 'Agreed.', parent: String(top) });
  assert.equal(reply.status, 303);
  const replyId = Number(/#c(\d+)/.exec(reply.location!)![1]);
  // A reply to a reply joins the same thread (one level).
  const r2 = await alice.post('/comments', { paper: P, body: 'Thanks!', parent: String(replyId) });
  assert.equal(r2.status, 303);
  const rows = await app.ctx.store.db.selectFrom('comments').select(['id', 'parent_id']).orderBy('id').execute();
  assert.deepEqual(rows.map((x) => x.parent_id), [null, top, top]);
  assert.equal(await numComments(app), 3);
  const page2 = await bob.get(`/papers/${P}`);
  assert.match(page2.html, /Comments \(3\)/);
  assert.match(page2.html, /<ol class="replies">/);
});

test('edit and delete your own; another user cannot; limits and empty bodies are readable 4xx', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const { browser: alice } = await signedIn(app, 'alice');
  const { browser: mallory } = await signedIn(app, 'mallory');
  const r = await alice.post('/comments', { paper: P, body: 'First version' });
  const id = Number(/#c(\d+)/.exec(r.location!)![1]);
  // Mallory can neither open the edit form nor post an edit or a delete.
  assert.equal((await mallory.get(`/comments/${id}/edit`)).status, 403);
  const e1 = await mallory.post(`/comments/${id}/edit`, { body: 'pwned' });
  assert.equal(e1.status, 403);
  assert.match(e1.html, /only change your own comments/);
  assert.equal((await mallory.post(`/comments/${id}/delete`)).status, 403);
  // Alice edits.
  assert.equal((await alice.get(`/comments/${id}/edit`)).status, 200);
  const e2 = await alice.post(`/comments/${id}/edit`, { body: 'Second *version*' });
  assert.equal(e2.status, 303);
  const page = await alice.get(`/papers/${P}`);
  assert.match(page.html, /Second <em>version<\/em>/);
  assert.match(page.html, /edited/);
  assert.doesNotMatch(page.html, /pwned/);
  // Refusals.
  const empty = await alice.post('/comments', { paper: P, body: '   ' });
  assert.equal(empty.status, 400);
  assert.match(empty.html, /comment is empty/);
  const long = await alice.post('/comments', { paper: P, body: 'x'.repeat(5001) });
  assert.equal(long.status, 413);
  assert.match(long.html, /limited to 5,000 characters/);
  assert.equal((await alice.post('/comments', { paper: '2506.99999', body: 'hi' })).status, 404);
  assert.equal((await alice.post('/comments', { paper: P, body: 'hi', parent: '999999' })).status, 400);
  assert.equal((await alice.post('/comments/abc/delete')).status, 404);
  // Delete.
  assert.equal(await numComments(app), 1);
  assert.equal((await alice.post(`/comments/${id}/delete`)).status, 303);
  assert.equal(await numComments(app), 0);
  assert.doesNotMatch((await alice.get(`/papers/${P}`)).html, /Second/);
  assert.equal((await alice.post(`/comments/${id}/delete`)).status, 404);
});

test('comment rate limit per user → 429 with Retry-After; anonymous → login', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const anon = new FormClient(app);
  await anon.get('/');
  const a = await anon.post('/comments', { paper: P, body: 'hello' });
  assert.equal(a.status, 303);
  assert.match(a.location!, /^\/login/);
  const { browser: b } = await signedIn(app, 'chatty');
  let last = 0;
  let retry: string | null = null;
  for (let i = 0; i < 12 && last !== 429; i++) {
    const r = await b.post('/comments', { paper: P, body: `comment ${i}` });
    last = r.status;
    retry = r.res.headers.get('retry-after');
  }
  assert.equal(last, 429);
  assert.ok(Number(retry) > 0);
  assert.equal(await numComments(app), 10);
});
