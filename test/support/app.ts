/**
 * Test helpers: a fresh real store per test (SQLite in a temp dir, or a fresh PostgreSQL
 * database when TEST_DATABASE_URL is set, as `npm run test:pg` does) and the real app on it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { testConfig, type Config } from '../../src/config.js';
import { createApp, type App, type AppDeps } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import type { TestContext } from 'node:test';

export interface TestEnv {
  config: Config;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A config pointing at a brand-new empty store. */
export async function freshEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'papertide-test-'));
  const base = process.env.TEST_DATABASE_URL;
  let dbName: string | null = null;
  let databaseUrl: string | undefined;
  if (base && base.startsWith('postgres')) {
    dbName = `pt_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const config = testConfig({ DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...overrides });
  return {
    config,
    dataDir,
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dbName && base) {
        const admin = new pg.Client({ connectionString: base });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
}

export interface TestApp extends App {
  env: TestEnv;
  clock: ReturnType<typeof fixedClock>;
  /** In-process HTTP request against the real app. */
  request(pathname: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function testApp(opts: { now?: string; env?: Record<string, string>; deps?: AppDeps } = {}): Promise<TestApp> {
  const env = await freshEnv(opts.env);
  const clock = fixedClock(opts.now ?? '2025-06-04T12:00:00Z');
  const app = await createApp(env.config, { clock, ...opts.deps });
  return {
    ...app,
    env,
    clock,
    request: (p, init) => Promise.resolve(app.web.app.request(p, init)),
    async close() {
      await app.ctx.close();
      await env.cleanup();
    },
  };
}

/** `testApp(opts)`, closed (store, data directory, PostgreSQL database) after the test `t`. */
export async function useApp(t: TestContext, opts: Parameters<typeof testApp>[0] = {}): Promise<TestApp> {
  const app = await testApp(opts);
  t.after(() => app.close());
  return app;
}

/** `freshEnv(overrides)`, removed after the test `t`. */
export async function useEnv(t: TestContext, overrides: Record<string, string> = {}): Promise<TestEnv> {
  const env = await freshEnv(overrides);
  t.after(() => env.cleanup());
  return env;
}

export const SHARED_DATA = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'shared', 'data');

/** Write lines to a temp JSONL file and return its path. */
export function writeJsonl(dir: string, name: string, lines: (object | string)[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}
