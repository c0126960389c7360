/**
 * What a match is, and that the count, the pages and the sorts agree on it (engine.ts
 * SearchEngine.search), on a main segment plus a delta with removals; the estimate above the
 * postings budget; suggestions and matched authors (pure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchQuery } from '../domain/search-query.js';
import { buildEngine, type SearchEngine } from './engine.js';
import type { SearchDoc } from './lexical-index.js';
import { rng } from './linalg.js';
import { matchedAuthors } from './snippet.js';
import { suggestions } from './suggest.js';
import { tokenize } from './tokenizer.js';

const WORDS = ['graph', 'neural', 'diffusion', 'video', 'robot', 'language', 'speech', 'retrieval', 'protein', 'vision', 'agent', 'policy', 'kernel', 'sparse', 'quantum', 'audio'];
function docs(n: number, seed: number, prefix: string): SearchDoc[] {
  const r = rng(seed);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)];
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(5, '0')}`,
    title: `${pick()} ${pick()} study`,
    abstract: `We study ${pick()} and ${pick()} with ${pick()} methods.`,
    authors: [`Author ${prefix}${i % 7}`, i % 11 === 0 ? 'Geoffrey Hinton' : 'Ada Lovelace'],
    categories: i % 3 ? ['cs.LG'] : [],
    publishedAt: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
    codeUrl: null,
    upvotes: Math.floor(r() * 40),
  }));
}
const q = (s: string) => {
  const p = parseSearchQuery(s);
  assert.ok(p.ok, s);
  return p.query;
};

/** Main segment of 600 papers, a delta of 150 (50 of them replacing main ones), 30 removed. */
async function engineWithDelta(): Promise<{ e: SearchEngine; live: Map<string, SearchDoc> }> {
  const main = docs(600, 1, 'm');
  const e = await buildEngine([main]);
  const added = [...docs(100, 2, 'd'), ...docs(50, 3, 'm')]; // the last 50 replace m00000..m00049
  e.upsert(added);
  const removed = ['m00100', 'm00101', 'd00003', ...Array.from({ length: 27 }, (_, i) => `m${String(200 + i).padStart(5, '0')}`)];
  e.remove(removed);
  const live = new Map<string, SearchDoc>();
  for (const d of [...main, ...added]) live.set(d.id, d);
  for (const id of removed) live.delete(id);
  return { e, live };
}
const brute = (live: Map<string, SearchDoc>, text: string) => {
  const want = new Set(tokenize(text));
  return [...live.values()].filter((d) => [...tokenize(d.title), ...tokenize(d.abstract), ...tokenize(d.authors.join(' '))].some((t) => want.has(t)));
};

test('count = every paper holding a query word, exact across main and delta segments; the same for every page and sort', async () => {
  const { e, live } = await engineWithDelta();
  for (const text of ['graph', 'diffusion video', 'quantum kernel sparse']) {
    const expected = brute(live, text).length;
    for (const sort of ['relevance', 'newest', 'upvotes'] as const) {
      for (const offset of [0, 40, 300]) {
        const r = e.search(q(text), { sort, offset, limit: 20 });
        assert.equal(r.total, expected, `${text} ${sort} offset ${offset}`);
        assert.equal(r.totalExact, true);
      }
    }
    assert.equal(e.search(q(text), { mode: 'lexical' }).total, expected, 'lexical mode counts the same');
  }
  // filters and exclusions narrow the count the same way
  const withCat = brute(live, 'graph').filter((d) => d.categories.includes('cs.LG') && !tokenize(d.title + ' ' + d.abstract).includes('video'));
  assert.equal(e.search(q('graph cat:cs.LG -video')).total, withCat.length);
});

test('relevance pages: fixed pool, then BM25F order; all pages together hold every match once; page 1 never changes', async () => {
  const { e, live } = await engineWithDelta();
  const want = new Set(brute(live, 'graph neural').map((d) => d.id));
  const page = (offset: number) => e.search(q('graph neural'), { offset, limit: 25, depth: 30 }).hits.map((h) => h.id);
  const first = page(0);
  const seen: string[] = [];
  for (let off = 0; off < want.size + 25; off += 25) seen.push(...page(off));
  assert.equal(new Set(seen).size, seen.length, 'no duplicates across pages');
  assert.deepEqual(new Set(seen), want);
  assert.deepEqual(page(0), first);
  // hybrid never shows a paper without a query word (vector neighbours only rank matches)
  for (const id of seen) assert.ok(want.has(id));
});

