/**
 * A harvest killed with SIGKILL mid-way resumes where it stopped, and every record ends up
 * stored exactly once. The harvest runs as the real CLI in a child process, against a replay
 * server on 127.0.0.1 serving OAI-PMH pages rendered from real arXiv metadata, into SQLite in a temp dir.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/db/index.js';
import { loadCheckpoint } from '../../src/ingest/checkpoints.repository.js';
import { readDataset, renderOaiPages } from '../fixtures/arxiv/render-oai.js';
import { SHARED_DATA } from '../support/app.js';
import { startReplayServer } from '../support/replay-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATASET = path.join(SHARED_DATA, 'arxiv-cs-2015-2018', 'papers.jsonl.gz');

test('SIGKILL mid-harvest, then a second run finishes with every record stored once', { skip: !fs.existsSync(DATASET) && 'dataset not found' }, async () => {
  const rows = await readDataset(DATASET, 600);
  const pages = renderOaiPages(rows, 50); // 12 pages
  const byToken = new Map(pages.map((p) => [p.token ?? '', p.xml]));
  const server = await startReplayServer();
  after(() => server.close());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'papertide-resume-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, ARXIV_OAI_URL: `${server.url}/oai`, ARXIV_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'error', DEMO_DATA: 'false', SECRET: 'test-secret-test-secret', INGEST_SCHEDULE: 'off' };
  delete env.DATABASE_URL;
  const runCli = () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'papertide.js'), 'ingest', 'oai', '--set', 'cs', '--quiet'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { child, exited, output: () => out };
  };

  // Run 1: killed right after page 5 has been sent, while the child parses and stores it.
  let victim: ReturnType<typeof runCli> | null = null;
  server.handle = (r) => {
    const body = byToken.get(r.query.get('resumptionToken') ?? '');
    if (!body) return { body: '<?xml version="1.0"?><OAI-PMH><error code="badResumptionToken">unknown</error></OAI-PMH>' };
    if (server.requests.length === 5 && victim) setTimeout(() => victim!.child.kill('SIGKILL'), 5);
    return { body };
  };
  victim = runCli();
  const first = await victim.exited;
  assert.equal(first.signal, 'SIGKILL', victim.output());
  const run1Requests = server.requests.length;
  assert.ok(run1Requests >= 5 && run1Requests < pages.length, `killed mid-way (after ${run1Requests} requests)`);

  let store = openStore({ databaseUrl: `sqlite:${path.join(dataDir, 'papertide.db')}` });
  const afterKill = Number((await store.db.selectFrom('papers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const cp = await loadCheckpoint<{ status: string; token: string | null; pages: number }>(store.db, 'oai:cs:arXiv');
  await store.close();
  assert.ok(afterKill > 0 && afterKill < rows.length, `partially stored: ${afterKill}`);
  assert.equal(cp?.status, 'running');
  assert.equal(afterKill, cp!.pages * 50, 'papers and checkpoint are committed together');

  // Run 2: resumes at the first uncommitted page and finishes.
  server.requests.length = 0;
  server.handle = (r) => ({ body: byToken.get(r.query.get('resumptionToken') ?? '') ?? '' });
  const second = runCli();
  const res2 = await second.exited;
  assert.equal(res2.code, 0, second.output());
  assert.match(second.output(), /harvest done: 12 pages, 600 records/);
  assert.equal(server.requests[0].query.get('resumptionToken'), cp!.token, 'resumed with the checkpointed token, not from the start');
  assert.equal(server.requests.length, pages.length - cp!.pages);

  store = openStore({ databaseUrl: `sqlite:${path.join(dataDir, 'papertide.db')}` });
  try {
    const ids = (await store.db.selectFrom('papers').select('id').execute()).map((r) => r.id).sort();
    assert.deepEqual(ids, rows.map((r) => r.id).sort(), 'every record stored, once');
    const authorRows = Number((await store.db.selectFrom('paper_authors').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(authorRows, rows.reduce((n, r) => n + r.authors.length, 0), 'no duplicated author rows');
    const done = await loadCheckpoint<{ status: string; records: number }>(store.db, 'oai:cs:arXiv');
    assert.equal(done?.status, 'done');
  } finally {
    await store.close();
  }
});
