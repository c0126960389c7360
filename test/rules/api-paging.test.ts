/** /api/papers cursor paging when many papers share a publication date (or have none) across page boundaries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { papersChanged } from '../../src/app.js';

test('cursor paging with ties in dates at every page boundary returns each paper once, newest first then id', async (t) => {
  const app = await useApp(t, { now: '2025-06-10T12:00:00Z' });
  const dates = ['2025-06-03T00:00:00.000Z', '2025-06-02T17:54:39.000Z', null];
  const papers = Array.from({ length: 23 }, (_, i) => ({
    id: `2506.${String(20000 + ((i * 7919) % 100)).padStart(5, '0')}`,
    title: `Tied paper ${i}`,
    abstract: `Abstract ${i}.`,
    authors: ['Ada Lovelace'],
    categories: ['cs.LG'],
    publishedAt: dates[i % 3 === 0 ? 0 : i % 3 === 1 && i < 16 ? 1 : i < 12 ? 0 : 2],
    codeUrl: null,
    version: 1,
  }));
  await upsertPapers(app.ctx.store.db, papers as any, { now: app.clock.now().toISOString() });
  await papersChanged(app.ctx, papers.map((p) => p.id));
  const expected = [...papers].sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? '') || b.id.localeCompare(a.id)).map((p) => p.id);
  for (const limit of [1, 2, 3, 4, 5, 7, 22, 23]) {
    const seen: string[] = [];
    let url: string | null = `/api/papers?limit=${limit}`;
    while (url) {
      const res: Response = await app.request(url);
      assert.equal(res.status, 200, url);
      const page = (await res.json()) as { id: string }[];
      assert.ok(page.length <= limit);
      seen.push(...page.map((p) => p.id));
      const link = res.headers.get('link');
      url = link ? new URL(/<([^>]+)>; rel="next"/.exec(link)![1]).pathname + new URL(/<([^>]+)>; rel="next"/.exec(link)![1]).search : null;
      if (seen.length > 100) assert.fail('paging does not end');
    }
    assert.deepEqual(seen, expected, `limit=${limit}`);
  }
});
