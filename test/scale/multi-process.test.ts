/**
 * Several server processes on one store, as an operator runs them: two `papertide serve` on one
 * data directory (SQLite) or one PostgreSQL (`npm run test:pg`), and `papertide serve --workers 2`
 * on one port. A write through one process (an upvote and a comment through the API, an import
 * through the CLI) must show in the other's page, API, feed and search within 2 s; the measured
 * delays are printed as JSON lines. Rate limits are one budget for the deployment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { freshEnv, type TestEnv } from '../support/app.js';
import { cliAsync, startServer, type RunningServer } from '../support/server.js';
import { createApp } from '../../src/app.js';
import { createUserDirect } from '../../src/users/users.service.js';
import { createApiToken } from '../../src/api-tokens/api-tokens.service.js';

const store = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';
/** The target: a write is visible in every other process within this long. */
const VISIBLE_WITHIN_MS = 2000;


function procEnv(env: TestEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: env.dataDir,
    LOG_LEVEL: 'info',
    SECRET: 'test-secret-test-secret',
    DEMO_DATA: 'false',
    INGEST_SCHEDULE: 'off',
    ...(env.config.dialect === 'postgres' ? { DATABASE_URL: env.config.databaseUrl } : {}),
    ...extra,
  };
}

type Server = RunningServer;

/** `papertide serve ARGS` on this store with PORT=0, answering /healthz (bounded wait: 60 s). */
function serve(env: TestEnv, extra: Record<string, string> = {}, args: string[] = []): Promise<Server> {
  return startServer(procEnv(env, extra), { args, timeoutMs: 60_000 });
}

function paperLine(id: string, title: string) {
  return JSON.stringify({ id, title, abstract: 'An abstract about nothing in particular.', authors: ['Ada Lovelace'], categories: ['q-bio.NC'], created: '2026-11-02', updated: null, comments: null, doi: null, primary_category: 'q-bio.NC' });
}

