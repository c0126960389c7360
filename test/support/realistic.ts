/**
 * A realistic store for tests that render or rank: a few thousand real papers of the Hugging Face
 * Daily Papers archive (../shared/data/hf-daily-papers, read-only beside the clone, as in CI),
 * every 3rd entry from 2024-05 to 2026-08. Deterministic: the same lines every run. It has what
 * a dozen hand-made fixtures lack: many papers featured on the same day and published at the
 * same second, missing fields (the oldest entries have no GitHub repo, no submitter, no AI
 * summary), LaTeX in titles and abstracts, author lists of a hundred names and more.
 * PAPERTIDE_SHARED_DATA overrides where the data is (Stryker runs the tests in a copy of the tree).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SHARED_DATA, type TestApp } from './app.js';
import { importFile } from '../../src/papers/import.service.js';
import { papersChanged } from '../../src/app.js';

export const DATA_DIR = process.env.PAPERTIDE_SHARED_DATA ?? SHARED_DATA;
export const HF_FLAT = path.join(DATA_DIR, 'hf-daily-papers', 'daily_papers.jsonl.gz');

export interface RealEntry {
  date: string;
  arxiv_id: string;
  title: string;
  summary: string;
  authors: string[];
  published_at: string | null;
  submitted_by: string | null;
  upvotes: number;
  num_comments: number;
  github_repo: string | null;
}

let cache: { lines: string[]; entries: RealEntry[] } | null = null;

/** The fixture's lines (hf-flat JSONL) and parsed entries, read once per process. */
export function realisticEntries(every = 3): { lines: string[]; entries: RealEntry[] } {
  if (cache && every === 3) return cache;
  const all = zlib.gunzipSync(fs.readFileSync(HF_FLAT)).toString('utf8').split('\n').filter(Boolean);
  const lines = all.filter((_, i) => i % every === 0);
  const seen = new Set<string>();
  const kept: string[] = [];
  const entries: RealEntry[] = [];
  for (const line of lines) {
    const e = JSON.parse(line) as RealEntry;
    if (seen.has(e.arxiv_id)) continue; // a paper featured twice: keep its first day
    seen.add(e.arxiv_id);
    kept.push(line);
    entries.push(e);
  }
  const out = { lines: kept, entries };
  if (every === 3) cache = out;
  return out;
}

/** Import the fixture into the app's store the way `papertide import` does; the search index follows. */
export async function seedRealistic(app: TestApp, every = 3): Promise<RealEntry[]> {
  const { lines, entries } = realisticEntries(every);
  const file = path.join(app.env.dataDir, 'realistic.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const r = await importFile(app.ctx.store.db, file, { now: () => app.clock.now(), onChanged: (ids) => papersChanged(app.ctx, ids) });
  if (r.skipped) throw new Error(`realistic fixture: ${r.skipped} lines skipped: ${JSON.stringify(r.skippedLines.slice(0, 3))}`);
  return entries;
}

export { seededRandom } from './random.js';
