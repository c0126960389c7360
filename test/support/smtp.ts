/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, random port): every accepted message
 * is parsed back with mailparser. `reject` lets a test answer chosen recipients with an SMTP code.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  envelope: { from: string; to: string[] };
  raw: string;
  mail: ParsedMail;
  to: string;
  messageId: string;
  /** The List-* headers as mailparser gives them (headers.get('list')). */
  list: any;
}

export interface TestSmtp {
  port: number;
  url: string;
  messages: Received[];
  /** Answer RCPT TO for these addresses with this code (e.g. 550 permanent, 451 transient). */
  reject: Map<string, number>;
  to(address: string): Received[];
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const messages: Received[] = [];
  const reject = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      const code = reject.get(address.address.toLowerCase());
      if (code) {
        const err = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
        err.responseCode = code;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // Copy the envelope before answering: smtp-server resets the session afterwards.
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        const raw = Buffer.concat(chunks).toString('utf8');
        pending.push(
          simpleParser(raw).then((mail) => {
            messages.push({ envelope, raw, mail, to: envelope.to[0], messageId: mail.messageId ?? '', list: mail.headers.get('list') });
          }),
        );
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`,
    messages,
    reject,
    to: (a) => messages.filter((m) => m.to === a.toLowerCase()),
    async waitFor(n, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        await Promise.all(pending);
        if (messages.length >= n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`expected ${n} messages, got ${messages.length}`);
    },
    async close() {
      await Promise.all(pending);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
