/**
 * Scheduled mail work for `papertide serve`:
 * - `mail-outbox` (every 2 s): delivers due outbox rows (digests, confirmations, account emails).
 *   Safe on several instances at once: each row is claimed by compare-and-set (src/mail/sender.ts).
 * - `digests` (every minute, from DIGEST_AT_UTC on): builds the digests that are due, under a
 *   lease in the `leases` table so one instance builds at a time; a build that finds nothing
 *   due costs one query per cadence.
 */
import type { AppContext } from '../context.js';
import type { JobSpec } from './job.js';
import { runDigestBuild } from '../digests/digest.service.js';

export function afterSendTime(now: Date, hhmm: string): boolean {
  const [h, m] = hhmm.split(':').map(Number);
  return now.getUTCHours() * 60 + now.getUTCMinutes() >= h * 60 + m;
}

export function mailJobs(): JobSpec[] {
  return [
    {
      name: 'mail-outbox',
      everyMs: 2000,
      everyProcess: true,
      run: async (ctx: AppContext) => {
        const c = await ctx.mail.sender.sendDue();
        if (c.sent + c.failed + c.retried + c.cancelled > 0) ctx.logger.info(c, 'mail outbox: delivered');
      },
    },
    {
      name: 'digests',
      everyMs: 60_000,
      run: async (ctx: AppContext) => {
        if (!afterSendTime(ctx.clock.now(), ctx.config.DIGEST_AT_UTC)) return;
        const r = await runDigestBuild(ctx);
        if (r && r.due > 0) ctx.logger.info(r, `digests: built ${r.built} (${r.empty} had no new papers)`);
      },
    },
  ];
}
