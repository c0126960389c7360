/**
 * Shared by CLI commands: load the configuration (exit listing bad variables) and open the app.
 * The CLI's one door to the composition root (src/app.ts).
 */
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createApp, type App, type AppDeps } from '../app.js';
export { listen } from '../app.js';
import type { AppContext } from '../context.js';
import { AppError, ERROR_TABLE, toAppError, type ErrorCode } from '../domain/errors.js';

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`papertide: ${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}

/** The application as `papertide serve` runs it (role 'server'), or as a command needs it. */
export function openApp(config: Config, deps: AppDeps = {}): Promise<App> {
  return createApp(config, deps);
}

/**
 * Run a command with the application context: every feature's listeners run (trending scores of
 * imported papers, ...). The server's search index is not loaded nor built: a running server
 * applies the command's writes from the store's change log.
 */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const { ctx } = await createApp(configOrExit(), { role: 'cli' });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Print an error as one readable line and exit with the code of its kind. */
export function fail(e: unknown): never {
  const known = toAppError(e);
  if (known) {
    process.stderr.write(`papertide: ${known.message}\n`);
    process.exit(ERROR_TABLE[known.code].exit);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`papertide: ${msg}\n`);
  process.exit(1);
}

export function isTTY(): boolean {
  return Boolean(process.stderr.isTTY);
}

/** Reads the JSON API (and `/papers/{id}.md`) of the local store or of a server. */
export interface ApiClient {
  json(pathAndQuery: string): Promise<any>;
  text(pathAndQuery: string): Promise<string>;
}

const STATUS_CODES: Record<number, ErrorCode> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large', 429: 'rate_limited' };

async function readAnswer(res: Response, where: string): Promise<string> {
  const body = await res.text();
  if (res.ok) return body;
  let message = `${where} answered ${res.status}`;
  try {
    const e = JSON.parse(body);
    if (typeof e?.error === 'string') message = e.error;
  } catch {
    /* not JSON: keep the status line */
  }
  throw new AppError(STATUS_CODES[res.status] ?? 'unavailable', message);
}

/**
 * Run `fn` with an API client: over HTTP to `endpoint` (a Papertide or Hugging Face server), or,
 * without one, against the local store through the same app `papertide serve` runs, in-process.
 */
export async function withApiClient<T>(endpoint: string | undefined, fn: (api: ApiClient) => Promise<T>): Promise<T> {
  if (endpoint) {
    let base: URL;
    try {
      base = new URL(endpoint);
      if (!/^https?:$/.test(base.protocol)) throw new Error('not http');
    } catch {
      throw new AppError('bad_request', `--endpoint must be an http(s) URL, e.g. http://localhost:3000 (got ${JSON.stringify(endpoint)}).`);
    }
    const get = async (p: string) => {
      const url = new URL(p, base);
      let res: Response;
      try {
        res = await fetch(url, { headers: { accept: 'application/json, text/markdown;q=0.9' }, signal: AbortSignal.timeout(30_000) });
      } catch (e) {
        throw new AppError('unavailable', `could not reach ${base.origin}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
      }
      return readAnswer(res, base.origin);
    };
    return fn({ json: async (p) => JSON.parse(await get(p)), text: get });
  }
  // A command never loads or builds the server's search index: local search is the plain
  // store match (a running server's ranking is one `--endpoint` away).
  const { ctx, web } = await createApp(configOrExit(), { role: 'cli' });
  try {
    const get = async (p: string) => readAnswer(await web.app.request(p, { headers: { accept: 'application/json, text/markdown;q=0.9' } }), 'the local store');
    return await fn({ json: async (p) => JSON.parse(await get(p)), text: get });
  } finally {
    await ctx.close();
  }
}
