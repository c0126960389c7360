/**
 * Follows over HTTP: follow an author, a category and a search from the paper and search pages
 * (plain forms), the Following page lists the newest matching papers with why, hidden papers
 * and other users' follows stay out, bad input is a readable 400.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApp, useApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { papersChanged } from '../../src/app.js';
import { following, setFollow } from '../../src/follows/follows.service.js';

const main = (html: string) => html.replace(/^[\s\S]*<main[^>]*>|<\/main>[\s\S]*$/g, '');

async function seed(app: TestApp) {
  const now = app.clock.now().toISOString();
  const papers = [
    { id: '2506.00001', title: 'Parsing sentences with graphs', authors: ['Grace Hopper'], categories: ['cs.CL'], publishedAt: '2025-06-01T00:00:00.000Z' },
    { id: '2506.00002', title: 'Quantum widgets', authors: ['Émilie du Châtelet', 'Grace Hopper'], categories: ['quant-ph'], publishedAt: '2025-06-03T00:00:00.000Z' },
    { id: '2506.00003', title: 'Translating with transformers', authors: ['Alan Turing'], categories: ['cs.CL', 'cs.LG'], publishedAt: '2025-06-04T00:00:00.000Z' },
    { id: '2506.00004', title: 'Holomorphic widgets on curves', authors: ['Sophie Germain'], categories: ['math.AG'], publishedAt: '2025-06-02T00:00:00.000Z' },
    { id: '2506.00005', title: 'Hidden graph result', authors: ['Grace Hopper'], categories: ['cs.CL'], publishedAt: '2025-06-05T00:00:00.000Z' },
  ];
  await upsertPapers(app.ctx.store.db, papers.map((p) => ({ ...p, abstract: `About ${p.title}.`, version: 1 })), { now });
  await app.ctx.store.db.updateTable('papers').set({ hidden: 1 }).where('id', '=', '2506.00005').execute();
  await papersChanged(app.ctx, papers.map((p) => p.id));
}

test('follow a category and an author from the paper page, a search from the search page; Following says why, newest first', async (t) => {
  const app = await useApp(t, { now: '2025-06-06T12:00:00Z' });
  await seed(app);
  const { browser: a } = await signedIn(app, 'alice');
  const paper = await a.get('/papers/2506.00002');
  assert.match(paper.html, /<form method="post" action="\/follow" class="follow-form">[\s\S]*?name="value" value="Émilie du Châtelet"/);
  let r = await a.post('/follow', { kind: 'author', value: 'Emilie du Chatelet', want: 'on', back: '/papers/2506.00002' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/papers/2506.00002');
  assert.match((await a.get('/papers/2506.00002')).html, /✓ Following Émilie du Châtelet/, 'accents folded: the same author');
  r = await a.post('/follow', { kind: 'category', value: 'cs.CL', want: 'on', back: '/papers/2506.00001' });
  assert.equal(r.status, 303);
  // The search page offers the category of a cat: query, and the search itself.
  const s = await a.get('/search?q=widgets');
  assert.match(s.html, /\+ Follow this search/);
  const filtered = await a.get('/search?q=widgets&cat=math.AG&code=1');
  assert.match(filtered.html, /name="value" value="widgets cat:math\.AG has:code"/, 'the filters of the form are part of the saved search');
  const sc = await a.get('/search?q=cat%3Acs.CL');
  assert.match(sc.html, /✓ Following cs\.CL/);
  const sa = await a.get(`/search?q=${encodeURIComponent('author:"Sophie Germain"')}`);
  assert.match(sa.html, /\+ Follow author Sophie Germain/);
  assert.equal((await a.post('/follow', { kind: 'query', value: 'widgets', want: 'on', back: '/search?q=widgets' })).status, 303);
  const f = await a.get('/following');
  assert.equal(f.status, 200);
  const html = main(f.html);
  const order = ['2506.00003', '2506.00002', '2506.00004', '2506.00001'].map((id) => html.indexOf(`arXiv:${id}`));
  assert.ok(order.every((i) => i > 0), `every followed paper is listed: ${order}`);
  assert.deepEqual([...order].sort((x, y) => x - y), order, 'newest first');
  assert.match(html, /you follow cat:cs\.CL<\/p>/);
  assert.match(html, /you follow author:&quot;Emilie du Chatelet&quot; · you follow the search “widgets”/, 'every reason a paper is there');
  assert.doesNotMatch(html, /2506\.00005/, 'a hidden paper is not listed');
  // Unfollow from the Following page.
  assert.equal((await a.post('/follow', { kind: 'category', value: 'cs.CL', want: 'off', back: '/following' })).status, 303);
  const after = main((await a.get('/following')).html);
  assert.doesNotMatch(after, /arXiv:2506\.00001/);
  assert.match(after, /arXiv:2506\.00002/);
  // Bob follows nothing of alice's.
  const { browser: b } = await signedIn(app, 'bob');
  const fb = main((await b.get('/following')).html);
  assert.match(fb, /Nothing yet/);
  assert.doesNotMatch(fb, /arXiv:/);
});

test('follow refusals: signed out → login, bad query or category → 400 with the reason, forged CSRF → 403', async (t) => {
  const app = await useApp(t, { now: '2025-06-06T12:00:00Z' });
  await seed(app);
  const anon = new FormClient(app);
  const page = await anon.get('/papers/2506.00001');
  assert.match(page.html, /class="follow-link" href="\/login\?next=%2Fpapers%2F2506\.00001"/);
  const r0 = await anon.post('/follow', { kind: 'category', value: 'cs.CL', back: '/papers/2506.00001' });
  assert.equal(r0.status, 303);
  assert.match(r0.location!, /^\/login\?next=/);
  assert.match((await anon.request('/following')).headers.get('location')!, /^\/login\?next=/);
  const { browser: a } = await signedIn(app, 'alice');
  const bad = await a.post('/follow', { kind: 'query', value: 'year:abc' });
  assert.equal(bad.status, 400);
  assert.match(bad.html, /&quot;year:abc&quot; is not a year/);
  const badCat = await a.post('/follow', { kind: 'category', value: '<script>' });
  assert.equal(badCat.status, 400);
  assert.doesNotMatch(badCat.html, /<script>/);
  assert.equal((await a.post('/follow', { kind: 'planet', value: 'x' })).status, 400);
  assert.equal((await a.post('/follow', { kind: 'category', value: 'cs.CL', _csrf: 'forged-token-forged-token-forged' })).status, 403);
  assert.match(main((await a.get('/following')).html), /Nothing yet/);
});

test('an author page has a Follow button; following from it lists the author\'s papers on Following, and the page then says so', async (t) => {
  const app = await useApp(t, { now: '2025-06-06T12:00:00Z' });
  await seed(app);
  const anon = await app.request('/authors/Alan%20Turing');
  assert.equal(anon.status, 200);
  assert.match(await anon.text(), /\+ Follow Alan Turing/, 'visitors see the button too (it leads to the login)');
  const { browser: a } = await signedIn(app, 'alice');
  const page = await a.get('/authors/Alan%20Turing');
  assert.match(page.html, /<form method="post" action="\/follow" class="follow-form">[\s\S]*?name="value" value="Alan Turing"[\s\S]*?name="back" value="\/authors\/Alan%20Turing"/);
  const r = await a.post('/follow', { kind: 'author', value: 'Alan Turing', want: 'on', back: '/authors/Alan%20Turing' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/authors/Alan%20Turing');
  assert.match((await a.get('/authors/Alan%20Turing')).html, /✓ Following Alan Turing/);
  const f = main((await a.get('/following')).html);
  assert.match(f, /arXiv:2506\.00003/);
  assert.doesNotMatch(f, /arXiv:2506\.00004/, 'only the followed author');
});

test('a saved search lists its papers while the search index is not ready (plain-SQL fallback), the same as with it', async (t) => {
  const app = await useApp(t, { now: '2025-06-06T12:00:00Z' });
  await seed(app);
  const { id } = await signedIn(app, 'carol');
  const user = { id, name: 'carol', role: 'user' as const };
  await setFollow(app.ctx, user, 'query', 'widgets', true);
  const withIndex = await following(app.ctx, user);
  // The service as it is while its index is built: not ready, and a query answers with its note.
  const building = { ready: { value: false }, search: { value: async () => ({ hits: [], total: 0, totalExact: true, page: 1, limit: 10, error: 'The search index is being built.', tookMs: 0 }) } };
  const notReady = { ...app.ctx, search: Object.create(app.ctx.search!, building) };
  const withoutIndex = await following(notReady, user);
  const ids = (r: typeof withIndex) => r.items.map((i) => i.paper.id);
  assert.deepEqual(ids(withIndex), ['2506.00002', '2506.00004']);
  assert.deepEqual(ids(withoutIndex), ids(withIndex));
  assert.ok(withoutIndex.items.every((i) => i.reasons.includes('the search “widgets”')));
});
