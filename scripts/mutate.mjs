#!/usr/bin/env node
// Mutation testing (StrykerJS) over the code whose rules the tests must guard.
//   npm run mutate                         every scope below, one after the other (tens of minutes)
//   npm run mutate -- src/domain           one scope (a folder or file listed below)
//   npm run mutate -- src/domain/arxiv-id.ts   one file: mutates only it, runs its own *.test.ts
//                                          beside it when there is one, else its scope's tests
//   npm run mutate -- --report [SCOPE...]  no run: the JSON line from the reports the last runs
//                                          left in .stryker-tmp (a whole-scope figure from
//                                          scopes or files measured one at a time)
//   npm run mutate -- --survivors SCOPE    after adding tests: mutates again only the lines of the
//                                          mutants that survived the last run of SCOPE, and
//                                          updates that run's report (the source must not have
//                                          changed since; tests only add kills)
// The tests of a mutant run in one process (scripts/mutate-tests.mjs); MUTATE_ISOLATED=1 runs
// them through scripts/run-tests.mjs instead (one process per file, as `npm test` does).
// Each scope runs Stryker with the command runner on only the tests that guard it (so a mutant
// costs one run of a few test files, not of the whole suite), concurrency 1, the TypeScript
// checker discarding mutants that do not compile. Prints the surviving mutants, then one JSON
// line last: {"scopes":{"src/domain":{"score":..,"killed":..,"survived":..,...}},"overall":{..}}.
// A benchmark, not part of `npm test`: run it under `nice -n 19`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tmp = path.join(root, '.stryker-tmp');

/** What is mutated, and the tests that must kill it. */
const SCOPES = [
  { name: 'src/domain', mutate: ['src/domain/**/*.ts', '!src/domain/**/*.test.ts'], tests: ['src/domain/*.test.ts'] },
  { name: 'src/submissions', mutate: ['src/submissions/*.ts'], tests: ['test/accounts/submit.test.ts', 'test/accounts/submit-confirm.test.ts', 'test/rules/submit-rules.test.ts', 'test/rules/moderation-surfaces.test.ts'] },
  { name: 'src/votes', mutate: ['src/votes/*.ts'], tests: ['test/accounts/votes.test.ts', 'test/contract/votes-concurrency.contract.test.ts'] },
  { name: 'src/digests', mutate: ['src/digests/*.ts', 'src/digests/*.tsx', '!src/digests/*.test.ts'], tests: ['src/digests/tokens.test.ts', 'test/digests/subscribe.test.ts', 'test/digests/sender.test.ts', 'test/digests/trending-labels.test.ts', 'test/rules/digest-rules.test.ts'] },
  { name: 'src/moderation', mutate: ['src/moderation/*.ts'], tests: ['test/accounts/moderation.test.ts', 'test/rules/moderation-surfaces.test.ts'] },
  { name: 'src/feeds', mutate: ['src/feeds/*.ts'], tests: ['test/api/feeds.test.ts', 'test/rules/feed-escaping.test.ts', 'test/rules/realistic-data.test.ts'] },
  { name: 'src/web/middleware/rate-limit.ts', mutate: ['src/web/middleware/rate-limit.ts'], tests: ['test/accounts/auth.test.ts', 'test/web/search-guard.test.ts', 'test/rules/hostile-headers.test.ts'] },
  { name: 'src/web/render/math.ts', mutate: ['src/web/render/math.ts'], tests: ['src/web/render/math.test.ts'] },
  { name: 'src/web/presenters', mutate: ['src/web/presenters/*.ts', '!src/web/presenters/*.test.ts'], tests: ['src/web/presenters/*.test.ts', 'test/api/read-api.test.ts', 'test/contract/api-compat.test.ts', 'test/rules/hf-fields.test.ts'] },
];

function expand(patterns) {
  const out = new Set();
  for (const p of patterns) {
    const dir = path.join(root, path.dirname(p));
    const re = new RegExp('^' + path.basename(p).replace(/\./g, '\\.').replace(/\*/g, '.*') + '$');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (re.test(f)) out.add(path.join(path.dirname(p), f));
  }
  return [...out].sort();
}

