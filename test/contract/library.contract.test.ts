/**
 * Library and follows repositories on both stores (SQLite always, PostgreSQL with --pg): saves
 * are idempotent, unsaving leaves the user's collections, hidden papers are kept but not listed,
 * collections count visible papers, follows are unique per user and match papers newest first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../support/app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { insertUser } from '../../src/users/users.repository.js';
import * as lib from '../../src/library/library.repository.js';
import * as fol from '../../src/follows/follows.repository.js';
import { migrationStatus } from '../../src/db/index.js';
import type { PaperInput } from '../../src/domain/paper.js';

const store = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';
const now = '2025-06-04T12:00:00.000Z';
const paper = (id: string, over: Partial<PaperInput> = {}): PaperInput => ({ id, title: `Paper ${id}`, abstract: 'We study.', authors: ['Ada Lovelace', 'Alan Turing'], categories: ['cs.LG'], publishedAt: '2025-06-01T00:00:00.000Z', ...over });

async function setup() {
  const app = await testApp();
  const db = app.ctx.store.db;
  await upsertPapers(
    db,
    [
      paper('2506.00001', { publishedAt: '2025-06-01T00:00:00.000Z', categories: ['cs.CL'], authors: ['Émilie du Châtelet'] }),
      paper('2506.00002', { publishedAt: '2025-06-03T00:00:00.000Z', categories: ['cs.CL', 'cs.LG'] }),
      paper('2506.00003', { publishedAt: '2025-06-02T00:00:00.000Z', categories: ['math.AG'], authors: ['Emilie du Chatelet'] }),
    ],
    { now },
  );
  const alice = await insertUser(db, { name: 'alice', email: 'alice@example.org', passwordHash: null, role: 'user', verifiedAt: now, now });
  const bob = await insertUser(db, { name: 'bob', email: 'bob@example.org', passwordHash: null, role: 'user', verifiedAt: now, now });
  return { app, db, alice, bob };
}

test(`[${store}] migration 005 applies`, async (t) => {
  const { app } = await setup();
  t.after(() => app.close());
  assert.ok((await migrationStatus(app.ctx.store)).applied.includes('005_library'));
});

test(`[${store}] saves: idempotent, per user, newest saved first, notes kept, hidden papers not listed`, async (t) => {
  const { app, db, alice, bob } = await setup();
  t.after(() => app.close());
  assert.equal(await lib.saveItem(db, alice, '2506.00001', '2025-06-04T10:00:00.000Z'), true);
  assert.equal(await lib.saveItem(db, alice, '2506.00001', '2025-06-04T10:30:00.000Z'), false, 'saving twice keeps one row');
  await lib.saveItem(db, alice, '2506.00002', '2025-06-04T11:00:00.000Z');
  await lib.saveItem(db, bob, '2506.00003', '2025-06-04T11:00:00.000Z');
  await lib.setNote(db, alice, '2506.00001', 'read §3 — “good” & {braces}', now);
  const items = await lib.listItems(db, alice, { limit: 10, offset: 0 });
  assert.deepEqual(items.map((i) => i.paper.id), ['2506.00002', '2506.00001']);
  assert.equal(items[1].note, 'read §3 — “good” & {braces}');
  assert.deepEqual([...(await lib.savedAmong(db, alice, ['2506.00001', '2506.00003']))], ['2506.00001']);
  assert.equal(await lib.countItems(db, alice), 2);
  await db.updateTable('papers').set({ hidden: 1 }).where('id', '=', '2506.00002').execute();
  assert.deepEqual((await lib.listItems(db, alice, { limit: 10, offset: 0 })).map((i) => i.paper.id), ['2506.00001']);
  assert.equal(await lib.countItems(db, alice), 1);
  assert.ok(await lib.getItem(db, alice, '2506.00002'), 'a hidden paper stays saved (it comes back if unhidden)');
});

test(`[${store}] collections: counts of visible papers, unsaving leaves the owner's collections, deleting keeps the library`, async (t) => {
  const { app, db, alice, bob } = await setup();
  t.after(() => app.close());
  const c1 = await lib.insertCollection(db, { userId: alice, name: 'Reading group', description: '', isPublic: true, now });
  const c2 = await lib.insertCollection(db, { userId: alice, name: 'Atoms', description: 'x', isPublic: false, now });
  const cb = await lib.insertCollection(db, { userId: bob, name: 'Bob', description: '', isPublic: false, now });
  for (const id of ['2506.00001', '2506.00002']) {
    await lib.saveItem(db, alice, id, now);
    await lib.addToCollection(db, c1, id, now);
  }
  await lib.addToCollection(db, c1, '2506.00001', now); // twice: one row
  await lib.addToCollection(db, c2, '2506.00001', now);
  await lib.addToCollection(db, cb, '2506.00001', now);
  const cols = await lib.listCollections(db, alice);
  assert.deepEqual(cols.map((c) => [c.name, c.papers, c.is_public]), [['Atoms', 1, 0], ['Reading group', 2, 1]]);
  await db.updateTable('papers').set({ hidden: 1 }).where('id', '=', '2506.00002').execute();
  assert.deepEqual((await lib.collectionPapers(db, c1, 10)).map((p) => p.paper.id), ['2506.00001']);
  assert.equal((await lib.listCollections(db, alice)).find((c) => c.id === c1)!.papers, 1);
  assert.deepEqual([...(await lib.collectionsHolding(db, alice, '2506.00001'))].sort(), [c1, c2].sort());
  await lib.unsaveItem(db, alice, '2506.00001');
  assert.deepEqual([...(await lib.collectionsHolding(db, alice, '2506.00001'))], []);
  assert.deepEqual((await lib.collectionPapers(db, cb, 10)).map((p) => p.paper.id), ['2506.00001'], "another user's collection is untouched");
  await lib.deleteCollection(db, c1);
  assert.equal(await lib.getCollection(db, c1), null);
  assert.ok(await lib.getItem(db, alice, '2506.00002'), 'deleting a collection keeps its papers saved');
});

test(`[${store}] follows: unique per user, matched newest first by author key and category, hidden papers left out`, async (t) => {
  const { app, db, alice } = await setup();
  t.after(() => app.close());
  const a = await fol.insertFollow(db, alice, { kind: 'category', value: 'cs.CL', label: 'cs.CL', now });
  assert.equal(await fol.insertFollow(db, alice, { kind: 'category', value: 'cs.CL', label: 'cs.CL', now }), a, 'following twice keeps one row');
  await fol.insertFollow(db, alice, { kind: 'author', value: 'emilie du chatelet', label: 'Émilie du Châtelet', now });
  assert.equal((await fol.listFollows(db, alice)).length, 2);
  assert.deepEqual((await fol.newestInCategories(db, ['cs.CL'], 10)).map((r) => r.paper.id), ['2506.00002', '2506.00001']);
  assert.deepEqual((await fol.newestByAuthors(db, ['emilie du chatelet'], 10)).map((r) => r.paper.id), ['2506.00003', '2506.00001'], 'accents folded: both spellings');
  await db.updateTable('papers').set({ hidden: 1 }).where('id', '=', '2506.00002').execute();
  assert.deepEqual((await fol.newestInCategories(db, ['cs.CL'], 10)).map((r) => r.paper.id), ['2506.00001']);
  assert.equal(await fol.deleteFollow(db, alice, { kind: 'category', value: 'cs.CL' }), true);
  assert.equal(await fol.hasFollow(db, alice, 'category', 'cs.CL'), false);
});
