/**
 * Composition root: createApp(config) builds the kernel context (src/context.ts: store,
 * migrations, clock, logger, change events) and wires every feature into it once, in dependency
 * order. Only entry points (bin, the CLI, tests) import this file; features depend on the kernel.
 */
import type { Config } from './config.js';
import { createContext as createKernel, type AppContext, type AppDeps } from './context.js';
import { createArxivFetcher } from './ingest/index.js';
import { createMail } from './mail/mail.service.js';
import { createWebApp, type WebApp } from './web/app.js';
import { openSearchService, indexHealthCheck } from './search/search.service.js';
import { followStore } from './changes/follower.js';
import { searchThreadFor } from './search/query-thread.js';
import { registerTrending } from './jobs/trending.job.js';
import { mailJobs } from './jobs/digest.job.js';
import { ingestJobs } from './jobs/ingest.job.js';
import { changeLogJob } from './jobs/change-log.job.js';
import { sessionsJob } from './jobs/sessions.job.js';
import type { JobSpec } from './jobs/job.js';
import { rateLimitsJob } from './jobs/rate-limits.job.js';

export type { AppContext, AppDeps } from './context.js';
export type { JobSpec } from './jobs/job.js';

/**
 * The kernel context with the services every feature shares built once: the arXiv fetcher and
 * the mail sender. No listeners, jobs or search: what createApp starts from, and what a script
 * that only needs the store uses.
 */
export async function createContext(config: Config, deps: AppDeps = {}): Promise<AppContext> {
  const kernel = await createKernel(config, deps);
  return Object.assign(kernel, { arxiv: createArxivFetcher(kernel), mail: createMail(kernel) });
}

/** Everything a running Papertide needs: the context (with every feature wired in), the web app and the scheduled jobs. */
export interface App {
  ctx: AppContext;
  web: WebApp;
  /** What `papertide serve` schedules (src/scheduler.ts). */
  jobs: JobSpec[];
}

export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const ctx = await createContext(config, deps);
  const server = (deps.role ?? 'server') === 'server';
  if (server) {
    // search: the index (loaded, caught up from the change log, or built), following the store
    // queries answered in a lower-priority worker thread when configured (query-thread.ts)
    ctx.search = searchThreadFor(ctx, await openSearchService(ctx));
    const follower = await followStore(ctx.store, ctx.events, {
      intervalMs: deps.followMs,
      onError: (e) => ctx.logger.warn({ error: String(e) }, `change log: ${e instanceof Error ? e.message : String(e)}`),
    });
    ctx.disposers.push(() => follower.stop());
  } else {
    // A command reports on the server's index but never builds or changes it.
    ctx.healthChecks.push(indexHealthCheck(ctx));
  }
  const jobs: JobSpec[] = [
    registerTrending(ctx), // trending: changed-papers listener + recompute job
    ...mailJobs(), // digests: outbox sender + digest builds
    ...ingestJobs(ctx), // ingest: daily arXiv RSS
    changeLogJob(), // the store: prune old change-log rows
    sessionsJob(), // accounts: purge expired sessions
    rateLimitsJob(), // the store: drop ended rate-limit windows
  ];
  const web = createWebApp(ctx);
  return { ctx, web, jobs };
}

// For tests and scripts that write through repositories and then announce it, as features do.
export { ROOT_DIR, DEMO_FILE } from './paths.js';
/** The HTTP server around the web app (entry points only). */
export { listen } from './web/server.js';
export { loadDemoIfEmpty } from './papers/demo.service.js';
/** Announce changed papers on the context's event bus (what every write path does). */
export function papersChanged(ctx: Pick<AppContext, 'events'>, ids: string[]): Promise<void> {
  return ctx.events.emit({ kind: 'papers', ids });
}