const reportOnly = process.argv.includes('--report');
const survivorsOnly = process.argv.includes('--survivors');
const args = process.argv.slice(2).filter((a) => a !== '--report' && a !== '--survivors').map((a) => a.replace(/\/$/, ''));
let runs = SCOPES;
if (args.length) {
  runs = args.map((a) => {
    const scope = SCOPES.find((s) => a === s.name || a.startsWith(s.name + '/'));
    if (!scope) {
      console.error(`${a} is in no mutation scope; scopes: ${SCOPES.map((s) => s.name).join(', ')}`);
      process.exit(2);
    }
    if (a === scope.name) return scope;
    // One file while working on it: its own tests beside it when there are some (x.test.ts,
    // x.*.test.ts: quick), else the scope's.
    const base = a.replace(/\.tsx?$/, '');
    const beside = expand([`${base}.test.ts`, `${base}.*.test.ts`]);
    return { ...scope, name: a, mutate: [a], tests: beside.length ? beside : scope.tests };
  });
}

function strykerBin() {
  if (process.env.STRYKER_BIN) return process.env.STRYKER_BIN;
  // The package's exports do not name its bin script; it sits in the package folder.
  const bin = path.join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  if (fs.existsSync(bin)) return bin;
  try {
    return createRequire(path.join(root, 'package.json')).resolve('@stryker-mutator/core/bin/stryker.js');
  } catch {
    console.error('StrykerJS is not installed: run `npm install` (it is a devDependency).');
    process.exit(2);
  }
}

/** A scope's report; in --report mode, for a folder not run as a whole, its files' own reports merged. */
function readReport(report, slug) {
  if (fs.existsSync(report)) return JSON.parse(fs.readFileSync(report, 'utf8'));
  if (!reportOnly || !fs.existsSync(tmp)) return null;
  const parts = fs.readdirSync(tmp).filter((f) => f.startsWith(`report-${slug}-`) && f.endsWith('.json'));
  if (!parts.length) return null;
  const files = {};
  for (const f of parts.sort()) Object.assign(files, JSON.parse(fs.readFileSync(path.join(tmp, f), 'utf8')).files);
  return { files };
}

