/**
 * Background index build, in a worker thread started by search.service.ts: opens its own
 * connection to the store, builds the full index (lexical + vectors) and writes it to
 * DATA_DIR/search; the service then loads it. Progress and errors go back as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../db/index.js';
import { createSearchService } from './search.service.js';

const { databaseUrl, dataDir } = workerData as { databaseUrl: string; dataDir: string };
const store = openStore({ databaseUrl });
try {
  const svc = await createSearchService({ db: store.db, dataDir, skipLoad: true, log: (m) => parentPort?.postMessage({ log: m }) });
  const r = await svc.rebuild();
  parentPort?.postMessage({ done: r });
} catch (e) {
  parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
} finally {
  await store.close();
}
