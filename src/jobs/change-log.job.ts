/**
 * Prunes the store's change log (src/db/migrations/003_change_log.ts) once a day: rows older
 * than 30 days go. A server whose index is older than what is left rebuilds it at start
 * (search.service.ts), so nothing is lost, only a catch-up becomes a rebuild.
 */
import type { AppContext } from '../context.js';
import type { JobSpec } from './job.js';
import { pruneChanges } from '../changes/changes.repository.js';

export const CHANGE_LOG_KEEP_DAYS = 30;

export function changeLogJob(): JobSpec {
  return {
    name: 'change-log-prune',
    dailyAtUtc: '03:17',
    run: async (ctx: AppContext) => {
      const n = await pruneChanges(ctx.store.db, ctx.clock.now(), CHANGE_LOG_KEEP_DAYS * 86_400_000);
      if (n) ctx.logger.info({ rows: n }, `change log: pruned ${n} rows older than ${CHANGE_LOG_KEEP_DAYS} days`);
    },
  };
}
