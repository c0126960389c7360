/**
 * Trending upkeep: a job re-scoring recent papers (the star window slides and imported counts
 * change without a vote; time decay itself needs no rewrite, see src/domain/trending.ts), and a
 * hook scoring papers as soon as they are imported or changed.
 */
import type { AppContext } from '../context.js';
import type { JobSpec } from './job.js';
import { recomputeRecent, recomputeTrending } from '../trending/trending.service.js';
import { logDataChange } from '../changes/changes.repository.js';

export const TRENDING_JOB_EVERY_MS = 10 * 60_000;

export function trendingJob(): JobSpec {
  return {
    name: 'trending',
    everyMs: TRENDING_JOB_EVERY_MS,
    run: async (ctx: AppContext) => {
      const n = await recomputeRecent(ctx.store.db, ctx.clock.now());
      // Scores moved without a trigger firing: say so, or pages cached by other processes (and
      // by this one) would keep the old order until the next vote.
      if (n > 0) {
        await logDataChange(ctx.store.db);
        await ctx.events.emit({ kind: 'data', what: 'trending' });
      }
      ctx.logger.debug({ papers: n }, 'trending: recomputed');
    },
  };
}

/** Listen for changed papers on a context; the job to schedule is returned. */
export function registerTrending(ctx: AppContext): JobSpec {
  ctx.events.on(['papers'], async ({ ids }) => {
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      await ctx.store.db.transaction().execute((trx) => recomputeTrending(trx, part, ctx.clock.now()));
    }
  });
  return trendingJob();
}
