/**
 * Wiring for the ingest feature: the PoliteFetcher createApp makes once (the 3-second rule is
 * across the API, OAI-PMH and RSS together), the clients, and IngestDeps bound to an app
 * context (store, logger, clock, change events).
 */
import type { AppContext } from '../context.js';
import { ArxivClient } from './arxiv-client.js';
import { PoliteFetcher, papertideUserAgent, type PoliteFetcherOptions } from './http.js';
import type { IngestDeps } from './ingest.service.js';

type Ctx = Pick<AppContext, 'config' | 'logger' | 'store' | 'clock' | 'events' | 'arxiv'>;

/**
 * The process's one arXiv fetcher, made by createApp (ctx.arxiv): the 3-second rule holds across
 * the API, OAI-PMH and RSS together only if they share it.
 */
export function createArxivFetcher(ctx: Pick<AppContext, 'config' | 'logger' | 'fetch'>, extra: Partial<PoliteFetcherOptions> = {}): PoliteFetcher {
  return new PoliteFetcher({
    minIntervalMs: ctx.config.ARXIV_MIN_INTERVAL_MS,
    userAgent: papertideUserAgent(ctx.config.ARXIV_CONTACT),
    fetch: ctx.fetch,
    log: ctx.logger,
    ...extra,
  });
}

function arxivClient(ctx: Pick<AppContext, 'config' | 'logger' | 'arxiv'>): ArxivClient {
  return new ArxivClient(ctx.arxiv, { api: ctx.config.ARXIV_API_URL, oai: ctx.config.ARXIV_OAI_URL, rss: ctx.config.ARXIV_RSS_URL }, ctx.logger);
}

/** `onWait`: progress of the context's fetcher (a CLI command's bar). */
export function ingestDeps(ctx: Ctx, opts: Pick<PoliteFetcherOptions, 'onWait'> = {}): IngestDeps {
  if (opts.onWait) ctx.arxiv.onWait = opts.onWait;
  return {
    db: ctx.store.db,
    client: arxivClient(ctx),
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
