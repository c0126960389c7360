/**
 * Private feed URLs (/settings/feeds, /feeds/private/{token}.*): made, shown once, read by a feed
 * reader without a cookie in RSS, Atom and JSON Feed; replaced or revoked URLs and forged ones
 * are 404 (never 401/403: no oracle); another user's private collection cannot get one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApp, useApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';

const P1 = '2506.00001';
const P2 = '2506.00002';

async function seeded(app: TestApp) {
  await seedPapers(app, [
    { id: P1, featuredAt: '2025-06-05T08:00:00.000Z', title: 'Feeds <b>&</b> secrets' },
    { id: P2, featuredAt: '2025-06-05T09:00:00.000Z', categories: ['math.AG'] },
  ]);
}

/** Make (or replace) a feed's URL on the settings page; the Atom URL shown once, as a path. */
async function makeUrl(b: FormClient, feed: string): Promise<string> {
  await b.get('/settings/feeds');
  const r = await b.post('/settings/feeds', { feed });
  assert.equal(r.status, 200, r.html.slice(0, 400));
  const m = /value="http:\/\/[^/"]+(\/feeds\/private\/pf_[A-Za-z0-9_-]{43}\.atom)"/.exec(r.html);
  assert.ok(m, 'the new URL is shown');
  return m[1];
}

