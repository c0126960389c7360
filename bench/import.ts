/**
 * npm run bench:import [-- FILE] [--sqlite-only]
 * Imports arxiv-recent-ai (74,728 papers) into a fresh SQLite store and a fresh PostgreSQL
 * database, the way `papertide import` does (same listeners; like it, no search index: a running
 * server applies the import from the store's change log),
 * then re-imports it to check that nothing changes. Target: < 60 s each. JSON on the last line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testConfig } from '../src/config.js';
import { createApp, papersChanged } from '../src/app.js';
import { importFile } from '../src/papers/import.service.js';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? path.resolve('..', 'shared', 'data', 'arxiv-recent-ai', 'papers.jsonl.gz');
const pgBase = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function run(label: string, env: Record<string, string>) {
  const { ctx } = await createApp(testConfig(env), { role: 'cli' });
  const t0 = performance.now();
  const first = await importFile(ctx.store.db, file, { now: () => new Date(), onChanged: (ids) => papersChanged(ctx, ids) });
  const seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const again = await importFile(ctx.store.db, file, { now: () => new Date(), onChanged: (ids) => papersChanged(ctx, ids) });
  const reSeconds = (performance.now() - t1) / 1000;
  await ctx.close();
  const papers = first.added + first.updated + first.unchanged;
  console.log(`${label}: ${papers} papers in ${seconds.toFixed(1)} s (${Math.round(papers / seconds)} papers/s); re-import ${reSeconds.toFixed(1)} s: added ${again.added}, updated ${again.updated}, unchanged ${again.unchanged}`);
  return { seconds: +seconds.toFixed(2), papers_per_s: Math.round(papers / seconds), added: first.added, skipped: first.skipped, reimport_s: +reSeconds.toFixed(2), reimport_added: again.added, reimport_updated: again.updated };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-import-'));
const result: Record<string, unknown> = { bench: 'import', dataset: path.basename(path.dirname(file)), file: path.basename(file) };
try {
  result.sqlite = await run('sqlite', { DATA_DIR: path.join(dir, 'sqlite') });
  if (!args.includes('--sqlite-only')) {
    const name = `pt_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgBase });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const u = new URL(pgBase);
    u.pathname = `/${name}`;
    try {
      result.postgres = await run('postgres', { DATA_DIR: path.join(dir, 'pg'), DATABASE_URL: u.toString() });
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
result.target_s = 60;
result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
