/**
 * npm run bench:flood [-- --data DIR] [--duration 30] [--connections 50] [--bytes 8000]
 * Memory of ONE `papertide serve` process (started like `npm start`) under two floods an
 * unauthenticated client can send: unique missing /static/ paths (~8 KB, as reported, and 1.5 KB,
 * under the path bound, so they reach the static handler), and unique ~8 KB query strings on the
 * home page. After a warm-up (pages, then 5 s of both floods, so the
 * V8 heap has sized itself to this traffic; the cold RSS is reported too), each flood runs in
 * three equal segments and the server's RSS is read from /proc after each: a cache that keeps
 * something per path grows segment after segment, a bounded one stays flat.
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
  env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '1048576', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: fresh ? 'true' : 'false', INGEST_SCHEDULE: 'off' },
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
  const floods = [
    { name: 'static_unique_paths', path: () => `/static/${filler(bytes)}.css` },
    // Under the 2,048-character path bound, so each request reaches the static handler.
    { name: 'static_unique_paths_1500', path: () => `/static/${filler(1500)}.css` },
    { name: 'home_unique_query', path: () => `/?utm_${filler(8)}=${filler(bytes)}` },
  ];
  const flood = (f: (typeof floods)[number], seconds: number) => autocannon({ url: base, connections, duration: seconds, requests: [{ setupRequest: (req: any) => ({ ...req, path: f.path() }) }] });
  // Warm-up: the pages and files a visitor loads, then a little of each flood.
  await autocannon({ url: base, connections: 4, duration: 3, requests: [{ method: 'GET', path: '/' }, { method: 'GET', path: '/static/style.css' }, { method: 'GET', path: '/static/katex/katex.min.css' }] });
  const cold = rssMb(server.pid!);
  for (const f of floods) await flood(f, 5);
  const results: Record<string, unknown> = { rss_cold_mb: cold };
  for (const f of floods) {
    await new Promise((r) => setTimeout(r, 1000));
    const before = rssMb(server.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid!))), 250);
    const segments: number[] = [];
    const codes: Record<string, number> = {};
    let requests = 0;
    for (let seg = 0; seg < 3; seg++) {
      const r = await flood(f, Math.max(1, Math.round(duration / 3)));
      requests += r.requests.total;
      for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = (codes[k] ?? 0) + (v as { count: number }).count;
      segments.push(rssMb(server.pid!));
    }
    clearInterval(sampler);
    const after = segments[segments.length - 1];
    peak = Math.max(peak, ...segments);
    const row = { rss_before_mb: before, rss_after_segment_mb: segments, rss_after_mb: after, rss_peak_mb: peak, growth_mb: after - before, peak_growth_mb: peak - before, requests, req_s: Math.round(requests / (3 * Math.max(1, Math.round(duration / 3)))), status: codes };
    console.log(`${f.name.padEnd(20)} RSS ${before} → ${segments.join(' → ')} MB (peak ${peak}) over ${requests} requests (${row.req_s} req/s) ${JSON.stringify(codes)}`);
    results[f.name] = row;
  }
  const ok = floods.every((f) => (results[f.name] as { peak_growth_mb: number }).peak_growth_mb <= LIMIT_MB);
  console.log(JSON.stringify({ bench: 'flood', server_processes: 1, connections, duration_s: duration, path_bytes: bytes, ...results, limit_mb: LIMIT_MB, within_limit: ok }));
} finally {
  server.kill('SIGTERM');
  if (fresh) setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
}
