/**
 * The library over HTTP (in-process, real store): save from cards and the paper page by form and
 * by fetch, notes, collections (private ones invisible to others on every surface), BibTeX/RIS
 * export, import with per-line problems and arXiv fetches, Copy BibTeX, hidden papers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { testApp, type TestApp, useApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { startReplayServer } from '../support/replay-server.js';
import { parseBibtex } from '../../src/domain/bibtex.js';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'arxiv');
const P1 = '2506.00001';
const P2 = '2506.00002';
const P3 = '2506.00003';

async function seeded(app: TestApp) {
  await seedPapers(app, [
    { id: P1, featuredAt: '2025-06-05T08:00:00.000Z', title: 'Costs 50% & more: $O(n^2)$ {braced} Ünïcode' },
    { id: P2, featuredAt: '2025-06-05T09:00:00.000Z' },
    { id: P3, featuredAt: '2025-06-05T10:00:00.000Z' },
  ]);
}

const hide = (app: TestApp, id: string) => app.ctx.store.db.updateTable('papers').set({ hidden: 1 }).where('id', '=', id).execute();

test('save by form (redirect back) and by fetch (JSON); cards and the paper page show the state; the library lists it', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: b } = await signedIn(app, 'alice');
  const home = await b.get('/');
  assert.match(home.html, new RegExp(`<form method="post" action="/library/save" class="save-form compact" data-save="${P1}">`), 'every card has a save form');
  const r = await b.post('/library/save', { paper: P1, want: 'on', back: '/' });
  app.clock.advance(1000);
  assert.equal(r.status, 303);
  assert.equal(r.location, '/');
  const page = await b.get(`/papers/${P1}`);
  assert.match(page.html, /aria-pressed="true"[^>]*title="Remove from your library"[\s\S]*?★ Saved/);
  const j = await b.request('/library/save', { method: 'POST', body: new URLSearchParams({ paper: P2 }), headers: { accept: 'application/json', 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(j.status, 200);
  assert.deepEqual(await j.json(), { paperId: P2, saved: true });
  const lib = await b.get('/library');
  assert.equal(lib.status, 200);
  assert.match(lib.html, /2 saved papers/);
  assert.ok(lib.html.indexOf(`arXiv:${P2}`) < lib.html.indexOf(`arXiv:${P1}`), 'most recently saved first');
  // want=on is idempotent; a toggle without want unsaves
  await b.post('/library/save', { paper: P1, want: 'on' });
  await b.post('/library/save', { paper: P1 });
  assert.match((await b.get('/library')).html, /1 saved paper\b/);
  // The static script that does it without reload is served and loaded by app.js.
  const js = await app.request('/static/library.js');
  assert.equal(js.status, 200);
  assert.match(await (await app.request('/static/app.js')).text(), /\/static\/library\.js/);
});

test('save refusals: anonymous → login (JSON 401), forged CSRF → 403, unknown or hidden paper → 404, bad id → 400', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  await hide(app, P3);
  const anon = new FormClient(app);
  const home = await anon.get('/');
  assert.match(home.html, /class="save-link" href="\/login\?next=/, 'anonymous cards link to log in');
  const r1 = await anon.post('/library/save', { paper: P1 });
  assert.equal(r1.status, 303);
  assert.match(r1.location!, /^\/login\?next=/);
  const r1j = await anon.request('/library/save', { method: 'POST', body: new URLSearchParams({ paper: P1, _csrf: anon.csrf }), headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r1j.status, 401);
  assert.equal((await anon.get('/library')).res.status, 303);
  const { browser: b } = await signedIn(app, 'alice');
  assert.equal((await b.post('/library/save', { paper: P1, _csrf: 'forged-token-forged-token-forged' })).status, 403);
  assert.equal((await b.post('/library/save', { paper: '2506.99999' })).status, 404);
  assert.equal((await b.post('/library/save', { paper: P3 })).status, 404, 'a hidden paper cannot be saved');
  assert.equal((await b.post('/library/save', { paper: 'nope' })).status, 400);
  assert.match((await b.get('/library')).html, /0 saved papers/);
});

test('a private note is shown to its author only; a paper hidden later leaves the library page and export', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  const { browser: b } = await signedIn(app, 'bob');
  const r = await a.post('/library/note', { paper: P2, note: 'secret <b>idea</b>', back: `/papers/${P2}` });
  assert.equal(r.status, 303);
  assert.match((await a.get(`/papers/${P2}`)).html, /<textarea id="note"[^>]*>secret &lt;b&gt;idea&lt;\/b&gt;<\/textarea>/);
  assert.match((await a.get('/library')).html, /secret &lt;b&gt;idea&lt;\/b&gt;/, 'saving a note saved the paper');
  assert.doesNotMatch((await b.get(`/papers/${P2}`)).html, /secret/);
  assert.doesNotMatch(await (await app.request(`/papers/${P2}`)).text(), /secret|Your library/);
  await hide(app, P2);
  assert.doesNotMatch((await a.get('/library')).html, new RegExp(`arXiv:${P2}`));
  assert.doesNotMatch(await (await a.request('/library/export.bib')).text(), new RegExp(P2));
});

test('BibTeX and RIS export of the library: arXiv fields, escaped title, read back by the parser; Copy BibTeX on the paper page', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  await a.post('/library/save', { paper: P1, want: 'on' });
  app.clock.advance(1000);
  await a.post('/library/save', { paper: P2, want: 'on' });
  const res = await a.request('/library/export.bib');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /application\/x-bibtex/);
  assert.match(res.headers.get('content-disposition')!, /attachment; filename="alice-library\.bib"/);
  const bib = await res.text();
  const { entries, problems } = parseBibtex(bib);
  assert.deepEqual(problems, []);
  assert.deepEqual(entries.map((e) => e.fields.eprint), [P1, P2], 'oldest saved first');
  assert.equal(entries[0].fields.archiveprefix, 'arXiv');
  assert.equal(entries[0].fields.primaryclass, 'cs.LG');
  assert.equal(entries[0].fields.title, '{Costs 50\\% \\& more: $O(n^2)$ \\{braced\\} Ünïcode}');
  assert.equal(entries[0].key, 'lovelace2025costs');
  assert.equal(entries[0].fields.author, 'Ada Lovelace and Alan Turing');
  const ris = await (await a.request('/library/export.ris')).text();
  assert.match(ris, /TY {2}- GEN\r\nTI {2}- Costs 50% & more: \$O\(n\^2\)\$ \{braced\} Ünïcode\r\nAU {2}- Lovelace, Ada\r\n/);
  const page = await (await app.request(`/papers/${P1}`)).text();
  assert.match(page, /<textarea id="bibtex" class="bibtex" readonly[^>]*>@misc\{lovelace2025costs,/);
  assert.match(page, /<button type="button" class="copy-bibtex" data-copy="bibtex" hidden="">Copy BibTeX<\/button>/);
  const one = await app.request(`/cite/${P1}.bib`);
  assert.equal(one.status, 200);
  assert.match(await one.text(), /eprint = \{2506\.00001\}/);
  await hide(app, P1);
  assert.equal((await app.request(`/cite/${P1}.bib`)).status, 404);
});

test('collections: public ones have a page, export and Atom feed for everyone; private ones are 404 to others on every surface', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seeded(app);
  const { browser: a } = await signedIn(app, 'alice');
  const { browser: b } = await signedIn(app, 'bob');
  await a.get('/library');
  const mk = await a.post('/collections', { name: 'Reading <group>', description: 'Week 1', public: '1' });
  assert.equal(mk.status, 303);
  const pub = mk.location!;
  assert.match(pub, /^\/collections\/\d+$/);
  const priv = (await a.post('/collections', { name: 'Secret plans' })).location!;
  for (const id of [P1, P2]) assert.equal((await a.post(`${pub}/papers`, { paper: id, want: 'on', back: pub })).status, 303);
  await a.post(`${priv}/papers`, { paper: P3, want: 'on' });
  // The owner sees both; adding to a collection saved the paper.
  assert.match((await a.get('/library')).html, /3 saved papers/);
  assert.match((await a.get(priv)).html, /Private collection/);
  // Anyone sees the public one, escaped, with its feed.
  const anon = await app.request(pub);
  const html = await anon.text();
  assert.equal(anon.status, 200, html.match(/<main[\s\S]*?<\/main>/)?.[0]);
  assert.match(html, /<h1>Reading &lt;group&gt;<\/h1>/);
  assert.match(html, new RegExp(`arXiv:${P1}`));
  assert.doesNotMatch(html, /Delete this collection/);
  const feed = await app.request(`${pub}/feed.atom`);
  assert.equal(feed.status, 200);
  const atom = await feed.text();
  assert.match(atom, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
  assert.match(atom, new RegExp(`/papers/${P1}`));
  assert.match((await (await app.request(`${pub}/export.bib`)).text()), /eprint = \{2506\.00002\}/);
  // The private one: not found for bob, anonymous visitors, its feed and its export.
  for (const p of [priv, `${priv}/feed.atom`, `${priv}/feed.rss`, `${priv}/export.bib`, `${priv}/export.ris`]) {
    assert.equal((await app.request(p)).status, 404, `anonymous ${p}`);
    assert.equal((await b.request(p)).status, 404, `bob ${p}`);
  }
  assert.equal((await b.get(`/papers/${P3}`)).html.includes('Secret plans'), false);
  const profile = await (await app.request('/u/alice')).text();
  assert.match(profile, new RegExp(`<a href="${pub}">Reading &lt;group&gt;</a>`), 'the profile lists public collections');
  assert.doesNotMatch(profile, /Secret plans/);
  // Bob cannot change alice's collections.
  assert.equal((await b.post(`${pub}/papers`, { paper: P3, want: 'on' })).status, 404);
  assert.equal((await b.post(`${pub}/edit`, { name: 'mine now', public: '1' })).status, 404);
  assert.equal((await b.post(`${pub}/delete`)).status, 404);
  // Making it private hides it; a hidden paper leaves the public page and feed.
  await hide(app, P2);
  const again = await (await app.request(pub)).text();
  assert.doesNotMatch(again, new RegExp(`arXiv:${P2}`));
  assert.doesNotMatch(await (await app.request(`${pub}/feed.atom`)).text(), new RegExp(P2));
  assert.equal((await a.post(`${pub}/edit`, { name: 'Reading group', description: '' })).status, 303);
  assert.equal((await app.request(pub)).status, 404);
  assert.equal((await app.request(`${pub}/feed.atom`)).status, 404);
  assert.equal((await a.post(`${pub}/delete`)).status, 303);
  assert.equal((await a.request(pub)).status, 404);
});

test('import: BibTeX with a bad entry reports its line, unknown ids are fetched from arXiv, the rest imports', async (t) => {
  const atom = fs.readFileSync(path.join(FIXTURES, 'api-query.atom.xml'), 'utf8');
  const server = await startReplayServer((req) => ({ status: 200, headers: { 'content-type': 'application/atom+xml' }, body: req.query.get('id_list')?.includes('2403.05555') ? atom : atom.replace(/<entry>[\s\S]*<\/entry>/g, '') }));
  const app = await testApp({ now: '2025-06-05T12:00:00Z', env: { ARXIV_API_URL: `${server.url}/api/query`, ARXIV_MIN_INTERVAL_MS: '0' } });
  t.after(async () => {
    await app.close();
    await server.close();
  });
  await seeded(app);
  await hide(app, P3);
  const { browser: a } = await signedIn(app, 'alice');
  await a.get('/library');
  const bib = [
    `@article{one, title = {One}, eprint = {${P1}}, archivePrefix = {arXiv}}`,
    '@article{broken,',
    '  title = {never closed',
    `@misc{fetched, url = {https://arxiv.org/abs/2403.05555v1}}`,
    `@misc{hidden, eprint = {${P3}}}`,
    '@book{nobody, title = {No arXiv here}}',
    '@misc{missing, eprint = {2403.09999}}',
  ].join('\n');
  const form = new FormData();
  form.set('_csrf', a.csrf);
  form.set('file', new Blob([bib], { type: 'application/x-bibtex' }), 'refs.bib');
  const res = await a.request('/library/import', { method: 'POST', body: form });
  const html = (await res.text()).replace(/^[\s\S]*<main[^>]*>|<\/main>[\s\S]*$/g, '');
  assert.equal(res.status, 200, html);
  assert.match(html, /Saved 2 papers; 1 fetched from arXiv first\./);
  assert.match(html, /Line 2 \(broken\): a value opened with “\{” is never closed/);
  assert.match(html, new RegExp(`Line 5: arXiv:${P3} is not a paper Papertide has`), 'a hidden paper is not imported');
  assert.match(html, /Line 6 \(nobody\): @book\{nobody\} names no arXiv paper/);
  assert.match(html, /Line 7: arXiv:2403\.09999 is not a paper Papertide has or could fetch from arXiv/);
  assert.equal(server.requests.length, 1, 'one id_list request for the unknown ids');
  assert.deepEqual(server.requests[0].query.get('id_list')!.split(',').sort(), ['2403.05555', '2403.09999']);
  const lib = await a.get('/library');
  assert.match(lib.html, /arXiv:2403\.05555/);
  assert.match(lib.html, new RegExp(`arXiv:${P1}`));
  // A pasted list of ids: a bad line is reported by its number.
  const r2 = await a.post('/library/import', { text: `${P2}\nhttps://arxiv.org/abs/${P1}\n\nwhat is this\n` });
  assert.equal(r2.status, 200);
  assert.match(r2.html, /Saved 1 paper \(1 already in your library\)\./);
  assert.match(r2.html, /Line 4: “what” is not an arXiv id or URL/);
  // Too large: refused with a clear message, nothing read.
  const big = new FormData();
  big.set('_csrf', a.csrf);
  big.set('file', new Blob(['%'.repeat(3 * 1024 * 1024)]), 'huge.bib');
  const r3 = await a.request('/library/import', { method: 'POST', body: big });
  assert.equal(r3.status, 413);
  assert.match(await r3.text(), /too large to import: 2 MB at most/);
});
