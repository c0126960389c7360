/**
 * The moderation table: for each surface a reader or a client can reach (daily list, paper page,
 * search, API list/search/paper, feeds in three formats, digest email, trending, author and
 * organization pages, similar papers, profiles) × (hidden paper / hidden comment / banned user's
 * comments and submissions), the hidden thing is absent and the visible thing beside it stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { addActiveSubscriber } from '../support/digests.js';
import { previewDigest } from '../../src/digests/digest.service.js';
import type { TestApp } from '../support/app.js';

const SHOWN = '2506.00001';
const HIDDEN = '2506.00002';
const DAY = '2025-06-05';

/** Every surface that lists papers, with the request that reads it. */
const SURFACES = [
  '/',
  `/papers/date/${DAY}`,
  '/papers/trending?window=day',
  '/papers/trending?window=all',
  '/search?q=zebrafish',
  `/api/daily_papers?date=${DAY}`,
  '/api/papers',
  '/api/papers/search?q=zebrafish',
  '/api/trending?window=day',
  '/feeds/daily.atom', '/feeds/daily.rss', '/feeds/daily.json',
  '/feeds/trending.atom', '/feeds/trending.rss', '/feeds/trending.json',
  '/feeds/category/cs.LG.atom', '/feeds/category/cs.LG.rss', '/feeds/category/cs.LG.json',
  '/feeds/author/Ada%20Lovelace.atom', '/feeds/author/Ada%20Lovelace.rss', '/feeds/author/Ada%20Lovelace.json',
  '/feeds/search.atom?q=zebrafish', '/feeds/search.rss?q=zebrafish', '/feeds/search.json?q=zebrafish',
  '/authors/Ada%20Lovelace',
  '/organizations/tide-lab',
  '/feeds/organization/tide-lab.atom', '/feeds/organization/tide-lab.rss', '/feeds/organization/tide-lab.json',
  'digest',
];

/** A surface's text: an HTTP path, or the next digest email of reader@example.org (HTML and text). */
async function read(app: TestApp, surface: string): Promise<{ status: number; body: string }> {
  if (surface === 'digest') {
    const { message } = await previewDigest(app.ctx, 'reader@example.org');
    return { status: message ? 200 : 204, body: message ? message.html + message.text : '' };
  }
  const res = await app.request(surface);
  return { status: res.status, body: await res.text() };
}

