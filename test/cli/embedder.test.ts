/**
 * Changing the embedder (EMBEDDER) as an operator does it: the index built with one embedder is
 * refused under another with a message naming both and `papertide reindex`; reindex moves it to
 * the configured one; a reindex whose endpoint is down fails clearly and keeps the old index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, cliAsync } from '../support/server.js';
import { startEmbeddingsServer } from '../support/embeddings-server.js';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';

test('reindex moves the index to the configured embedder; a mismatch is refused until then', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-cli-emb-'));
  const ep = await startEmbeddingsServer(32);
  const openai = { EMBEDDER: 'openai', EMBEDDINGS_URL: ep.url, EMBEDDINGS_MODEL: 'test-embed', EMBEDDINGS_TIMEOUT_MS: '1000' };
  const base = { DATA_DIR: dir, LOG_LEVEL: 'silent' };
  /** Search as the server would, on this data dir with these settings. */
  const searchWith = async (env: Record<string, string>, q: string) => {
    const { ctx } = await createApp(testConfig({ ...base, ...env }));
    try {
      return await ctx.search!.search(q, { limit: 5 } as never) as { hits: { id: string; vectorScore: number | null }[]; error?: string };
    } finally {
      await ctx.close();
    }
  };
  t.after(async () => {
    await ep.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(cli(['demo'], base).status, 0);
  let r = cli(['reindex'], base);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /reindexed 62 papers .*embedder builtin-ppmi-svd-/);

  const refused = await searchWith(openai, 'facial expression recognition');
  assert.match(refused.error ?? '', /built with another embedder \(builtin-ppmi-svd-\S+\/200, configured openai:test-embed\/32\)\. Run `papertide reindex`/);
  assert.equal(refused.hits.length, 0);

  r = await cliAsync(['reindex'], { ...base, ...openai });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /reindexed 62 papers .*embedder openai:test-embed/);
  const viaEndpoint = await searchWith(openai, 'recognition of facial expressions'); // a sentence: hybrid, with the endpoint's vector
  assert.equal(viaEndpoint.error, undefined);
  assert.equal(viaEndpoint.hits[0]?.id, '2402.00281');
  assert.ok(viaEndpoint.hits[0].vectorScore !== null);

  ep.mode = 'down';
  r = await cliAsync(['reindex'], { ...base, ...openai, EMBEDDINGS_DIM: '32' });
  assert.equal(r.status, 7, 'an embedder that cannot answer is "unavailable" in the error table (exit 7)');
  assert.match(r.stderr, /^papertide: embeddings endpoint .* answered HTTP 503$/m);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  ep.mode = 'ok';
  const kept = await searchWith(openai, 'facial expression recognition');
  assert.equal(kept.hits[0]?.id, '2402.00281', 'the failed reindex left the previous index in place');

  const back = await searchWith({}, 'facial expression recognition');
  assert.match(back.error ?? '', /built with another embedder \(openai:test-embed\/32, configured the built-in one\)\. Run `papertide reindex`/);
});
