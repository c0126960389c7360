/**
 * Search index lifecycle (docs/search.md, "Index lifecycle"): a store too large for a synchronous
 * build is indexed by a background worker while search answers with a note; a large change set
 * goes to the delta segment linearly and is searchable at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testApp } from '../helpers/app.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { createSearchService } from '../../src/search/search.service.js';

test('above autoBuildMax the index is built in a worker; meanwhile search says so, then answers', async () => {
  const app = await testApp();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-search-bg-'));
  try {
    await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: '2024-02-01', onChanged: (ids) => papersChanged(app.ctx, ids) });
    const svc = await createSearchService({ db: app.ctx.store.db, dataDir, autoBuildMax: 10, background: { databaseUrl: app.ctx.config.databaseUrl } });
    assert.equal(svc.ready, false);
    const during = await svc.search('facial expression');
    assert.match(during.error ?? '', /being built/);
    assert.match(svc.status().detail, /being built/);
    await svc.idle();
    assert.equal(svc.ready, true, svc.status().detail);
    const after = await svc.search('facial expression');
    assert.equal(after.hits[0]?.id, '2402.00281');
    assert.ok(svc.status().docs >= 62);
    await svc.close();
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('upserts go to an open delta segment: searchable at once, replacements and removals respected', async () => {
  const app = await testApp();
  try {
    const doc = (id: string, title: string) => ({ id, title, abstract: `${title} abstract text`, authors: ['Ada Lovelace'], categories: ['cs.LG'], publishedAt: '2024-01-01', codeUrl: null, upvotes: 0 });
    const { getSearchService } = await import('../../src/search/search.service.js');
    const s = await getSearchService(app.ctx);
    for (let b = 0; b < 5; b++) await s.upsert(Array.from({ length: 200 }, (_, i) => doc(`9999.${String(b * 200 + i).padStart(5, '0')}`, `zebra batch${b} item${i}`)));
    assert.equal(s.engine!.pendingCount, 1000);
    const e = s.engine!;
    const hits = (q: string) => e.search({ text: q, phrases: [], excluded: [], filters: { authors: [], categories: [], from: null, to: null, hasCode: false } } as never, { mode: 'lexical', limit: 5 }).hits.map((h) => h.id);
    assert.equal(hits('batch3 item7')[0], '9999.00607');
    await s.upsert([doc('9999.00607', 'okapi replaced')]);
    assert.deepEqual(hits('batch3 item7').includes('9999.00607'), false);
    assert.equal(hits('okapi replaced')[0], '9999.00607');
    await s.remove(['9999.00607']);
    assert.equal(hits('okapi replaced').includes('9999.00607'), false);
    assert.equal(e.pendingCount, 999);
  } finally {
    await app.close();
  }
});
