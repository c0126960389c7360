/**
 * The outbox sender against a real SMTP server (smtp-server) and a real store: delivery once,
 * deterministic Message-IDs, retries with backoff on 4xx, bounces on 5xx, in-doubt rows after a
 * crash, and the .eml default without SMTP_URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { testApp, useApp } from '../support/app.js';
import { startSmtp } from '../support/smtp.js';
import { enqueueMail } from '../../src/mail/outbox.repository.js';
import { backoffMs, classifySendError } from '../../src/mail/sender.js';

const NOW = '2025-06-04T12:00:00Z';

async function addSubscription(db: any, email: string, now: string) {
  const r = await db
    .insertInto('subscriptions')
    .values({ email, status: 'active', cadence: 'daily', topics: '{}', max_papers: 10, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id as number;
}

test('every enqueued message is delivered once, with a stable Message-ID; enqueueing a key twice stores it once', async (t) => {
  const smtp = await startSmtp();
  const app = await testApp({ now: NOW, env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000' } });
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const db = app.ctx.store.db;
  const now = app.clock.now();
  for (const i of [1, 2, 3]) {
    assert.equal(await enqueueMail(db, { kind: 'verify', dedupeKey: `k${i}`, to: `u${i}@example.org`, subject: `Hello ${i}`, text: `plain ${i}`, html: `<p>html ${i}</p>`, headers: { 'X-Test': String(i) } }, now), true);
  }
  assert.equal(await enqueueMail(db, { kind: 'verify', dedupeKey: 'k1', to: 'u1@example.org', subject: 'again', text: 'again' }, now), false);
  const sender = app.ctx.mail.sender;
  const c1 = await sender.sendDue();
  assert.deepEqual(c1, { sent: 3, retried: 0, failed: 0, cancelled: 0 });
  await smtp.waitFor(3);
  const c2 = await sender.sendDue();
  assert.equal(c2.sent, 0, 'nothing is sent twice');
  assert.equal(smtp.messages.length, 3);
  const m1 = smtp.to('u1@example.org');
  assert.equal(m1.length, 1);
  assert.equal(m1[0].mail.subject, 'Hello 1');
  assert.equal(m1[0].mail.text?.trim(), 'plain 1');
  assert.match(String(m1[0].mail.html), /html 1/);
  assert.equal(m1[0].mail.headers.get('x-test'), '1');
  assert.match(m1[0].messageId, /^<outbox-\d+\.[0-9a-f]{16}@localhost>$/);
  const rows = await db.selectFrom('outbox').selectAll().orderBy('id').execute();
  assert.deepEqual(rows.map((r) => [r.status, r.attempts, r.sent_at]), rows.map(() => ['sent', 1, NOW.replace('Z', '.000Z')]));
});

test('a 4xx reply is retried with backoff; a 5xx reply fails and counts a bounce, and the limit stops the subscription', async (t) => {
  const smtp = await startSmtp();
  const app = await testApp({ now: NOW, env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000', DIGEST_BOUNCE_LIMIT: '2' } });
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const db = app.ctx.store.db;
  const sender = app.ctx.mail.sender;
  const subId = await addSubscription(db, 'gone@example.org', NOW);
  smtp.reject.set('later@example.org', 451);
  smtp.reject.set('gone@example.org', 550);
  await enqueueMail(db, { kind: 'verify', dedupeKey: 'later', to: 'later@example.org', subject: 's', text: 't' }, app.clock.now());
  await enqueueMail(db, { kind: 'digest', dedupeKey: 'gone-1', to: 'gone@example.org', subject: 's', text: 't', subscriptionId: subId }, app.clock.now());
  const c = await sender.sendDue();
  assert.deepEqual(c, { sent: 0, retried: 1, failed: 1, cancelled: 0 });
  const later = await db.selectFrom('outbox').selectAll().where('dedupe_key', '=', 'later').executeTakeFirstOrThrow();
  assert.equal(later.status, 'pending');
  assert.match(String(later.last_error), /451/);
  const wait = Date.parse(later.next_attempt_at) - Date.parse(NOW);
  assert.ok(wait >= 24_000 && wait <= 36_000, `first retry about 30 s later, got ${wait} ms`);
  // Not due yet: nothing happens.
  assert.equal((await sender.sendDue()).retried, 0);
  // The server recovers; a minute later the message goes out on its second attempt.
  smtp.reject.delete('later@example.org');
  app.clock.advance(60_000);
  assert.equal((await sender.sendDue()).sent, 1);
  await smtp.waitFor(1);
  assert.equal(smtp.to('later@example.org').length, 1);
  assert.equal((await db.selectFrom('outbox').select('attempts').where('dedupe_key', '=', 'later').executeTakeFirstOrThrow()).attempts, 2);

  let sub = await db.selectFrom('subscriptions').selectAll().where('id', '=', subId).executeTakeFirstOrThrow();
  assert.equal(sub.bounce_count, 1);
  assert.equal(sub.status, 'active');
  await enqueueMail(db, { kind: 'digest', dedupeKey: 'gone-2', to: 'gone@example.org', subject: 's', text: 't', subscriptionId: subId }, app.clock.now());
  assert.equal((await sender.sendDue()).failed, 1);
  sub = await db.selectFrom('subscriptions').selectAll().where('id', '=', subId).executeTakeFirstOrThrow();
  assert.equal(sub.bounce_count, 2);
  assert.equal(sub.status, 'bouncing', 'at DIGEST_BOUNCE_LIMIT the address is marked bouncing');
  // A digest queued for a bouncing address is cancelled, not sent.
  smtp.reject.delete('gone@example.org');
  await enqueueMail(db, { kind: 'digest', dedupeKey: 'gone-3', to: 'gone@example.org', subject: 's', text: 't', subscriptionId: subId }, app.clock.now());
  assert.equal((await sender.sendDue()).cancelled, 1);
  assert.equal(smtp.to('gone@example.org').length, 0);
});

test('a row a dead sender left in "sending" is resent with the same Message-ID once its claim expires; a live claim is left alone', async (t) => {
  const smtp = await startSmtp();
  const app = await testApp({ now: NOW, env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000', MAIL_LOCK_SECONDS: '60' } });
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const db = app.ctx.store.db;
  await enqueueMail(db, { kind: 'verify', dedupeKey: 'doubt', to: 'doubt@example.org', subject: 's', text: 't' }, app.clock.now());
  await enqueueMail(db, { kind: 'verify', dedupeKey: 'busy', to: 'busy@example.org', subject: 's', text: 't' }, app.clock.now());
  // As a killed sender leaves them: one claim already expired, one still held.
  await db.updateTable('outbox').set({ status: 'sending', attempts: 1, locked_until: '2025-06-04T11:59:00.000Z' }).where('dedupe_key', '=', 'doubt').execute();
  await db.updateTable('outbox').set({ status: 'sending', attempts: 1, locked_until: '2025-06-04T12:00:30.000Z' }).where('dedupe_key', '=', 'busy').execute();
  const sender = app.ctx.mail.sender;
  assert.equal((await sender.sendDue()).sent, 1);
  await smtp.waitFor(1);
  assert.equal(smtp.to('doubt@example.org').length, 1);
  assert.equal(smtp.to('busy@example.org').length, 0, 'a claim that is still held is not taken over');
  app.clock.advance(31_000);
  assert.equal((await sender.sendDue()).sent, 1);
  await smtp.waitFor(2);
  const row = await db.selectFrom('outbox').selectAll().where('dedupe_key', '=', 'busy').executeTakeFirstOrThrow();
  assert.equal(row.attempts, 2);
  assert.match(smtp.to('busy@example.org')[0].messageId, new RegExp(`^<outbox-${row.id}\\.`));
});

test('without SMTP_URL messages are written as .eml files to DATA_DIR/outbox', async (t) => {
  const app = await useApp(t, { now: NOW });
  await enqueueMail(app.ctx.store.db, { kind: 'verify', dedupeKey: 'eml', to: 'eml@example.org', subject: 'Written to disk', text: 'hello' }, app.clock.now());
  assert.equal((await app.ctx.mail.sender.sendDue()).sent, 1);
  const dir = path.join(app.env.dataDir, 'outbox');
  const files = fs.readdirSync(dir);
  assert.equal(files.length, 1);
  assert.match(files[0], /^outbox-\d+\.[0-9a-f]+_localhost\.eml$/);
  const text = fs.readFileSync(path.join(dir, files[0]), 'utf8');
  assert.match(text, /Subject: Written to disk/);
  assert.match(text, /To: eml@example.org/);
});

test('error classification and backoff', () => {
  assert.equal(classifySendError({ responseCode: 550 }), 'permanent');
  assert.equal(classifySendError({ responseCode: 421 }), 'transient');
  assert.equal(classifySendError({ code: 'ECONNREFUSED' }), 'transient');
  assert.equal(backoffMs(1, 30_000, 3_600_000, 0.5), 30_000);
  assert.equal(backoffMs(3, 30_000, 3_600_000, 0.5), 120_000);
  assert.equal(backoffMs(30, 30_000, 3_600_000, 0.5), 3_600_000);
});
