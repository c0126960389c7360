/** Every cache is bounded in entries and bytes; page cache keys ignore query parameters a page does not read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache, FragmentCache, stringEntrySize } from '../../src/web/cache.js';
import { mathCache, renderMathText } from '../../src/web/render/math.js';
import { useApp } from '../support/app.js';
import { seedPapers } from '../support/seed.js';

test('BoundedCache: at most maxEntries entries, least recently used goes first', () => {
  const c = new BoundedCache<string>(3, 1_000_000, stringEntrySize);
  c.set('a', '1');
  c.set('b', '2');
  c.set('c', '3');
  assert.equal(c.size, 3);
  assert.equal(c.get('a'), '1'); // a is now the most recent
  c.set('d', '4');
  assert.equal(c.size, 3);
  assert.equal(c.get('b'), undefined, 'b was the least recently used');
  assert.deepEqual(['a', 'c', 'd'].map((k) => c.get(k)), ['1', '3', '4']);
});

test('BoundedCache: total bytes never exceed maxBytes; an entry over an eighth of the budget is not kept', () => {
  const max = 8000;
  const c = new BoundedCache<string>(1000, max, stringEntrySize);
  const v = 'x'.repeat(400); // 2*1 + 2*400 + 64 = 866 bytes with key 'k'
  for (let i = 0; i < 100; i++) {
    c.set(`k${i}`, v);
    assert.ok(c.bytes <= max, `after ${i + 1}: ${c.bytes}`);
  }
  assert.equal(c.size, Math.floor(max / stringEntrySize('k99', v)));
  assert.equal(c.get('k99'), v);
  assert.equal(c.get('k0'), undefined);
  // Exactly an eighth is kept, one more byte is not.
  const big = new BoundedCache<string>(10, 8 * (stringEntrySize('b', 'y'.repeat(100))), stringEntrySize);
  big.set('b', 'y'.repeat(100));
  assert.equal(big.get('b'), 'y'.repeat(100));
  big.set('c', 'y'.repeat(101));
  assert.equal(big.get('c'), undefined);
  // Replacing a key does not count it twice.
  const r = new BoundedCache<string>(10, 100_000, stringEntrySize);
  r.set('same', 'abc');
  r.set('same', 'abcdef');
  assert.equal(r.size, 1);
  assert.equal(r.bytes, stringEntrySize('same', 'abcdef'));
});

test('FragmentCache: bounded in entries and bytes', async () => {
  const f = new FragmentCache(50, 60_000, 100_000);
  for (let i = 0; i < 500; i++) await f.get(`/page?${i}`, 1, 0, async () => 'h'.repeat(1000));
  assert.ok(f.size <= 50);
  assert.ok(f.bytes <= 100_000, String(f.bytes));
  const g = new FragmentCache(10_000, 60_000, 1_000_000);
  for (let i = 0; i < 2000; i++) await g.get(`/p${i}`, 1, 0, async () => 'h'.repeat(2000));
  assert.ok(g.bytes <= 1_000_000, String(g.bytes));
  assert.ok(g.size < 2000);
});

test('the KaTeX render cache is bounded in entries and bytes', () => {
  mathCache.clear();
  for (let i = 0; i < 300; i++) renderMathText(`Formula $x_{${i}}^2 + \\frac{a}{b}$ ${'word '.repeat(200)}`);
  assert.ok(mathCache.size <= mathCache.maxEntries);
  assert.ok(mathCache.bytes <= mathCache.maxBytes);
  assert.ok(mathCache.size > 0);
  assert.ok(mathCache.maxBytes <= 64 * 1024 * 1024);
});

test('unique query strings on the home page neither bypass nor grow the page cache', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: '2506.00001', featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const first = await (await app.request('/?utm_source=a')).text();
  assert.match(first, /<h1[^>]*>Daily papers<\/h1>/);
  // The next day, nothing written: a fresh render would say "Daily papers of June 5"; a cache
  // hit still shows the list rendered above (the version did not change, and it is seconds old).
  app.clock.set('2025-06-06T12:00:00Z');
  for (const q of ['?utm_source=b', '?x=1&y=2', '?p=3', '']) {
    const html = await (await app.request(`/${q}`)).text();
    assert.match(html, /<h1[^>]*>Daily papers<\/h1>/, `/${q} was rendered again instead of served from the cache`);
  }
});

test('the tokenizer caches no over-long word (they are dropped): its caches stay bounded in bytes', async () => {
  const { tokenize } = await import('../../src/search/tokenizer.js');
  const long = 'a'.repeat(41);
  // Same tokens as before whichever path (ASCII word table or Unicode) the text takes.
  assert.deepEqual(tokenize(`graph ${long} networks`), tokenize(`graph ${long} networks é`).slice(0, 2));
  assert.deepEqual(tokenize(`${'b'.repeat(40)} x1`), ['b'.repeat(40), 'x1']);
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 2000; i++) tokenize(`${i}${'z'.repeat(20_000)} ok`);
  // 2,000 distinct 20,000-character words would pin ~40 MB if any cache kept them.
  assert.ok(process.memoryUsage().heapUsed - before < 20 * 1024 * 1024, `heap grew ${(process.memoryUsage().heapUsed - before) >> 20} MB`);
});

test('static files: served with long caching; a missing one is a short 404 that does not echo the path; no traversal', async (t) => {
  const app = await useApp(t);
  const css = await app.request('/static/style.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers.get('cache-control'), 'public, max-age=3600');
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  assert.equal((await app.request('/static/katex/katex.min.css')).status, 200);
  const long = `/static/${'q'.repeat(2000)}.css`;
  const miss = await app.request(long);
  assert.equal(miss.status, 404);
  // Past 2,048 characters of path, any address is refused at once (414), on both sides of the bound.
  assert.equal((await app.request(`/static/${'q'.repeat(2048 - 8)}`)).status, 404);
  const huge = await app.request(`/static/${'q'.repeat(2048 - 7)}`);
  assert.equal(huge.status, 414);
  assert.match(await huge.text(), /The address is too long/);
  assert.equal((await app.request(`/papers/${'1'.repeat(3000)}`)).status, 414);
  assert.equal((await app.request(`/?q=${'1'.repeat(8000)}`)).status, 200, 'the query string does not count');
  const body = await miss.text();
  assert.ok(body.length < 100, body.slice(0, 100));
  assert.equal(miss.headers.get('cache-control'), null);
  for (const p of ['/static/..%2fpackage.json', '/static/%2e%2e/%2e%2e/package.json', '/static/katex/..%2f..%2fpackage.json', '/static/.%2e/config.ts']) {
    const r = await app.request(p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(await r.text(), /"name": "papertide"|loadConfig/, p);
  }
});
