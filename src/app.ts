/**
 * Composition root: createApp(config) builds the kernel context (src/context.ts: store,
 * migrations, clock, logger, change events) and wires every feature into it once, in dependency
 * order. Only entry points (bin, the CLI, tests) import this file; features depend on the kernel.
 */
import type { Config } from './config.js';
import { createContext, type AppContext, type AppDeps } from './context.js';
import { createWebApp, type WebApp } from './web/app.js';
import { openSearchService, indexHealthCheck } from './search/search.service.js';
import { followStore } from './changes/follower.js';
import { registerTrending } from './jobs/trending.job.js';
import { mailJobs } from './jobs/digest.job.js';
import { registerIngestJobs } from './jobs/ingest.job.js';
import { changeLogJob } from './jobs/change-log.job.js';
import { rateLimitsJob } from './jobs/rate-limits.job.js';

export type { AppContext, AppDeps, JobSpec } from './context.js';
export { createContext } from './context.js';

/** Everything a running Papertide needs: the context (with every feature wired in) and the web app. */
export interface App {
  ctx: AppContext;
  web: WebApp;
}

export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const ctx = await createContext(config, deps);
  const server = (deps.role ?? 'server') === 'server';
  if (server) {
    // search: the index (loaded, caught up from the change log, or built), following the store
    ctx.search = await openSearchService(ctx);
    const follower = await followStore(ctx.store, ctx.events, {
      intervalMs: deps.followMs,
      onError: (e) => ctx.logger.warn({ error: String(e) }, `change log: ${e instanceof Error ? e.message : String(e)}`),
    });
    ctx.disposers.push(() => follower.stop());
  } else {
    // A command reports on the server's index but never builds or changes it.
    ctx.healthChecks.push(indexHealthCheck(ctx));
  }
  registerTrending(ctx); // trending: recompute job + changed-papers listener
  ctx.jobs.push(...mailJobs()); // digests: outbox sender + digest builds
  registerIngestJobs(ctx); // ingest: daily arXiv RSS
  ctx.jobs.push(changeLogJob()); // the store: prune old change-log rows
  ctx.jobs.push(rateLimitsJob()); // the store: drop ended rate-limit windows
  const web = createWebApp(ctx);
  return { ctx, web };
}

// For tests and scripts that write through repositories and then announce it, as features do.
export { ROOT_DIR, DEMO_FILE } from './paths.js';
export { loadDemoIfEmpty } from './papers/demo.service.js';
/** Announce changed papers on the context's event bus (what every write path does). */
export function papersChanged(ctx: Pick<AppContext, 'events'>, ids: string[]): Promise<void> {
  return ctx.events.emit({ kind: 'papers', ids });
}
