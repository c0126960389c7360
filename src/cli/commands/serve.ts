import os from 'node:os';
import cluster, { type Worker } from 'node:cluster';
import type { Command } from 'commander';
import v8 from 'node:v8';
import net, { type AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { configOrExit, fail, listen, openApp } from '../context.js';
import { loadDemoIfEmpty } from '../../papers/demo.service.js';
import { startScheduler } from '../../scheduler.js';
import { withPort, type Config } from '../../config.js';

/** `--workers` / WORKERS: a count, or `auto` for one per core. */
export function workerCount(value: string): number {
  if (value === 'auto') return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new Error(`--workers must be a number from 1 to 999 or auto, not “${value}”`);
  return n;
}

export function register(program: Command) {
  program
    .command('serve', { isDefault: true })
    .description('serve Papertide over HTTP (PORT, HOST) and run the scheduled jobs')
    .option('--no-jobs', 'do not run scheduled jobs (ingest, trending, digests) in this process')
    .option('--workers <n>', 'server processes on one port: a number, or auto for one per core (default: WORKERS, 1)')
    .action(async (opts: { jobs: boolean; workers?: string }) => {
      let config = configOrExit();
      let workers: number;
      try {
        workers = workerCount(opts.workers ?? config.WORKERS);
      } catch (e) {
        fail(e);
      }
      if (cluster.isPrimary && workers > 1) {
        // PORT=0 with workers: the OS picks a free port once, and every worker is told it.
        if (config.PORT === 0) {
          config = withPort(config, await pickPort(config.HOST));
          process.env.PORT = String(config.PORT);
          announcePickedPort(config);
        }
        await runPrimary(config, workers);
      }
      else await runServer(config, opts.jobs);
    });
}

/** One server process: the app, its search index, the scheduler, the HTTP listener. */
async function runServer(config: Config, jobs: boolean): Promise<void> {
  try {
    // PORT=0: listen first, so the OS picks the port and the app is made knowing it (its base
    // URL names it); requests before the app is ready get a 503. Tests read the port from the log.
    let app: { fetch: (req: Request, env: any) => Response | Promise<Response>; early: (req: Parameters<Parameters<typeof listen>[0]['early']>[0]) => ReturnType<Parameters<typeof listen>[0]['early']> } | null = null;
    let early: ServerType | null = null;
    if (config.PORT === 0) {
      const s = listen(
        {
          fetch: (req, env) => (app ? app.fetch(req, env) : new Response('Starting up.\n', { status: 503, headers: { 'retry-after': '1' } })),
          early: (req) => (app ? app.early(req) : null),
        },
        { port: 0, hostname: config.HOST },
      );
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.once('listening', () => resolve());
      });
      early = s;
      config = withPort(config, (s.address() as AddressInfo).port);
      announcePickedPort(config);
    }
    const { ctx, web, jobs: specs } = await openApp(config);
    // (a cluster's primary loaded the demo before forking)
    if (cluster.isPrimary) await loadDemoIfEmpty(ctx);
    // Grow the V8 heap by 20% between full collections instead of up to 4×. Request garbage
    // (a flood of 8 KB URLs) is promoted to the old generation before it dies, and with the
    // default factor the heap (so RSS) rose 140 MB before V8 collected it; at 20% it stays flat
    // (bench:flood). Set after start-up so loading the index is not slowed by extra collections.
    v8.setFlagsFromString('--heap-growing-percent=20');
    const stopJobs = jobs ? startScheduler(ctx, specs) : () => {};
    let server: ServerType;
    if (early) {
      app = { fetch: web.app.fetch, early: web.early };
      server = early;
      if (cluster.isPrimary) ctx.logger.info(`Papertide is serving on ${config.baseUrl} (store: ${ctx.store.location})`);
    } else {
      server = web.listen({ port: config.PORT, hostname: config.HOST }, () => {
        if (cluster.isPrimary) ctx.logger.info(`Papertide is serving on ${config.baseUrl} (store: ${ctx.store.location})`);
      });
    }
    server.on('error', (e: NodeJS.ErrnoException) => {
      fail(new Error(e.code === 'EADDRINUSE' ? `port ${config.PORT} is already in use: set PORT to another one` : e.message));
    });
    const shutdown = () => {
      stopJobs();
      server.close(() => void ctx.close().then(() => process.exit(0)));
      setTimeout(() => process.exit(0), 3000).unref();
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  } catch (e) {
    fail(e);
  }
}

/** With PORT=0 nobody knows the port but us: say it whatever LOG_LEVEL is (test harnesses read it). */
function announcePickedPort(config: Config): void {
  process.stdout.write(`papertide: listening on http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT} (PORT=0: picked by the OS)\n`);
}

/** A free port on this host, picked by the OS (for the workers of PORT=0 to share). */
function pickPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A worker that dies within this long of its start counts as a crash loop: wait before the next. */
const QUICK_DEATH_MS = 5000;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long workers get to finish their requests on SIGTERM before they are killed. */
const STOP_GRACE_MS = 10_000;

/**
 * The primary of `serve --workers N`: prepares the store once (migrations, the generated secret,
 * the demo papers) so N processes do not race for it, forks N workers that share the port
 * (node:cluster hands connections round-robin), restarts a worker that dies, and stops them
 * all on SIGTERM or SIGINT. It serves nothing itself and keeps no index. Each worker is a full
 * server: its own search index (the first builds it, the others load its snapshot: a lease in
 * the store), its own page caches following the store's change log, and a scheduler whose jobs
 * run once per deployment (leases).
 */
async function runPrimary(config: Config, n: number): Promise<void> {
  try {
    const { ctx } = await openApp(config, { role: 'cli' });
    await loadDemoIfEmpty(ctx);
    await ctx.close();
  } catch (e) {
    fail(e);
  }
  let stopping = false;
  let quickDeaths = 0;
  const startedAt = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let announced = false;
  const log = (msg: string) => config.LOG_LEVEL !== 'silent' && process.stdout.write(`${msg}\n`);

  const fork = () => {
    const w = cluster.fork();
    startedAt.set(w, Date.now());
    w.on('listening', () => {
      listening.add(w);
      if (!announced && listening.size === n) {
        announced = true;
        log(`Papertide is serving on ${config.baseUrl} with ${n} worker processes (primary pid ${process.pid})`);
      }
    });
  };
  cluster.on('exit', (w, code, signal) => {
    const lived = Date.now() - (startedAt.get(w) ?? 0);
    startedAt.delete(w);
    listening.delete(w);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    if (!announced && quickDeaths >= 5) {
      // Never served at all (a port in use, a store that cannot be opened): stop, do not loop.
      process.stderr.write(`papertide: workers keep stopping before serving (last: ${signal ?? `exit code ${code}`}); see the messages above\n`);
      stop();
      return;
    }
    const delay = quickDeaths ? Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (quickDeaths - 1)) : 0;
    log(`papertide: worker ${w.process.pid} stopped (${signal ?? `exit code ${code}`}); starting another${delay ? ` in ${delay} ms` : ''}`);
    setTimeout(() => !stopping && fork(), delay);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (alive.length === 0) process.exit(0);
    for (const w of alive) w.process.kill('SIGTERM');
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(0);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < n; i++) fork();
}
