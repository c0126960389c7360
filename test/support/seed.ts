/** Seed papers (and featured entries, star snapshots) straight into the store for HTTP tests. */
import type { TestApp } from './app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { addDailyEntries } from '../../src/daily/daily.repository.js';
import { papersChanged } from '../../src/app.js';

export interface SeedPaper {
  id: string;
  title?: string;
  publishedAt?: string;
  featuredAt?: string | null;
  categories?: string[];
  codeUrl?: string | null;
  stars?: { observedAt: string; stars: number }[];
}

export async function seedPapers(app: TestApp, papers: SeedPaper[]): Promise<void> {
  const db = app.ctx.store.db;
  const now = app.clock.now().toISOString();
  await upsertPapers(
    db,
    papers.map((p) => ({
      id: p.id,
      title: p.title ?? `A study of things number ${p.id}`,
      abstract: `We study things in paper ${p.id}. Results are good.`,
      authors: ['Ada Lovelace', 'Alan Turing'],
      categories: p.categories ?? ['cs.LG'],
      publishedAt: p.publishedAt ?? now,
      codeUrl: p.codeUrl ?? null,
      version: 1,
    })),
    { now },
  );
  await addDailyEntries(
    db,
    papers.filter((p) => p.featuredAt).map((p) => ({ paperId: p.id, date: p.featuredAt!.slice(0, 10), submittedAt: p.featuredAt!, source: 'curator' as const })),
  );
  for (const p of papers) {
    for (const s of p.stars ?? []) await db.insertInto('star_snapshots').values({ paper_id: p.id, observed_at: s.observedAt, stars: s.stars }).execute();
  }
  await papersChanged(app.ctx, papers.map((p) => p.id));
}
