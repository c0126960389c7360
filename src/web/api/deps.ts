/**
 * Builds the listing use cases' dependencies from the app context: the store, the clock, and
 * the search engine when it is wired in (see listings.service.ts).
 */
import type { AppContext } from '../../app.js';
import type { ListingDeps, SearchPort } from '../../feeds/listings.service.js';

export function listingDeps(ctx: AppContext): ListingDeps {
  const ext = ctx as AppContext & { search?: SearchPort | null };
  return { db: ctx.store.db, now: () => ctx.clock.now(), search: ext.search ?? null };
}
