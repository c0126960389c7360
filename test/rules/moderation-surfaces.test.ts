/**
 * A hidden paper is gone from every surface a reader or a client can reach (page, daily list, API,
 * feeds in three formats, search) and cannot be submitted; the visible paper beside it stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.js';
import { signedIn } from '../accounts/browser.js';
import { seedPapers } from '../accounts/seed.js';

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
];

test('moderation table: a hidden paper is absent from every listing surface and cannot be submitted', async () => {
  const app = await testApp({ now: `${DAY}T12:00:00Z` });
  try {
    await seedPapers(app, [
      { id: SHOWN, title: 'Zebrafish shown paper', publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
      { id: HIDDEN, title: 'Zebrafish hidden paper', publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
      { id: '2506.00003', title: 'Zebrafish never featured', publishedAt: '2025-06-03T00:00:00.000Z' },
    ]);
    const { browser: mod } = await signedIn(app, 'mod', 'moderator');
    const { browser: alice } = await signedIn(app, 'alice');
    // Votes so both are on trending before one is hidden.
    for (const id of [SHOWN, HIDDEN]) assert.equal((await alice.post('/vote', { paper: id, want: 'on' })).status, 303);
    for (const path of SURFACES) {
      const body = await (await app.request(path)).text();
      assert.match(body, /2506\.00001/, `${path} lists the visible paper`);
    }
    assert.match(await (await app.request(`/papers/date/${DAY}`)).text(), />\s*2 papers,/);
    assert.equal((await mod.post('/moderation/papers/hide', { paper: HIDDEN, reason: 'spam' })).status, 303);
    for (const path of SURFACES) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      const body = await res.text();
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
  } finally {
    await app.close();
  }
});

test('moderation table: a hidden comment is gone from the paper page, the author’s page and the comment counts; a moderator still sees it', async () => {
  const app = await testApp({ now: `${DAY}T12:00:00Z` });
  try {
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
    });
    const before = await surfaces();
    assert.match(before.page, /cheap pills/);
    assert.match(before.user, /cheap pills/);
    assert.deepEqual([before.api.numComments, before.daily[0].numComments], [2, 2]);
    assert.equal((await mod.post(`/moderation/comments/${id}/hide`, { reason: 'spam' })).status, 303);
    const after = await surfaces();
    for (const [name, html] of [['paper page', after.page], ['user page', after.user]] as const) {
      assert.doesNotMatch(html, /cheap pills/, name);
      assert.match(html, /a fair point about zebrafish/, name);
    }
    assert.deepEqual([after.api.numComments, after.daily[0].numComments], [1, 1]);
    assert.match((await mod.get(`/papers/${SHOWN}`)).html, /cheap pills/);
  } finally {
    await app.close();
  }
});
