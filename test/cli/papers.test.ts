/**
 * `papertide papers ls|search|info|read` as a user runs it: real CLI processes, against the local
 * store and against a running server (`--endpoint`), on real Hugging Face days.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import net from 'node:net';
import { cli, cliAsync, startServer, type RunningServer } from '../support/server.js';
import { SHARED_DATA } from '../support/app.js';

const RAW = path.join(SHARED_DATA, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz');
const DAYS = new Set(['2025-06-02', '2025-06-03']);
let dir: string;
let env: Record<string, string>;
let server: RunningServer;
const recorded: any[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-papers-cli-'));
  env = { DATA_DIR: dir, LOG_LEVEL: 'silent', DEMO_DATA: 'false', SECRET: 'cli-test-secret-cli-test' };
  const lines: string[] = [];
  const rl = readline.createInterface({ input: fs.createReadStream(RAW).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) {
    const m = /"archive_date": ?"(\d{4}-\d{2}-\d{2})"/.exec(line);
    if (m && DAYS.has(m[1])) {
      lines.push(line);
      recorded.push(JSON.parse(line));
    }
  }
  const file = path.join(dir, 'days.jsonl');
  fs.writeFileSync(file, lines.join('\n'));
  const r = cli(['import', file], env);
  assert.equal(r.status, 0, r.stderr);
  server = await startServer(env);
});

after(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) => cliAsync(['papers', ...args], env);

test('ls --json: the local store and a running server answer exactly what the API serves', async () => {
  const api = await (await fetch(`${server.base}/api/daily_papers?date=2025-06-03&limit=20&p=0`)).json();
  const local = await run(['ls', '--date', '2025-06-03', '--json']);
  assert.equal(local.status, 0, local.stderr);
  assert.deepEqual(JSON.parse(local.stdout), api);
  const remote = await run(['ls', '--date', '2025-06-03', '--json', '--endpoint', server.base]);
  assert.equal(remote.status, 0, remote.stderr);
  assert.deepEqual(JSON.parse(remote.stdout), api);
  const hf = recorded.filter((r) => r.archive_date === '2025-06-03').map((r) => r.item.paper.id);
  assert.deepEqual((api as any[]).map((x) => x.paper.id), hf.slice(0, 20), 'most upvoted first, as recorded');
});

test('ls prints one line per paper: date, upvotes, id, title; --limit and --page page through', async () => {
  const r = await run(['ls', '--week', '2025-W23', '--limit', '3', '--page', '1']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const l of lines) assert.match(l, /^2025-06-0[23]  ▲ *\d+  \d{4}\.\d{4,5} +\S.+$/);
  const page0 = (await run(['ls', '--week', '2025-W23', '--limit', '3', '--json'])).stdout;
  const ids0 = JSON.parse(page0).map((x: any) => x.paper.id);
  for (const l of lines) assert.ok(!ids0.includes(l.split(/\s+/)[2]), 'page 1 does not repeat page 0');
});

test('info and read: metadata and Markdown of one paper, by id or URL, locally and remotely', async () => {
  const rec = recorded.find((r) => r.item.paper.ai_summary)!.item.paper;
  const info = await run(['info', `https://huggingface.co/papers/${rec.id}`]);
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`^id +${rec.id.replace('.', '\\.')}$`, 'm'));
  assert.match(info.stdout, /^upvotes +\d+$/m);
  const json = JSON.parse((await run(['info', rec.id, '--json', '--endpoint', server.base])).stdout);
  assert.equal(json.id, rec.id);
  const md = await run(['read', `https://arxiv.org/abs/${rec.id}v1`, '--endpoint', server.base]);
  assert.equal(md.status, 0, md.stderr);
  assert.ok(md.stdout.startsWith('# '), md.stdout.slice(0, 80));
  assert.match(md.stdout, /## Abstract/);
  assert.match(md.stdout, /## AI summary/);
  // The same paper both ways; only the link back to this Papertide names its own address.
  const own = (s: string) => s.replace(/\[Papertide\]\([^)]*\)/, '[Papertide](…)');
  assert.equal(own((await run(['read', rec.id])).stdout), own(md.stdout), 'local and remote Markdown are the same');
});

test('search: an arXiv id finds that paper; words find papers', async () => {
  const rec = recorded[0].item.paper;
  const byId = JSON.parse((await run(['search', rec.id, '--json'])).stdout);
  assert.deepEqual(byId.map((x: any) => x.paper.id), [rec.id]);
  const word = rec.title.split(/\W+/).find((w: string) => w.length > 6)!;
  const r = await run(['search', word, '--endpoint', server.base, '--limit', '5']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.trim().split('\n').length >= 1);
});

test('mistakes are one readable line and an exit code of their kind, never a stack trace', async () => {
  let r = await run(['info', '1234.56789']);
  assert.equal(r.status, 4);
  assert.match(r.stderr, /^papertide: No paper with arXiv id “1234\.56789” here/);
  r = await run(['ls', '--limit', '500']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--limit must be a whole number from 1 to 100/);
  r = await run(['ls', '--date', '2025-13-45', '--endpoint', server.base]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is not a date/);
  r = await run(['ls', '--endpoint', 'ftp://example']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--endpoint must be an http\(s\) URL/);
  // A port nothing listens on: connection refused, said plainly.
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  r = await run(['ls', '--endpoint', `http://127.0.0.1:${closed}`]);
  assert.equal(r.status, 7);
  assert.match(r.stderr, /^papertide: could not reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
