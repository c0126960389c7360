/**
 * Shared by CLI commands: load the configuration (exit listing bad variables) and open the app.
 * The CLI's one door to the composition root (src/app.ts).
 */
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createApp, type App, type AppDeps } from '../app.js';
import type { AppContext } from '../context.js';
import { AppError, ERROR_TABLE } from '../domain/errors.js';

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
  if (e instanceof AppError) {
    process.stderr.write(`papertide: ${e.message}\n`);
    process.exit(ERROR_TABLE[e.code].exit);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`papertide: ${msg}\n`);
  process.exit(1);
}

export function isTTY(): boolean {
  return Boolean(process.stderr.isTTY);
}