test('moderation table: a hidden paper is absent from every listing surface and cannot be submitted', async (t) => {
  const app = await useApp(t, { now: `${DAY}T12:00:00Z` });
  await seedPapers(app, [
    { id: SHOWN, title: 'Zebrafish shown paper', publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
    { id: HIDDEN, title: 'Zebrafish hidden paper', publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
    { id: '2506.00003', title: 'Zebrafish never featured', publishedAt: '2025-06-03T00:00:00.000Z' },
  ]);
  const { browser: mod } = await signedIn(app, 'mod', 'moderator');
  const { browser: alice } = await signedIn(app, 'alice');
  await addActiveSubscriber(app, 'reader@example.org');
  // Votes so both are on trending before one is hidden; both under one organization.
  for (const id of [SHOWN, HIDDEN]) assert.equal((await alice.post('/vote', { paper: id, want: 'on' })).status, 303);
  for (const id of [SHOWN, HIDDEN]) assert.equal((await mod.post('/moderation/papers/organization', { paper: id, org: 'tide-lab', fullname: 'Tide Lab' })).status, 303);
  for (const path of SURFACES) {
    const { body } = await read(app, path);
    assert.match(body, /2506\.00001/, `${path} lists the visible paper`);
    assert.match(body, /2506\.00002/, `${path} lists the paper before it is hidden`);
  }
  assert.match(await (await app.request(`/papers/date/${DAY}`)).text(), />\s*2 papers,/);
  assert.equal((await mod.post('/moderation/papers/hide', { paper: HIDDEN, reason: 'spam' })).status, 303);
  for (const path of SURFACES) {
    const { status, body } = await read(app, path);
    assert.equal(status, 200, path);
    assert.match(body, /2506\.00001/, `${path} still lists the visible paper`);
    assert.doesNotMatch(body, /2506\.00002|hidden paper/, `${path} lists the hidden paper`);
  }
  // Nor is it "similar" to a visible paper by the same authors (the paper page and the API).
  for (const path of [`/api/papers/${SHOWN}/similar`, `/papers/${SHOWN}`]) {
    const body = await (await app.request(path)).text();
    assert.match(body, /2506\.00003/, `${path} lists a similar paper`);
    assert.doesNotMatch(body, /2506\.00002|hidden paper/, `${path} lists the hidden paper as similar`);
  }
  // The daily page's count does not count it either.
  assert.match(await (await app.request(`/papers/date/${DAY}`)).text(), />\s*1 paper,/);
  assert.equal((await app.request(`/papers/${HIDDEN}`)).status, 404);
  assert.equal((await app.request(`/api/papers/${HIDDEN}`)).status, 404);
  const r = await alice.post('/submit', { arxiv: HIDDEN });
  assert.equal(r.status, 403);
  assert.match(r.html, /hidden by a moderator/);
  // Unhidden, it comes back everywhere.
  assert.equal((await mod.post('/moderation/papers/show', { paper: HIDDEN })).status, 303);
  assert.match(await (await app.request('/api/papers')).text(), /2506\.00002/);
});

test('moderation table: a hidden comment is gone from the paper page, the author’s page and the comment counts; a moderator still sees it', async (t) => {
  const app = await useApp(t, { now: `${DAY}T12:00:00Z` });
  await seedPapers(app, [{ id: SHOWN, publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` }]);
  const { browser: mod } = await signedIn(app, 'mod', 'moderator');
  const { browser: troll } = await signedIn(app, 'troll');
  await troll.post('/comments', { paper: SHOWN, body: 'a fair point about zebrafish' });
  const r = await troll.post('/comments', { paper: SHOWN, body: 'buy cheap pills' });
  const id = Number(/#c(\d+)/.exec(r.location!)![1]);
  const surfaces = async () => ({
    page: await (await app.request(`/papers/${SHOWN}`)).text(),
    user: await (await app.request('/u/troll')).text(),
    api: (await (await app.request(`/api/papers/${SHOWN}`)).json()) as { numComments: number },
    daily: (await (await app.request(`/api/daily_papers?date=${DAY}`)).json()) as { numComments: number }[],
    card: /(\d+) comments?</.exec(await (await app.request(`/papers/date/${DAY}`)).text())?.[1],
    feed: await (await app.request('/feeds/daily.atom')).text(),
  });
  const before = await surfaces();
  assert.match(before.page, /cheap pills/);
  assert.match(before.user, /cheap pills/);
  assert.deepEqual([before.api.numComments, before.daily[0].numComments, before.card], [2, 2, '2']);
  assert.equal((await mod.post(`/moderation/comments/${id}/hide`, { reason: 'spam' })).status, 303);
  const after = await surfaces();
  for (const [name, html] of [['paper page', after.page], ['user page', after.user]] as const) {
    assert.doesNotMatch(html, /cheap pills/, name);
    assert.match(html, /a fair point about zebrafish/, name);
  }
  assert.deepEqual([after.api.numComments, after.daily[0].numComments, after.card], [1, 1, '1']);
  assert.doesNotMatch(after.feed, /cheap pills/, 'the feed');
  assert.match((await mod.get(`/papers/${SHOWN}`)).html, /cheap pills/);
});

test("moderation table: a banned user's comments and submissions leave every surface, counts included, and come back on unban", async (t) => {
  const app = await useApp(t, { now: `${DAY}T12:00:00Z` });
  const SPAM = '2506.00009';
  await seedPapers(app, [
    { id: SHOWN, title: 'Zebrafish shown paper', publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
    { id: SPAM, title: 'Zebrafish spam submission', publishedAt: '2025-06-03T00:00:00.000Z' },
  ]);
  const { browser: mod } = await signedIn(app, 'mod', 'moderator');
  const { browser: troll, id: trollId } = await signedIn(app, 'troll');
  const { browser: alice } = await signedIn(app, 'alice');
  await addActiveSubscriber(app, 'reader@example.org');
  // troll features a paper (a user submission on today's list) and comments twice; alice once.
  await app.ctx.store.db.insertInto('daily_entries').values({ paper_id: SPAM, date: DAY, submitted_by: trollId, submitter_name: null, submitted_at: `${DAY}T09:00:00.000Z`, source: 'user', rank: null }).execute();
  await app.ctx.events.emit({ kind: 'data', what: 'test' });
  for (const body of ['buy cheap pills', 'more cheap pills']) assert.equal((await troll.post('/comments', { paper: SHOWN, body })).status, 303);
  assert.equal((await alice.post('/comments', { paper: SHOWN, body: 'a fair point about zebrafish' })).status, 303);

  // Where a submission shows: the lists of featured papers (and who submitted it).
  const SUBMISSION_SURFACES = ['/', `/papers/date/${DAY}`, `/api/daily_papers?date=${DAY}`, '/api/daily_papers', '/feeds/daily.atom', '/feeds/daily.rss', '/feeds/daily.json', '/u/troll'];
  // Where the submitter's name shows beside the paper, which itself stays (an arXiv paper like any other).
  const SUBMITTER_SURFACES = [`/papers/${SPAM}`, `/api/papers/${SPAM}`, '/api/papers', '/search?q=zebrafish', '/api/papers/search?q=zebrafish', '/papers/trending?window=day', '/api/trending?window=day', '/authors/Ada%20Lovelace', 'digest'];
  // Where a comment or its count shows.
  const COMMENT_SURFACES = [`/papers/${SHOWN}`, '/u/troll'];
  const counts = async () => ({
    api: ((await (await app.request(`/api/papers/${SHOWN}`)).json()) as { numComments: number }).numComments,
    daily: ((await (await app.request(`/api/daily_papers?date=${DAY}`)).json()) as { paper: { id: string }; numComments: number }[]).find((x) => x.paper.id === SHOWN)!.numComments,
    card: /(\d+) comments?</.exec((await (await app.request(`/papers/date/${DAY}`)).text()).split(`t-${SHOWN}`).slice(1).join(''))?.[1],
    search: ((await (await app.request('/api/papers/search?q=zebrafish')).json()) as { paper: { id: string; numComments: number } }[]).find((x) => x.paper.id === SHOWN)?.paper.numComments,
  });

  for (const s of SUBMISSION_SURFACES) assert.match((await read(app, s)).body, /2506\.00009/, `${s} lists troll's submission before the ban`);
  for (const s of COMMENT_SURFACES) assert.match((await read(app, s)).body, /cheap pills/, `${s} shows troll's comment before the ban`);
  assert.match((await read(app, `/papers/${SPAM}`)).body, /troll/);
  assert.deepEqual(await counts(), { api: 3, daily: 3, card: '3', search: 3 });

  assert.equal((await mod.post('/moderation/users/ban', { name: 'troll', reason: 'spam' })).status, 303);
  for (const s of SUBMISSION_SURFACES) {
    const { status, body } = await read(app, s);
    assert.equal(status, 200, s);
    assert.doesNotMatch(body, /2506\.00009|spam submission/, `${s} still lists the banned user's submission`);
  }
  for (const s of SUBMITTER_SURFACES) assert.doesNotMatch((await read(app, s)).body, /troll/, `${s} still names the banned submitter`);
  for (const s of COMMENT_SURFACES) assert.doesNotMatch((await read(app, s)).body, /cheap pills/, `${s} still shows the banned user's comment`);
  assert.match((await read(app, `/papers/${SHOWN}`)).body, /a fair point about zebrafish/, "others' comments stay");
  assert.match((await read(app, `/papers/date/${DAY}`)).body, /2506\.00001/, 'the other featured paper stays');
  assert.deepEqual(await counts(), { api: 1, daily: 1, card: '1', search: 1 }, 'the counts drop the banned user’s comments');
  assert.match((await mod.get(`/papers/${SHOWN}`)).html, /cheap pills/, 'a moderator still sees them');
  assert.equal((await mod.post(`/moderation/comments/${await firstCommentId(app, trollId)}/show`)).status, 409, 'shown one by one while banned: refused');

  // Unbanned: everything comes back, counts included.
  assert.equal((await mod.post('/moderation/users/unban', { name: 'troll' })).status, 303);
  for (const s of SUBMISSION_SURFACES) assert.match((await read(app, s)).body, /2506\.00009/, `${s} lists the submission again`);
  for (const s of COMMENT_SURFACES) assert.match((await read(app, s)).body, /cheap pills/, `${s} shows the comment again`);
  assert.deepEqual(await counts(), { api: 3, daily: 3, card: '3', search: 3 });
});

async function firstCommentId(app: TestApp, userId: number): Promise<number> {
  return Number((await app.ctx.store.db.selectFrom('comments').select('id').where('user_id', '=', userId).orderBy('id').executeTakeFirstOrThrow()).id);
}
