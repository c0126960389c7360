import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseSearchQuery } from '../domain/search-query.js';
import { buildEngine } from './engine.js';
import type { SearchDoc } from './lexical-index.js';
import { IndexMismatchError, loadEngine, saveEngine, appendDelta } from './persist.js';
import { createOpenAIEmbedder } from './embedders/openai.js';
import { snippet, highlight, rememberedStems } from './snippet.js';

const topics = [
  ['Graph neural networks for molecules', 'We train graph neural networks on molecular graphs to predict chemical properties of molecules and atoms.'],
  ['Diffusion models for video generation', 'A diffusion model generates video frames with temporal attention; video generation quality improves.'],
  ['Retrieval augmented language models', 'Language models retrieve documents from a corpus; retrieval augmented generation answers questions.'],
  ['Reinforcement learning for robots', 'Robots learn grasping policies with reinforcement learning and reward shaping in simulation.'],
  ['Speech recognition with transformers', 'Transformer encoders transcribe speech audio into text; speech recognition error rates drop.'],
];
function corpus(): SearchDoc[] {
  const out: SearchDoc[] = [];
  for (let i = 0; i < 60; i++) {
    const [t, a] = topics[i % topics.length];
    out.push({
      id: `2401.${String(10000 + i)}`,
      title: `${t} ${i}`,
      abstract: `${a} Variant ${i} of the study.`,
      authors: i % 2 ? ['Ada Lovelace', 'Alan Turing'] : ['Grace Hopper'],
      categories: i % 3 ? ['cs.LG', 'cs.AI'] : ['cs.CV'],
      publishedAt: `2024-0${1 + (i % 6)}-15`,
      codeUrl: i % 4 === 0 ? 'https://github.com/a/b' : null,
      upvotes: i,
    });
  }
  return out;
}
const q = (s: string) => {
  const r = parseSearchQuery(s);
  assert.ok(r.ok, s);
  return r.query;
};

test('engine: hybrid search ranks the topic first and explains hits', async () => {
  const e = await buildEngine([corpus()]);
  const r = e.search(q('graph neural networks for molecules'), { limit: 5 }); // a sentence: the hybrid ranker
  assert.equal(r.hits.length, 5);
  for (const h of r.hits) assert.match(h.id, /^2401\.100(00|05|10|15|20|25|30|35|40|45|50|55)$/);
  assert.ok(r.hits[0].lexicalRank !== null && r.hits[0].vectorRank !== null);
  assert.ok(r.hits[0].matchedTerms.includes('graph'));
});

test('engine: filters, exclusions, phrases and sorts', async () => {
  const e = await buildEngine([corpus()]);
  const ids = (s: string, o = {}) => e.search(q(s), { limit: 100, ...o }).hits.map((h) => h.id);
  const byId = new Map(corpus().map((d) => [d.id, d]));
  for (const id of ids('video author:turing')) assert.ok(byId.get(id)!.authors.includes('Alan Turing'));
  for (const id of ids('video cat:cs.CV')) assert.ok(byId.get(id)!.categories.includes('cs.CV'));
  for (const id of ids('video has:code')) assert.ok(byId.get(id)!.codeUrl);
  for (const id of ids('video after:2024-03 before:2024-06')) assert.match(byId.get(id)!.publishedAt!, /^2024-0[45]/);
  for (const id of ids('diffusion -video')) assert.ok(!/video/i.test(byId.get(id)!.title + byId.get(id)!.abstract));
  const phrase = ids('"speech recognition"');
  assert.ok(phrase.length > 0 && phrase.every((id) => byId.get(id)!.title.startsWith('Speech')));
  const newest = e.search(q('robots'), { sort: 'newest', limit: 100 }).hits.map((h) => byId.get(h.id)!.publishedAt!);
  assert.deepEqual(newest, [...newest].sort().reverse());
  const browse = e.search(q('cat:cs.CV'), { sort: 'upvotes', limit: 3 }).hits.map((h) => byId.get(h.id)!.upvotes);
  assert.deepEqual(browse, [57, 54, 51]);
});

test('persistence: a saved index loads with identical results; mismatch is refused with a reindex message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-search-'));
  const e = await buildEngine([corpus()]);
  saveEngine(e, dir);
  const loaded = loadEngine(dir, 'builtin');
  const a = e.search(q('language models retrieval'), { limit: 10 }).hits.map((h) => [h.id, h.score.toFixed(6)]);
  const b = loaded.search(q('language models retrieval'), { limit: 10 }).hits.map((h) => [h.id, h.score.toFixed(6)]);
  assert.deepEqual(b, a);
  assert.throws(() => loadEngine(dir, { id: 'openai:nomic-embed-text', dim: 768 }), (err: unknown) => err instanceof IndexMismatchError && /papertide reindex/.test(err.message));
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, tokenizer: 'old-tokenizer' }));
  assert.throws(() => loadEngine(dir, 'builtin'), /tokenizer old-tokenizer.*papertide reindex/);
});

test('incremental: upserted papers are searchable at once and after a reload; removed ones disappear', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-search-'));
  const e = await buildEngine([corpus()]);
  saveEngine(e, dir);
  const fresh: SearchDoc = { id: '2402.00001', title: 'Quantum annealing schedules', abstract: 'Annealing schedules for quantum optimisation of graph problems.', authors: ['Ada Lovelace'], categories: ['quant-ph'], publishedAt: '2024-02-01', codeUrl: null, upvotes: 0 };
  e.upsert([fresh]);
  appendDelta(dir, [fresh]);
  assert.equal(e.search(q('quantum annealing'), { limit: 1 }).hits[0]?.id, '2402.00001');
  const reloaded = loadEngine(dir, 'builtin');
  assert.equal(reloaded.search(q('quantum annealing'), { limit: 1 }).hits[0]?.id, '2402.00001');
  reloaded.remove(['2402.00001', '2401.10000']);
  assert.equal(reloaded.search(q('quantum annealing'), { limit: 5 }).hits.length, 0);
  assert.ok(!reloaded.search(q('graph neural'), { limit: 100 }).hits.some((h) => h.id === '2401.10000'));
  assert.ok(reloaded.similar('2401.10005', 3).length === 3);
});

