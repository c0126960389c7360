import type { Command } from 'commander';
import { configOrExit, fail } from '../context.js';
import { openStore, migrate, migrationStatus } from '../../db/index.js';

export function register(program: Command) {
  program
    .command('migrate')
    .description('apply pending database migrations (also done at every start)')
    .option('--status', 'only list applied and pending migrations')
    .action(async (opts: { status?: boolean }) => {
      const config = configOrExit();
      const store = openStore({ databaseUrl: config.databaseUrl });
      try {
        if (opts.status) {
          const s = await migrationStatus(store);
          for (const m of s.applied) process.stdout.write(`applied  ${m}\n`);
          for (const m of s.pending) process.stdout.write(`pending  ${m}\n`);
        } else {
          const r = await migrate(store);
          process.stdout.write(r.applied.length ? `applied ${r.applied.join(', ')} on ${store.location}\n` : `up to date (${store.location})\n`);
        }
      } catch (e) {
        fail(e);
      } finally {
        await store.close();
      }
    });
}
