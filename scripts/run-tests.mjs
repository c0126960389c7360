#!/usr/bin/env node
// Test runner: Node 20's `--test` has no glob support, so we list the files ourselves.
//   node scripts/run-tests.mjs          unit + HTTP + store contract on SQLite + dependency check + wasm check
//   node scripts/run-tests.mjs --pg     every store-backed suite under test/ (contract, HTTP, API, accounts,
//                                       digests, ingest) on PostgreSQL (TEST_DATABASE_URL); not browser/CLI
//   node scripts/run-tests.mjs --e2e    browser tests (Chromium via playwright-core)
//   node scripts/run-tests.mjs FILE...  just these files
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root, env });
process.exit(r.status ?? 1);
