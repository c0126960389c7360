import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadConfig, ConfigError, CONFIG_KEYS } from './config.js';

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

test('the README configuration table documents every variable the config reads', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## The `papertide` command'));
  const documented = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
  const missing = CONFIG_KEYS.filter((k) => !documented.has(k));
  assert.deepEqual(missing, [], `add these to the README's configuration table: ${missing.join(', ')}`);
  assert.ok(CONFIG_KEYS.length > 30);
});
