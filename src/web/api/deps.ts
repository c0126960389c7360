/**
 * Builds the listing use cases' dependencies from the app context: the store, the clock, and
 * the search engine when it is wired in (see listings.service.ts).
 */
import type { AppContext } from '../../context.js';
import type { ListingDeps, SearchPort } from '../../feeds/listings.service.js';

export function listingDeps(ctx: AppContext): ListingDeps {
  const s = ctx.search;
  // While the index is being built the listings use their plain-SQL fallback.
  const search: SearchPort | null = s && s.ready ? { search: (q, o) => s.search(q, o), similar: async (id, k) => (await s.settle?.(), s.similar(id, k)) } : null;
  return { db: ctx.store.db, now: () => ctx.clock.now(), search };
}
