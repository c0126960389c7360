/**
 * The mail outbox: every email (digests, confirmations, verification, password reset) is first a
 * row here, written in the same transaction as the change that causes it, then delivered by the
 * sender (src/mail/sender.ts, owned by the digests feature) exactly once per `dedupe_key`.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface OutgoingMail {
  kind: string; // 'digest' | 'confirm' | 'verify' | 'reset' | ...
  /** Unique per logical message: enqueueing the same key twice stores it once. */
  dedupeKey: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
  subscriptionId?: number | null;
}

/** Store a message for delivery. Returns false when a message with the same dedupe key exists. */
export async function enqueueMail(db: Db, mail: OutgoingMail, now: Date): Promise<boolean> {
  return (await enqueueMany(db, [mail], now)) > 0;
}

function outboxRow(mail: OutgoingMail, at: string) {
  return {
    subscription_id: mail.subscriptionId ?? null,
    kind: mail.kind,
    dedupe_key: mail.dedupeKey,
    to_address: mail.to,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html ?? null,
    headers: mail.headers ? JSON.stringify(mail.headers) : null,
    status: 'pending',
    next_attempt_at: at,
    created_at: at,
  };
}

/** Messages to one address, newest first (tests and the preview use this). */
export async function mailTo(db: Db, to: string) {
  return db.selectFrom('outbox').selectAll().where('to_address', '=', to).orderBy('id', 'desc').execute();
}

/**
 * Store many messages in one statement per chunk (digest builds write tens of thousands).
 * Keys that exist already are skipped. Returns how many rows were inserted.
 */
export async function enqueueMany(db: Db, mails: OutgoingMail[], now: Date, chunk = 400): Promise<number> {
  const at = now.toISOString();
  let inserted = 0;
  for (let i = 0; i < mails.length; i += chunk) {
    const part = mails.slice(i, i + chunk);
    const r = await db
      .insertInto('outbox')
      .values(
        part.map((mail) => outboxRow(mail, at)),
      )
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}
