/** Shared by CLI commands: load the configuration (exit listing bad variables) and open the app context. */
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createApp, type AppContext } from '../app.js';
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

/** Run with the full application context, so every feature's hooks (e.g. the search index) run. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const { ctx } = await createApp(configOrExit());
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
