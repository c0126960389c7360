/**
 * BibTeX, on the web page and the API alike:
 * - the export is read back by an independent BibTeX parser from npm (@retorquere/bibtex-parser),
 *   every field checked, titles with {}, &, %, #, _, ~, ^, \, accents, CJK and math included;
 * - a hostile or malformed import gets one problem per bad entry and imports the rest;
 * - the upload limit (2 MB) holds on both sides of the boundary, and a 20 MB file is refused
 *   with a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@retorquere/bibtex-parser';
import { testApp, type TestApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { createApiToken } from '../../src/api-tokens/api-tokens.service.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_PROBLEMS } from '../../src/library/library.service.js';

const AUTHORS = ['Ada Lovelace', 'José Ñúñez', 'Smith, Jr., John', 'Anderson and Partners'];
/** Title as arXiv gives it (LaTeX source) → as the independent parser reads it back (Unicode). */
const TITLES: [string, string][] = [
  ['Costs 50% & more: $O(n^2)$ {braced} Ünïcode', 'Costs 50% & more: O(n²) {braced} Ünïcode'],
  ['Hash #1, under_score, tilde ~ caret ^ and back\\slash', 'Hash #1, under_score, tilde ~ caret ^ and back\\slash'],
  ["Schrödinger's Café: naïve Ångström — 日本語 and \\\"{o}\\'{e}", "Schrödinger's Café: naïve Ångström — 日本語 and öé"],
  ['$\\alpha$-divergence with $50\\%$ of $a \\& b$', 'α-divergence with 50% of a&b'],
  ['Unbalanced } brace and { another', 'Unbalanced } brace and { another'],
  ['@misc{evil, title={pwned}} \\input{/etc/passwd} \\def\\x{y}', '@misc{evil, title={pwned}} \\input{/etc/passwd} \\def\\x{y}'],
  ['BERT and GPT-4: Large Language Models', 'BERT and GPT-4: Large Language Models'],
];
/** Math the parser cannot turn into Unicode must still come back as the same LaTeX. */
const MATH_SOURCE = 'Bounds of $\\mathcal{O}(\\log n)$ for $\\{x : x^2 < 1\\}$';
const ids = [...TITLES.map((_, i) => `2506.1000${i}`), '2506.10009'];

async function setup() {
  const app = await testApp({ now: '2025-06-05T12:00:00Z' });
  const titles = [...TITLES.map((t) => t[0]), MATH_SOURCE];
  await upsertPapers(
    app.ctx.store.db,
    ids.map((id, i) => ({
      id,
      title: titles[i],
      abstract: 'An abstract.',
      authors: AUTHORS,
      categories: ['cs.LG', 'stat.ML'],
      primaryCategory: 'cs.LG',
      publishedAt: '2025-06-03T00:00:00Z',
      doi: i === 0 ? '10.1000/x_y(1)<2>;3%4#5' : null,
      journalRef: i === 0 ? 'J. Foo & Bar 12 (2025) 50%' : null,
      version: 1,
    })),
    { now: app.clock.now().toISOString() },
  );
  const alice = await signedIn(app, 'alice');
  const token = (await createApiToken(app.ctx.store.db, alice.id, 'bib', app.clock.now())).token;
  const api = (path: string, init: RequestInit = {}) => app.request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  return { app, alice, api };
}

function checkEntries(bib: string, how: string) {
  const converted = parse(bib, { sentenceCase: false } as any);
  // The only complaints may be the converter's about macros it has no Unicode for (\mathcal, \log).
  assert.deepEqual(converted.errors.filter((e: any) => !/^unhandled macro/.test(e.error)), [], how);
  const raw = parse(bib, { raw: true } as any);
  assert.deepEqual(raw.errors, [], `${how}: raw`);
  assert.equal(converted.entries.length, ids.length, how);
  converted.entries.forEach((e: any, i: number) => {
    const f = e.fields;
    assert.equal(e.type, 'misc');
    assert.equal(f.eprint, ids[i], `${how} eprint`);
    assert.equal(f.archiveprefix, 'arXiv');
    assert.equal(f.primaryclass, 'cs.LG');
    assert.equal(f.year, '2025');
    assert.equal(f.url, `https://arxiv.org/abs/${ids[i]}`);
    assert.deepEqual(f.author, [{ lastName: 'Lovelace', firstName: 'Ada' }, { lastName: 'Ñúñez', firstName: 'José' }, { name: 'Smith, Jr., John' }, { name: 'Anderson and Partners' }], `${how} authors`);
    if (i < TITLES.length) assert.equal(f.title, TITLES[i][1], `${how} title ${i}`);
    if (i === 0) {
      assert.equal(f.doi, '10.1000/x_y(1)<2>;3%4#5', `${how} doi, read verbatim`);
      assert.equal(f.journal, 'J. Foo & Bar 12 (2025) 50%');
    } else assert.equal(f.doi, undefined);
    assert.deepEqual(Object.keys(f).sort(), ['archiveprefix', 'author', 'eprint', 'primaryclass', 'title', 'url', 'year', ...(i === 0 ? ['doi', 'journal'] : [])].sort(), `${how}: no other field`);
  });
  // Raw: every math span comes back as the LaTeX it was.
  assert.equal(raw.entries[ids.length - 1].fields.title, MATH_SOURCE);
  assert.equal(raw.entries[3].fields.title, TITLES[3][0]);
  // Keys are distinct and stable.
  assert.equal(new Set(converted.entries.map((e: any) => e.key)).size, ids.length);
}

