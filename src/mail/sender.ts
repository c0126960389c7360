/**
 * The outbox sender: claims due rows of the `outbox` table, sends them, marks them sent.
 *
 * Exactly-once discipline (docs/digests.md explains the one window that remains):
 * 1. A message exists once: `dedupe_key` is unique, so building a digest twice stores it once.
 * 2. A row is claimed by compare-and-set: `status → 'sending'`, `attempts + 1`,
 *    `locked_until = now + MAIL_LOCK_SECONDS`, only if status/attempts are still what we read.
 *    Two senders (or two instances) can never both own the same attempt. While sending, the claim
 *    is renewed (heartbeat); a killed sender stops renewing and its claim expires.
 * 3. After the SMTP server's final 250, the row is marked `sent` (again guarded by the attempt).
 *    A sent row is never claimed again.
 * 4. A row left in `sending` with an expired claim is "in doubt": the process died between
 *    claiming and recording the outcome. It is sent again with the same deterministic
 *    Message-ID. It can only have been delivered already if the process died in the instant
 *    between the server's 250 and our commit (RFC 1047's window), which no SMTP client can close.
 *
 * Failures: 4xx replies and network errors are transient — retried with exponential backoff
 * (30 s, 1 min, 2 min … capped at 6 h, ±20 % jitter) up to MAIL_MAX_ATTEMPTS; 5xx replies are
 * permanent — the row fails and the address's subscription counts a bounce; at
 * DIGEST_BOUNCE_LIMIT bounces the subscription becomes `bouncing` and receives no more digests.
 * Throughput is limited to DIGEST_RATE_PER_SECOND messages per second per sender process.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, OutboxRow } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { MailTransport } from './transport.js';

export interface SenderOptions {
  from: string;
  ratePerSecond: number;
  bounceLimit: number;
  lockMs: number;
  maxAttempts: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface SendCounts {
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
}

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 6 * 3600_000;
const CLAIM_BATCH = 50;

/** A deterministic Message-ID: the same row always yields the same id, also after a crash. */
export function messageIdFor(row: Pick<OutboxRow, 'id' | 'dedupe_key'>, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'papertide.invalid';
  const h = crypto.createHash('sha256').update(row.dedupe_key).digest('hex').slice(0, 16);
  return `<outbox-${row.id}.${h}@${domain}>`;
}

/** 5xx SMTP replies (and messages nodemailer refuses to build) are permanent; everything else may pass later. */
export function classifySendError(e: unknown): 'permanent' | 'transient' {
  const err = e as { responseCode?: number; code?: string };
  if (typeof err?.responseCode === 'number') return err.responseCode >= 500 ? 'permanent' : 'transient';
  if (err?.code === 'EMESSAGE') return 'permanent';
  return 'transient';
}

