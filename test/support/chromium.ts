/**
 * Browser-test helpers: Debian's Chromium driven by playwright-core (no browser download), and a
 * real `papertide serve` process on 127.0.0.1 with its own data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'test-results');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export function chromiumMissing(): string | false {
  return fs.existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, `${name}.png`);
}

/** Run the papertide CLI synchronously (e.g. import) with an environment. */
export function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'papertide.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process (for a CLI run that talks to a server in this test). */
export function cliAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'papertide.js'), ...args], { env: { ...process.env, ...env }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface RunningServer {
  base: string;
  proc: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * Start `papertide serve` with PORT=0 (the OS picks a free port: no collisions between tests run
 * in parallel), read the address it announces on stdout (whatever LOG_LEVEL), and wait until it
 * answers.
 */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  let out = '';
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'papertide.js'), 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', INGEST_SCHEDULE: 'off', ...env },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  let base = '';
  for (let i = 0; ; i++) {
    base ||= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
    if (base) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
    }
    if (proc.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (i > 300) throw new Error(`server did not start in 30 s: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    proc,
    log: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
