/**
 * npm run bench:http [-- --data DIR] [--duration 10] [--connections 20]
 * Imports arxiv-recent-ai (74,728 papers) and the Hugging Face daily archive into a fresh SQLite
 * store (or reuses --data DIR), starts ONE `papertide serve` process on 127.0.0.1, and runs
 * autocannon from this process against `/`, a month page and a paper page.
 * Target: ≥ 1,000 req/s with p99 ≤ 50 ms on each. JSON on the last line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { testConfig } from '../src/config.js';
import { createApp, papersChanged } from '../src/app.js';
import { importFile } from '../src/papers/import.service.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const shared = path.resolve('..', 'shared', 'data');
const duration = Number(opt('duration', '10'));
const connections = Number(opt('connections', '20'));
let dataDir = opt('data', '');
const fresh = !dataDir;
if (fresh) dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-http-'));

if (fresh || !fs.existsSync(path.join(dataDir, 'papertide.db'))) {
  const { ctx } = await createApp(testConfig({ DATA_DIR: dataDir }));
  for (const f of [path.join(shared, 'arxiv-recent-ai', 'papers.jsonl.gz'), path.join(shared, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz')]) {
    const t0 = performance.now();
    const r = await importFile(ctx.store.db, f, { now: () => new Date(), onChanged: (ids) => papersChanged(ctx, ids) });
    console.log(`imported ${path.basename(path.dirname(f))}: added ${r.added}, updated ${r.updated} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await ctx.close();
}

const port = 3900 + Math.floor(Math.random() * 90);
const server = spawn(process.execPath, ['bin/papertide.js', 'serve', '--no-jobs'], {
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'false', INGEST_SCHEDULE: 'off' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 600) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const targets = [
    { name: 'home', path: '/' },
    { name: 'month', path: '/papers/month/2025-06' },
    { name: 'paper', path: '/papers/2506.01234' },
  ];
  const results: Record<string, unknown>[] = [];
  for (const t of targets) {
    const res = await fetch(base + t.path);
    if (res.status !== 200) throw new Error(`${t.path} answered ${res.status}`);
    await autocannon({ url: base + t.path, connections, duration: 2 }); // warm-up
    const r = await autocannon({ url: base + t.path, connections, duration });
    const row = { page: t.name, path: t.path, req_s: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors + r.non2xx, bytes: Math.round(r.throughput.average / Math.max(1, r.requests.average)) };
    console.log(`${t.name.padEnd(6)} ${t.path.padEnd(26)} ${String(row.req_s).padStart(6)} req/s  p50 ${row.p50_ms} ms  p99 ${row.p99_ms} ms  errors ${row.errors}`);
    results.push(row);
  }
  const ok = results.every((r) => (r.req_s as number) >= 1000 && (r.p99_ms as number) <= 50);
  console.log(JSON.stringify({ bench: 'http', dataset: 'arxiv-recent-ai+hf-daily-papers', server_processes: 1, connections, duration_s: duration, results, target: { req_s: 1000, p99_ms: 50 }, meets_target: ok }));
} finally {
  server.kill('SIGTERM');
  if (fresh) setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
}