test('Following has a private feed URL in three formats; replacing it or revoking it makes the old URL a 404', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  assert.match((await a.get('/following')).html, /href="\/settings\/feeds"/, '/following links to the feed settings');
  assert.match((await a.get('/library')).html, /href="\/settings\/feeds"/, '/library too');
  await a.post('/follow', { kind: 'category', value: 'math.AG', want: 'on' });
  const page = await a.get('/settings/feeds');
  assert.match(page.html, /<a href="\/following">Following<\/a><\/td><td><span class="muted">none<\/span>/);
  const url = await makeUrl(a, 'following');
  // A feed reader has no cookie: the token alone opens it.
  const atom = await app.request(url);
  assert.equal(atom.status, 200);
  assert.match(atom.headers.get('content-type')!, /application\/atom\+xml/);
  assert.equal(atom.headers.get('referrer-policy'), 'no-referrer');
  assert.match(atom.headers.get('cache-control')!, /^private/);
  const xml = await atom.text();
  assert.match(xml, new RegExp(`/papers/${P2}`));
  assert.doesNotMatch(xml, new RegExp(`/papers/${P1}`), 'only what alice follows');
  assert.match(xml, /You follow cat:math\.AG/);
  assert.match(xml, new RegExp(`<link rel="self" href="http://[^"]+${url.replace(/[.]/g, '\\.')}"`));
  const rss = await app.request(url.replace(/\.atom$/, '.rss'));
  assert.equal(rss.status, 200);
  assert.match(await rss.text(), /<rss version="2\.0"/);
  const json = await (await app.request(url.replace(/\.atom$/, '.json'))).json();
  assert.equal(json.version, 'https://jsonfeed.org/version/1.1');
  assert.deepEqual(json.items.map((i: { url: string }) => i.url.replace(/^.*\/papers\//, '')), [P2]);
  // The settings page lists the active URL by its first characters only.
  const listed = await a.get('/settings/feeds');
  assert.match(listed.html, /starts <code>\/feeds\/private\/pf_[A-Za-z0-9_-]{5}…<\/code>/);
  assert.doesNotMatch(listed.html, new RegExp(url.slice('/feeds/private/'.length, -'.atom'.length)), 'the token is shown once only');
  // Replace: the old URL is gone at once, the new one works.
  const url2 = await makeUrl(a, 'following');
  assert.notEqual(url2, url);
  for (const f of ['atom', 'rss', 'json']) assert.equal((await app.request(url.replace(/atom$/, f))).status, 404, `replaced ${f}`);
  assert.equal((await app.request(url2)).status, 200);
  // Revoke: 404, the same answer as a forged or malformed token.
  const id = /action="\/settings\/feeds\/(\d+)\/revoke"/.exec((await a.get('/settings/feeds')).html)![1];
  const rv = await a.post(`/settings/feeds/${id}/revoke`);
  assert.equal(rv.status, 200);
  assert.match(rv.html, /Revoked: that URL no longer works/);
  const revoked = await app.request(url2);
  assert.equal(revoked.status, 404);
  const forged = await app.request(`/feeds/private/pf_${'A'.repeat(43)}.atom`);
  assert.equal(forged.status, 404);
  assert.equal((await app.request('/feeds/private/pf_short.atom')).status, 404);
  assert.equal((await app.request('/feeds/private/nothing')).status, 404);
  const same = (s: string) => s.replace(/nonce="[^"]*"|name="_csrf" value="[^"]*"/g, '');
  assert.equal(same(await revoked.text()), same(await forged.text()), 'a revoked token and a forged one get the same answer');
  // Revoking twice, or someone else's, is a 404.
  assert.equal((await a.post(`/settings/feeds/${id}/revoke`)).status, 404);
});

test("a private collection's feed URL works for its owner's reader only; another user cannot make one, see it, or read it", async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  const { browser: b, id: bobId } = await signedIn(app, 'bob');
  await a.get('/library');
  const priv = (await a.post('/collections', { name: 'Secret plans' })).location!;
  const colId = priv.split('/').pop()!;
  await a.post(`${priv}/papers`, { paper: P1, want: 'on' });
  assert.match((await a.get(priv)).html, /href="\/settings\/feeds">private feed URL/);
  assert.match((await a.get('/settings/feeds')).html, /Collection “Secret plans” \(private\)/);
  const url = await makeUrl(a, `collection:${colId}`);
  const res = await app.request(url);
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.match(xml, /Secret plans/);
  assert.match(xml, /Feeds &amp;lt;b&amp;gt;&amp;amp;&amp;lt;\/b&amp;gt; secrets|Feeds &lt;b&gt;&amp;&lt;\/b&gt; secrets/, 'titles escaped');
  // Bob: not on his settings page, cannot make a URL for it (404, as for a collection that does not exist).
  assert.doesNotMatch((await b.get('/settings/feeds')).html, /Secret plans/);
  assert.equal((await b.post('/settings/feeds', { feed: `collection:${colId}` })).status, 404);
  assert.equal((await b.post('/settings/feeds', { feed: 'collection:999999' })).status, 404);
  assert.equal((await b.post('/settings/feeds', { feed: 'everything' })).status, 400);
  // Bob cannot revoke alice's URL either.
  const id = /action="\/settings\/feeds\/(\d+)\/revoke"/.exec((await a.get('/settings/feeds')).html)![1];
  assert.equal((await b.post(`/settings/feeds/${id}/revoke`)).status, 404);
  assert.equal((await app.request(url)).status, 200);
  // The public feed of the private collection stays a 404 for everyone.
  assert.equal((await app.request(`${priv}/feed.atom`)).status, 404);
  // Anonymous: the settings page asks to log in.
  const anon = await new FormClient(app).request('/settings/feeds');
  assert.equal(anon.status, 303);
  assert.match(anon.headers.get('location')!, /^\/login\?next=/);
  // A banned owner's feeds stop; a deleted collection's feed is a 404.
  await app.ctx.store.db.updateTable('users').set({ banned_at: '2025-06-05T12:00:00Z' }).where('name', '=', 'alice').execute();
  assert.equal((await app.request(url)).status, 404);
  await app.ctx.store.db.updateTable('users').set({ banned_at: null }).where('name', '=', 'alice').execute();
  assert.equal((await app.request(url)).status, 200);
  assert.equal((await a.post(`${priv}/delete`)).status, 303);
  assert.equal((await app.request(url)).status, 404);
  void bobId;
});

test('For you has a private feed URL: recommendations with their one-line reason, saved papers left out', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  await a.post('/follow', { kind: 'category', value: 'cs.LG', want: 'on' });
  await a.post('/follow', { kind: 'category', value: 'math.AG', want: 'on' });
  await a.post('/library/save', { paper: P1, want: 'on' });
  const url = await makeUrl(a, 'foryou');
  const json = await (await app.request(url.replace(/\.atom$/, '.json'))).json();
  assert.equal(json.title, 'Papertide · For you (alice)');
  const ids = json.items.map((i: { url: string }) => i.url.replace(/^.*\/papers\//, ''));
  assert.ok(ids.includes(P2), `For you lists ${P2}: ${JSON.stringify(ids)}`);
  assert.ok(!ids.includes(P1), 'a saved paper is not recommended');
  const item = json.items.find((i: { url: string }) => i.url.endsWith(P2));
  assert.match(item.content_html, /<p><em>you follow cat:math\.AG|<p><em>like /);
  assert.equal((await app.request(url)).status, 200);
  assert.equal((await app.request(`${url}?window=month`)).status, 200);
});

test('follow an author; after an import of a new paper by them, Following and its private feed list it (new ETag)', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  await a.post('/follow', { kind: 'author', value: 'Grace Hopper', want: 'on' });
  const url = await makeUrl(a, 'following');
  const before = await app.request(url);
  assert.equal(before.status, 200);
  const etag = before.headers.get('etag')!;
  assert.doesNotMatch(await before.text(), /Compilers for everyone/);
  assert.equal((await app.request(url, { headers: { 'if-none-match': etag } })).status, 304, 'unchanged: 304');
  const { upsertPapers } = await import('../../src/papers/papers.repository.js');
  await upsertPapers(app.ctx.store.db, [{ id: '2506.00777', title: 'Compilers for everyone', abstract: 'A new paper.', authors: ['GRACE Hopper'], categories: ['cs.PL'], publishedAt: '2025-06-05T10:00:00Z', version: 1 }], { now: app.clock.now().toISOString() });
  assert.match((await a.get('/following')).html, /Compilers for everyone[\s\S]*you follow author:&quot;Grace Hopper&quot;/);
  const after = await app.request(url, { headers: { 'if-none-match': etag } });
  assert.equal(after.status, 200, 'changed: a new body');
  const xml = await after.text();
  assert.match(xml, /Compilers for everyone/);
  assert.match(xml, /You follow author:&amp;quot;Grace Hopper&amp;quot;|You follow author:&quot;Grace Hopper&quot;/);
});
