/**
 * Store contract: upvote counts stay exact under concurrent transactions. Runs on SQLite in
 * `npm test` and on PostgreSQL in `npm run test:pg`, where the transactions truly overlap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { seedPapers } from '../support/seed.js';
import { insertUser } from '../../src/users/users.repository.js';
import { toggleVote } from '../../src/votes/votes.service.js';
import { listTrending } from '../../src/trending/trending.service.js';

test(`concurrent toggles keep papers.upvotes equal to the vote rows (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: '2506.00001', featuredAt: '2025-06-05T12:00:00.000Z' }, { id: '2506.00002', featuredAt: '2025-06-05T12:00:00.000Z' }]);
  const now = app.clock.now().toISOString();
  const actors = [];
  for (let i = 0; i < 60; i++) {
    const id = await insertUser(app.ctx.store.db, { name: `u${i}`, email: `u${i}@example.org`, passwordHash: null, role: 'user', verifiedAt: now, now });
    actors.push({ id, name: `u${i}`, role: 'user' as const });
  }
  await Promise.all(actors.map((a) => toggleVote(app.ctx, a, '2506.00001')));
  await Promise.all(actors.slice(0, 45).map((a) => toggleVote(app.ctx, a, '2506.00002')));
  // Everyone toggles paper 1 again, while the first 30 also toggle paper 2 again.
  await Promise.all([...actors.map((a) => toggleVote(app.ctx, a, '2506.00001')), ...actors.slice(0, 30).map((a) => toggleVote(app.ctx, a, '2506.00002'))]);
  const rows = await app.ctx.store.db.selectFrom('papers').select(['id', 'upvotes']).orderBy('id').execute();
  assert.deepEqual(rows.map((r) => [r.id, Number(r.upvotes)]), [['2506.00001', 0], ['2506.00002', 15]]);
  const list = await listTrending(app.ctx.store.db, { window: 'day', now: app.clock.now(), limit: 5, offset: 0 });
  assert.equal(list.items[0].paper.id, '2506.00002');
  assert.ok(Math.abs(list.items[0].score - 16) < 1e-9);
});
