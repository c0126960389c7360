/**
 * Mail transports: nodemailer to SMTP_URL, or — without SMTP_URL — an embedded default that
 * writes each message as an .eml file to DATA_DIR/outbox (and says where, once, in the log).
 *
 * SMTP_URL accepts nodemailer's URL options as query parameters, e.g.
 * `smtp://user:pass@mail.example.org:587` or, for a local test server without STARTTLS,
 * `smtp://127.0.0.1:2525/?ignoreTLS=true`.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger.js';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
  /** Deterministic Message-ID (with angle brackets): a resend after a crash carries the same one. */
  messageId: string;
}

export interface SendResult {
  messageId: string;
  /** The SMTP server's final reply, or where the .eml file was written. */
  response: string;
}

export interface MailTransport {
  kind: 'smtp' | 'eml';
  /** Human-readable destination for logs and `papertide doctor` (never includes a password). */
  describe(): string;
  send(msg: MailMessage): Promise<SendResult>;
  close(): void;
}

/** Timeouts stay well under MAIL_LOCK_SECONDS so a stuck send cannot outlive its claim. */
export function smtpTransport(url: string, opts: { timeoutMs?: number } = {}): MailTransport {
  const timeout = opts.timeoutMs ?? 30_000;
  const t = nodemailer.createTransport(url, {});
  // Options given in the URL win; these are defaults.
  const o = (t as any).options ?? {};
  o.connectionTimeout ??= timeout;
  o.greetingTimeout ??= timeout;
  o.socketTimeout ??= timeout;
  const u = new URL(url);
  return {
    kind: 'smtp',
    describe: () => `${u.protocol}//${u.host}`,
    async send(msg) {
      const info = await t.sendMail(toNodemailer(msg));
      return { messageId: info.messageId ?? msg.messageId, response: String(info.response ?? '') };
    },
    close: () => t.close(),
  };
}

/** The embedded default: one .eml file per message, named after its Message-ID (a resend overwrites it). */
export function emlTransport(dir: string, logger?: Logger): MailTransport {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let announced = false;
  return {
    kind: 'eml',
    describe: () => `.eml files in ${dir}`,
    async send(msg) {
      // Messages carry password-reset and verification links: owner-only folder and files.
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!announced) {
        const st = fs.statSync(dir);
        if (st.mode & 0o077 && typeof process.getuid === 'function' && st.uid === process.getuid()) fs.chmodSync(dir, 0o700);
        announced = true;
        logger?.info({ dir }, `SMTP_URL is not set: emails are written as .eml files to ${dir}`);
      }
      const info = await t.sendMail(toNodemailer(msg));
      const name = msg.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_') + '.eml';
      const file = path.join(dir, name);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, info.message as Buffer, { mode: 0o600 });
      fs.renameSync(tmp, file); // atomic: a reader never sees half a message
      return { messageId: msg.messageId, response: `written ${file}` };
    },
    close: () => t.close(),
  };
}

export function createTransport(config: { SMTP_URL?: string; dataDir: string; MAIL_LOCK_SECONDS: number }, logger?: Logger): MailTransport {
  if (config.SMTP_URL) return smtpTransport(config.SMTP_URL, { timeoutMs: Math.max(1000, Math.min(30_000, (config.MAIL_LOCK_SECONDS * 1000) / 3)) });
  return emlTransport(path.join(config.dataDir, 'outbox'), logger);
}

function toNodemailer(msg: MailMessage) {
  return {
    from: msg.from,
    to: msg.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html ?? undefined,
    headers: msg.headers,
    messageId: msg.messageId,
    // One multipart/alternative with text first, HTML last (RFC 2046: last is preferred).
    textEncoding: 'quoted-printable' as const,
  };
}
