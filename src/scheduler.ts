/**
 * Runs the jobs createApp collected from the features (App.jobs) inside `papertide serve`: each job runs alone
 * (never overlapping itself), errors are logged as one line and never stop the server.
 *
 * Every server process runs a scheduler (the workers of `serve --workers N`, other boxes on the
 * same store), yet a job runs once per deployment: before each run the process takes the job's
 * lease in the store (`job:<name>`) and keeps it for the period, renewing it at each of its own
 * runs. Another process finds it held and skips; if the holder dies, the lease runs out after
 * one and a half periods (an hour for daily jobs) and another process takes over.
 */
import type { AppContext } from './context.js';
import type { JobSpec } from './jobs/job.js';
import os from 'node:os';
import crypto from 'node:crypto';
import { acquireLease, renewLease } from './db/leases.js';

const DAILY_LEASE_MS = 60 * 60_000;

/** How long a run holds its job's lease. */
export function jobLeaseMs(job: JobSpec): number {
  return job.dailyAtUtc ? DAILY_LEASE_MS : Math.round(job.everyMs! * 1.5);
}

function msUntilDaily(now: Date, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}

export function startScheduler(ctx: AppContext, jobs: JobSpec[]): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const running = new Set<string>();
  const holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const runJob = async (job: JobSpec) => {
    if (running.has(job.name) || stopped) return;
    running.add(job.name);
    const t0 = Date.now();
    let renew: NodeJS.Timeout | null = null;
    try {
      if (!job.everyProcess) {
        const lease = `job:${job.name}`;
        const ttl = jobLeaseMs(job);
        if (!(await acquireLease(ctx.store.db, lease, holder, ctx.clock.now(), ttl))) return;
        // A run longer than the lease keeps it.
        renew = setInterval(() => void renewLease(ctx.store.db, lease, holder, ctx.clock.now(), ttl).catch(() => {}), Math.max(1000, ttl / 3));
        renew.unref();
      }
      await job.run(ctx);
      ctx.logger.debug({ job: job.name, ms: Date.now() - t0 }, 'job finished');
    } catch (e) {
      ctx.logger.warn({ job: job.name, error: (e as Error).message }, `job ${job.name} failed: ${(e as Error).message}`);
    } finally {
      if (renew) clearInterval(renew);
      running.delete(job.name);
    }
  };
  const schedule = (job: JobSpec) => {
    if (stopped) return;
    const delay = job.dailyAtUtc ? msUntilDaily(ctx.clock.now(), job.dailyAtUtc) : job.everyMs!;
    const t = setTimeout(async () => {
      timers.delete(t);
      await runJob(job);
      schedule(job);
    }, Math.min(delay, 2 ** 31 - 1));
    t.unref();
    timers.add(t);
  };
  for (const job of jobs) schedule(job);
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
  };
}
