/**
 * For you over HTTP (in-process, real store and search index): the anonymous page, the
 * no-signal page pointing to onboarding, recommendations with their one-line explanations and
 * window tabs, "Not interested" by form (redirect back, with undo) and by fetch (JSON), the
 * reaction to a save or a dismissal on the next load, private caching, and refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { papersChanged } from '../../src/app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import type { PaperInput } from '../../src/domain/paper.js';

const NOW = '2025-06-20T12:00:00.000Z';
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();
const GRAPH = 'Graph neural networks predict molecular properties: message passing over atoms and bonds of molecules.';
const SPEECH = 'Speech recognition with acoustic models: audio spectrograms, phonemes and transcription of spoken words.';
const p = (id: string, title: string, abstract: string, publishedAt: string, over: Partial<PaperInput> = {}): PaperInput => ({ id, title, abstract, authors: ['Ada Lovelace'], categories: ['cs.LG'], publishedAt, version: 1, ...over });

const LIB1 = '2501.00001';
const LIB2 = '2501.00002';
const G1 = '2506.00101';
const G2 = '2506.00102';
const S1 = '2506.00103';

async function seeded(): Promise<TestApp> {
  const app = await testApp({ now: NOW });
  const papers = [
    p(LIB1, 'Message passing networks for molecules & <atoms>', GRAPH, '2025-01-10T00:00:00.000Z'),
    p(LIB2, 'Equivariant graph networks for molecular graphs', GRAPH, '2025-01-11T00:00:00.000Z'),
    p(G1, 'Graph neural networks for drug molecules', GRAPH, daysAgo(2)),
    p(G2, 'Molecular property prediction with message passing', GRAPH, daysAgo(3)),
    p(S1, 'End-to-end speech recognition', SPEECH, daysAgo(2), { categories: ['cs.CL'] }),
  ];
  await upsertPapers(app.ctx.store.db, papers, { now: NOW });
  await papersChanged(app.ctx, papers.map((x) => x.id));
  return app;
}

/** The ids of the cards on the For you list, in order. */
const listed = (html: string) => [...(/<ol class="paper-list for-you-list">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '').matchAll(/<li data-paper="([^"]+)"/g)].map((m) => m[1]);

test('anonymous: a page with login and sign-up links, no For you in the header; signed in without signal: onboarding', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const anon = new FormClient(app);
  const r = await anon.get('/for-you');
  assert.equal(r.status, 200);
  assert.match(r.html, /href="\/login\?next=%2Ffor-you"/);
  assert.match(r.html, /href="\/signup"/);
  assert.doesNotMatch(r.html, /<a href="\/for-you">For you<\/a>/);
  const { browser: b } = await signedIn(app, 'alice');
  const page = await b.get('/for-you');
  assert.equal(page.status, 200);
  assert.match(page.html, /<a href="\/for-you">For you<\/a>/, 'the header links it for signed-in users');
  assert.match(page.html, /Tell Papertide what you read/);
  assert.match(page.html, /href="\/for-you\/start"/);
  assert.match(page.html, /href="\/library#import-h"/);
  assert.equal(listed(page.html).length, 0);
});

test('saved papers bring related recent ones, explained; a save or a dismissal shows on the next load; private, no-store', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const { browser: b } = await signedIn(app, 'alice');
  await b.post('/library/save', { paper: LIB1, want: 'on' });
  app.clock.advance(1000);
  await b.post('/library/save', { paper: LIB2, want: 'on' });
  const page = await b.get('/for-you');
  assert.equal(page.res.headers.get('cache-control'), 'private, no-store');
  const ids = listed(page.html);
  assert.deepEqual(ids.slice(0, 2).sort(), [G1, G2], 'the graph papers of the week first');
  assert.ok(!ids.includes(LIB1) && !ids.includes(LIB2), 'saved papers are not listed');
  assert.match(page.html, /like <a href="\/papers\/2501\.0000[12]"><em>(Message passing networks for molecules &amp; &lt;atoms&gt;|Equivariant graph networks for molecular graphs)<\/em><\/a> in your library/, 'the explanation, escaped');
  assert.match(page.html, /<a href="\/for-you\?window=week" aria-current="page">Past week<\/a>/);
  assert.match(page.html, /<form method="post" action="\/for-you\/dismiss" class="dismiss-form" data-dismiss="2506\.00101">/);
  // The day window holds no paper: the newest papers instead, and the page says so.
  const day = await b.get('/for-you?window=day');
  assert.match(day.html, /No papers were published in the past day: these are picked from the newest papers here instead\./);
  assert.deepEqual(listed(day.html).slice(0, 2).sort(), [G1, G2]);
  assert.doesNotMatch(page.html, /No papers were published/);
  assert.equal(listed((await b.get('/for-you?window=month')).html).length, 3);
  assert.match((await b.get('/for-you?window=bogus')).html, /aria-current="page">Past week/);
  // A save: gone on the next load.
  await b.post('/library/save', { paper: ids[0], want: 'on' });
  assert.ok(!listed((await b.get('/for-you')).html).includes(ids[0]));
});

