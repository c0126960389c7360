/**
 * npm run bench:flood [-- --data DIR] [--duration 30] [--connections 50] [--bytes 8000]
 * Memory of ONE `papertide serve` process under two floods an unauthenticated client can send:
 * unique missing /static/ paths, and unique query strings on the home page, each path/query
 * ~8 KB. Reads the server's RSS from /proc before each flood, while it runs (peak) and after.
 * Target: RSS stays within 100 MB of where the flood started. JSON on the last line.
 * Without --data it serves a fresh store with the demo papers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const duration = Number(opt('duration', '30'));
const connections = Number(opt('connections', '50'));
const bytes = Number(opt('bytes', '8000'));
const LIMIT_MB = 100;
let dataDir = opt('data', '');
const fresh = !dataDir;
if (fresh) dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-flood-'));

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};
const filler = (n: number) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
};

const port = 34000 + Math.floor(Math.random() * 5000);
const server = spawn(process.execPath, ['bin/papertide.js', 'serve', '--no-jobs'], {
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: fresh ? 'true' : 'false', INGEST_SCHEDULE: 'off' },
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
  // Warm-up: the pages and files a visitor loads, so the floods start from a served state.
  await autocannon({ url: base, connections: 4, duration: 3, requests: [{ method: 'GET', path: '/' }, { method: 'GET', path: '/static/style.css' }, { method: 'GET', path: '/static/katex/katex.min.css' }] });
  const floods = [
    { name: 'static_unique_paths', path: () => `/static/${filler(bytes)}.css` },
    { name: 'home_unique_query', path: () => `/?utm_${filler(8)}=${filler(bytes)}` },
  ];
  const results: Record<string, unknown> = {};
  for (const f of floods) {
    await new Promise((r) => setTimeout(r, 1000));
    const before = rssMb(server.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid!))), 250);
    const r = await autocannon({ url: base, connections, duration, requests: [{ setupRequest: (req: any) => ({ ...req, path: f.path() }) }] });
    clearInterval(sampler);
    await new Promise((res) => setTimeout(res, 1000));
    const after = rssMb(server.pid!);
    peak = Math.max(peak, after);
    const codes: Record<string, number> = {};
    for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = (v as { count: number }).count;
    const row = { rss_before_mb: before, rss_after_mb: after, rss_peak_mb: peak, growth_mb: after - before, peak_growth_mb: peak - before, requests: r.requests.total, req_s: Math.round(r.requests.average), status: codes };
    console.log(`${f.name.padEnd(20)} RSS ${before} → ${after} MB (peak ${peak}) over ${row.requests} requests (${row.req_s} req/s) ${JSON.stringify(codes)}`);
    results[f.name] = row;
  }
  const ok = Object.values(results).every((x: any) => x.peak_growth_mb <= LIMIT_MB);
  console.log(JSON.stringify({ bench: 'flood', server_processes: 1, connections, duration_s: duration, path_bytes: bytes, ...results, limit_mb: LIMIT_MB, within_limit: ok }));
} finally {
  server.kill('SIGTERM');
  if (fresh) setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
}
