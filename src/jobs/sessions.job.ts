/**
 * Purges expired sessions every hour. Logging in also purges them, but a site nobody logs into
 * for a while would otherwise keep every ended session (and its hash) in the store.
 */
import type { JobSpec } from './job.js';
import { purgeExpiredSessions } from '../users/users.service.js';

export const SESSIONS_PURGE_EVERY_MS = 60 * 60_000;

export function sessionsJob(): JobSpec {
  return {
    name: 'sessions-purge',
    everyMs: SESSIONS_PURGE_EVERY_MS,
    run: async (ctx) => {
      const n = await purgeExpiredSessions(ctx);
      if (n) ctx.logger.info({ sessions: n }, `sessions: purged ${n} expired`);
    },
  };
}
