import type { Command } from 'commander';
import v8 from 'node:v8';
import { serve } from '@hono/node-server';
import { configOrExit, fail, openApp } from '../context.js';
import { loadDemoIfEmpty } from '../../papers/demo.service.js';
import { startScheduler } from '../../scheduler.js';

export function register(program: Command) {
  program
    .command('serve', { isDefault: true })
    .description('serve Papertide over HTTP (PORT, HOST) and run the scheduled jobs')
    .option('--no-jobs', 'do not run scheduled jobs (ingest, trending, digests) in this process')
    .action(async (opts: { jobs: boolean }) => {
      const config = configOrExit();
      try {
        const { ctx, web, jobs } = await openApp(config);
        await loadDemoIfEmpty(ctx);
        // Grow the V8 heap by 20% between full collections instead of up to 4×. Request garbage
        // (a flood of 8 KB URLs) is promoted to the old generation before it dies, and with the
        // default factor the heap (so RSS) rose 140 MB before V8 collected it; at 20% it stays flat
        // (bench:flood). Set after start-up so loading the index is not slowed by extra collections.
        v8.setFlagsFromString('--heap-growing-percent=20');
        const stopJobs = opts.jobs ? startScheduler(ctx, jobs) : () => {};
        const server = serve({ fetch: web.app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
          ctx.logger.info(`Papertide is serving on ${config.baseUrl} (store: ${ctx.store.location})`);
          void info;
        });
        server.on('error', (e: NodeJS.ErrnoException) => {
          fail(new Error(e.code === 'EADDRINUSE' ? `port ${config.PORT} is already in use: set PORT to another one` : e.message));
        });
        const shutdown = () => {
          stopJobs();
          server.close(() => void ctx.close().then(() => process.exit(0)));
          setTimeout(() => process.exit(0), 3000).unref();
        };
        process.on('SIGTERM', shutdown);
        process.on('SIGINT', shutdown);
      } catch (e) {
        fail(e);
      }
    });
}