test('a lexical-only store filled by upserts (no vectors, no positions) ranks exactly like a full build', async () => {
  const docs = corpus();
  const filled = await buildEngine([], { embedder: 'none' });
  for (let i = 0; i < docs.length; i += 3) filled.upsert(docs.slice(i, i + 3));
  const full = await buildEngine([docs], { embedder: 'none' });
  for (const text of ['graph neural networks', 'quantum', 'retrieval augmented language models', 'author:lovelace vision']) {
    const a = filled.search(q(text), { limit: 20, mode: 'lexical' }).hits;
    const b = full.search(q(text), { limit: 20, mode: 'lexical' }).hits;
    assert.deepEqual(a.map((h) => h.id), b.map((h) => h.id), text);
    a.forEach((h, i) => assert.ok(Math.abs(h.score - b[i].score) < 1e-9, `${text}: ${h.id} ${h.score} vs ${b[i].score}`));
  }
  assert.ok(full.search(q('graph'), { limit: 5, mode: 'lexical' }).hits.length > 0);
  // Nothing positional is kept when no positional feature is weighted.
  assert.ok(filled.segments.every((s) => s.pos === null));
  assert.ok(full.segments.every((s) => s.pos === null));
});

test('snippets are escaped and highlighted', () => {
  assert.equal(highlight('<b>Graphs</b> & nets', ['graph']), '&lt;b&gt;<mark>Graphs</mark>&lt;/b&gt; &amp; nets');
  const long = Array.from({ length: 100 }, (_, i) => (i === 70 ? 'retrieval' : `w${i}`)).join(' ');
  const s = snippet(long, ['retriev'], 20);
  assert.match(s, /^… .*<mark>retrieval<\/mark>.* …$/);
});

test('snippets remember stems, boundedly, and highlight the same words the second time', () => {
  const text = 'Retrieval models retrieve; the retrieved graphs.';
  const first = highlight(text, ['retriev']);
  assert.equal(first, '<mark>Retrieval</mark> models <mark>retrieve</mark>; the <mark>retrieved</mark> graphs.');
  assert.equal(highlight(text, ['retriev']), first);
  assert.equal(highlight(text, ['graph']), 'Retrieval models retrieve; the retrieved <mark>graphs</mark>.');
  // Many distinct words: what is remembered stays bounded, and stems stay right past the bound.
  for (let i = 0; i < 51_000; i++) highlight(`zq${i.toString(36)}ing`, []);
  assert.ok(rememberedStems() <= 50_000, `${rememberedStems()} stems remembered`);
  assert.equal(highlight(text, ['retriev']), first);
});

async function server(handler: (body: string, res: import('node:http').ServerResponse) => void) {
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(body, res));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
}

test('OpenAI-compatible embedder: documented response format, errors and time-outs', async (t) => {
  const s = await server((body, res) => {
    const { input, model } = JSON.parse(body) as { input: string[]; model: string };
    if (input[0] === 'slow') return void setTimeout(() => res.end('{}'), 2000);
    if (input[0] === 'down') {
      res.statusCode = 503;
      return void res.end('unavailable');
    }
    res.setHeader('content-type', 'application/json');
    // Documented shape; data deliberately out of order to check `index` is honoured.
    const data = input.map((t, index) => ({ object: 'embedding', index, embedding: [t.length, 1, 0] })).reverse();
    res.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
  });
  t.after(() => s.close());
  const emb = createOpenAIEmbedder({ baseUrl: s.url, model: 'm', dim: 3, timeoutMs: 300 });
  assert.equal(emb.id, 'openai:m');
  const [a, b] = await emb.embedDocuments(['abc', 'a']);
  assert.ok(Math.abs(a[0] - 3 / Math.sqrt(10)) < 1e-6 && Math.abs(b[0] - 1 / Math.sqrt(2)) < 1e-6);
  await assert.rejects(emb.embedQuery('slow'), /unreachable or slow/);
  await assert.rejects(emb.embedQuery('down'), /HTTP 503/);
  const wrong = createOpenAIEmbedder({ baseUrl: s.url, model: 'm', dim: 4 });
  await assert.rejects(wrong.embedQuery('x'), /dimension 3.*configured 4/);
});

test('engine: a keyword query is ranked by BM25F alone, the same words as a sentence by the hybrid ranker', async () => {
  const e = await buildEngine([corpus()]);
  const kw = e.search(q('graph neural networks molecules'), { limit: 5 });
  assert.equal(kw.style, 'keywords');
  assert.ok(kw.hits.length > 0 && kw.hits.every((h) => h.vectorRank === null && Number.isNaN(h.vector)), 'no vector took part');
  const lexical = e.search(q('graph neural networks molecules'), { limit: 5, mode: 'lexical' });
  assert.deepEqual(kw.hits.map((h) => h.id), lexical.hits.map((h) => h.id));
  const forced = e.search(q('graph neural networks molecules'), { limit: 5, queryStyle: false });
  assert.equal(forced.style, undefined);
  assert.ok(forced.hits[0].vectorRank !== null, 'queryStyle: false keeps the hybrid ranker');
  const sentence = e.search(q('graph neural networks for molecules'), { limit: 5 });
  assert.equal(sentence.style, 'sentence');
  assert.ok(sentence.hits[0].vectorRank !== null);
});
