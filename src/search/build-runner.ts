/**
 * Runs a full index build in a worker thread (build-worker.ts), which opens its own connection
 * to the store and writes the snapshot to DATA_DIR/search, so the server's event loop stays free.
 */
import { Worker } from 'node:worker_threads';
import type { EmbedderSettings } from './embedders/from-config.js';
import type { SearchLog } from './index-state.js';

export interface BuildRun {
  /** True when the worker wrote a snapshot. */
  done: Promise<boolean>;
  terminate(): Promise<void>;
}

export function runBuildWorker(opts: { databaseUrl: string; dataDir: string; embedder: EmbedderSettings | null; log: SearchLog }): BuildRun {
  const w = new Worker(new URL('./build-worker.mjs', import.meta.url), { workerData: { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, embedder: opts.embedder } });
  const done = new Promise<boolean>((resolve) => {
    w.on('message', (m: { log?: string; level?: 'info' | 'warn' | 'error'; done?: unknown; error?: string }) => {
      if (m.log) opts.log(`search index build: ${m.log}`, m.level);
      if (m.error) opts.log(`search index build failed: ${m.error}`, 'error');
    });
    w.on('error', (e) => {
      opts.log(`search index build failed: ${e.message}`, 'error');
      resolve(false);
    });
    w.on('exit', (code) => resolve(code === 0));
  });
  return {
    done,
    async terminate() {
      await w.terminate();
    },
  };
}
