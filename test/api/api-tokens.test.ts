/**
 * Personal API tokens end to end: created on /settings/tokens (shown once, stored as sha256),
 * used as `Authorization: Bearer` on the API, revoked, and never replaced by a session cookie
 * for API writes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { testApp, writeJsonl, type TestApp } from '../support/app.js';
import { ApiItem } from '../../src/web/api/schemas.js';
import { signedIn } from '../support/form-client.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';

const DAY = '2025-06-04';
let app: TestApp;

before(async () => {
  app = await testApp({ now: `${DAY}T12:00:00Z` });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: DAY, onChanged: (ids) => papersChanged(app.ctx, ids) });
});
after(async () => app?.close());

async function createToken(b: Awaited<ReturnType<typeof signedIn>>['browser'], name: string): Promise<string> {
  await b.get('/settings/tokens');
  const r = await b.post('/settings/tokens', { name });
  assert.equal(r.status, 201, r.html.slice(0, 300));
  const m = /id="new-token"[^>]*value="(pt_[A-Za-z0-9_-]+)"|value="(pt_[A-Za-z0-9_-]+)"[^>]*id="new-token"/.exec(r.html);
  assert.ok(m, 'the new token is shown');
  return (m[1] ?? m[2])!;
}

test('signed out, the settings page sends you to log in', async () => {
  const res = await app.request('/settings/tokens', { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location') ?? '', /^\/login\?next=/);
});

test('a token is shown once, stored hashed, works as Bearer, and stops working when revoked', async () => {
  const { browser: b, id } = await signedIn(app, 'tokenuser');
  const token = await createToken(b, 'my script');
  assert.match(token, /^pt_[A-Za-z0-9_-]{43}$/);

  // Stored as sha256 only; the page afterwards shows the prefix, never the token again.
  const rows = await app.ctx.store.db.selectFrom('api_tokens').selectAll().where('user_id', '=', id).execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].token_hash, crypto.createHash('sha256').update(token).digest('hex'));
  assert.ok(!JSON.stringify(rows).includes(token.slice(3)), 'the token itself is not stored');
  const again = await b.get('/settings/tokens');
  assert.ok(!again.html.includes(token), 'not shown again');
  assert.ok(again.html.includes(token.slice(0, 10)), 'the prefix identifies it');
  assert.ok(again.html.includes('my script'));

  // Works on the API; per-user rate limit; last use recorded.
  const res = await app.request('/api/daily_papers', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('ratelimit-limit'));
  const used = await app.ctx.store.db.selectFrom('api_tokens').select('last_used_at').where('user_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(used.last_used_at, app.clock.now().toISOString());

  // Revoke from the page: the token no longer works anywhere.
  const tokenId = rows[0].id;
  const r = await b.post(`/settings/tokens/${tokenId}/revoke`);
  assert.equal(r.status, 303);
  const after = await app.request('/api/daily_papers', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401);
  assert.match(after.headers.get('www-authenticate') ?? '', /invalid_token/);
  assert.match((await after.json()).error, /unknown or revoked/);
  assert.match((await b.get('/settings/tokens')).html, /Revoked/);
});

test("one user cannot revoke another's token; bad names are refused", async () => {
  const alice = await signedIn(app, 'alice7');
  const mallory = await signedIn(app, 'mallory7');
  const token = await createToken(alice.browser, 'alice laptop');
  const row = await app.ctx.store.db.selectFrom('api_tokens').select('id').where('user_id', '=', alice.id).executeTakeFirstOrThrow();
  await mallory.browser.get('/settings/tokens');
  const r = await mallory.browser.post(`/settings/tokens/${row.id}/revoke`);
  assert.equal(r.status, 404);
  assert.equal((await app.request('/api/trending', { headers: { authorization: `Bearer ${token}` } })).status, 200);

  await alice.browser.get('/settings/tokens');
  const empty = await alice.browser.post('/settings/tokens', { name: '   ' });
  assert.equal(empty.status, 400);
  assert.match(empty.html, /Give the token a name/);
  const long = await alice.browser.post('/settings/tokens', { name: 'x'.repeat(61) });
  assert.equal(long.status, 400);
});

test('a banned user’s token stops working', async () => {
  const { browser, id } = await signedIn(app, 'banned7');
  const token = await createToken(browser, 'bot');
  await app.ctx.store.db.updateTable('users').set({ banned_at: app.clock.now().toISOString() }).where('id', '=', id).execute();
  assert.equal((await app.request('/api/trending', { headers: { authorization: `Bearer ${token}` } })).status, 401);
});

test('API writes need the token: a session cookie with a valid CSRF token is not enough', async () => {
  const { browser } = await signedIn(app, 'cookieonly');
  const res = await browser.request('/api/papers/2402.00281/upvote', { method: 'POST', headers: { 'x-csrf-token': browser.csrf } });
  assert.equal(res.status, 401);
  assert.match((await res.json()).error, /personal API token/);
});

test('upvote with a token toggles the vote and the count; unknown papers are 404, bad ids 400', async () => {
  const { browser } = await signedIn(app, 'voter7');
  const token = await createToken(browser, 'voting bot');
  const auth = { authorization: `Bearer ${token}` };
  const before = (await (await app.request('/api/papers/2402.00281')).json()).upvotes;
  const up = await app.request('/api/papers/2402.00281/upvote', { method: 'POST', headers: auth });
  assert.equal(up.status, 200);
  assert.deepEqual(await up.json(), { id: '2402.00281', upvoted: true, upvotes: before + 1 });
  assert.equal((await (await app.request('/api/papers/2402.00281')).json()).upvotes, before + 1);
  const down = await app.request('/api/papers/2402.00281/upvote', { method: 'POST', headers: auth });
  assert.deepEqual(await down.json(), { id: '2402.00281', upvoted: false, upvotes: before });
  const unknown = await app.request('/api/papers/2401.99999/upvote', { method: 'POST', headers: auth });
  assert.equal(unknown.status, 404);
  assert.ok((await unknown.json()).error);
  assert.equal((await app.request('/api/papers/nonsense/upvote', { method: 'POST', headers: auth })).status, 404);
  assert.equal((await app.request('/api/papers/2402.00281/unknown-action', { method: 'POST', headers: auth })).status, 404);
});

test('comment and submit bodies are validated before anything else', async () => {
  const { browser } = await signedIn(app, 'writer7');
  const token = await createToken(browser, 'writer');
  const auth = { authorization: `Bearer ${token}` };
  const post = (path: string, body: string, type = 'application/json') => app.request(path, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
  let r = await post('/api/papers/2402.00281/comments', '{"body": ""}');
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /body must not be empty/);
  r = await post('/api/papers/2402.00281/comments', JSON.stringify({ body: 'x'.repeat(10_001) }));
  assert.match((await r.json()).error, /at most 10000/);
  r = await post('/api/papers/2402.00281/comments', '{not json');
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /not valid JSON/);
  r = await post('/api/papers/2402.00281/comments', 'body=hi', 'application/x-www-form-urlencoded');
  assert.match((await r.json()).error, /Content-Type: application\/json/);
  r = await post('/api/papers/submit', '{}');
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /id is required/);
});

test('submit with a token features a recent paper today; a second submission is refused', async () => {
  const { browser } = await signedIn(app, 'submitter7');
  const token = await createToken(browser, 'submit bot');
  const file = writeJsonl(app.env.dataDir, 'recent.jsonl', [
    { arxiv_id: '2506.00042', title: 'A recent paper', abstract: 'Recent and not yet featured.', authors: ['Ada Lovelace'], published: '2025-06-02', primary_category: 'cs.LG', categories: ['cs.LG'], code_urls: [] },
  ]);
  await importFile(app.ctx.store.db, file, { now: () => app.clock.now() });
  const post = (id: string) => app.request('/api/papers/submit', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
  const r = await post('https://arxiv.org/abs/2506.00042v1');
  assert.equal(r.status, 201, await r.clone().text());
  const item = await r.json();
  ApiItem.parse(item);
  assert.equal(item.paper.id, '2506.00042');
  assert.equal(item.submittedBy.name, 'submitter7');
  const today = (await (await app.request(`/api/daily_papers?date=${DAY}&limit=100`)).json()) as any[];
  assert.ok(today.some((x) => x.paper.id === '2506.00042'));
  const again = await post('2506.00042');
  assert.ok(again.status >= 400 && again.status < 500, `status ${again.status}`);
  assert.ok((await again.json()).error);
});

test('a comment posted with a token appears on the paper page, sanitised', async () => {
  const { browser } = await signedIn(app, 'commenter7');
  const token = await createToken(browser, 'commenter');
  const r = await app.request('/api/papers/2402.00281/comments', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'Nice **result** <script>alert(1)</script>' }) });
  assert.ok(r.status === 200 || r.status === 201, String(r.status));
  const c = await r.json();
  assert.equal(c.paperId, '2402.00281');
  assert.equal(c.author.name, 'commenter7');
  const html = await (await app.request('/papers/2402.00281')).text();
  assert.match(html, /<strong>result<\/strong>/);
  assert.doesNotMatch(html, /<script>alert\(1\)/);
  const unknown = await app.request('/api/papers/2401.99999/comments', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"body": "hi"}' });
  assert.equal(unknown.status, 404);
});