export function backoffMs(attempt: number, base = BACKOFF_BASE_MS, max = BACKOFF_MAX_MS, rnd = Math.random()): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * rnd));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class OutboxSender {
  private nextSlot = 0; // real time (ms) before which the next message may not start

  constructor(
    private readonly db: Kysely<Database>,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: SenderOptions,
  ) {}

  /** Send every row that is due now, one at a time at the configured rate. */
  async sendDue(opts: { limit?: number; signal?: AbortSignal } = {}): Promise<SendCounts> {
    const counts: SendCounts = { sent: 0, retried: 0, failed: 0, cancelled: 0 };
    let handled = 0;
    for (;;) {
      if (opts.signal?.aborted) return counts;
      const due = await this.dueRows(CLAIM_BATCH);
      if (!due.length) return counts;
      let claimedAny = false;
      for (const row of due) {
        if (opts.signal?.aborted || (opts.limit !== undefined && handled >= opts.limit)) return counts;
        const outcome = await this.process(row);
        if (outcome === 'lost') continue;
        claimedAny = true;
        handled++;
        counts[outcome]++;
      }
      if (!claimedAny) return counts; // everything due was claimed by someone else meanwhile
    }
  }

  /**
   * Send until nothing is pending: also waits for rows another (possibly dead) sender has
   * claimed, until they are sent or their claim expires and we take them over.
   */
  async drain(opts: { signal?: AbortSignal } = {}): Promise<SendCounts> {
    const total: SendCounts = { sent: 0, retried: 0, failed: 0, cancelled: 0 };
    for (;;) {
      const c = await this.sendDue(opts);
      for (const k of Object.keys(total) as (keyof SendCounts)[]) total[k] += c[k];
      if (opts.signal?.aborted) return total;
      const now = this.clock.now().toISOString();
      const held = await this.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('locked_until').as('until'))
        .where('status', '=', 'sending')
        .executeTakeFirst();
      const due = await this.db.selectFrom('outbox').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now).limit(1).executeTakeFirst();
      if (due) continue;
      if (!held?.until) return total;
      const wait = Math.max(50, Math.min(1000, Date.parse(held.until as string) - Date.parse(now)));
      await sleep(wait);
    }
  }

  private async dueRows(limit: number): Promise<OutboxRow[]> {
    const now = this.clock.now().toISOString();
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)]),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Compare-and-set claim: only one sender wins a given attempt. */
  private async claim(row: OutboxRow): Promise<number | null> {
    const attempt = row.attempts + 1;
    const r = await this.db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: attempt, locked_until: this.lockUntil() })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1 ? attempt : null;
  }

  private lockUntil(): string {
    return new Date(this.clock.now().getTime() + this.opts.lockMs).toISOString();
  }

  private async process(row: OutboxRow): Promise<keyof SendCounts | 'lost'> {
    await this.waitForSlot(); // before claiming, so a slow rate never eats into the claim
    const attempt = await this.claim(row);
    if (attempt === null) return 'lost';
    const mine = (qb: any) => qb.where('id', '=', row.id).where('attempts', '=', attempt).where('status', '=', 'sending');
    if (row.status === 'sending') this.logger.warn({ outbox: row.id, to: row.to_address }, 'resending a message whose sender stopped before recording the outcome');

    if (row.subscription_id !== null && row.kind === 'digest') {
      const sub = await this.db.selectFrom('subscriptions').select(['status', 'paused']).where('id', '=', row.subscription_id).executeTakeFirst();
      if (!sub || sub.status !== 'active' || sub.paused) {
        await mine(this.db.updateTable('outbox').set({ status: 'cancelled', locked_until: null, last_error: `subscription is ${sub ? (sub.paused ? 'paused' : sub.status) : 'gone'}` })).execute();
        return 'cancelled';
      }
    }

    const heartbeat = setInterval(() => {
      void mine(this.db.updateTable('outbox').set({ locked_until: this.lockUntil() }))
        .execute()
        .catch(() => {});
    }, Math.max(100, this.opts.lockMs / 3));
    heartbeat.unref();
    try {
      const headers = row.headers ? (JSON.parse(row.headers) as Record<string, string>) : undefined;
      const res = await this.transport.send({
        from: this.opts.from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        headers,
        messageId: messageIdFor(row, this.opts.from),
      });
      clearInterval(heartbeat);
      const now = this.clock.now().toISOString();
      // The one step that must follow the server's 250 as closely as possible.
      const done = await mine(this.db.updateTable('outbox').set({ status: 'sent', sent_at: now, locked_until: null, last_error: null })).executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) this.logger.warn({ outbox: row.id }, 'sent a message whose claim had expired (the send outlived MAIL_LOCK_SECONDS)');
      if (row.subscription_id !== null) {
        await this.db.updateTable('subscriptions').set({ bounce_count: 0 }).where('id', '=', row.subscription_id).where('bounce_count', '>', 0).execute();
      }
      this.logger.debug({ outbox: row.id, to: row.to_address, kind: row.kind, response: res.response }, 'mail sent');
      return 'sent';
    } catch (e) {
      clearInterval(heartbeat);
      const message = (e as Error).message?.slice(0, 500) ?? String(e);
      const kind = classifySendError(e);
      const now = this.clock.now();
      if (kind === 'permanent' || attempt >= this.opts.maxAttempts) {
        await mine(this.db.updateTable('outbox').set({ status: 'failed', locked_until: null, last_error: message })).execute();
        if (kind === 'permanent') await this.recordBounce(row.to_address, now);
        this.logger.warn({ outbox: row.id, to: row.to_address, attempt, error: message }, kind === 'permanent' ? 'mail rejected permanently' : 'mail failed after the last attempt');
        return 'failed';
      }
      const next = new Date(now.getTime() + backoffMs(attempt, this.opts.backoffBaseMs, this.opts.backoffMaxMs)).toISOString();
      await mine(this.db.updateTable('outbox').set({ status: 'pending', locked_until: null, next_attempt_at: next, last_error: message })).execute();
      this.logger.info({ outbox: row.id, to: row.to_address, attempt, next, error: message }, 'mail deferred, will retry');
      return 'retried';
    }
  }

  /** A permanent rejection counts one bounce for the address; at the limit its subscription stops. */
  private async recordBounce(address: string, now: Date): Promise<void> {
    const email = address.toLowerCase();
    await this.db
      .updateTable('subscriptions')
      .set({
        bounce_count: sql`bounce_count + 1`,
        status: sql`case when bounce_count + 1 >= ${this.opts.bounceLimit} and status = 'active' then 'bouncing' else status end`,
        updated_at: now.toISOString(),
      })
      .where('email', '=', email)
      .execute();
  }

  private async waitForSlot(): Promise<void> {
    const interval = 1000 / this.opts.ratePerSecond;
    const t = Date.now();
    if (this.nextSlot > t) await sleep(this.nextSlot - t);
    this.nextSlot = Math.max(t, this.nextSlot) + interval;
  }
}
