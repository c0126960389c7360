/** The `papertide` command as a user runs it: real processes, a real store in a temp dir. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from '../support/server.js';

const made: string[] = [];
function tmp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-cli-'));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test('--help explains every command', () => {
  const r = cli(['--help'], {});
  assert.equal(r.status, 0);
  for (const cmd of ['serve', 'migrate', 'import', 'doctor', 'demo']) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
  const imp = cli(['import', '--help'], {});
  assert.match(imp.stdout, /JSONL or JSONL\.gz/);
});

test('a bad configuration stops start-up listing every bad variable', () => {
  const r = cli(['migrate'], { PORT: '99999', SMTP_URL: 'ftp://x', DATA_DIR: tmp() });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /PORT/);
  assert.match(r.stderr, /SMTP_URL/);
});

test('import reports counts and skipped lines, re-import changes nothing, demo loads and is removed', () => {
  const dir = tmp();
  const env = { DATA_DIR: dir, LOG_LEVEL: 'silent' };
  const file = path.join(dir, 'p.jsonl');
  const line = (id: string) => JSON.stringify({ id, title: `T ${id}`, abstract: 'A', authors: ['X'], categories: ['cs.CL'], created: '2016-01-02', updated: null, comments: null, doi: null, primary_category: 'cs.CL' });
  fs.writeFileSync(file, [line('1601.00001'), 'not json', line('1601.00002')].join('\n'));
  let r = cli(['import', file], env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /added 2, updated 0, unchanged 0, skipped 1/);
  assert.match(r.stderr, /skipped line 2: invalid JSON/);
  r = cli(['import', file], env);
  assert.match(r.stdout, /added 0, updated 0, unchanged 2, skipped 1/);
  r = cli(['import', path.join(dir, 'missing.jsonl')], env);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no such file/);

  const demoDir = tmp();
  r = cli(['demo'], { DATA_DIR: demoDir, LOG_LEVEL: 'silent' });
  assert.match(r.stdout, /loaded 62 demo papers/);
  r = cli(['demo', '--remove'], { DATA_DIR: demoDir, LOG_LEVEL: 'silent' });
  assert.match(r.stdout, /removed 62 demo papers/);
});

test('doctor prints a check mark for configuration, store and migrations', () => {
  const dir = tmp();
  let r = cli(['doctor'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
  assert.match(r.stdout, /✗ migrations: \d+ pending .*run papertide migrate/, 'a new store has pending migrations');
  assert.equal(r.status, 1);
  assert.equal(cli(['migrate'], { DATA_DIR: dir, LOG_LEVEL: 'silent' }).status, 0);
  r = cli(['doctor'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
  assert.match(r.stdout, /✓ configuration/);
  assert.match(r.stdout, /✓ store connection/);
  assert.match(r.stdout, /✓ migrations: \d+ applied, none pending/);
  const bad = cli(['doctor'], { DATA_DIR: dir, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent' });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /✗ store connection/);
});
