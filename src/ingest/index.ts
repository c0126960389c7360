/**
 * Wiring for the ingest feature: one PoliteFetcher per process for all arXiv sources (the
 * 3-second rule is across the API, OAI-PMH and RSS together), the clients, and IngestDeps
 * bound to an app context (store, logger, clock, search-index hooks).
 */
import type { AppContext } from '../context.js';
import { ArxivClient } from './arxiv-client.js';
import { PoliteFetcher, papertideUserAgent, type PoliteFetcherOptions } from './http.js';
import type { IngestDeps } from './ingest.service.js';

const fetchers = new WeakMap<object, PoliteFetcher>();

type Ctx = Pick<AppContext, 'config' | 'logger' | 'fetch' | 'store' | 'clock' | 'events'>;

/** The context's shared arXiv fetcher (created on first use). */
export function arxivFetcher(ctx: Ctx, extra: Partial<PoliteFetcherOptions> = {}): PoliteFetcher {
  let f = fetchers.get(ctx);
  if (!f) {
    f = new PoliteFetcher({
      minIntervalMs: ctx.config.ARXIV_MIN_INTERVAL_MS,
      userAgent: papertideUserAgent(ctx.config.ARXIV_CONTACT),
      fetch: ctx.fetch,
      log: ctx.logger,
      ...extra,
    });
    fetchers.set(ctx, f);
  }
  return f;
}

export function arxivClient(ctx: Ctx, extra: Partial<PoliteFetcherOptions> = {}): ArxivClient {
  return new ArxivClient(arxivFetcher(ctx, extra), { api: ctx.config.ARXIV_API_URL, oai: ctx.config.ARXIV_OAI_URL, rss: ctx.config.ARXIV_RSS_URL }, ctx.logger);
}

export function ingestDeps(ctx: Ctx, extra: Partial<PoliteFetcherOptions> = {}): IngestDeps {
  return {
    db: ctx.store.db,
    client: arxivClient(ctx, extra),
    log: ctx.logger,
    now: () => ctx.clock.now(),
    onStored: async (changed, withdrawn) => {
      await ctx.events.emit({ kind: 'papers', ids: [...changed, ...withdrawn] });
    },
  };
}

export { ArxivClient } from './arxiv-client.js';
export { PoliteFetcher } from './http.js';
export * from './ingest.service.js';
export { IngestError } from './errors.js';
