#!/usr/bin/env node
// Test runner: Node 20's `--test` has no glob support, so we list the files ourselves.
//   node scripts/run-tests.mjs          unit + HTTP + store contract on SQLite + dependency check + wasm check
//   node scripts/run-tests.mjs --pg     every store-backed suite under test/ (contract, HTTP, API, accounts,
//                                       digests, ingest) on PostgreSQL (TEST_DATABASE_URL); not browser/CLI
//   node scripts/run-tests.mjs --e2e    browser tests (Chromium via playwright-core)
//   node scripts/run-tests.mjs FILE...  just these files
// Files run side by side (PAPERTIDE_TEST_CONCURRENCY, default: the number of cores, at least 2):
// each has its own temporary folders, PostgreSQL databases and port-0 servers. The few that time
// processes against each other (SERIAL) run afterwards, alone. The spec report is followed by the
// ten slowest files and a JSON line (scripts/test-timings.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const mode = args.includes('--pg') ? 'pg' : args.includes('--e2e') ? 'e2e' : 'unit';
const explicit = args.filter((a) => !a.startsWith('--'));

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts') || e.name.endsWith('.test.tsx')) out.push(path.relative(root, p));
  }
  return out;
}

let files;
const env = { ...process.env };
if (explicit.length) files = explicit;
else if (mode === 'e2e') files = walk(path.join(root, 'test', 'e2e'));
else if (mode === 'pg') {
  files = walk(path.join(root, 'test')).filter((f) => !f.startsWith(path.join('test', 'e2e')) && !f.startsWith(path.join('test', 'cli')));
  env.TEST_DATABASE_URL = env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
} else {
  files = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'test')).filter((f) => !f.startsWith(path.join('test', 'e2e')))];
  if (!args.includes('--no-e2e') && !process.env.PAPERTIDE_SKIP_E2E) files.push(...walk(path.join(root, 'test', 'e2e')));
}
files.sort();

if (mode === 'unit' && !explicit.length) {
  const dep = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-deps.mjs')], { stdio: 'inherit' });
  if (dep.status !== 0) process.exit(dep.status ?? 1);
  // The committed WebAssembly bytes must match their .wat source.
  const wasm = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs'), '--check'], { stdio: 'inherit' });
  if (wasm.status !== 0) process.exit(wasm.status ?? 1);
}
if (!files.length) {
  console.error('no test files found');
  process.exit(1);
}
// Measured delays between processes, kill points and lease expiries: run alone, after the rest.
const SERIAL = ['test/scale/', 'test/search/multi-process.test.ts', 'test/digests/sigkill.test.ts', 'test/ingest/oai-resume.test.ts'].map((p) => p.split('/').join(path.sep));
const isSerial = (f) => SERIAL.some((p) => f.startsWith(p));
const concurrency = Math.max(1, Number(process.env.PAPERTIDE_TEST_CONCURRENCY) || Math.max(2, os.availableParallelism?.() ?? os.cpus().length));
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${path.join(root, 'scripts', 'test-timings.mjs')}`, '--test-reporter-destination=stdout'];
let status = 0;
for (const [batch, n] of [[files.filter((f) => !isSerial(f)), concurrency], [files.filter(isSerial), 1]]) {
  if (!batch.length) continue;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${n}`, ...reporters, ...batch], { stdio: 'inherit', cwd: root, env });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
