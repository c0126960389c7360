/**
 * /search on real papers (the last 3,000 entries of the Hugging Face archive, imported the way
 * the README says), checked against a brute-force pass over the same store: the count is exact
 * and does not move as you page, the pages together hold every match once, sort=newest and
 * sort=upvotes order every match (not the relevance pool), hits show what they should, and the
 * suggestions contain what was typed. Runs on SQLite and (npm run test:pg) PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { testApp, SHARED_DATA, type TestApp } from '../support/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { getSearchService } from '../../src/search/search.service.js';
import { tokenize, tokenizeName } from '../../src/search/tokenizer.js';

interface Row {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  day: number;
  upvotes: number;
  tokens: Set<string>;
}

let app: TestApp;
let rows: Row[] = [];
const now = '2026-08-22T12:00:00Z';

before(async () => {
  app = await testApp({ now });
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const file = path.join(app.env.dataDir, 'hf-recent.jsonl');
  fs.writeFileSync(file, lines.slice(-3000).join('\n') + '\n');
  const r = await importFile(app.ctx.store.db, file, { now: () => new Date(now) });
  assert.equal(r.skipped, 0);
  // (the index follows the store by itself; a rebuild makes this test independent of how fast)
  await (await getSearchService(app.ctx)).rebuild();
  const all = await app.ctx.store.db.selectFrom('papers').select(['id', 'title', 'abstract', 'authors', 'categories', 'published_at', 'upvotes']).execute();
  rows = all.map((p) => ({
    id: p.id,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.parse(p.authors) as string[],
    categories: JSON.parse(p.categories) as string[],
    day: p.published_at ? Math.floor(Date.parse(p.published_at) / 86400000) : -Infinity,
    upvotes: Number(p.upvotes),
    tokens: new Set([...tokenize(p.title), ...tokenize(p.abstract), ...tokenize((JSON.parse(p.authors) as string[]).join(' '))]),
  }));
  assert.ok(rows.length > 2500, `${rows.length} papers imported`);
});
after(async () => {
  await app?.close();
});

/** Brute force: a paper matches when its title, abstract or authors hold one of the query's words. */
function matching(query: string): Row[] {
  const want = new Set(tokenize(query));
  return rows.filter((r) => [...want].some((t) => r.tokens.has(t)));
}