async function importLines(env: TestEnv, name: string, lines: string[]) {
  const file = path.join(env.dataDir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const r = await cliAsync(['import', file], procEnv(env, { LOG_LEVEL: 'silent' }));
  assert.equal(r.status, 0, r.stderr);
}

/** Poll `cond` every 25 ms; the milliseconds until it held (fails after `maxMs`). */
async function until(what: string, cond: () => Promise<boolean>, maxMs = 15_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await cond()) return performance.now() - t0;
    if (performance.now() - t0 > maxMs) throw new Error(`${what}: not within ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const get = async (base: string, p: string) => {
  const res = await fetch(base + p);
  return { status: res.status, text: await res.text() };
};

/** A verified user with an API token, made through the store as `papertide user create` does. */
async function apiUser(env: TestEnv): Promise<string> {
  const { ctx } = await createApp(env.config, { role: 'cli' });
  try {
    const u = await createUserDirect(ctx, { email: 'writer@example.org', name: 'writer', password: 'a-long-password-1' });
    return (await createApiToken(ctx.store.db, u.id, 'test', new Date())).token;
  } finally {
    await ctx.close();
  }
}

test(`[${store}] two servers on one store: an upvote, a comment and an import through one show in the other's page, API, feed and search within 2 s`, async (t) => {
  const env = await freshEnv();
  const servers: Server[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    await env.cleanup();
  });
  const P = '2611.00100';
  await importLines(env, 'seed.jsonl', [paperLine(P, 'Stochastic dendrite gating in cortical columns')]);
  const token = await apiUser(env);
  const [a, b] = [await serve(env), await serve(env)];
  servers.push(a, b);
  const apiPaper = async (s: Server, id: string) => JSON.parse((await get(s.base, `/api/papers/${id}`)).text);

  // B renders and caches the page first, so a stale cache would show.
  const before = await apiPaper(b, P);
  assert.equal(before.upvotes, 0);
  assert.doesNotMatch((await get(b.base, `/papers/${P}`)).text, /Tardigrade remark/);

  const delays: Record<string, number> = {};
  const post = (p: string, body?: object) =>
    fetch(a.base + p, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

  // An upvote through A.
  assert.equal((await post(`/api/papers/${P}/upvote`)).status, 200);
  delays.upvoteApi = await until('the upvote in B’s API', async () => (await apiPaper(b, P)).upvotes === 1);
  delays.upvotePage = await until('the upvote on B’s paper page', async () => />\s*1\s*</.test((await get(b.base, `/papers/${P}`)).text.match(/class="[^"]*vote[^"]*"[\s\S]{0,400}/)?.[0] ?? ''));

  // A comment through A.
  assert.equal((await post(`/api/papers/${P}/comments`, { body: 'Tardigrade remark about the gating.' })).status, 201);
  const t0 = performance.now();
  await until('the comment on B’s paper page', async () => (await get(b.base, `/papers/${P}`)).text.includes('Tardigrade remark'));
  delays.commentPage = performance.now() - t0;
  delays.commentApi = await until('the comment count in B’s API', async () => (await apiPaper(b, P)).numComments >= before.numComments + 1);

  // An import through the CLI: the paper reaches both servers' pages, API, feeds and search.
  const N = '2611.00101';
  for (const s of servers) assert.equal((await get(s.base, `/api/papers/${N}`)).status, 404);
  assert.doesNotMatch((await get(b.base, '/feeds/category/q-bio.NC.json')).text, new RegExp(N));
  await importLines(env, 'new.jsonl', [paperLine(N, 'Quaternionic tardigrade locomotion')]);
  const t1 = performance.now();
  await Promise.all(
    servers.map((s, i) =>
      Promise.all([
        until('the imported paper’s page', async () => (await get(s.base, `/papers/${N}`)).status === 200),
        until('the imported paper in the API', async () => (await get(s.base, `/api/papers/${N}`)).status === 200),
        until('the imported paper in the category feed', async () => (await get(s.base, '/feeds/category/q-bio.NC.json')).text.includes(N)),
        until('the imported paper in search', async () => (await get(s.base, `/api/papers/search?q=quaternionic+tardigrade`)).text.includes(`"${N}"`)),
      ]).then(() => (delays[`importAll${i ? 'B' : 'A'}`] = performance.now() - t1)),
    ),
  );

  const rounded = Object.fromEntries(Object.entries(delays).map(([k, v]) => [k, Math.round(v)]));
  console.log(JSON.stringify({ bench: 'write-visible-across-processes', store, ms: rounded }));
  for (const [k, v] of Object.entries(rounded)) assert.ok(v <= VISIBLE_WITHIN_MS, `${k}: visible after ${v} ms, over ${VISIBLE_WITHIN_MS} ms`);
});

/** Redis on this machine answers PING (CI machines run one on 127.0.0.1:6379). */
function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(6379, '127.0.0.1');
    sock.setTimeout(1000);
    sock.once('connect', () => sock.end('PING\r\n'));
    sock.once('data', (d) => resolve(String(d).startsWith('+PONG')));
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => (sock.destroy(), resolve(false)));
  });
}

/** Empty one Redis database (SELECT n, FLUSHDB) so an earlier run's counters do not count. */
function flushRedisDb(db: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(6379, '127.0.0.1');
    let got = '';
    sock.once('connect', () => sock.write(`SELECT ${db}\r\nFLUSHDB\r\n`));
    sock.on('data', (d) => {
      got += d;
      if ((got.match(/\+OK/g) ?? []).length >= 2) (sock.end(), resolve());
    });
    sock.once('error', reject);
  });
}

