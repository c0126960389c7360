/**
 * EMBEDDER=openai end to end: the configured endpoint (a local server speaking the documented
 * OpenAI embeddings format) gives the index its vectors, the index records which embedder made
 * them, and search keeps answering — keyword results with a note — when the endpoint is down,
 * slow or answers garbage. Runs on SQLite and on PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, writeJsonl } from '../support/app.js';
import { startEmbeddingsServer } from '../support/embeddings-server.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configuredEmbedder, createSearchService, getSearchService } from '../../src/search/search.service.js';
import { ConfigError, testConfig } from '../../src/config.js';

test('EMBEDDER=openai: vectors come from the endpoint; down, slow or broken endpoints fall back to keyword search with a note', async (t) => {
  const ep = await startEmbeddingsServer(64);
  // No EMBEDDINGS_DIM: the service learns it from one probe request.
  const app = await testApp({ env: { EMBEDDER: 'openai', EMBEDDINGS_URL: ep.url, EMBEDDINGS_MODEL: 'test-embed', EMBEDDINGS_TIMEOUT_MS: '1500' } });
  t.after(async () => {
    await app.close();
    await ep.close();
  });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: '2024-02-01', onChanged: (ids) => papersChanged(app.ctx, ids) });
  const svc = await getSearchService(app.ctx);
  assert.equal(svc.status().embedder, 'openai:test-embed');
  assert.match(svc.status().detail, /62 papers indexed/);
  assert.ok(ep.requests.every((r) => r.model === 'test-embed'));
  const docs = ep.requests.flatMap((r) => r.input).filter((t) => t.includes('\n'));
  assert.equal(new Set(docs).size, 62, 'every paper (title and abstract) was sent to the endpoint');
  assert.ok(docs.some((t) => t.startsWith('Guided Interpretable Facial Expression Recognition')));

  // A query that reads as a sentence (a function word): the hybrid ranker, with the endpoint's vector.
  const ok = await svc.search('recognition of facial expressions', { debug: true });
  assert.equal(ok.degraded, undefined);
  assert.equal(ok.hits[0]?.id, '2402.00281');
  assert.ok(ok.hits[0].vectorScore !== null && ok.hits[0].vectorRank !== null, 'the vector side took part');
  assert.deepEqual(ep.requests.at(-1)?.input, ['recognition of facial expressions'], 'the query itself was embedded by the endpoint');
  // Keywords are ranked by BM25F alone: the endpoint is not asked (query-style.ts).
  const asked = ep.requests.length;
  const kw = await svc.search('facial expression recognition', { debug: true });
  assert.equal(kw.hits[0]?.id, '2402.00281');
  assert.equal(kw.hits[0].vectorScore, null);
  assert.match(kw.ranking ?? '', /keywords/);
  assert.equal(ep.requests.length, asked, 'no embedding request for a keyword query');

  for (const [mode, why] of [
    ['down', /HTTP 503/],
    ['slow', /did not answer within 1500 ms/],
    ['garbage', /invalid JSON/],
  ] as const) {
    ep.mode = mode;
    const r = await svc.search('recognition of facial expressions');
    assert.match(r.degraded ?? '', why, mode);
    assert.equal(r.hits[0]?.id, '2402.00281', `${mode}: keyword results still come`);
    assert.equal(r.hits[0].vectorScore, null);
    const page = await (await app.request('/search?q=recognition+of+facial+expressions')).text();
    assert.match(page, /Showing keyword results only/);
    assert.match(page, /2402\.00281/);
  }

  // A paper added while the endpoint is down is still found (lexically), and doctor says so.
  ep.mode = 'down';
  const line = JSON.stringify({ id: '2405.99999', title: 'Quokka locomotion on sandy terrain', abstract: 'We study how quokkas hop on sand.', authors: ['A. Marsupial'], categories: ['cs.RO'], created: '2024-05-01' });
  await importFile(app.ctx.store.db, writeJsonl(app.env.dataDir, 'one.jsonl', [line]), { now: () => app.clock.now(), onChanged: (ids) => papersChanged(app.ctx, ids) });
  const q = await svc.search('quokka sandy terrain');
  assert.equal(q.hits[0]?.id, '2405.99999');
  assert.match(svc.status().detail, /no vector until the next reindex/);

  ep.mode = 'ok';
  const back = await svc.search('recognition of facial expressions');
  assert.equal(back.degraded, undefined, 'vectors again once the endpoint is back');
  assert.ok(back.hits[0].vectorScore !== null);

  // A restart replays the papers added since the build from text; the service gets their
  // vectors again from the endpoint (the quokka paper's for the first time).
  const { embedder } = await configuredEmbedder(app.ctx.config);
  const restarted = await createSearchService({ db: app.ctx.store.db, dataDir: app.env.dataDir, embedder, queryEmbedTimeoutMs: 1500 });
  await restarted.idle();
  assert.match(restarted.status().detail, /63 papers indexed/);
  assert.doesNotMatch(restarted.status().detail, /no vector/);
  for (const [q, id] of [['recognition of facial expressions', '2402.00281'], ['quokkas on sandy terrain', '2405.99999']]) {
    const r = await restarted.search(q);
    assert.equal(r.hits[0]?.id, id);
    assert.ok(r.hits[0].vectorScore !== null, `${id} has its vector after the restart`);
  }
  await restarted.close();
});

test('EMBEDDER=openai with the endpoint down at first start: the site works, search explains what to fix', async (t) => {
  const ep = await startEmbeddingsServer(8);
  ep.mode = 'down';
  const app = await testApp({ env: { EMBEDDER: 'openai', EMBEDDINGS_URL: ep.url, EMBEDDINGS_MODEL: 'm', EMBEDDINGS_TIMEOUT_MS: '1500' } });
  try {
    const r = await (await getSearchService(app.ctx)).search('anything');
    assert.match(r.error ?? '', /EMBEDDINGS_DIM is not set.*HTTP 503.*set EMBEDDINGS_DIM/);
    const page = await app.request('/search?q=anything');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /EMBEDDINGS_DIM is not set/);
    assert.equal((await app.request('/')).status, 200, 'the rest of the site is up');
  } finally {
    await app.close();
  }
  // With EMBEDDINGS_DIM the endpoint need not answer at start: an automatic build with the
  // endpoint down serves keyword search and says that vectors wait for a reindex.
  const app2 = await testApp({ env: { EMBEDDER: 'openai', EMBEDDINGS_URL: ep.url, EMBEDDINGS_MODEL: 'm', EMBEDDINGS_DIM: '8', EMBEDDINGS_TIMEOUT_MS: '1500' } });
  t.after(async () => {
    await app2.close();
    await ep.close();
  });
  await importFile(app2.ctx.store.db, DEMO_FILE, { now: () => app2.clock.now(), demo: true, demoDate: '2024-02-01' });
  const { embedder } = await configuredEmbedder(app2.ctx.config);
  const svc = await createSearchService({ db: app2.ctx.store.db, dataDir: app2.env.dataDir + '/second', embedder, queryEmbedTimeoutMs: 1500 });
  const r = await svc.search('facial expression recognition');
  assert.equal(r.hits[0]?.id, '2402.00281');
  assert.match(r.degraded ?? '', /HTTP 503/);
  assert.match(svc.status().detail, /vector search is off until `papertide reindex` succeeds/);
});

test('embedder settings that do not fit together stop start-up with what to set', () => {
  const problems = (env: Record<string, string>) => {
    try {
      testConfig(env);
      return [];
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.problems;
    }
  };
  assert.deepEqual(problems({ EMBEDDER: 'openai' }).map((p) => p.split(':')[0]), ['EMBEDDINGS_URL', 'EMBEDDINGS_MODEL']);
  assert.match(problems({ EMBEDDINGS_URL: 'http://127.0.0.1:11434' })[0], /set EMBEDDER=openai/);
  assert.match(problems({ EMBEDDER: 'transformers' })[0], /TRANSFORMERS_MODEL: required/);
  assert.match(problems({ EMBEDDER: 'cohere' })[0], /^EMBEDDER/);
  assert.deepEqual(problems({ EMBEDDER: 'openai', EMBEDDINGS_URL: 'http://127.0.0.1:1', EMBEDDINGS_MODEL: 'm', EMBEDDINGS_DIM: '384' }), []);
});

test('a large store with EMBEDDER=openai is indexed by the background worker with the same endpoint', async (t) => {
  const ep = await startEmbeddingsServer(16);
  const app = await testApp({ env: { EMBEDDER: 'openai', EMBEDDINGS_URL: ep.url, EMBEDDINGS_MODEL: 'bg-embed' } });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-search-bg-emb-'));
  t.after(async () => {
    await app.close();
    await ep.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: '2024-02-01' });
  const { embedder, settings } = await configuredEmbedder(app.ctx.config);
  const before = ep.requests.length;
  const svc = await createSearchService({ db: app.ctx.store.db, dataDir, autoBuildMax: 10, background: { databaseUrl: app.ctx.config.databaseUrl }, embedder, embedderSettings: settings });
  assert.match((await svc.search('facial expression')).error ?? '', /being built/);
  await svc.idle();
  assert.equal(svc.status().embedder, 'openai:bg-embed', svc.status().detail);
  assert.ok(ep.requests.slice(before).flatMap((r) => r.input).filter((t) => t.includes('\n')).length >= 62, 'the worker embedded the papers through the endpoint');
  const r = await svc.search('recognition of facial expressions');
  assert.equal(r.hits[0]?.id, '2402.00281');
  assert.ok(r.hits[0].vectorScore !== null);
  await svc.close();
});

// EMBEDDER=transformers with a model folder the test writes (the real library; it is an optional
// package, so this is skipped where it is not installed — CI installs it).
let transformersAbsent: string | false = false;
try {
  await import('@huggingface/transformers' as string);
} catch (e) {
  if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') transformersAbsent = '@huggingface/transformers is not installed (optional)';
}

test('EMBEDDER=transformers: the index gets its vectors from the local model folder', { skip: transformersAbsent }, async (t) => {
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-tiny-model-'));
  const { writeTinyTransformer } = await import('../support/tiny-transformer.js');
  writeTinyTransformer(modelDir);
  const app = await testApp({ env: { EMBEDDER: 'transformers', TRANSFORMERS_MODEL: modelDir } });
  t.after(async () => {
    await app.close();
    fs.rmSync(modelDir, { recursive: true, force: true });
  });
  const paper = (id: string, title: string, abstract: string) => JSON.stringify({ id, title, abstract, authors: ['A. Author'], categories: ['cs.LG'], created: '2024-05-01' });
  const file = writeJsonl(app.env.dataDir, 'p.jsonl', [
    paper('2405.00001', 'Graph neural network training', 'We study deep learning on graphs with attention and gradient training of node embeddings.'),
    paper('2405.00002', 'Attention for graph networks', 'Transformer attention over graph nodes for deep neural network learning.'),
    paper('2405.00003', 'Protein folding and binding', 'We study protein folding, enzyme binding and membrane proteins in the cell.'),
    paper('2405.00004', 'Gene mutation in tissue', 'A study of gene mutation and DNA in cells of tissue.'),
  ]);
  await importFile(app.ctx.store.db, file, { now: () => app.clock.now(), onChanged: (ids) => papersChanged(app.ctx, ids) });
  const svc = await getSearchService(app.ctx);
  assert.equal(svc.status().embedder, `transformers:${modelDir}`);
  // Every paper holds a word of the query ("study" is in the biology ones too), so all four are
  // matches and each is ranked with its vector from the model.
  const r = await svc.search('a study of neural network embeddings', { debug: true });
  assert.equal(r.hits.length, 4);
  assert.equal(r.degraded, undefined);
  assert.ok(r.hits.every((h) => h.vectorScore !== null), 'every hit has a vector score from the model');
  const score = new Map(r.hits.map((h) => [h.id, h.vectorScore!]));
  // The tiny model's word table puts ML words on one dimension and biology on another.
  assert.ok(score.get('2405.00001')! > score.get('2405.00003')!, JSON.stringify([...score]));
});
