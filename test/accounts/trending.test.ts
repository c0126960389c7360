/** Trending over HTTP and through the service, with a pinned clock and exact scores. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { listTrending, recomputeRecent, explainPaper } from '../../src/trending/trending.service.js';
import { setExternalCounts } from '../../src/daily/daily.repository.js';

const NOW = '2025-06-05T12:00:00Z';

async function scenario() {
  const app = await testApp({ now: NOW });
  await seedPapers(app, [
    // A: featured 48 h ago, 6 votes, 2 comments (imported), +3 stars this week → (1+6+1+4) × 0.5 = 6
    {
      id: '2506.00001',
      featuredAt: '2025-06-03T12:00:00.000Z',
      codeUrl: 'https://github.com/a/b',
      stars: [
        { observedAt: '2025-05-28T00:00:00.000Z', stars: 10 },
        { observedAt: '2025-06-05T00:00:00.000Z', stars: 13 },
      ],
    },
    // B: featured now, 1 vote → (1+1) × 1 = 2
    { id: '2506.00002', featuredAt: '2025-06-05T12:00:00.000Z', categories: ['cs.CL'] },
    // C: featured 10 days ago, 1 vote → 2 × 2^(−5) = 0.0625; only in the month window
    { id: '2505.00003', featuredAt: '2025-05-26T12:00:00.000Z' },
  ]);
  await setExternalCounts(app.ctx.store.db, [{ id: '2506.00001', upvotes: 0, comments: 2 }]);
  const voters = [];
  for (let i = 0; i < 6; i++) voters.push((await signedIn(app, `voter${i}`)).browser);
  for (const v of voters) assert.equal((await v.post('/vote', { paper: '2506.00001' })).status, 303);
  assert.equal((await voters[0].post('/vote', { paper: '2506.00002' })).status, 303);
  assert.equal((await voters[0].post('/vote', { paper: '2505.00003' })).status, 303);
  return app;
}

test('listTrending: exact scores, order and windows', async (t) => {
  const app = await scenario();
  t.after(() => app.close());
  const now = app.clock.now();
  const week = await listTrending(app.ctx.store.db, { window: 'week', now, limit: 10, offset: 0 });
  assert.deepEqual(week.items.map((i) => i.paper.id), ['2506.00001', '2506.00002']);
  assert.ok(Math.abs(week.items[0].score - 6) < 1e-9, String(week.items[0].score));
  assert.ok(Math.abs(week.items[1].score - 2) < 1e-9);
  assert.equal(week.total, 2);
  const day = await listTrending(app.ctx.store.db, { window: 'day', now, limit: 10, offset: 0 });
  assert.deepEqual(day.items.map((i) => i.paper.id), ['2506.00002']);
  const month = await listTrending(app.ctx.store.db, { window: 'month', now, limit: 10, offset: 0 });
  assert.deepEqual(month.items.map((i) => i.paper.id), ['2506.00001', '2506.00002', '2505.00003']);
  assert.ok(Math.abs(month.items[2].score - 0.0625) < 1e-12);
  const cl = await listTrending(app.ctx.store.db, { window: 'month', now, limit: 10, offset: 0, categories: ['cs.CL'] });
  assert.deepEqual(cl.items.map((i) => i.paper.id), ['2506.00002']);
  // 24 hours later nothing was rewritten, yet the scores decayed and the order holds.
  app.clock.advance(24 * 3_600_000);
  const later = await listTrending(app.ctx.store.db, { window: 'week', now: app.clock.now(), limit: 10, offset: 0 });
  assert.ok(Math.abs(later.items[0].score - 6 * 2 ** -0.5) < 1e-9);
  assert.ok(Math.abs(later.items[1].score - 2 * 2 ** -0.5) < 1e-9);
  const ex = (await explainPaper(app.ctx.store.db, '2506.00001', new Date(NOW)))!;
  assert.deepEqual(ex.explanation.points, { base: 1, upvotes: 6, comments: 1, stars: 4, total: 12 });
  assert.deepEqual(ex.ranks, { day: null, week: 1, month: 1 });
});

test('/papers/trending shows the ranking and how each score is made; bad windows are a 400', async (t) => {
  const app = await scenario();
  t.after(() => app.close());
  const res = await app.request('/papers/trending?window=week');
  assert.equal(res.status, 200);
  const html = await res.text();
  const a = html.indexOf('2506.00001');
  const b = html.indexOf('2506.00002');
  assert.ok(a > 0 && b > a, 'A ranks above B');
  assert.match(html, /12\.0 points × 0\.50 \(2\.0 days old\) = <strong>6\.00<\/strong>/);
  assert.match(html, /2\.00 points × 1\.00 \(0\.0 hours old\) = <strong>2\.00<\/strong>/);
  assert.doesNotMatch(html, /2505\.00003/);
  const month = await (await app.request('/papers/trending?window=month')).text();
  assert.match(month, /2505\.00003/);
  const bad = await app.request('/papers/trending?window=year');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /day, week, month or all/);
  const badPage = await app.request('/papers/trending?page=-3');
  assert.equal(badPage.status, 400);
  // The paper page explains its score.
  const paper = await (await app.request('/papers/2506.00001')).text();
  assert.match(paper, /id="trending"/);
  assert.match(paper, /<strong>6\.0000<\/strong>/);
  assert.match(paper, /\+3 in 7 days \(10 → 13\)/);
  assert.match(paper, /#1 this week/);
  const about = await app.request('/about/trending');
  assert.equal(about.status, 200);
  assert.match(await about.text(), /2 × log2\(1 \+ GitHub stars gained in the last 7 days\)/);
});

test('the job picks up star growth without a vote', async (t) => {
  const app = await scenario();
  t.after(() => app.close());
  const db = app.ctx.store.db;
  // B's repository gains 15 stars: +8 points → (2 + 8) × 1 = 10 > A's 6.
  await db.insertInto('star_snapshots').values([
    { paper_id: '2506.00002', observed_at: '2025-06-01T00:00:00.000Z', stars: 5 },
    { paper_id: '2506.00002', observed_at: '2025-06-05T11:00:00.000Z', stars: 20 },
  ]).execute();
  const before = await listTrending(db, { window: 'week', now: app.clock.now(), limit: 10, offset: 0 });
  assert.equal(before.items[0].paper.id, '2506.00001');
  const n = await recomputeRecent(db, app.clock.now());
  assert.ok(n >= 3);
  const after = await listTrending(db, { window: 'week', now: app.clock.now(), limit: 10, offset: 0 });
  assert.equal(after.items[0].paper.id, '2506.00002');
  assert.ok(Math.abs(after.items[0].score - 10) < 1e-9);
});
