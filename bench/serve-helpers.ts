/**
 * What bench:http and bench:scale share: a fresh PostgreSQL database, `papertide serve
 * [--workers N]` started as an operator starts it, waiting for its pages and its search index
 * in every worker, the RSS of its processes, and queries drawn from the real data.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { readJsonl } from '../src/search/beir.js';
import { rng } from '../src/search/linalg.js';
import { STOPWORDS, words } from '../src/search/tokenizer.js';

export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const load1m = () => Number(os.loadavg()[0].toFixed(2));

/** The URL of database `name` on the server of `base`. */
export function pgUrl(name: string, base = PG_BASE): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drop and create the database of `url` (fresh), or create it only when missing. */
export async function ensureDatabase(url: string, fresh: boolean): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`a bench database name is lower-case letters, digits and _, not “${name}”`);
  const admin = new pg.Client({ connectionString: pgUrl('postgres', url) });
  await admin.connect();
  try {
    if (fresh) await admin.query(`drop database if exists ${name} with (force)`);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

export interface Served {
  proc: ChildProcess;
  base: string;
  startedAt: number;
  stop(): Promise<void>;
}

/** `papertide serve --no-jobs [--workers N]` on a free port of 127.0.0.1. */
export function serve(opts: { dataDir: string; workers: number; env?: Record<string, string>; nodeArgs?: string[] }): Served {
  const port = 3900 + Math.floor(Math.random() * 90);
  const args = [...(opts.nodeArgs ?? []), 'bin/papertide.js', 'serve', '--no-jobs', ...(opts.workers > 1 ? ['--workers', String(opts.workers)] : [])];
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, DATA_DIR: opts.dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn', DEMO_DATA: 'false', INGEST_SCHEDULE: 'off', ...opts.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return {
    proc,
    base: `http://127.0.0.1:${port}`,
    startedAt: performance.now(),
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        proc.once('exit', () => (clearTimeout(t), resolve()));
        proc.kill('SIGTERM');
      }),
  };
}

/** One GET on a new connection (so a cluster hands it to the next worker); status and body. */
export function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
  });
}

/**
 * Wait for the server: the milliseconds from its start until the home page first answered 200,
 * and until every worker's search index was ready (`/healthz` says ready on `4 × workers`
 * consecutive new connections, which the cluster hands round the workers).
 */
export async function waitReady(s: Served, workers: number, maxMs = 3_600_000): Promise<{ first_page_ms: number; search_ready_ms: number }> {
  let firstPage = NaN;
  let streak = 0;
  let said = false;
  for (;;) {
    if (s.proc.exitCode !== null) throw new Error(`the server exited with code ${s.proc.exitCode}`);
    try {
      if (Number.isNaN(firstPage) && (await getFresh(`${s.base}/`)).status === 200) firstPage = performance.now() - s.startedAt;
      const h = await getFresh(`${s.base}/healthz`);
      const state = h.status === 200 ? (JSON.parse(h.body) as { search?: string }).search : undefined;
      if (state === 'ready' || state === 'off') streak++;
      else {
        streak = 0;
        if (!said && state) (said = true), console.error(`waiting for the search index (${state})…`);
      }
      if (!Number.isNaN(firstPage) && streak >= 4 * workers) return { first_page_ms: Math.round(firstPage), search_ready_ms: Math.round(performance.now() - s.startedAt) };
    } catch {}
    if (performance.now() - s.startedAt > maxMs) throw new Error(`server or search index not ready within ${maxMs / 60000} minutes`);
    await new Promise((r) => setTimeout(r, streak ? 20 : 250));
  }
}

/** The process `pid` and its children (a cluster's primary and workers): RSS in MB each. */
export function processTree(pid: number): { pid: number; role: 'primary' | 'worker' | 'server'; rss_mb: number }[] {
  const rss = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : NaN;
    } catch {
      return NaN;
    }
  };
  const children: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      // Node's children only: tsx's esbuild service is a child too, and not a server process.
      if (ppid === pid && !/esbuild/.test(fs.readFileSync(`/proc/${d}/comm`, 'utf8'))) children.push(Number(d));
    } catch {}
  }
  if (!children.length) return [{ pid, role: 'server', rss_mb: rss(pid) }];
  return [{ pid, role: 'primary', rss_mb: rss(pid) }, ...children.map((c) => ({ pid: c, role: 'worker' as const, rss_mb: rss(c) }))];
}

/**
 * `n` distinct search queries drawn from the data: half keyword queries (2–5 consecutive words of a
 * real title, stop words left out), half sentences (Hugging Face's one-line summaries, 10–40 words).
 */
export async function searchQueries(sharedData: string, titles: string[], n: number): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (q: string) => {
    const k = q.toLowerCase();
    if (!seen.has(k)) (seen.add(k), out.push(q));
  };
  for await (const o of readJsonl(`${sharedData}/hf-daily-papers/daily_papers.jsonl.gz`)) {
    const s = (o as { ai_summary?: string | null }).ai_summary;
    if (!s) continue;
    const len = s.split(/\s+/).length;
    if (len >= 10 && len <= 40) add(s.replace(/\s+/g, ' ').trim());
    if (out.length >= Math.ceil(n / 2)) break;
  }
  const r = rng(7);
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const ws = words(titles[Math.floor(r() * titles.length)]).filter((w) => w.length > 2 && !STOPWORDS.has(w));
    if (ws.length < 2) continue;
    const k = 2 + Math.floor(r() * 4);
    const start = Math.floor(r() * Math.max(1, ws.length - k + 1));
    add(ws.slice(start, start + k).join(' '));
  }
  // Interleave sentences and keywords so any stretch of the run sees both kinds.
  const half = Math.ceil(n / 2);
  const s = out.slice(0, half), k = out.slice(half);
  const mixed: string[] = [];
  for (let i = 0; i < Math.max(s.length, k.length); i++) {
    if (i < s.length) mixed.push(s[i]);
    if (i < k.length) mixed.push(k[i]);
  }
  return mixed.slice(0, n);
}

/**
 * CPU time (user + system, ms) the process `pid` and its server children have used: per request,
 * a figure the other jobs of a shared machine do not inflate the way they inflate latency.
 */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {}
  }
  return ticks * 10; // USER_HZ = 100
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10 : NaN;
}
