// For you latency on the Hugging Face daily-papers store (9,877 papers, ../shared/data): one user
// with 30 saved papers, a category, an author and a saved search followed, 10 dismissals; 40
// calls per window. Run: nice -n 19 npx tsx bench/for-you.ts (prints one JSON line per window).
import { testApp } from '../test/support/app.js';
import { seedRealistic } from '../test/support/realistic.js';
import { insertUser } from '../src/users/users.repository.js';
import { saveItem } from '../src/library/library.repository.js';
import { setFollow } from '../src/follows/follows.service.js';
import { forYou, dismiss } from '../src/recs/recs.service.js';

const app = await testApp({ now: '2026-08-22T00:00:00.000Z' });
const t0 = Date.now();
const entries = await seedRealistic(app, 1);
await app.ctx.search?.settle();
console.error(`seeded ${entries.length} in ${Date.now() - t0} ms`);
const db = app.ctx.store.db;
const now = app.clock.now().toISOString();
const id = await insertUser(db, { name: 'u', email: 'u@example.org', passwordHash: null, role: 'user', verifiedAt: now, now });
const user = { id, name: 'u', role: 'user' as const };
const lib = entries.filter((e) => /diffusion|video/i.test(e.title)).slice(0, 30);
for (const e of lib) await saveItem(db, id, e.arxiv_id, now);
await setFollow(app.ctx, user, 'category', 'cs.CV', true);
await setFollow(app.ctx, user, 'author', entries[entries.length - 5].authors[0], true);
await setFollow(app.ctx, user, 'query', 'video generation', true);
for (const e of entries.slice(-200, -190)) await dismiss(app.ctx, user, e.arxiv_id);
for (const window of ['week', 'month'] as const) {
  const times: number[] = [];
  let r;
  for (let i = 0; i < 40; i++) {
    const s = performance.now();
    r = await forYou(app.ctx, id, { window });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const first = times[0];
  console.log(JSON.stringify({ window, papers: entries.length, library: lib.length, candidates: r!.candidates, items: r!.items.length, 'p50 ms': +times[20].toFixed(1), 'p95 ms': +times[37].toFixed(1), 'min ms': +first.toFixed(1), top: r!.items.slice(0, 3).map((i) => [i.paper.title.slice(0, 50), i.reason.slice(0, 60)]) }));
}
await app.close();
