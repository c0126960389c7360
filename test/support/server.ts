/**
 * Real processes for tests: the papertide CLI (synchronous or not) and `papertide serve` on
 * 127.0.0.1 with PORT=0 and its own data directory, stopped by `stop()`.
 */
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

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
 * answers /healthz (`timeoutMs`, 30 s by default). `args` go after `serve` (e.g. `--workers 2`).
 */
export async function startServer(env: Record<string, string>, opts: { args?: string[]; timeoutMs?: number } = {}): Promise<RunningServer> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let out = '';
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'papertide.js'), 'serve', ...(opts.args ?? [])], {
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
    if (i > timeoutMs / 100) {
      proc.kill('SIGKILL'); // a server left running would keep the test process alive
      throw new Error(`server did not start in ${timeoutMs / 1000} s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    proc,
    log: () => out,
    // SIGTERM (a graceful stop); SIGKILL if it has not exited 15 s later.
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}