test('the library and collection exports are read back by @retorquere/bibtex-parser, every field, on the page and the API', async (t) => {
  const { app, alice, api } = await setup();
  t.after(() => app.close());
  for (const id of ids) {
    assert.equal((await api('/api/library', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) })).status, 201);
    app.clock.advance(1000);
  }
  checkEntries(await (await alice.browser.request('/library/export.bib')).text(), 'web library');
  checkEntries(await (await api('/api/library/export?format=bib')).text(), 'API library');
  const col = await (await api('/api/collections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'All' }) })).json();
  for (const id of ids) {
    await api(`/api/collections/${col.id}/papers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
    app.clock.advance(1000);
  }
  checkEntries(await (await alice.browser.request(`/collections/${col.id}/export.bib`)).text(), 'web collection');
  checkEntries(await (await api(`/api/collections/${col.id}/export`)).text(), 'API collection');
  // One paper's citation, as the paper page offers it.
  const one = parse(await (await app.request(`/cite/${ids[0]}.bib`)).text(), { sentenceCase: false } as any);
  assert.equal(one.entries[0].fields.title, TITLES[0][1]);
});

const HOSTILE = [
  `@article{good1, title = {One}, eprint = {${'2506.10000'}}}`, // 1
  '@article{unclosed, title = {never closed', // 2
  '@string{a0 = "xxxxxxxxxxxxxxxx"}', // 3
  ...Array.from({ length: 30 }, (_, i) => `@string{a${i + 1} = a${i} # a${i}}`), // 4..33: a billion laughs
  '@misc{laughs, title = a30, eprint = {2506.10001}}', // 34
  `@misc{deep, title = ${'{'.repeat(20_000)}}`, // 35
  '@misc{, eprint = {2506.10002}}', // 36: no key
  '@comment{ never closed either', // 37
  `@misc{huge, title = {${'y'.repeat(150_000)}}, eprint = {2506.10003}}`, // 38
  '@preamble{"\\input{/etc/passwd}"}', // 39
  'Write to someone@example.org about it, } } {', // 40: junk between entries
  '@misc{macro, title = undefinedmacro, eprint = {2506.10004}}', // 41
  '@misc{notarxiv, doi = {10.1000/xyz}}', // 42
  '@misc{badid, eprint = {not-an-id}}', // 43
  `@misc{good2, url = {https://arxiv.org/abs/2506.10005v3}}`, // 44
  `@misc{good3, doi = {10.48550/arXiv.2506.10006}}`, // 45
].join('\n');

test('a hostile, malformed BibTeX file: one problem per bad entry, the rest imported (API and page)', async (t) => {
  const { app, alice, api } = await setup();
  t.after(() => app.close());
  const res = await api('/api/library/import', { method: 'POST', headers: { 'content-type': 'application/x-bibtex' }, body: HOSTILE });
  assert.equal(res.status, 200);
  const r = await res.json();
  assert.equal(r.saved, 3, JSON.stringify(r));
  const lib = await (await api('/api/library')).json();
  assert.deepEqual(lib.items.map((i: any) => i.paper.id).sort(), ['2506.10000', '2506.10005', '2506.10006']);
  const at = (line: number) => r.problems.filter((p: any) => p.line === line).map((p: any) => `${p.key ?? ''}: ${p.reason}`).join(' | ');
  assert.match(at(2), /unclosed: a value opened with “\{” is never closed/);
  // The doubling stops at the first @string past the bound (16 × 2^13 characters, line 16);
  // the entries that use the later macros are refused, not expanded.
  assert.match(at(16), /a value longer than 100,000 characters \(@string macros expanding without end\?\)/);
  assert.match(at(34), /laughs: unknown @string macro “a30”/);
  assert.match(at(35), /deep: a value opened with “\{” is never closed/);
  assert.match(at(36), /expected a citation key/);
  assert.match(at(38), /huge: a value longer than 100,000 characters$/);
  assert.match(at(40), /expected “\{” after @example\.org/);
  assert.match(at(41), /macro: unknown @string macro “undefinedmacro”/);
  assert.match(at(42), /notarxiv: @misc\{notarxiv\} names no arXiv paper/);
  assert.match(at(43), /badid: @misc\{badid\} names no arXiv paper/);
  for (const line of [1, 44, 45]) assert.equal(at(line), '', `line ${line} imported`);
  // The page lists the same problems, escaped.
  await alice.browser.get('/library');
  const form = new FormData();
  form.set('_csrf', alice.browser.csrf);
  form.set('file', new Blob([HOSTILE.replace('good1', 'good1b')]), 'hostile.bib');
  const page = await alice.browser.request('/library/import', { method: 'POST', body: form });
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(html, /Saved 0 papers \(3 already in your library\)\./);
  assert.match(html, /Line 16: a value longer than 100,000 characters/);
  assert.match(html, /Line 34 \(laughs\): unknown @string macro “a30”/);
  assert.match(html, /Line 40: expected “\{” after @example\.org, found “about it, \} ”/);
  assert.doesNotMatch(html, /<script>|pwned/);
  // A file of nothing but problems: the report lists the first ones and counts the rest.
  const flood = await api('/api/library/import', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'junk\n'.repeat(5_000) });
  const f = await flood.json();
  assert.equal(f.problems.length, IMPORT_MAX_PROBLEMS + 1);
  assert.match(f.problems.at(-1).reason, /and 4,000 more problems after this line, not listed/);
});

test('the upload limit on both sides of its boundary, on the page and the API; a 20 MB file is refused with a clear message', async (t) => {
  const { app, alice, api } = await setup();
  t.after(() => app.close());
  const sized = (bytes: number) => {
    const head = '2506.10000\n%';
    return head + '%'.repeat(bytes - Buffer.byteLength(head));
  };
  assert.equal(Buffer.byteLength(sized(IMPORT_MAX_BYTES)), IMPORT_MAX_BYTES);
  const post = (body: string) => api('/api/library/import', { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
  const ok = await post(sized(IMPORT_MAX_BYTES));
  assert.equal(ok.status, 200, 'exactly 2 MB is accepted');
  assert.equal((await ok.json()).saved, 1);
  for (const bytes of [IMPORT_MAX_BYTES + 1, 20 * 1024 * 1024]) {
    const r = await post(sized(bytes));
    assert.equal(r.status, 413, `${bytes} bytes`);
    assert.match((await r.json()).error, /The file is too large to import: 2 MB at most\. Split it/);
  }
  const json = await api('/api/library/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: sized(20 * 1024 * 1024) }) });
  assert.equal(json.status, 413);
  assert.match((await json.json()).error, /too large to import: 2 MB at most/);
  // The page: a file just at the limit imports; one byte more, or 20 MB, is a page saying why.
  await alice.browser.get('/library');
  const upload = async (bytes: number) => {
    const form = new FormData();
    form.set('_csrf', alice.browser.csrf);
    form.set('file', new Blob([sized(bytes)]), 'refs.txt');
    const res = await alice.browser.request('/library/import', { method: 'POST', body: form });
    return { status: res.status, html: await res.text() };
  };
  const atLimit = await upload(IMPORT_MAX_BYTES);
  assert.equal(atLimit.status, 200);
  assert.match(atLimit.html, /Saved 0 papers \(1 already in your library\)\./);
  for (const bytes of [IMPORT_MAX_BYTES + 1, 20 * 1024 * 1024]) {
    const r = await upload(bytes);
    assert.equal(r.status, 413, `${bytes} bytes`);
    assert.match(r.html, /The file is too large to import: 2 MB at most\. Split it, or export only the entries you need\./);
  }
  assert.match((await alice.browser.get('/library')).html, /At most 2 MB\./, 'the form says the limit');
});