test('Not interested by form: redirect back with an undo; gone on the next load; listed for undo; undo brings it back', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const { browser: b } = await signedIn(app, 'alice');
  await b.post('/library/save', { paper: LIB1, want: 'on' });
  const before = listed((await b.get('/for-you?window=month')).html);
  const target = before[0];
  const r = await b.post('/for-you/dismiss', { paper: target, back: '/for-you?window=month' });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/for-you?window=month&dismissed=${target}`);
  const after = await b.get(r.location!);
  assert.ok(!listed(after.html).includes(target), 'the dismissed paper is gone');
  assert.deepEqual(listed(after.html), before.filter((id) => id !== target));
  assert.match(after.html, /Not interested in <em>[^<]+<\/em>: hidden from For you\./);
  assert.match(after.html, new RegExp(`<form method="post" action="/for-you/undismiss" class="dismiss-form" data-undismiss="${target.replace('.', '\\.')}">`));
  assert.match(after.html, /<h2 id="dismissed-h">Not interested<\/h2>/);
  const u = await b.post('/for-you/undismiss', { paper: target, back: `/for-you?window=month&dismissed=${target}` });
  assert.equal(u.status, 303);
  assert.equal(u.location, `/for-you?window=month&restored=${target}`);
  const back = await b.get(u.location!);
  assert.deepEqual(listed(back.html), before);
  assert.match(back.html, /is back on For you/);
  assert.doesNotMatch(back.html, /id="dismissed-h"/);
  // A "back" elsewhere is not followed.
  assert.equal((await b.post('/for-you/dismiss', { paper: target, back: 'https://evil.example/' })).location, `/for-you?dismissed=${target}`);
});

test('Not interested by fetch (JSON), the static script and its nonce', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const { browser: b } = await signedIn(app, 'alice');
  await b.post('/library/save', { paper: LIB1, want: 'on' });
  const page = await b.get('/for-you');
  const nonce = /<script src="\/static\/for-you\.js" defer="" nonce="([^"]+)"/.exec(page.html)?.[1];
  assert.ok(nonce, 'the page loads /static/for-you.js under its nonce');
  assert.ok(page.res.headers.get('content-security-policy')!.includes(`'nonce-${nonce}'`));
  const js = await app.request('/static/for-you.js');
  assert.equal(js.status, 200);
  assert.match(await js.text(), /\/for-you\/undismiss/);
  const res = await b.request('/for-you/dismiss', { method: 'POST', body: new URLSearchParams({ paper: G1 }), headers: { accept: 'application/json', 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { paperId: G1, dismissed: true });
  assert.ok(!listed((await b.get('/for-you')).html).includes(G1));
  const un = await b.request('/for-you/undismiss', { method: 'POST', body: new URLSearchParams({ paper: G1 }), headers: { accept: 'application/json', 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.deepEqual(await un.json(), { paperId: G1, dismissed: false });
  const unknown = await b.request('/for-you/dismiss', { method: 'POST', body: new URLSearchParams({ paper: '2506.99999' }), headers: { accept: 'application/json', 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(unknown.status, 404);
  assert.match((await unknown.json()).error, /no paper arXiv:2506\.99999/);
});

test('dismissal refusals: anonymous → login (JSON 401), forged CSRF → 403, unknown paper → 404, bad id → 400', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const anon = new FormClient(app);
  await anon.get('/for-you');
  const r1 = await anon.post('/for-you/dismiss', { paper: G1 });
  assert.equal(r1.status, 303);
  assert.equal(r1.location, '/login?next=%2Ffor-you');
  const r1j = await anon.request('/for-you/dismiss', { method: 'POST', body: new URLSearchParams({ paper: G1, _csrf: anon.csrf }), headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r1j.status, 401);
  const { browser: b } = await signedIn(app, 'alice');
  assert.equal((await b.post('/for-you/dismiss', { paper: G1, _csrf: 'forged-token-forged-token-forged' })).status, 403);
  const unknown = await b.post('/for-you/dismiss', { paper: '2506.99999' });
  assert.equal(unknown.status, 404);
  assert.match(unknown.html, /There is no paper arXiv:2506\.99999 here/);
  assert.equal((await b.post('/for-you/undismiss', { paper: '2506.99999' })).status, 404);
  assert.equal((await b.post('/for-you/dismiss', { paper: 'nope' })).status, 400);
  assert.equal((await b.post('/for-you/dismiss', {})).status, 400);
  const count = await app.ctx.store.db.selectFrom('rec_dismissals').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 0, 'nothing was dismissed');
});

test('onboarding: categories of the store most common first, authors, papers by search or id → follows and saves; problems per item', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const anon = new FormClient(app);
  assert.equal((await anon.get('/for-you/start')).res.headers.get('location'), '/login?next=%2Ffor-you%2Fstart');
  const { browser: b } = await signedIn(app, 'alice');
  const start = await b.get('/for-you/start');
  assert.equal(start.status, 200);
  const cats = [...start.html.matchAll(/name="categories" value="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(cats, ['cs.LG', 'cs.CL'], 'the store’s categories, most papers first');
  assert.match(start.html, /cs\.LG <span class="muted small">4 papers<\/span>/);
  assert.match(start.html, /href="\/library#import-h"/, 'the BibTeX import is linked');
  // The search box is its own GET form; results are checkboxes of the saving form.
  const found = await b.get('/for-you/start?q=molecules');
  assert.match(found.html, /<input id="onb-q" type="search" name="q" form="find" value="molecules"/);
  const hits = [...found.html.matchAll(/name="papers" value="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(hits.includes(LIB1) && hits.includes(G1), `search results: ${hits}`);
  assert.match(found.html, /Message passing networks for molecules &amp; &lt;atoms&gt;/, 'titles escaped');
  // A forged token is refused; too many picks at once is a 400 that says the limit.
  assert.equal((await b.post('/for-you/start', { categories: 'cs.LG', _csrf: 'forged-token-forged-token-forged' })).status, 403);
  const many = new URLSearchParams({ _csrf: b.csrf });
  for (let i = 0; i < 61; i++) many.append('categories', `cs.X${i}`);
  const tooMany = await b.request('/for-you/start', { method: 'POST', body: many, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(tooMany.status, 400);
  assert.match(await tooMany.text(), /Pick at most 60 categories at once\./);
  assert.equal((await b.get('/following')).html.includes('cat:cs.LG'), false, 'nothing was followed');
  // Nothing picked: said so, nothing done.
  const empty = await b.post('/for-you/start', { authors: ' ' });
  assert.equal(empty.status, 400);
  assert.match(empty.html, /Nothing was picked/);
  // Two categories, an author, two papers (a checkbox and a pasted URL), and three bad picks.
  const body = new URLSearchParams({ _csrf: b.csrf });
  body.append('categories', 'cs.CL');
  body.append('categories', 'cs.LG');
  body.append('categories', 'not a category');
  body.append('authors', 'Grace Hopper\n');
  body.append('papers', LIB1);
  body.append('papers', `https://arxiv.org/abs/${LIB2}v2\n2509.99999 hello`);
  const r = await b.request('/for-you/start', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const html = await r.text();
  assert.equal(r.status, 200);
  assert.match(html, /Everything else was saved, but not these:/);
  assert.match(html, /<li>not a category: “not a category” is not an arXiv category/);
  assert.match(html, /<li>arXiv:2509\.99999: not here yet; your library’s import fetches it from arXiv\.<\/li>/);
  assert.match(html, /<li>“hello” is not an arXiv id or URL\.<\/li>/);
  assert.match(html, /You follow 3 things already/);
  const following = await b.get('/following');
  assert.match(following.html, /cat:cs\.CL/);
  assert.match(following.html, /author:&quot;Grace Hopper&quot;|author:"Grace Hopper"/);
  assert.match((await b.get('/library')).html, /2 saved papers/);
  // Followed categories are shown checked; For you now has something to rank.
  assert.doesNotMatch((await b.get('/for-you/start')).html, /name="categories" value="cs\.CL"/);
  const fy = await b.get('/for-you');
  assert.doesNotMatch(fy.html, /Tell Papertide what you read/);
  assert.ok(listed(fy.html).includes(S1));
  assert.match(fy.html, /you follow author:&quot;Grace Hopper&quot;|you follow cat:cs\.CL/);
  // "Save and see For you" goes there; "keep picking" comes back with the search.
  const go = await b.post('/for-you/start', { categories: 'cs.LG' });
  assert.equal(go.location, '/for-you');
  const stay = await b.post('/for-you/start', { papers: G1, then: 'stay', q: 'molecules' });
  assert.equal(stay.location, '/for-you/start?q=molecules');
});

test('without a ready search index: the papers matching a follow, newest first, and a note saying why', async (t) => {
  const app = await seeded();
  const search = app.ctx.search;
  t.after(async () => {
    app.ctx.search = search;
    await app.close();
  });
  const { browser: b } = await signedIn(app, 'alice');
  await b.post('/follow', { kind: 'category', value: 'cs.LG', back: '/for-you' });
  app.ctx.search = null; // as while the index is being built
  const page = await b.get('/for-you?window=month');
  assert.equal(page.status, 200);
  assert.match(page.html, /The search index is being built: until it is ready, this lists the papers matching what you follow, newest first\./);
  assert.deepEqual(listed(page.html), [G1, G2]);
  assert.match(page.html, /<span class="why-text">you follow cat:cs\.LG<\/span>/);
});
