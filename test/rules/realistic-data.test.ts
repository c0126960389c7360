/**
 * Pages, feeds, the API, trending and the search service on a realistic store (test/support/
 * realistic.ts: ~3,300 real papers over 580 days, ties in dates, missing fields, LaTeX, long
 * author lists), each checked against a brute-force reading of the same fixture.
 * Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { testApp, type TestApp } from '../support/app.js';
import { seedRealistic, seededRandom, type RealEntry } from '../support/realistic.js';
import { getSearchService } from '../../src/search/search.service.js';

let app: TestApp;
let entries: RealEntry[] = [];
const byDay = new Map<string, RealEntry[]>();
const NOW = '2026-08-22T12:00:00Z';

before(async () => {
  app = await testApp({ now: NOW });
  entries = await seedRealistic(app);
  for (const e of entries) byDay.set(e.date, [...(byDay.get(e.date) ?? []), e]);
  await (await getSearchService(app.ctx)).rebuild();
  assert.ok(entries.length > 3000, `${entries.length} papers`);
});
after(async () => {
  await app?.close();
});

const busiest = () => [...byDay].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
const ids = (s: string) => [...new Set([...s.matchAll(/\/papers\/(\d{4}\.\d{4,5})(?=["'<?#/\s])/g)].map((m) => m[1]))];

test('fixture: has the shapes hand-made data lacks', () => {
  assert.ok(busiest()[1].length >= 10, 'a day with many papers');
  const pub = new Map<string, number>();
  for (const e of entries) if (e.published_at) pub.set(e.published_at, (pub.get(e.published_at) ?? 0) + 1);
  assert.ok([...pub.values()].some((n) => n > 1), 'papers published at the same instant');
  assert.ok(entries.some((e) => !e.github_repo) && entries.some((e) => !e.submitted_by), 'missing fields');
  assert.ok(entries.some((e) => /\$[^$]+\$/.test(e.summary)), 'LaTeX');
  assert.ok(entries.some((e) => e.authors.length >= 50), 'a long author list');
});

test('daily page: the count, and the papers of page 1 and 2 are exactly that day’s papers', async () => {
  const [day, list] = busiest();
  const html = await (await app.request(`/papers/date/${day}`)).text();
  assert.match(html, new RegExp(`>\\s*${list.length} papers,`));
  const want = new Set(list.map((e) => e.arxiv_id));
  const shown = ids(html).filter((id) => want.has(id));
  assert.equal(shown.length, Math.min(50, list.length));
  // Most upvoted first, as the page says (ties in any order).
  const up = new Map(list.map((e) => [e.arxiv_id, e.upvotes]));
  for (let i = 1; i < shown.length; i++) assert.ok(up.get(shown[i - 1])! >= up.get(shown[i])!, `${shown[i - 1]} before ${shown[i]}`);
});

test('paper pages: LaTeX abstracts are rendered, long author lists and missing fields do not break the page', async () => {
  const rnd = seededRandom(7);
  const latex = entries.filter((e) => /(^|[^\\$])\$[^$\s][^$]*\$/.test(e.summary));
  const long = [...entries].sort((a, b) => b.authors.length - a.authors.length)[0];
  const bare = entries.filter((e) => !e.github_repo && !e.submitted_by);
  const picks = [long, ...Array.from({ length: 5 }, () => latex[Math.floor(rnd() * latex.length)]), bare[Math.floor(rnd() * bare.length)]];
  let katex = 0;
  for (const e of picks) {
    const res = await app.request(`/papers/${e.arxiv_id}`);
    assert.equal(res.status, 200, e.arxiv_id);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*(?:type="application\/ld\+json"|src=|nonce=))/i, e.arxiv_id);
    assert.ok(html.includes(e.authors[0].split(' ').pop()!.replace(/&/g, '&amp;')), `${e.arxiv_id}: first author shown`);
    if (/class="katex/.test(html)) katex++;
  }
  assert.ok(katex >= 4, `KaTeX rendered on ${katex} of 5 LaTeX abstracts`);
});

test('API: each day’s list is that day’s papers; cursor paging over every paper returns each once, in order, across tied dates', async () => {
  const [day, list] = busiest();
  const api = (await (await app.request(`/api/daily_papers?date=${day}&limit=100`)).json()) as { paper: { id: string } }[];
  assert.deepEqual(api.map((x) => x.paper.id).sort(), list.map((e) => e.arxiv_id).sort());
  const seen: string[] = [];
  let url: string | null = '/api/papers?limit=100';
  while (url) {
    const res: Response = await app.request(url);
    const page = (await res.json()) as { id: string; publishedAt?: string }[];
    for (const p of page) seen.push(p.id);
    const link = res.headers.get('link');
    url = link ? ((u) => u.pathname + u.search)(new URL(/<([^>]+)>; rel="next"/.exec(link)![1])) : null;
    if (seen.length > entries.length + 100) assert.fail('paging does not end');
  }
  const pub = new Map(entries.map((e) => [e.arxiv_id, e.published_at ? new Date(e.published_at).toISOString() : '']));
  const expected = [...pub.keys()].sort((a, b) => pub.get(b)!.localeCompare(pub.get(a)!) || b.localeCompare(a));
  assert.equal(seen.length, expected.length);
  assert.deepEqual(seen, expected);
});

test('feeds: the daily feed is well-formed XML listing the latest days’ papers, newest day first, in Atom and RSS', async () => {
  const days = [...byDay.keys()].sort().reverse();
  const dayOf = new Map(entries.map((e) => [e.arxiv_id, e.date]));
  for (const fmt of ['atom', 'rss']) {
    const xml = await (await app.request(`/feeds/daily.${fmt}`)).text();
    assert.equal(XMLValidator.validate(xml), true, fmt);
    const listed = [...new Set([...xml.matchAll(/\/papers\/(\d{4}\.\d{4,5})/g)].map((m) => m[1]))];
    assert.ok(listed.length >= byDay.get(days[0])!.length, `${fmt}: ${listed.length} entries`);
    const listedDays = [...new Set(listed.map((id) => dayOf.get(id)!))];
    assert.deepEqual(listedDays, days.slice(0, listedDays.length), `${fmt}: the latest days, newest first`);
    // Every paper of each fully listed day is there (the oldest listed day may be cut by the feed's size).
    for (const d of listedDays.slice(0, -1)) for (const e of byDay.get(d)!) assert.ok(listed.includes(e.arxiv_id), `${fmt}: ${e.arxiv_id} of ${d}`);
  }
});

test('trending: the all-time page ranks every paper by upvotes then comments; page and API agree on the month', async () => {
  const brute = [...entries].sort((a, b) => b.upvotes - a.upvotes || b.num_comments - a.num_comments || a.arxiv_id.localeCompare(b.arxiv_id)).map((e) => e.arxiv_id);
  const all = ids(await (await app.request('/papers/trending?window=all')).text());
  assert.deepEqual(all.filter((id) => brute.includes(id)).slice(0, 20), brute.slice(0, 20));
  const api = (await (await app.request('/api/trending?window=month&limit=20')).json()) as { paper: { id: string } }[];
  assert.equal(api.length, 20);
  const page = ids(await (await app.request('/papers/trending?window=month')).text());
  assert.deepEqual(page.slice(0, 20), api.map((x) => x.paper.id));
});

test('search service: a seeded random title finds its paper; year:2024 after:2024-06 keeps to July–December 2024', async () => {
  const svc = await getSearchService(app.ctx);
  const rnd = seededRandom(42);
  for (let i = 0; i < 5; i++) {
    const e = entries[Math.floor(rnd() * entries.length)];
    const r = await svc.search(`"${e.title.replace(/["\s]+/g, ' ').trim().split(' ').slice(0, 6).join(' ')}"`, { limit: 10 });
    assert.ok(r.hits.some((h) => h.id === e.arxiv_id), `${e.arxiv_id}: ${e.title}`);
  }
  const r = await svc.search('model year:2024 after:2024-06', { limit: 50 });
  assert.ok(r.hits.length > 10, `${r.hits.length} hits`);
  for (const h of r.hits) assert.ok(h.publishedAt! >= '2024-07-01' && h.publishedAt! < '2025-01-01', `${h.id} ${h.publishedAt}`);
  const brute = entries.filter((e) => e.published_at && e.published_at >= '2024-07-01' && e.published_at < '2025-01-01' && /\bmodels?\b/i.test(`${e.title} ${e.summary}`));
  assert.ok(r.total >= brute.length * 0.9, `total ${r.total}, brute force ${brute.length}`);
});
