import type { Command } from 'commander';
import { openApp } from '../context.js';
import { loadConfig, ConfigError } from '../../config.js';
import { migrationStatus, openStore, ping } from '../../db/index.js';

export function register(program: Command) {
  program
    .command('doctor')
    .description('check configuration, store connection, migrations and the search index (✓/✗ each)')
    .action(async () => {
      let failed = 0;
      const line = (ok: boolean, what: string, detail: string) => {
        if (!ok) failed++;
        process.stdout.write(`${ok ? '✓' : '✗'} ${what}: ${detail}\n`);
      };
      let config;
      try {
        config = loadConfig();
        line(true, 'configuration', `valid (store ${config.dialect}, data dir ${config.dataDir})`);
      } catch (e) {
        line(false, 'configuration', e instanceof ConfigError ? e.problems.join('; ') : (e as Error).message);
        process.exit(1);
      }
      const store = openStore({ databaseUrl: config.databaseUrl });
      try {
        await ping(store);
        line(true, 'store connection', store.location);
        const s = await migrationStatus(store);
        line(s.pending.length === 0, 'migrations', s.pending.length ? `${s.pending.length} pending (${s.pending.join(', ')}): run papertide migrate` : `${s.applied.length} applied, none pending`);
      } catch (e) {
        line(false, 'store connection', `${store.location}: ${(e as Error).message}`);
        await store.close().catch(() => {});
        process.exit(1);
      }
      await store.close();
      try {
        // As a command: reports on the server's search index without loading or building it.
        const { ctx } = await openApp(config, { role: 'cli' });
        for (const h of ctx.healthChecks) {
          try {
            const r = await h.check();
            line(r.ok, h.name, r.detail);
          } catch (e) {
            line(false, h.name, (e as Error).message);
          }
        }
        if (!ctx.healthChecks.some((h) => h.name === 'search index')) line(false, 'search index', 'no search index is configured');
        await ctx.close();
      } catch (e) {
        line(false, 'application', (e as Error).message);
      }
      process.exit(failed ? 1 : 0);
    });
}
