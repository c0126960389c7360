/**
 * For you's kept windows (src/recs/windows.ts) on both stores: a window's candidates are kept
 * between requests and follow the store, whoever writes it: a paper imported or hidden by
 * another process is seen at the next request (no event reaches this one), a vote keeps the
 * window, a save and a dismissal show at once, the number kept is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp } from '../support/app.js';
import { createContext, papersChanged } from '../../src/app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { insertUser } from '../../src/users/users.repository.js';
import { saveItem } from '../../src/library/library.repository.js';
import { setSaved } from '../../src/library/library.service.js';
import { setFollow } from '../../src/follows/follows.service.js';
import { forYou, dismiss } from '../../src/recs/recs.service.js';
import { keptRows, keptWindows } from '../../src/recs/windows.js';
import type { PaperInput } from '../../src/domain/paper.js';

const store = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';
const NOW = '2025-06-20T12:00:00.000Z';
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * DAY).toISOString();
const GRAPH = 'Graph neural networks predict molecular properties: message passing over atoms and bonds of molecules.';
const paper = (id: string, title: string, publishedAt: string, over: Partial<PaperInput> = {}): PaperInput => ({ id, title, abstract: GRAPH, authors: ['Ada Lovelace'], categories: ['cs.LG'], publishedAt, version: 1, ...over });

test(`[${store}] kept windows follow the store: another process's import and hiding show at the next request, a vote keeps the window, saves and dismissals show at once, bounded`, async () => {
  const app = await testApp({ now: NOW });
  const other = await createContext(app.env.config, { role: 'cli' }); // a second process on the same store
  try {
    const db = app.ctx.store.db;
    const papers = [paper('2501.00001', 'Message passing for molecules', '2025-01-10T00:00:00.000Z'), ...Array.from({ length: 6 }, (_, i) => paper(`2506.0010${i}`, `Graph networks for molecules ${i}`, daysAgo(1 + i)))];
    await upsertPapers(db, papers, { now: NOW });
    await papersChanged(app.ctx, papers.map((p) => p.id));
    await app.ctx.search!.idle();
    const id = await insertUser(db, { name: 'alice', email: 'alice@example.org', passwordHash: null, role: 'user', verifiedAt: NOW, now: NOW });
    const alice = { id, name: 'alice', role: 'user' as const };
    await saveItem(db, id, '2501.00001', daysAgo(30));
    await setFollow(app.ctx, alice, 'category', 'cs.LG', true);
    const ids = async () => (await forYou(app.ctx, id, { window: 'month', limit: 50 })).items.map((i) => i.paper.id);

    const first = await forYou(app.ctx, id, { window: 'month', limit: 50 });
    assert.equal(first.candidates, 6);
    const kept = keptRows(app.ctx.store, 'month');
    assert.ok(kept, 'the month is kept');

    // Another process imports a paper into the window: no event reaches this one.
    await upsertPapers(other.store.db, [paper('2506.00200', 'Atoms and bonds, imported elsewhere', daysAgo(0.5))], { now: NOW });
    const afterImport = await forYou(app.ctx, id, { window: 'month', limit: 50 });
    assert.equal(afterImport.candidates, 7, 'the imported paper is a candidate at the next request');
    assert.ok(afterImport.items.some((i) => i.paper.id === '2506.00200'), 'and is listed (its follow)');
    assert.notEqual(keptRows(app.ctx.store, 'month'), kept, 'the window was read again');

    // A vote elsewhere moves the change log but changes no window: the window is kept.
    const keptBeforeVote = keptRows(app.ctx.store, 'month');
    await sql`update papers set upvotes = upvotes + 3 where id = ${'2506.00101'}`.execute(other.store.db);
    assert.equal((await forYou(app.ctx, id, { window: 'month', limit: 50 })).candidates, 7);
    assert.equal(keptRows(app.ctx.store, 'month'), keptBeforeVote, 'a vote keeps the window');

    // Another process hides a paper: gone at the next request.
    await sql`update papers set hidden = 1 where id = ${'2506.00102'}`.execute(other.store.db);
    assert.ok(!(await ids()).includes('2506.00102'), 'a paper hidden elsewhere leaves');
    assert.equal((await forYou(app.ctx, id, { window: 'month', limit: 50 })).candidates, 6);

    // A save and a dismissal (this user's own signals, never kept) show at once; the window stays.
    const keptBeforeSave = keptRows(app.ctx.store, 'month');
    await setSaved(app.ctx, alice, '2506.00103', true);
    assert.ok(!(await ids()).includes('2506.00103'), 'a saved paper leaves at once');
    await dismiss(app.ctx, alice, '2506.00104');
    const afterDismiss = await forYou(app.ctx, id, { window: 'month', limit: 50 });
    assert.ok(!afterDismiss.items.some((i) => i.paper.id === '2506.00104'), 'a dismissed paper leaves at once');
    assert.equal(afterDismiss.candidates, 4);
    assert.equal(keptRows(app.ctx.store, 'month'), keptBeforeSave, 'saves and dismissals keep the window');

    // Bounded: every view at many clock times keeps at most day, week, month and the fallback.
    for (let h = 0; h < 24 * 40; h += 7) {
      app.clock.set(new Date(Date.parse(NOW) + h * 3_600_000).toISOString());
      for (const window of ['day', 'week', 'month'] as const) await forYou(app.ctx, id, { window });
      assert.ok(keptWindows(app.ctx.store) <= 4, `at most 4 windows kept (${keptWindows(app.ctx.store)})`);
    }
    // The clock moved past the papers: the month is empty, the fallback (newest papers) is used and kept.
    const late = await forYou(app.ctx, id, { window: 'month', limit: 50 });
    assert.equal(late.fallback, true);
    assert.ok(keptRows(app.ctx.store, 'fallback'));
  } finally {
    await other.close();
    await app.close();
  }
});
