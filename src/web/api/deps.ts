/**
 * Builds the listing use cases' dependencies from the app context: the store, the clock, and
 * the search and trending features when they are wired in (see listings.service.ts).
 */
import type { AppContext } from '../../app.js';
import type { ListingDeps, SearchPort, TrendingPort } from '../../feeds/listings.service.js';

export function listingDeps(ctx: AppContext): ListingDeps {
  const ext = ctx as AppContext & { search?: SearchPort | null; trending?: TrendingPort | null };
  return { db: ctx.store.db, now: () => ctx.clock.now(), search: ext.search ?? null, trending: ext.trending ?? null };
}
