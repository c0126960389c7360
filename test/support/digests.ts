/** Shared by the digest tests: papers and subscribers. */
import type { TestApp } from './app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import type { PaperInput } from '../../src/domain/paper.js';
import { papersChanged } from '../../src/app.js';

export function paper(id: string, o: Partial<PaperInput> = {}): PaperInput {
  return {
    id,
    title: `Paper ${id}`,
    abstract: `An abstract for ${id} about nothing in particular, with enough words to be a real abstract of a real paper.`,
    authors: ['Ada Lovelace', 'Alan Turing'],
    categories: ['cs.LG'],
    publishedAt: '2025-06-03T00:00:00Z',
    ...o,
  };
}

/** Papers through the repository, listeners notified, then the trending score and upvotes given (set after the recomputation). */
export async function seedPapers(app: TestApp, papers: (PaperInput & { score?: number; upvotes?: number })[], at: string) {
  const db = app.ctx.store.db;
  await upsertPapers(db, papers, { now: at });
  await papersChanged(app.ctx, papers.map((p) => p.id)); // the search index and trending follow, as after an import
  for (const p of papers) {
    // They entered trending when seeded, as papersChanged would record it.
    await db.updateTable('papers').set({ trending_score: p.score ?? 0, upvotes: p.upvotes ?? 0, trending_since: at }).where('id', '=', p.id).execute();
  }
}

export async function addActiveSubscriber(app: TestApp, email: string, o: { cadence?: string; topics?: object; maxPapers?: number; lastDigestAt?: string | null } = {}) {
  const now = app.clock.now().toISOString();
  const r = await app.ctx.store.db
    .insertInto('subscriptions')
    .values({ email, status: 'active', cadence: o.cadence ?? 'daily', topics: JSON.stringify({ categories: [], keywords: [], searches: [], ...o.topics }), max_papers: o.maxPapers ?? 10, confirmed_at: now, last_digest_at: o.lastDigestAt ?? null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id as number;
}

export const linkIn = (text: string, path: string) => {
  const m = new RegExp(`https?://[^\\s"<>]+${path}[A-Za-z0-9_.-]+`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return new URL(m[0]).pathname;
};
