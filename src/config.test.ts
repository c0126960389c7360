import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from './config.js';

test('defaults give the embedded SQLite store in ./data and port 3000', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 3000);
  assert.equal(c.dialect, 'sqlite');
  assert.match(c.databaseUrl, /^sqlite:.*data[/\\]papertide\.db$/);
  assert.equal(c.baseUrl, 'http://localhost:3000');
  assert.ok(Object.isFrozen(c));
});

test('DATABASE_URL=postgres://… switches the store to PostgreSQL', () => {
  const c = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
  assert.equal(c.dialect, 'postgres');
});

test('a bad configuration lists every bad variable at once', () => {
  try {
    loadConfig({ PORT: 'eighty', SMTP_URL: 'http://mail', ARXIV_CONTACT: 'nobody', LOG_LEVEL: 'loud' });
    assert.fail('should have thrown');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const msg = (e as Error).message;
    for (const v of ['PORT', 'SMTP_URL', 'ARXIV_CONTACT', 'LOG_LEVEL']) assert.match(msg, new RegExp(v));
    assert.equal((e as ConfigError).problems.length, 4);
  }
});
