/**
 * Deletes ended rate-limit windows from the store (src/rate-limits/): a key that comes back is
 * reset by its next request anyway, this only keeps one-off visitors from piling up rows.
 */
import type { AppContext } from '../context.js';
import type { JobSpec } from './job.js';
import { deleteExpiredRateLimits } from '../rate-limits/rate-limits.repository.js';

export function rateLimitsJob(): JobSpec {
  return {
    name: 'rate-limits-prune',
    everyMs: 10 * 60_000,
    run: async (ctx: AppContext) => {
      const n = await deleteExpiredRateLimits(ctx.store.db);
      if (n) ctx.logger.debug({ rows: n }, 'rate limits: removed ended windows');
    },
  };
}
