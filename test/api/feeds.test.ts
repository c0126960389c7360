/**
 * Feeds on a real store, read back by a real feed parser (rss-parser) for RSS and Atom and
 * checked against the JSON Feed 1.1 spec's required structure: every kind (daily, trending,
 * category, author, search) in every format, with content types, absolute links, escaping of
 * hostile text, ETag/Last-Modified and 304, bad parameters, and <link rel="alternate">.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import Parser from 'rss-parser';
import { testApp, writeJsonl, type TestApp } from '../support/app.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';

const DAY = '2025-06-04';
const BASE = 'https://papers.example.org';
const HOSTILE_TITLE = 'Attack <script>alert("x")</script> & “quotes” ]]> end\u0001';
let app: TestApp;
const parser = new Parser();

before(async () => {
  app = await testApp({ now: `${DAY}T12:00:00Z`, env: { BASE_URL: BASE } });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: DAY, onChanged: (ids) => papersChanged(app.ctx, ids) });
  const file = writeJsonl(app.env.dataDir, 'hostile.jsonl', [
    {
      arxiv_id: '2406.00001',
      title: HOSTILE_TITLE,
      abstract: 'We show that $a<b$ & <img src=x onerror=alert(1)> is escaped. Code at https://github.com/evil/repo"onmouseover="x.',
      authors: ['Zoë Ångström', 'Bob <b>Bold</b>'],
      published: '2024-06-01',
      primary_category: 'cs.CR',
      categories: ['cs.CR', 'cs.LG'],
      code_urls: [],
    },
  ]);
  await importFile(app.ctx.store.db, file, { now: () => app.clock.now(), onChanged: (ids) => papersChanged(app.ctx, ids) });
});
after(async () => app?.close());

const KINDS: { name: string; path: (ext: string) => string; expectId?: string; minItems: number }[] = [
  { name: 'daily', path: (e) => `/feeds/daily.${e}`, minItems: 50 },
  { name: 'trending', path: (e) => `/feeds/trending.${e}`, minItems: 50 },
  { name: 'category', path: (e) => `/feeds/category/cs.CR.${e}`, expectId: '2406.00001', minItems: 2 },
  { name: 'author', path: (e) => `/feeds/author/${encodeURIComponent('zoe angstrom')}.${e}`, expectId: '2406.00001', minItems: 1 },
  { name: 'search', path: (e) => `/feeds/search.${e}?q=${encodeURIComponent('escaped attack')}`, expectId: '2406.00001', minItems: 1 },
];

const TYPES: Record<string, RegExp> = { rss: /^application\/rss\+xml; charset=utf-8$/, atom: /^application\/atom\+xml; charset=utf-8$/, json: /^application\/feed\+json; charset=utf-8$/ };

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('every kind in every format parses', () => {
  for (const kind of KINDS) {
    for (const fmt of ['rss', 'atom'] as const) {
      test(`${kind.name} as ${fmt}, read by rss-parser`, async () => {
        const res = await app.request(kind.path(fmt));
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type')!, TYPES[fmt]);
        const xml = await res.text();
        assert.doesNotMatch(xml, /\u0001/);
        const feed = await parser.parseString(xml);
        assert.match(feed.title ?? '', /^Papertide · /);
        assert.ok(feed.items.length >= kind.minItems, `${feed.items.length} items`);
        assert.ok(feed.items.length <= 50);
        for (const it of feed.items) {
          assert.ok(it.link?.startsWith(`${BASE}/papers/`), `absolute link: ${it.link}`);
          assert.ok(it.title && it.title.length > 0);
          assert.ok(it.isoDate && !Number.isNaN(Date.parse(it.isoDate)));
          assert.ok((it.content ?? '').length > 0);
        }
        if (kind.expectId) {
          const mine = feed.items.find((i) => i.link === `${BASE}/papers/${kind.expectId}`);
          assert.ok(mine, 'the hostile paper is in the feed');
          // Titles are HTML-escaped in both (Atom's are type="html"; RSS readers often render HTML).
          assert.doesNotMatch(mine.title!, /<script/);
          const title = decodeEntities(mine.title!);
          assert.equal(title, HOSTILE_TITLE.replace('\u0001', ''));
          const html = (mine as any)['content:encoded'] ?? mine.content ?? '';
          assert.doesNotMatch(html, /<script|<img|<b>Bold/, 'no markup from the data survives');
          assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
        }
        if (fmt === 'atom') assert.match(xml, new RegExp(`<link rel="self" href="${BASE.replace(/\./g, '\\.')}/feeds/`));
      });
    }
    test(`${kind.name} as JSON Feed 1.1, structurally valid`, async () => {
      const res = await app.request(kind.path('json'));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, TYPES.json);
      const feed = await res.json();
      assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
      assert.equal(typeof feed.title, 'string');
      assert.ok(feed.home_page_url.startsWith(BASE));
      assert.ok(feed.feed_url.startsWith(`${BASE}/feeds/`));
      assert.ok(Array.isArray(feed.items) && feed.items.length >= kind.minItems);
      const ids = new Set<string>();
      for (const it of feed.items) {
        assert.equal(typeof it.id, 'string'); // required, unique
        assert.ok(!ids.has(it.id), 'unique ids');
        ids.add(it.id);
        assert.ok(typeof it.content_html === 'string' || typeof it.content_text === 'string', 'content_html or content_text');
        assert.ok(it.url.startsWith(`${BASE}/papers/`));
        assert.ok(!Number.isNaN(Date.parse(it.date_published)) && /Z$/.test(it.date_published), 'RFC 3339');
        assert.ok(Array.isArray(it.authors) && it.authors.every((a: any) => typeof a.name === 'string'));
        assert.equal(it.author, undefined, '1.1 uses authors, not author');
      }
      if (kind.expectId) {
        const mine = feed.items.find((i: any) => i.url === `${BASE}/papers/${kind.expectId}`);
        assert.equal(mine.title, HOSTILE_TITLE.replace('\u0001', ''));
        assert.doesNotMatch(mine.content_html, /<script|<img/);
        assert.deepEqual(mine.authors.map((a: any) => a.name), ['Zoë Ångström', 'Bob <b>Bold</b>']);
      }
    });
  }
});

describe('caching', () => {
  test('ETag and Last-Modified; 304 on a match, 200 when the data changed', async () => {
    const first = await app.request('/feeds/daily.atom');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    assert.ok(!Number.isNaN(Date.parse(lastModified)));
    assert.equal((await app.request('/feeds/daily.atom')).headers.get('etag'), etag, 'same data, same ETag');
    const nm = await app.request('/feeds/daily.atom', { headers: { 'if-none-match': etag } });
    assert.equal(nm.status, 304);
    assert.equal(await nm.text(), '');
    assert.equal((await app.request('/feeds/daily.atom', { headers: { 'if-none-match': `W/${etag}, "other"` } })).status, 304);
    assert.equal((await app.request('/feeds/daily.atom', { headers: { 'if-modified-since': lastModified } })).status, 304);
    assert.equal((await app.request('/feeds/daily.atom', { headers: { 'if-modified-since': new Date(Date.parse(lastModified) - 60_000).toUTCString() } })).status, 200);
    // A different format has a different ETag.
    assert.notEqual((await app.request('/feeds/daily.rss')).headers.get('etag'), etag);
    // New upvotes change the content: the old ETag no longer matches.
    await app.ctx.store.db.updateTable('papers').set({ upvotes: 999 }).where('id', '=', '2402.00281').execute();
    const changed = await app.request('/feeds/daily.atom', { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });
});

describe('bad feed parameters', () => {
  test('search without q or with an over-long q; bad categories and authors; unknown feeds', async () => {
    const json = async (url: string, status: number, re: RegExp) => {
      const res = await app.request(url);
      assert.equal(res.status, status, url);
      assert.match((await res.json()).error, re, url);
    };
    await json('/feeds/search.json', 400, /q is required/);
    await json(`/feeds/search.json?q=${'x'.repeat(251)}`, 400, /at most 250/);
    await json('/feeds/category/not a category!.json', 400, /not an arXiv category/);
    await json(`/feeds/author/${'a'.repeat(201)}.json`, 400, /limited to 200/);
    await json('/feeds/nope.json', 404, /No feed called/);
    const html = await app.request('/feeds/search.atom?q=');
    assert.equal(html.status, 400);
    assert.equal((await app.request('/feeds/daily.xml')).status, 404);
    assert.equal((await app.request('/feeds/category/cs.LG')).status, 404);
    // A well-formed category with no papers is a valid, empty feed.
    const empty = await parser.parseString(await (await app.request('/feeds/category/math.AG.rss')).text());
    assert.equal(empty.items.length, 0);
  });
});

describe('discovery', () => {
  test('the feeds index lists the feeds; pages link their feeds with rel=alternate', async () => {
    const index = await (await app.request('/feeds')).text();
    for (const href of ['/feeds/daily.rss', '/feeds/daily.atom', '/feeds/daily.json', '/feeds/trending.atom', '/feeds/category/cs.LG.atom']) assert.ok(index.includes(`href="${href}"`), href);
    const home = await (await app.request('/')).text();
    assert.match(home, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/feeds\/daily\.atom"/);
    // The search and trending pages belong to other features; their <head> gets the feed links
    // from feedAlternates() whatever renders them.
    const search = await (await app.request('/search?q=diffusion%20models')).text();
    assert.match(search, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/feeds\/search\.atom\?q=diffusion%20models"/);
    const trending = await (await app.request('/papers/trending')).text();
    assert.match(trending, /<link rel="alternate" type="application\/rss\+xml"[^>]*href="\/feeds\/trending\.rss"/);
  });
});
