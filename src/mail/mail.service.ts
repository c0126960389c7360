/**
 * One mail transport and outbox sender per app context, built from the configuration.
 * Features enqueue with `enqueueMail` (outbox.repository.ts); the `mail-outbox` job that
 * `papertide serve` runs delivers them (see src/jobs/digest.job.ts).
 */
import type { AppContext } from '../context.js';
import { createTransport, type MailTransport } from './transport.js';
import { OutboxSender } from './sender.js';

const senders = new WeakMap<AppContext, { transport: MailTransport; sender: OutboxSender }>();

export function mailSender(ctx: AppContext, transport?: MailTransport): OutboxSender {
  let s = senders.get(ctx);
  if (!s) {
    const t = transport ?? createTransport(ctx.config, ctx.logger);
    s = {
      transport: t,
      sender: new OutboxSender(ctx.store.db, t, ctx.clock, ctx.logger, {
        from: ctx.config.MAIL_FROM,
        ratePerSecond: ctx.config.DIGEST_RATE_PER_SECOND,
        bounceLimit: ctx.config.DIGEST_BOUNCE_LIMIT,
        lockMs: ctx.config.MAIL_LOCK_SECONDS * 1000,
        maxAttempts: ctx.config.MAIL_MAX_ATTEMPTS,
      }),
    };
    senders.set(ctx, s);
    ctx.disposers.push(() => t.close());
  }
  return s.sender;
}

export function mailTransportOf(ctx: AppContext): MailTransport {
  mailSender(ctx);
  return senders.get(ctx)!.transport;
}