for (const counter of ['store', 'redis'] as const)
test(`[${store}] a rate limit is one budget for two servers on one store (counted in ${counter === 'redis' ? 'Redis, REDIS_URL' : 'the store'})`, async (t) => {
  let redis: Record<string, string> = {};
  if (counter === 'redis') {
    if (!(await redisUp())) return t.skip('no Redis on 127.0.0.1:6379');
    const db = store === 'postgres' ? 12 : 11; // one database per suite: the two suites may run at once
    await flushRedisDb(db);
    redis = { REDIS_URL: `redis://127.0.0.1:6379/${db}` };
  }
  const env = await freshEnv();
  const servers: Server[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    await env.cleanup();
  });
  const limits = { RATE_LIMIT_PER_MINUTE: '6', LOG_LEVEL: 'warn', ...redis };
  servers.push(await serve(env, limits), await serve(env, limits));
  const [a, b] = servers;
  const seen: { via: string; status: number; remaining: string | null }[] = [];
  // Alternate between the servers: 6 reads are allowed in all, the 7th is refused by either.
  for (let i = 0; i < 8; i++) {
    const s = i % 2 ? b : a;
    const res = await fetch(`${s.base}/api/papers?limit=1`);
    await res.arrayBuffer();
    seen.push({ via: i % 2 ? 'B' : 'A', status: res.status, remaining: res.headers.get('ratelimit-remaining') });
  }
  assert.deepEqual(
    seen.map((x) => x.status),
    [200, 200, 200, 200, 200, 200, 429, 429],
    JSON.stringify(seen),
  );
  assert.deepEqual(
    seen.slice(0, 6).map((x) => x.remaining),
    ['5', '4', '3', '2', '1', '0'],
    'each server counts the other’s requests',
  );
});

/** Process ids of the children of `pid` (the workers of a cluster primary). */
function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(`[${store}] serve --workers 2: two processes on one port, one index build, a dead worker replaced, SIGTERM stops all`, async (t) => {
  const env = await freshEnv();
  let server: Server | null = null;
  t.after(async () => {
    await server?.stop();
    await env.cleanup();
  });
  // No SECRET: the deployment's secret is generated once and shared through the store.
  server = await serve(env, { DEMO_DATA: 'true', SECRET: '' }, ['--workers', '2']);
  const primary = server.proc.pid!;
  let workers: number[] = [];
  await until('two workers', async () => (workers = childrenOf(primary)).length === 2, 30_000);

  // Both workers answer search from the same snapshot: one built it, the other loaded it.
  await until('both workers search', async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, () => fetch(`${server!.base}/api/papers/search?q=facial+expression`).then(async (r) => r.headers.get('x-search-engine') === 'search' && (await r.text()).includes('2402.00281'))));
    return rs.every(Boolean);
  }, 60_000);
  // Built once: a second build would have saved a second generation beside the first. (The
  // other worker either waited for the build and loaded it, or started after it was saved.)
  assert.equal(fs.readdirSync(path.join(env.dataDir, 'search')).filter((f) => f.startsWith('index-')).length, 1, `one index generation on disk: built once\n${server.log()}`);

  // One secret for the deployment: a CSRF token and cookie from one worker are accepted by
  // whichever answers the post (round-robin across the two).
  const form = await fetch(`${server.base}/login`);
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = (await form.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  assert.ok(csrf, 'the login form carries a CSRF token');
  const login = async (token: string) => {
    const r = await fetch(`${server!.base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, email: 'nobody@example.org', password: 'wrong-password-x' }),
    });
    await r.arrayBuffer();
    return r.status;
  };
  assert.equal(await login('forged-token-forged-token-forged'), 403, 'a forged token is refused');
  for (let i = 0; i < 4; i++) assert.notEqual(await login(csrf!), 403, `post ${i}: the CSRF token was refused by a worker`);

  // A worker killed outright is replaced, and the port keeps answering meanwhile.
  process.kill(workers[0], 'SIGKILL');
  await until('a new worker replaces the dead one', async () => {
    const now = childrenOf(primary);
    return now.length === 2 && !now.includes(workers[0]);
  }, 30_000);
  // (A kept-alive connection to the killed worker is closed: a client retries on a new one.)
  await until('the port answers', async () => (await fetch(`${server!.base}/healthz`).catch(() => null))?.status === 200, 10_000);
  workers = childrenOf(primary);

  // SIGTERM to the primary stops every worker and the primary.
  await server.stop();
  server = null;
  await until('every worker has exited', async () => workers.every((w) => !alive(w)), 15_000);
  assert.equal(alive(primary), false);
});
