/**
 * Hardening around the app: private files in DATA_DIR, a plain 400 from inside the app when a
 * response header would carry a character Node's HTTP writer refuses (checked over a real socket
 * through @hono/node-server, which otherwise answers a raw 500 with the error text), and the
 * escaped RSS titles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { testApp } from '../support/app.js';
import { emlTransport } from '../../src/mail/transport.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

test('DATA_DIR files: a new store is 0600 in a 0700 folder; an existing world-readable store is tightened', { skip: process.env.TEST_DATABASE_URL ? 'SQLite files only' : false }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-perms-'));
  const old = process.umask(0o022); // the usual umask, under which files were 0644 and folders 0755
  t.after(async () => {
    process.umask(old);
    fs.rmSync(root, { recursive: true, force: true });
  });
  const dataDir = path.join(root, 'nested', 'data');
  const app = await testApp({ env: { DATA_DIR: dataDir } });
  try {
    await app.ctx.store.db.insertInto('kv').values({ key: 'x', value: 'y' } as any).execute().catch(() => {}); // make SQLite write its WAL
    const db = path.join(dataDir, 'papertide.db');
    assert.equal(mode(db), 0o600, 'papertide.db');
    assert.equal(mode(dataDir), 0o700, 'the folder it created');
    assert.equal(mode(path.join(root, 'nested')), 0o700, 'every folder it created');
    for (const f of [`${db}-wal`, `${db}-shm`]) if (fs.existsSync(f)) assert.equal(mode(f) & 0o077, 0, path.basename(f));
  } finally {
    await app.ctx.close();
  }
  // An existing store made 0644 by an older version: tightened on open; the folder is left as it is.
  const shared = path.join(root, 'shared');
  fs.mkdirSync(shared, { mode: 0o755 });
  const app2 = await testApp({ env: { DATA_DIR: shared } });
  await app2.ctx.close();
  fs.chmodSync(path.join(shared, 'papertide.db'), 0o644);
  const app3 = await testApp({ env: { DATA_DIR: shared } });
  try {
    assert.equal(mode(path.join(shared, 'papertide.db')), 0o600);
    assert.equal(mode(shared), 0o755, 'an existing DATA_DIR keeps its mode (it may be shared on purpose)');
  } finally {
    await app3.ctx.close();
  }
});

test('outbox .eml files are 0600 in a 0700 folder, also when the folder existed as 0755', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-outbox-'));
  const old = process.umask(0o022);
  try {
    const msg = (n: number) => ({ from: 'Papertide <noreply@example.org>', to: 'a@example.org', subject: 'Reset', text: 'https://example.org/reset?token=secret', messageId: `<m${n}@example.org>` });
    const fresh = path.join(root, 'data', 'outbox');
    const t = emlTransport(fresh);
    await t.send(msg(1));
    t.close();
    assert.equal(mode(fresh), 0o700);
    const files = fs.readdirSync(fresh);
    assert.equal(files.length, 1);
    assert.equal(mode(path.join(fresh, files[0])), 0o600);
    const existing = path.join(root, 'old-outbox');
    fs.mkdirSync(existing, { mode: 0o755 });
    const t2 = emlTransport(existing);
    await t2.send(msg(2));
    t2.close();
    assert.equal(mode(existing), 0o700, 'our own outbox folder is tightened');
    assert.equal(mode(path.join(existing, fs.readdirSync(existing)[0])), 0o600);
  } finally {
    process.umask(old);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/** One raw HTTP/1.1 exchange; returns the status line and the body. */
function rawRequest(port: number, req: string): Promise<{ status: string; body: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(req));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => {
      const i = out.indexOf('\r\n\r\n');
      resolve({ status: out.split('\r\n')[0], body: i < 0 ? '' : out.slice(i + 4) });
    });
    s.on('error', () => resolve({ status: 'ERR', body: out }));
  });
}

test('a header Node refuses is answered with a plain 400 from inside the app, not node-server\'s raw 500', async (t) => {
  const app = await testApp();
  // A route that echoes input into a header, as a redirect with a user's `next` once did.
  app.web.app.get('/echo-header', (c) => {
    c.header('X-Echo', c.req.query('v') ?? '');
    return c.text('echoed');
  });
  const server = serve({ fetch: app.web.app.fetch, port: 0, hostname: '127.0.0.1' }) as any;
  await new Promise((r) => server.once('listening', r));
  const port = server.address().port;
  t.after(async () => {
    await new Promise((r) => server.close(r));
    await app.close();
  });
  for (const v of ['%0B', '%0C', '%01', '%1F', '%7F']) {
    const r = await rawRequest(port, `GET /echo-header?v=a${v}b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.match(r.status, /^HTTP\/1\.1 400/, `${v}: ${r.status}`);
    assert.match(r.body, /Bad request/);
    assert.doesNotMatch(r.body, /Invalid character|Error:/, 'no raw error text');
  }
  // The other side: tab and ordinary text are valid header values.
  for (const v of ['%09', 'plain', '%C3%A9']) {
    const r = await rawRequest(port, `GET /echo-header?v=a${v}b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.match(r.status, /^HTTP\/1\.1 200/, `${v}: ${r.status}`);
  }
  // The case from the report, end to end: control characters in `next` on a real socket.
  for (const q of ['%0A', '%0B', '%0C', '/%09/evil.example/']) {
    const r = await rawRequest(port, `GET /login?next=${q} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.match(r.status, /^HTTP\/1\.1 200/, `next=${q}: ${r.status}`);
  }
});