async function page(qs: string): Promise<{ html: string; ids: string[]; total: number; pageNo: number; pages: number; exact: boolean }> {
  const t0 = Date.now();
  const res = await app.request(`/search?${qs}`);
  if (process.env.DEBUG_TIMES) console.error(qs, Date.now() - t0);
  assert.equal(res.status, 200, qs);
  const html = await res.text();
  const ids = [...html.matchAll(/<h2 class="hit-title"><a href="\/papers\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
  const m = /class="muted[^"]*">(about )?([\d,]+) results? · page (\d+) of (\d+)/.exec(html);
  assert.ok(m, `a count on /search?${qs}`);
  return { html, ids, total: Number(m[2].replace(/,/g, '')), pageNo: Number(m[3]), pages: Number(m[4]), exact: !m[1] };
}

test('/search: the count is exact (brute force over the store) and the same on every page and every sort', async () => {
  for (const q of ['diffusion', 'video generation', 'reinforcement learning robot']) {
    const expected = matching(q).length;
    assert.ok(expected > 200, `${q}: ${expected} matches, more than the relevance pool`);
    const first = await page(`q=${encodeURIComponent(q)}`);
    assert.equal(first.total, expected, `${q}: count`);
    assert.ok(first.exact);
    assert.equal(first.pages, Math.ceil(expected / 20));
    for (const p of [2, 10, first.pages]) assert.equal((await page(`q=${encodeURIComponent(q)}&page=${p}`)).total, expected, `${q} page ${p}`);
    for (const sort of ['newest', 'upvotes']) assert.equal((await page(`q=${encodeURIComponent(q)}&sort=${sort}`)).total, expected, `${q} sort=${sort}`);
  }
  // filters count too: a date range with a word
  const from = Date.parse('2026-08-01') / 86400000;
  const expected = matching('diffusion').filter((r) => r.day >= from).length;
  assert.ok(expected > 20);
  assert.equal((await page('q=diffusion&from=2026-08-01')).total, expected);
});

test('/search: paging through every page of a relevance query lists each match exactly once', async () => {
  const q = 'diffusion';
  const want = new Set(matching(q).map((r) => r.id));
  const first = await page(`q=${q}`);
  const seen: string[] = [...first.ids];
  for (let p = 2; p <= first.pages; p++) {
    const r = await page(`q=${q}&page=${p}`);
    assert.equal(r.pageNo, p);
    seen.push(...r.ids);
  }
  assert.equal(new Set(seen).size, seen.length, 'no paper on two pages');
  assert.deepEqual(new Set(seen), want);
  // asking for page 3 first does not change page 1
  await page(`q=${q}&page=3`);
  assert.deepEqual((await page(`q=${q}`)).ids, first.ids);
  // past the last page: a way back, not "no papers match"
  const past = await page(`q=${q}&page=${first.pages + 1}`).catch(() => null);
  assert.equal(past, null, 'no result list past the last page');
  const res = await (await app.request(`/search?q=${q}&page=${first.pages + 1}`)).text();
  assert.match(res, /past the last page/);
});

test('/search: sort=newest and sort=upvotes order every match, not the relevance pool', async () => {
  const q = 'diffusion';
  const all = matching(q);
  const byDay = [...all].sort((a, b) => b.day - a.day);
  const newest = await page(`q=${q}&sort=newest`);
  const dayOf = new Map(rows.map((r) => [r.id, r.day]));
  assert.deepEqual(newest.ids.map((id) => dayOf.get(id)), byDay.slice(0, 20).map((r) => r.day), 'days of page 1 = the 20 newest matches');
  const titleOf = new Map(rows.map((r) => [r.id, r.title]));
  assert.equal(newest.ids.find((id) => /diffusion/i.test(titleOf.get(id)!)), '2608.17286', 'the newest paper with "Diffusion" in its title is the first such on page 1');
  const want = new Set(all.map((r) => r.id));
  for (const id of newest.ids) assert.ok(want.has(id), `${id} matches`);
  // the last page holds the oldest matches
  const last = await page(`q=${q}&sort=newest&page=${newest.pages}`);
  assert.deepEqual(last.ids.map((id) => dayOf.get(id)), byDay.slice((newest.pages - 1) * 20).map((r) => r.day));

  const byUp = [...all].sort((a, b) => b.upvotes - a.upvotes);
  const up = await page(`q=${q}&sort=upvotes`);
  const upOf = new Map(rows.map((r) => [r.id, r.upvotes]));
  assert.deepEqual(up.ids.map((id) => upOf.get(id)), byUp.slice(0, 20).map((r) => r.upvotes), 'upvotes of page 1 = the 20 most upvoted matches');
  assert.equal(upOf.get(up.ids[0]), 126);
  for (const id of up.ids) assert.ok(want.has(id), `${id} matches`);
});

test('/search hits: no empty "· ·" fields, the author asked for is visible, the query stays in both boxes', async () => {
  const r = await page('q=diffusion');
  const metas = [...r.html.matchAll(/<p class="hit-meta muted">([\s\S]*?)<\/p>/g)].map((m) => m[1].replace(/<[^>]+>/g, '').trim());
  assert.equal(metas.length, 20);
  for (const m of metas) {
    assert.doesNotMatch(m, /·\s*·/, m);
    assert.doesNotMatch(m, /^·|·$/, m);
  }
  assert.ok(rows.some((x) => x.categories.length === 0), 'the store has papers without a category');
  // the query is in the page's box and in the header's box
  assert.match(r.html, /<input id="q" type="search" name="q" value="diffusion"/);
  assert.match(r.html, /<input id="site-search" name="q" type="search"[^>]* value="diffusion"/);

  // A paper whose 8th author is asked for: that author shows among the visible authors.
  const paper = rows.find((x) => x.authors.length >= 9 && tokenizeName(x.authors[7]).length >= 2 && rows.filter((y) => y.authors.includes(x.authors[7])).length === 1)!;
  assert.ok(paper);
  const name = paper.authors[7];
  const a = await page(`q=${encodeURIComponent(`author:"${name}"`)}`);
  assert.deepEqual(a.ids, [paper.id]);
  const meta = /<p class="hit-meta muted">([\s\S]*?)<\/p>/.exec(a.html)![1];
  assert.match(meta, new RegExp(`<strong class="author-match">${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</strong>`));
  assert.match(meta.replace(/<[^>]+>/g, ''), /et al\./);
});

test('/search/suggest: titles and author names that contain what was typed', async () => {
  const yann: string[] = await (await app.request('/search/suggest?q=yann')).json();
  assert.ok(yann.length > 0);
  for (const s of yann) assert.match(s, /(^|[^\p{L}])yann/iu, s);
  assert.ok(yann.includes('author:"Yann LeCun"'), JSON.stringify(yann));
  const diff: string[] = await (await app.request('/search/suggest?q=video%20diffu')).json();
  assert.ok(diff.length >= 3, JSON.stringify(diff));
  for (const s of diff) {
    assert.match(s, /\bvideos?\b/i, s);
    assert.match(s, /\bdiffu/i, s);
  }
  assert.deepEqual(await (await app.request('/search/suggest?q=zz')).json(), []);
});

test('while the index is being built, the search page lists what the API lists (the listing fallback: every word, most upvoted first) and says so', async () => {
  const svc = app.ctx.search!;
  const note = 'The search index is being built; results will appear when it is ready.';
  // The service as it is during a background build: no engine, a note, queries refused with it.
  app.ctx.search = Object.create(svc, {
    ready: { value: false },
    state: { value: { kind: 'building', note, serving: null } },
    search: { value: async () => ({ hits: [], total: 0, totalExact: true, page: 1, limit: 20, error: note, tookMs: 0 }) },
  });
  try {
    const q = 'video diffusion';
    const page = await (await app.web.app.request(`/search?q=${encodeURIComponent(q)}`)).text();
    const api = (await (await app.web.app.request(`/api/papers/search?q=${encodeURIComponent(q)}&limit=20`)).json()) as { paper: { id: string } }[];
    const pageIds = [...page.matchAll(/<h2 class="hit-title">\s*<a href="\/papers\/([^"]+)"/g)].map((m) => m[1]);
    assert.ok(pageIds.length > 0, 'the page lists papers meanwhile');
    assert.deepEqual(pageIds, api.map((x) => x.paper.id).slice(0, pageIds.length), 'the same papers, in the same order, as the API');
    assert.match(page, /being built[^<]*Meanwhile: papers with every word in the title or abstract, most upvoted first\./);
    assert.doesNotMatch(page, /role="alert"/, 'not an error');
    for (const id of pageIds) {
      const r = rows.find((x) => x.id === id)!;
      assert.ok(/video/i.test(r.title + r.abstract) && /diffusion/i.test(r.title + r.abstract), `${id} has both words`);
    }
    // A filtered query is not answered by the fallback: it says the index is being built.
    const filtered = await (await app.web.app.request(`/search?q=${encodeURIComponent(q)}&cat=cs.CV`)).text();
    assert.match(filtered, /role="alert"[^>]*>\s*The search index is being built/);
  } finally {
    app.ctx.search = svc;
  }
});