test('sort=newest / upvotes order every match (ties by relevance), across segments', async () => {
  const { e, live } = await engineWithDelta();
  const all = brute(live, 'robot');
  const day = (d: SearchDoc) => Date.parse(d.publishedAt!);
  for (const sort of ['newest', 'upvotes'] as const) {
    const key = (d: SearchDoc) => (sort === 'newest' ? day(d) : d.upvotes);
    const expected = [...all].sort((a, b) => key(b) - key(a)).map(key);
    const got: number[] = [];
    for (let off = 0; off < all.length; off += 20) got.push(...e.search(q('robot'), { sort, offset: off, limit: 20 }).hits.map((h) => key(live.get(h.id)!)));
    assert.deepEqual(got, expected, sort);
  }
  // within one day the paper with the word in its title (higher BM25F) comes first
  const top = e.search(q('robot'), { sort: 'newest', limit: all.length }).hits;
  for (let i = 1; i < top.length; i++) {
    const a = live.get(top[i - 1].id)!, b = live.get(top[i].id)!;
    if (a.publishedAt === b.publishedAt) assert.ok(top[i - 1].lexical >= top[i].lexical);
  }
  // filters only (no words): every allowed paper, sorted
  const cs = [...live.values()].filter((d) => d.categories.includes('cs.LG'));
  const r = e.search(q('cat:cs.LG'), { sort: 'upvotes', limit: 10 });
  assert.equal(r.total, cs.length);
  assert.deepEqual(r.hits.map((h) => live.get(h.id)!.upvotes), cs.map((d) => d.upvotes).sort((a, b) => b - a).slice(0, 10));
});

test('above the postings budget the relevance count is an estimate, labelled as one; sorts stay exact', async () => {
  const { e, live } = await engineWithDelta();
  const exact = brute(live, 'graph neural diffusion').length;
  e.countExactMaxPostings = 100;
  const r = e.search(q('graph neural diffusion'), { limit: 10 });
  assert.equal(r.totalExact, false);
  assert.ok(Math.abs(r.total - exact) / exact < 0.3, `estimate ${r.total} vs ${exact}`);
  assert.equal(String(r.total).replace(/0+$/, '').length <= 2, true, `${r.total}: two significant digits`);
  for (const h of r.hits) assert.ok(h.lexical > 0, 'no paper without a query word');
  const s = e.search(q('graph neural diffusion'), { sort: 'newest', limit: 10 });
  assert.deepEqual([s.total, s.totalExact], [exact, true]);
});

test('suggestions: author names and titles that contain what was typed', () => {
  const papers = [
    { title: 'Deep learning', authors: ['Yann LeCun', 'Yoshua Bengio', 'Geoffrey Hinton'] },
    { title: 'Energy-based models', authors: ['Yann LeCun'] },
    { title: 'A survey of Yannakakis algorithms', authors: ['Jane Doe'] },
    { title: 'Video diffusion models', authors: ['Yannis Tevissen'] },
  ];
  assert.deepEqual(suggestions('yann', papers, papers), ['author:"Yann LeCun"', 'author:"Yannis Tevissen"', 'A survey of Yannakakis algorithms']);
  assert.deepEqual(suggestions('video diffu', papers, papers), ['Video diffusion models']);
  assert.deepEqual(suggestions('yann lec', papers, papers), ['author:"Yann LeCun"']);
  assert.deepEqual(suggestions('energy ', papers, papers), ['Energy-based models']);
});

test('matched authors: the author: filter (all its name tokens, else any) and plain words equal to a name token', () => {
  const authors = ['A One', 'B Two', 'C Three', 'D Four', 'E Five', 'F Six', 'Geoffrey E. Hinton', 'G Hinton'];
  assert.deepEqual(matchedAuthors(authors, ['geoffrey hinton'], ''), ['Geoffrey E. Hinton']);
  assert.deepEqual(matchedAuthors(authors, ['hinton'], ''), ['Geoffrey E. Hinton', 'G Hinton']);
  assert.deepEqual(matchedAuthors(authors, [], 'hinton networks'), ['Geoffrey E. Hinton', 'G Hinton']);
  assert.deepEqual(matchedAuthors(authors, [], 'networks'), []);
});
