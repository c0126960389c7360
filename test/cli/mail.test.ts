/** `papertide mail ls|show`: the .eml outbox read back decoded, with the verification link intact. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli } from '../support/server.js';
import { useApp } from '../support/app.js';
import { FormClient, linkFromMail } from '../support/form-client.js';

test('mail ls lists the outbox; mail show prints the message decoded, links intact (the raw .eml breaks them)', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('alice', 'alice@example.org');
  await b.signup('bob', 'bob@example.org');
  await app.ctx.mail.sender.drain();
  const dir = path.join(app.env.dataDir, 'outbox');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
  assert.equal(files.length, 2);
  const link = await linkFromMail(app, 'alice@example.org', 'verify');
  const raw = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
  assert.ok(!raw.includes(link), 'the link is not verbatim in the transport-encoded file: copying it by hand breaks it');

  const env = { DATA_DIR: app.env.dataDir, LOG_LEVEL: 'silent' };
  const ls = cli(['mail', 'ls'], env);
  assert.equal(ls.status, 0, ls.stderr);
  const lines = ls.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(ls.stdout, /alice@example\.org .*Confirm your email/);
  assert.match(ls.stdout, /bob@example\.org .*Confirm your email/);
  const n = lines.find((l) => l.includes('alice@example.org'))!.trim().split(/\s+/)[0];

  const show = cli(['mail', 'show', n], env);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /^To: alice@example\.org/m);
  assert.match(show.stdout, /^Subject: .*Confirm your email/m);
  assert.ok(show.stdout.includes(link), 'the text part shows the link intact');
  assert.match(show.stdout, new RegExp(`^\\s+\\[\\d+\\] ${link.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')}$`, 'm'), 'and it is listed under Links');
  assert.doesNotMatch(show.stdout, /=3D|=\n/);

  const only = cli(['mail', 'ls', '--to', 'bob@example.org'], env);
  assert.equal(only.stdout.trim().split('\n').length, 1);
  assert.match(only.stdout, /bob@example\.org/);

  const missing = cli(['mail', 'show', '99'], env);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /There is no message 99: the outbox holds 2/);
});

test('an empty outbox says so', async (t) => {
  const app = await useApp(t);
  const r = cli(['mail', 'ls'], { DATA_DIR: app.env.dataDir, LOG_LEVEL: 'silent' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /The outbox is empty/);
});
