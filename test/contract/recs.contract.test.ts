/**
 * For you on both stores (SQLite always, PostgreSQL with --pg), through the service with the
 * real search index: no signal, saved papers bring related recent papers with "like …"
 * explanations, saved and dismissed papers are never listed, a dismissal and its undo show on
 * the next call, follows boost and explain, upvotes count, windows and the empty-window
 * fallback, the plain fallback without an index, and refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.js';
import { papersChanged } from '../../src/app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { insertUser } from '../../src/users/users.repository.js';
import { saveItem } from '../../src/library/library.repository.js';
import { insertVote } from '../../src/votes/votes.repository.js';
import { setFollow } from '../../src/follows/follows.service.js';
import { forYou, forYouMany, ForYouBatch, dismiss, undismiss, recentDismissals } from '../../src/recs/recs.service.js';
import { sql } from 'kysely';
import { migrate, migrationStatus } from '../../src/db/index.js';
import type { PaperInput } from '../../src/domain/paper.js';

const store = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';
const NOW = '2025-06-20T12:00:00.000Z';
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();

const GRAPH = 'Graph neural networks predict molecular properties: message passing over atoms and bonds of molecules.';
const SPEECH = 'Speech recognition with acoustic models: audio spectrograms, phonemes and transcription of spoken words.';
const ROBOT = 'Reinforcement learning for robot grasping: policies, rewards and manipulation by robotic arms.';

const paper = (id: string, title: string, abstract: string, publishedAt: string, over: Partial<PaperInput> = {}): PaperInput => ({
  id,
  title,
  abstract,
  authors: ['Ada Lovelace'],
  categories: ['cs.LG'],
  publishedAt,
  version: 1,
  ...over,
});

const PAPERS: PaperInput[] = [
  // Old: the user's library.
  paper('2501.00001', 'Message passing networks for molecules', GRAPH, '2025-01-10T00:00:00.000Z'),
  paper('2501.00002', 'Equivariant graph networks for molecular graphs', GRAPH, '2025-01-11T00:00:00.000Z'),
  // This week.
  paper('2506.00101', 'Graph neural networks for drug molecules', GRAPH, daysAgo(2)),
  paper('2506.00102', 'Molecular property prediction with message passing', GRAPH, daysAgo(3)),
  paper('2506.00103', 'End-to-end speech recognition', SPEECH, daysAgo(2), { categories: ['cs.CL', 'eess.AS'], authors: ['Grace Hopper'] }),
  paper('2506.00104', 'Robot grasping with reinforcement learning', ROBOT, daysAgo(4), { categories: ['cs.RO'], authors: ['Émilie du Châtelet'] }),
  // Today.
  paper('2506.00201', 'Transcribing spoken words with acoustic models', SPEECH, daysAgo(0.2), { categories: ['cs.CL'] }),
  // Three weeks ago.
  paper('2505.00301', 'Atoms and bonds: graph networks for chemistry', GRAPH, daysAgo(20)),
];

async function setup(): Promise<{ app: TestApp; alice: { id: number; name: string; role: 'user' } }> {
  const app = await testApp({ now: NOW });
  const db = app.ctx.store.db;
  await upsertPapers(db, PAPERS, { now: NOW });
  await papersChanged(app.ctx, PAPERS.map((p) => p.id));
  await app.ctx.search?.settle();
  const id = await insertUser(db, { name: 'alice', email: 'alice@example.org', passwordHash: null, role: 'user', verifiedAt: NOW, now: NOW });
  return { app, alice: { id, name: 'alice', role: 'user' } };
}

const ids = (r: { items: { paper: { id: string } }[] }) => r.items.map((i) => i.paper.id);

test(`[${store}] migration 007 applies, also on a store that ran 008 before 007 existed`, async () => {
  const { app } = await setup();
  try {
    assert.ok((await migrationStatus(app.ctx.store)).applied.includes('007_recs'));
    // A store migrated by a build without 007 (008_author_claims already applied).
    await app.ctx.store.db.schema.dropTable('rec_dismissals').execute();
    await sql`delete from kysely_migration where name = '007_recs'`.execute(app.ctx.store.db);
    assert.deepEqual((await migrationStatus(app.ctx.store)).pending, ['007_recs']);
    assert.deepEqual((await migrate(app.ctx.store)).applied, ['007_recs']);
    assert.equal(await recentDismissals(app.ctx, { id: 1, name: 'alice', role: 'user' }).then((r) => r.length), 0, 'the table is there');
  } finally {
    await app.close();
  }
});

test(`[${store}] no signal, then saved papers bring related recent ones first, explained; saved papers are never listed`, async () => {
  const { app, alice } = await setup();
  try {
    const none = await forYou(app.ctx, alice.id, { window: 'week' });
    assert.equal(none.state, 'no-signal');
    assert.deepEqual(none.items, []);
    const db = app.ctx.store.db;
    await saveItem(db, alice.id, '2501.00001', daysAgo(10));
    await saveItem(db, alice.id, '2501.00002', daysAgo(9));
    await saveItem(db, alice.id, '2506.00102', daysAgo(1));
    const r = await forYou(app.ctx, alice.id, { window: 'week' });
    assert.equal(r.state, 'ready');
    assert.equal(r.fallback, false);
    assert.deepEqual(ids(r).slice(0, 1), ['2506.00101'], 'the graph paper of the week comes first');
    assert.ok(!ids(r).includes('2506.00102'), 'a saved paper is not recommended');
    assert.ok(!ids(r).includes('2505.00301'), 'outside the week');
    assert.ok(!ids(r).includes('2501.00001'));
    assert.match(r.items[0].reason, /^like “(Message passing networks for molecules|Equivariant graph networks for molecular graphs|Molecular property prediction with message passing)” in your library$/);
    assert.ok(r.items[0].like);
    assert.ok(r.items[0].score > r.items[r.items.length - 1].score);
    // The month reaches the paper of three weeks ago; the day holds today's paper only.
    assert.ok(ids(await forYou(app.ctx, alice.id, { window: 'month' })).includes('2505.00301'));
    assert.deepEqual(ids(await forYou(app.ctx, alice.id, { window: 'day' })), ['2506.00201']);
    assert.equal((await forYou(app.ctx, alice.id, { window: 'month', limit: 2 })).items.length, 2);
  } finally {
    await app.close();
  }
});

test(`[${store}] dismiss: gone on the next call, similar papers rank lower, undo brings it back; refusals`, async () => {
  const { app, alice } = await setup();
  try {
    await saveItem(app.ctx.store.db, alice.id, '2501.00001', daysAgo(10));
    const before = await forYou(app.ctx, alice.id, { window: 'week' });
    const [top, next] = ids(before);
    assert.deepEqual([top, next].sort(), ['2506.00101', '2506.00102'], 'the two graph papers of the week first');
    await dismiss(app.ctx, alice, top);
    await dismiss(app.ctx, alice, top); // idempotent
    const after = await forYou(app.ctx, alice.id, { window: 'week' });
    assert.ok(!ids(after).includes(top));
    assert.equal(ids(after)[0], next);
    assert.equal(after.signals.dismissed, 1);
    const s = (r: typeof before, id: string) => r.items.find((i) => i.paper.id === id)!.score;
    assert.ok(s(after, next) < s(before, next), 'a paper like the dismissed one scores lower');
    assert.deepEqual((await recentDismissals(app.ctx, alice)).map((d) => d.paper.id), [top]);
    await undismiss(app.ctx, alice, top);
    assert.equal(ids(await forYou(app.ctx, alice.id, { window: 'week' }))[0], top);
    assert.deepEqual(await recentDismissals(app.ctx, alice), []);
    await assert.rejects(dismiss(app.ctx, alice, '2506.99999'), { code: 'not_found' });
    await app.ctx.store.db.updateTable('papers').set({ hidden: 1 }).where('id', '=', '2506.00104').execute();
    await assert.rejects(dismiss(app.ctx, alice, '2506.00104'), { code: 'not_found' }, 'a hidden paper');
    await assert.rejects(undismiss(app.ctx, alice, '2506.99999'), { code: 'not_found' });
    await assert.rejects(dismiss(app.ctx, { id: 999, name: 'ghost', role: 'user' }, '2506.00103'), { code: 'unauthorized' });
  } finally {
    await app.close();
  }
});

test(`[${store}] follows boost and explain; upvotes count as a signal`, async () => {
  const { app, alice } = await setup();
  try {
    await setFollow(app.ctx, alice, 'author', 'Emilie du Chatelet', true);
    await setFollow(app.ctx, alice, 'category', 'cs.CL', true);
    const r = await forYou(app.ctx, alice.id, { window: 'week' });
    assert.equal(r.state, 'ready');
    assert.deepEqual(ids(r).slice(0, 3), ['2506.00104', '2506.00201', '2506.00103'], 'the author first, then the category newest first');
    assert.equal(r.items[0].reason, 'you follow author:"Emilie du Chatelet"');
    assert.equal(r.items[1].reason, 'you follow cat:cs.CL');
    // A saved search: its matches in the window; a new matching paper shows on the next call.
    await setFollow(app.ctx, alice, 'query', 'robotic grasping', true);
    assert.ok(ids(await forYou(app.ctx, alice.id, { window: 'week' })).includes('2506.00104'));
    const fresh = paper('2506.00401', 'Grasping with robotic hands', ROBOT, daysAgo(0.1), { categories: ['cs.RO'], authors: ['Someone Else'] });
    await upsertPapers(app.ctx.store.db, [fresh], { now: NOW });
    await papersChanged(app.ctx, [fresh.id]);
    const again = await forYou(app.ctx, alice.id, { window: 'week' });
    assert.equal(again.items.find((i) => i.paper.id === '2506.00401')?.reason, 'you follow the search “robotic grasping”');
    // An upvote alone is a signal: the speech papers' neighbour ranks above the unrelated ones.
    const { app: app2, alice: bob } = await setup();
    try {
      await insertVote(app2.ctx.store.db, bob.id, '2506.00201', daysAgo(0.1));
      const u = await forYou(app2.ctx, bob.id, { window: 'week' });
      assert.equal(u.state, 'ready');
      assert.equal(ids(u)[0], '2506.00103');
      assert.equal(u.items[0].reason, 'like “Transcribing spoken words with acoustic models” in your library');
    } finally {
      await app2.close();
    }
  } finally {
    await app.close();
  }
});

test(`[${store}] an empty window falls back to the newest papers and says so; without an index, follow matches newest first`, async () => {
  const { app, alice } = await setup();
  try {
    await setFollow(app.ctx, alice, 'category', 'cs.LG', true);
    app.clock.set(new Date(Date.parse(NOW) + 90 * 86_400_000).toISOString());
    const r = await forYou(app.ctx, alice.id, { window: 'day' });
    assert.equal(r.fallback, true);
    assert.ok(r.items.length > 0);
    app.clock.set(NOW);
    const plain = await forYou({ ...app.ctx, search: null }, alice.id, { window: 'month' });
    assert.equal(plain.state, 'index-not-ready');
    assert.deepEqual(ids(plain), ['2506.00101', '2506.00102', '2505.00301'], 'cs.LG papers of the month, newest first');
    assert.ok(plain.items.every((i) => i.reason === 'you follow cat:cs.LG'));
  } finally {
    await app.close();
  }
});

test(`[${store}] forYouMany (a digest build) gives every user what forYou gives them, with and without an index, and on an empty window`, async () => {
  const { app, alice } = await setup();
  try {
    const db = app.ctx.store.db;
    const user = async (name: string) => ({ id: await insertUser(db, { name, email: `${name}@example.org`, passwordHash: null, role: 'user', verifiedAt: NOW, now: NOW }), name, role: 'user' as const });
    const [bob, carol, dave, erin, fran, gus] = [await user('bob'), await user('carol'), await user('dave'), await user('erin'), await user('fran'), await user('gus')];
    // alice: saves and a dismissal; bob: an upvote and two categories of one paper (the reason names the first);
    // carol: an author, a category and a saved search; dave: everything; erin: nothing.
    await saveItem(db, alice.id, '2501.00001', daysAgo(10));
    await saveItem(db, alice.id, '2506.00102', daysAgo(1));
    await dismiss(app.ctx, alice, '2506.00101');
    await insertVote(db, bob.id, '2506.00201', daysAgo(0.1));
    await setFollow(app.ctx, bob, 'category', 'eess.AS', true);
    await setFollow(app.ctx, bob, 'category', 'cs.CL', true);
    await setFollow(app.ctx, carol, 'author', 'Emilie du Chatelet', true);
    await setFollow(app.ctx, carol, 'category', 'cs.LG', true);
    await setFollow(app.ctx, carol, 'query', 'robotic grasping', true);
    await saveItem(db, dave.id, '2506.00103', daysAgo(1));
    await insertVote(db, dave.id, '2501.00002', daysAgo(2));
    await setFollow(app.ctx, dave, 'category', 'cs.RO', true);
    await dismiss(app.ctx, dave, '2506.00201');
    // fran and gus: follows only (a batch reads them from per-follow lists): two categories and
    // an author of papers dated the same day; gus one category, one item.
    await setFollow(app.ctx, fran, 'category', 'cs.LG', true);
    await setFollow(app.ctx, fran, 'category', 'cs.CL', true);
    await setFollow(app.ctx, fran, 'author', 'Grace Hopper', true);
    await setFollow(app.ctx, gus, 'category', 'cs.LG', true);
    const users = [alice.id, bob.id, carol.id, dave.id, erin.id, fran.id, gus.id];
    const limitOf = (u: number) => (u === dave.id ? 2 : u === gus.id ? 1 : u === fran.id ? 8 : 5);
    const compare = async (ctx: typeof app.ctx, what: string) => {
      for (const window of ['day', 'week', 'month'] as const) {
        const batch = new ForYouBatch(ctx);
        const many = await forYouMany(ctx, users, { window, limit: limitOf, batch });
        const again = await forYouMany(ctx, [carol.id, bob.id], { window, limit: limitOf, batch }); // the batch's window, read once, serves a second page
        for (const u of users) {
          const one = await forYou(ctx, u, { window, limit: limitOf(u) });
          assert.deepEqual(many.get(u), one, `${what}, ${window}, user ${u}`);
          if (again.has(u)) assert.deepEqual(again.get(u), one, `${what}, ${window}, user ${u}, second page`);
        }
      }
      return forYouMany(ctx, users, { window: 'week', limit: limitOf });
    };
    const ready = await compare(app.ctx, 'with the index');
    assert.equal(ready.get(alice.id)!.state, 'ready');
    assert.equal(ready.get(erin.id)!.state, 'no-signal');
    assert.equal(ready.get(dave.id)!.items.length, 2);
    const plain = await compare({ ...app.ctx, search: null }, 'without an index');
    assert.deepEqual(ids(plain.get(carol.id)!), ['2506.00101', '2506.00102', '2506.00104'], 'follow matches newest first');
    assert.equal(plain.get(carol.id)!.items[2].reason, 'you follow author:"Emilie du Chatelet"');
    assert.equal(plain.get(bob.id)!.items.find((i) => i.paper.id === '2506.00103')?.reason, 'you follow cat:cs.CL', 'two followed categories: the first one (sorted) is the reason');
    app.clock.set(new Date(Date.parse(NOW) + 90 * 86_400_000).toISOString());
    const fallback = await compare(app.ctx, 'an empty window');
    assert.equal(fallback.get(carol.id)!.fallback, true);
  } finally {
    await app.close();
  }
});
