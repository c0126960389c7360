/**
 * Runs the jobs createApp collected from the features (App.jobs) inside `papertide serve`: each job runs alone
 * (never overlapping itself), errors are logged as one line and never stop the server.
 * Work that must run once across several instances takes a lease in the store itself.
 */
import type { AppContext } from './context.js';
import type { JobSpec } from './jobs/job.js';

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
  const runJob = async (job: JobSpec) => {
    if (running.has(job.name) || stopped) return;
    running.add(job.name);
    const t0 = Date.now();
    try {
      await job.run(ctx);
      ctx.logger.debug({ job: job.name, ms: Date.now() - t0 }, 'job finished');
    } catch (e) {
      ctx.logger.warn({ job: job.name, error: (e as Error).message }, `job ${job.name} failed: ${(e as Error).message}`);
    } finally {
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
