/**
 * Scheduled jobs run once per deployment: two schedulers (two server processes' contexts) on one
 * store run a job in one of them per period, and when that one stops, the other takes over once
 * the lease has run out. Counts of runs, not timings, are asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshEnv } from '../support/app.js';
import { createContext, type JobSpec } from '../../src/app.js';
import { startScheduler, jobLeaseMs } from '../../src/scheduler.js';

const store = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`[${store}] a job runs in one of two schedulers on one store; the other takes over when it stops`, async (t) => {
  const env = await freshEnv();
  const a = await createContext(env.config);
  const b = await createContext(env.config);
  const stops: (() => void)[] = [];
  t.after(async () => {
    for (const s of stops) s();
    await a.close();
    await b.close();
    await env.cleanup();
  });
  const runs: string[] = [];
  const job = (who: string): JobSpec => ({ name: 'count', everyMs: 400, run: async () => void runs.push(who) });
  assert.equal(jobLeaseMs(job('a')), 600);
  const stopA = startScheduler(a, [job('a')]);
  stops.push(stopA);
  await sleep(50); // A's first period starts first
  stops.push(startScheduler(b, [job('b')]));

  // Both schedulers tick every 400 ms; only one runs the job.
  for (let i = 0; i < 100 && runs.length < 4; i++) await sleep(50);
  assert.ok(runs.length >= 4, `the job ran: ${runs.join(',')}`);
  assert.equal(new Set(runs).size, 1, `one process ran it: ${runs.join(',')}`);
  const holder = runs[0];

  // The holder stops (a process that dies renews nothing); the other runs it after the lease ends.
  (holder === 'a' ? stopA : stops[1])();
  const before = runs.length;
  for (let i = 0; i < 100 && runs.length < before + 2; i++) await sleep(50);
  const after = runs.slice(before);
  assert.ok(after.length >= 2 && after.every((w) => w !== holder), `the other process took over: ${after.join(',')}`);
});

test(`[${store}] a job marked everyProcess runs in every scheduler`, async (t) => {
  const env = await freshEnv();
  const a = await createContext(env.config);
  const b = await createContext(env.config);
  const stops: (() => void)[] = [];
  t.after(async () => {
    for (const s of stops) s();
    await a.close();
    await b.close();
    await env.cleanup();
  });
  const runs = new Set<string>();
  const job = (who: string): JobSpec => ({ name: 'outbox-like', everyMs: 200, everyProcess: true, run: async () => void runs.add(who) });
  stops.push(startScheduler(a, [job('a')]), startScheduler(b, [job('b')]));
  for (let i = 0; i < 100 && runs.size < 2; i++) await sleep(50);
  assert.deepEqual([...runs].sort(), ['a', 'b']);
});
