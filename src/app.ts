/**
 * Composition root: createApp(config) opens the store, runs migrations, loads the demo into an
 * empty store, and wires services, the web app and jobs together. Nothing else constructs
 * these; tests call createApp with a test config and injected clock/mailer/fetch.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { openStore, migrate, kvGet, kvSet, type Store } from './db/index.js';
import { createLogger, type Logger } from './logger.js';
import { systemClock, type Clock } from './clock.js';
import { countPapers } from './papers/papers.repository.js';
import { importFile } from './papers/import.service.js';
import { toDate } from './domain/dates.js';

/** A job `papertide serve` runs: every `everyMs`, or daily at `dailyAtUtc` (HH:MM). */
export interface JobSpec {
  name: string;
  everyMs?: number;
  dailyAtUtc?: string;
  run: (ctx: AppContext) => Promise<void>;
}

export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_FILE = path.join(ROOT_DIR, 'demo', 'demo-papers.jsonl');

export interface AppDeps {
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
}

export interface AppContext {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  /** HMAC secret for signed links and tokens: SECRET, else generated once and kept in the store. */
  secret: string;
  /**
   * Bumped by every write this process makes (papersChanged, votes, comments, ...): caches of
   * rendered pages are valid only for the version they were made at. Call `touch(ctx)`.
   */
  dataVersion: number;
  /** Hooks other features register to hear about changed papers (e.g. the search index). */
  onPapersChanged: ((ids: string[]) => Promise<void> | void)[];
  /** Checks `papertide doctor` prints, registered by features (e.g. the search index). */
  healthChecks: { name: string; check: () => Promise<{ ok: boolean; detail: string }> }[];
  /** Scheduled work `papertide serve` runs, registered by features (see scheduler.ts). */
  jobs: JobSpec[];
  /**
   * The search engine (search feature, src/search/search.service.ts), set by createApp; the JSON
   * API and feeds use it when `ready`, their plain-SQL fallback otherwise (index being built).
   */
  search?: {
    search(query: string, opts: { limit: number }): Promise<{ hits: { id: string }[] }>;
    similar(id: string, k: number): { id: string }[] | Promise<{ id: string }[]>;
    /** Finish deferred index work before `similar`. */
    settle?(): Promise<void>;
    readonly ready: boolean;
  } | null;
  /** Cleanup callbacks run by close(), last registered first. */
  disposers: (() => Promise<void> | void)[];
  close(): Promise<void>;
}

export async function createContext(config: Config, deps: AppDeps = {}): Promise<AppContext> {
  const logger = deps.logger ?? createLogger(config);
  const store = openStore({ databaseUrl: config.databaseUrl });
  await migrate(store);
  let secret = config.secret;
  if (!secret) {
    secret = (await kvGet(store.db, 'secret')) ?? '';
    if (!secret) {
      secret = crypto.randomBytes(32).toString('hex');
      await kvSet(store.db, 'secret', secret);
    }
  }
  const ctx: AppContext = {
    config,
    store,
    clock: deps.clock ?? systemClock,
    logger,
    fetch: deps.fetch ?? globalThis.fetch,
    secret,
    dataVersion: 0,
    onPapersChanged: [],
    healthChecks: [],
    jobs: [],
    disposers: [],
    async close() {
      for (const d of ctx.disposers.reverse()) await d();
      await store.close();
    },
  };
  return ctx;
}

/** Record that data changed (invalidates cached pages of this process). */
export function touch(ctx: AppContext): void {
  ctx.dataVersion++;
}

export async function papersChanged(ctx: AppContext, ids: string[]): Promise<void> {
  touch(ctx);
  for (const h of ctx.onPapersChanged) await h(ids);
}

/** Load the demo set into an empty store (first start). Returns how many papers were added. */
export async function loadDemoIfEmpty(ctx: AppContext, opts: { force?: boolean } = {}): Promise<number> {
  if (!ctx.config.DEMO_DATA && !opts.force) return 0;
  if ((await countPapers(ctx.store.db)) > 0) return 0;
  const res = await importFile(ctx.store.db, DEMO_FILE, {
    now: () => ctx.clock.now(),
    demo: true,
    demoDate: toDate(ctx.clock.now()),
    onChanged: (ids) => papersChanged(ctx, ids),
  });
  ctx.logger.info({ added: res.added }, 'loaded the demo papers into the empty store (remove them with `papertide demo --remove`)');
  return res.added;
}

/**
 * Everything a running Papertide needs: the context plus every feature's services, jobs and
 * routes. Features wire themselves in here, one line each, in dependency order.
 */
export interface App {
  ctx: AppContext;
  web: import('./web/app.js').WebApp;
}

export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const ctx = await createContext(config, deps);
  const { createWebApp } = await import('./web/app.js');
  // --- feature services register here (search, trending, accounts, digests, ingest jobs)
  ctx.search = await (await import('./search/search.service.js')).getSearchService(ctx); // search: index (built in the background when large), change hook, doctor check
  (await import('./jobs/trending.job.js')).registerTrending(ctx); // trending: recompute job + changed-papers hook
  ctx.jobs.push(...(await import('./jobs/digest.job.js')).mailJobs()); // digests: outbox sender + digest builds
  (await import('./jobs/ingest.job.js')).registerIngestJobs(ctx); // ingest: daily arXiv RSS
  const web = createWebApp(ctx);
  return { ctx, web };
}
