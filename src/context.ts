/**
 * The kernel every feature depends on: the application context (configuration, store, clock,
 * logger, change events, the search port) and what features register on it (health checks,
 * disposers; the shape of scheduled work is jobs/job.ts). Built by createContext; the
 * composition root (src/app.ts) adds the features. Nothing here imports a feature's
 * implementation.
 */
import crypto from 'node:crypto';
import type { Config } from './config.js';
import { openStore, migrate, kvGet, kvInsertIfAbsent, type Store } from './db/index.js';
import { createLogger, type Logger } from './logger.js';
import { systemClock, type Clock } from './clock.js';
import { EventBus } from './events.js';
import type { HealthCheck } from './health.js';
import type { SearchService } from './search/search.service.js';
import type { PoliteFetcher } from './ingest/http.js';
import type { Mail } from './mail/mail.service.js';

export type { Change } from './events.js';
export type { HealthCheck } from './health.js';

export interface AppDeps {
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  /**
   * 'server' (default): the search index is loaded or built and follows the store's change log.
   * 'cli': a command that writes and exits; it never builds or touches the server's index (a
   * running server picks its changes up from the change log).
   */
  role?: 'server' | 'cli';
  /** How often a server polls the store's change log (ms; default 1000). */
  followMs?: number;
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
   * Bumped by every change event: this process's writes at once, other processes' writes when
   * the change-log follower sees them. Caches of rendered pages are valid only for the version
   * they were made at.
   */
  dataVersion: number;
  /** Change events: every write announces itself here (see events.ts). */
  events: EventBus;
  /** Checks `papertide doctor` prints, registered by features (e.g. the search index). */
  healthChecks: HealthCheck[];
  /**
   * The search engine (src/search/search.service.ts), wired by createApp in a server; null in a
   * CLI command. The JSON API and feeds use it when `ready`, their plain-SQL fallback otherwise.
   */
  search: SearchService | null;
  /** The process's one polite arXiv fetcher (ingest/index.ts), made by createApp. */
  arxiv: PoliteFetcher;
  /** The mail transport and outbox sender (mail/mail.service.ts), made by createApp. */
  mail: Mail;
  /** Cleanup callbacks run by close(), last registered first. */
  disposers: (() => Promise<void> | void)[];
  close(): Promise<void>;
}

/** The context before the composition root adds the services it builds (arXiv fetcher, mail). */
export type KernelContext = Omit<AppContext, 'arxiv' | 'mail'>;

export async function createContext(config: Config, deps: AppDeps = {}): Promise<KernelContext> {
  const logger = deps.logger ?? createLogger(config);
  const store = openStore({ databaseUrl: config.databaseUrl });
  await migrate(store);
  let secret = config.secret;
  if (!secret) {
    // Processes starting together on a fresh store (`serve --workers N`) must agree on one
    // secret, or a session, CSRF token or signed link made by one fails in another: the first
    // insert wins and everyone reads the stored value back.
    secret = (await kvGet(store.db, 'secret')) ?? '';
    if (!secret) {
      await kvInsertIfAbsent(store.db, 'secret', crypto.randomBytes(32).toString('hex'));
      secret = (await kvGet(store.db, 'secret'))!;
    }
  }
  const events = new EventBus();
  let closed = false;
  const ctx: KernelContext = {
    config,
    store,
    clock: deps.clock ?? systemClock,
    logger,
    fetch: deps.fetch ?? globalThis.fetch,
    secret,
    dataVersion: 0,
    events,
    healthChecks: [],
    search: null,
    disposers: [],
    async close() {
      if (closed) return;
      closed = true;
      for (const d of ctx.disposers.reverse()) await d();
      await store.close();
    },
  };
  // First listener: pages rendered before any change are stale from now on.
  events.on(null, () => {
    ctx.dataVersion++;
  });
  return ctx;
}
