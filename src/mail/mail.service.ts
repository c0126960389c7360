/**
 * The mail transport and outbox sender, built once per application by createApp (ctx.mail).
 * Features enqueue with `enqueueMail` (outbox.repository.ts); the `mail-outbox` job that
 * `papertide serve` runs delivers them (see src/jobs/digest.job.ts).
 */
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../db/index.js';
import { createTransport, type MailTransport } from './transport.js';
import { OutboxSender } from './sender.js';

export interface Mail {
  transport: MailTransport;
  sender: OutboxSender;
}

interface MailHost {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  disposers: (() => Promise<void> | void)[];
}

/** The transport (SMTP, or .eml files without SMTP_URL) and the sender, closed with the context. */
export function createMail(ctx: MailHost, transport?: MailTransport): Mail {
  const t = transport ?? createTransport(ctx.config, ctx.logger);
  ctx.disposers.push(() => t.close());
  return {
    transport: t,
    sender: new OutboxSender(ctx.store.db, t, ctx.clock, ctx.logger, {
      from: ctx.config.MAIL_FROM,
      ratePerSecond: ctx.config.DIGEST_RATE_PER_SECOND,
      bounceLimit: ctx.config.DIGEST_BOUNCE_LIMIT,
      lockMs: ctx.config.MAIL_LOCK_SECONDS * 1000,
      maxAttempts: ctx.config.MAIL_MAX_ATTEMPTS,
    }),
  };
}