// Lives in the work tree (Stryker copies the tree, not its own temp folder, into the sandbox).
const tsconfigFile = path.join(root, 'tsconfig.mutate.json');
const sharedData = path.resolve(root, '..', 'shared', 'data');
const results = {};
const survivors = [];
fs.mkdirSync(tmp, { recursive: true });
for (const scope of runs) {
  const tests = expand(scope.tests);
  const slug = scope.name.replace(/[^A-Za-z0-9]+/g, '-');
  const report = path.join(tmp, `report-${slug}.json`);
  const config = {
    $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    mutate: scope.mutate,
    // (--survivors: replaced below by the lines of the last run's survivors)
    testRunner: 'command',
    // The sandbox is a copy of the work tree; the realistic fixture is found through the env.
    commandRunner: {
      command: process.env.MUTATE_ISOLATED
        ? `node scripts/run-tests.mjs ${tests.join(' ')}`
        : `node --import tsx scripts/mutate-tests.mjs ${tests.join(' ')}`,
    },
    checkers: ['typescript'],
    // Type-checks the mutated files and the tests run on them (with what they import), not the
    // whole tree: on a busy machine checking every mutant against src+test+bench took longer
    // than running its tests.
    tsconfigFile: path.basename(tsconfigFile),
    concurrency: 1,
    coverageAnalysis: 'off',
    timeoutMS: 60_000,
    reporters: ['json', 'clear-text', 'progress-append-only'],
    clearTextReporter: { reportTests: false, reportMutants: false, reportScoreTable: true },
    jsonReporter: { fileName: path.relative(root, report) },
    ignorePatterns: ['bench', 'demo', 'docs', 'test-results', 'data'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
  const configFile = path.join(tmp, `stryker-${slug}.json`);
  const tsconfig = { extends: './tsconfig.json', include: [...scope.mutate.filter((p) => !p.startsWith('!')), ...tests] };
  let status = null;
  let previous = null;
  if (survivorsOnly) {
    if (!fs.existsSync(report)) {
      console.error(`--survivors: no earlier report for ${scope.name}; run it whole first.`);
      process.exit(2);
    }
    previous = JSON.parse(fs.readFileSync(report, 'utf8'));
    const ranges = new Set();
    for (const [file, f] of Object.entries(previous.files)) {
      for (const m of f.mutants) {
        if (m.status === 'Survived' || m.status === 'NoCoverage') ranges.add(`${file}:${m.location.start.line}-${m.location.end.line}`);
      }
    }
    config.mutate = [...ranges];
    fs.copyFileSync(report, report.replace(/\.json$/, '.previous.json'));
  }
  if (!reportOnly && (!previous || config.mutate.length)) {
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    fs.writeFileSync(tsconfigFile, JSON.stringify(tsconfig, null, 2));
    console.error(`\n== ${scope.name}: mutating ${scope.mutate.join(' ')}; tests: ${tests.join(' ')}`);
    fs.rmSync(report, { force: true });
    const r = spawnSync(process.execPath, [strykerBin(), 'run', path.relative(root, configFile)], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PAPERTIDE_SHARED_DATA: process.env.PAPERTIDE_SHARED_DATA ?? sharedData, PAPERTIDE_SKIP_E2E: '1' },
    });
    status = r.status;
    fs.rmSync(tsconfigFile, { force: true });
    if (previous && fs.existsSync(report)) {
      // The new statuses of the mutants run again, over the earlier report.
      const key = (m) => `${m.mutatorName}|${m.replacement}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`;
      const again = new Map();
      for (const [file, f] of Object.entries(JSON.parse(fs.readFileSync(report, 'utf8')).files)) for (const m of f.mutants) again.set(`${file}|${key(m)}`, m);
      for (const [file, f] of Object.entries(previous.files)) {
        f.mutants = f.mutants.map((m) => {
          const n = again.get(`${file}|${key(m)}`);
          return n ? { ...m, status: n.status, statusReason: n.statusReason, killedBy: n.killedBy } : m;
        });
      }
      fs.writeFileSync(report, JSON.stringify(previous));
    }
  }
  if (!readReport(report, slug)) {
    console.error(reportOnly ? `No report left for ${scope.name}: run it first.` : `Stryker produced no report for ${scope.name} (exit ${status}).`);
    results[scope.name] = { error: reportOnly ? 'not measured' : `exit ${status}` };
    continue;
  }
  const json = readReport(report, slug);
  const counts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, compileError: 0, runtimeError: 0, ignored: 0 };
  for (const [file, f] of Object.entries(json.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) {
      const key = { Killed: 'killed', Survived: 'survived', NoCoverage: 'noCoverage', Timeout: 'timeout', CompileError: 'compileError', RuntimeError: 'runtimeError', Ignored: 'ignored' }[m.status];
      if (key) counts[key]++;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const line = m.location.start.line;
        survivors.push(`${file}:${line}:${m.location.start.column} ${m.mutatorName}${m.replacement !== undefined ? ` → ${JSON.stringify(m.replacement).slice(0, 80)}` : ''}  | ${lines[line - 1]?.trim().slice(0, 100)}`);
      }
    }
  }
  // Stryker's score: detected (killed + timeout) over valid mutants (compile errors excluded).
  const valid = counts.killed + counts.timeout + counts.survived + counts.noCoverage;
  results[scope.name] = { ...counts, score: valid ? Math.round((1000 * (counts.killed + counts.timeout)) / valid) / 10 : null };
}

const total = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, compileError: 0 };
for (const r of Object.values(results)) for (const k of Object.keys(total)) total[k] += r[k] ?? 0;
const valid = total.killed + total.timeout + total.survived + total.noCoverage;
if (survivors.length) {
  console.log(`Surviving mutants (${survivors.length}):`);
  for (const s of survivors) console.log('  ' + s);
}
const failed = Object.values(results).some((r) => r.error);
console.log(JSON.stringify({ scopes: results, overall: { ...total, score: valid ? Math.round((1000 * (total.killed + total.timeout)) / valid) / 10 : null } }));
if (failed) process.exit(1);
