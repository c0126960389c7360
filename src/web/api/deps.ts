/**
 * Builds the listing use cases' dependencies from the app context: the store, the clock, and
 * the search engine when it is wired in (see listings.service.ts).
 */
import type { AppContext } from '../../context.js';
import type { ListingDeps } from '../../feeds/listings.service.js';

export function listingDeps(ctx: AppContext): ListingDeps {
  const s = ctx.search;
  // While the index is being built the listings use their plain-SQL fallback.
  return { db: ctx.store.db, now: () => ctx.clock.now(), search: s && s.ready ? s : null };
}
