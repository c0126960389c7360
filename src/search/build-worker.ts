/**
 * Background index build, in a worker thread started by search.service.ts: opens its own
 * connection to the store, builds the full index (lexical + vectors) and writes it to
 * DATA_DIR/search; the service then loads it. Progress and errors go back as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../db/index.js';
import { createEmbedder, type EmbedderSettings } from './embedders/from-config.js';
import { createSearchService } from './search.service.js';

const { databaseUrl, dataDir, embedder: settings } = workerData as { databaseUrl: string; dataDir: string; embedder: EmbedderSettings | null };
const store = openStore({ databaseUrl });
try {
  // The same embedder as the server's (an external one is made again here from its settings).
  const embedder = settings ? await createEmbedder(settings) : null;
  const svc = await createSearchService({ db: store.db, dataDir, skipLoad: true, embedder, log: (m, level) => parentPort?.postMessage({ log: m, level }) });
  const r = await svc.rebuild();
  parentPort?.postMessage({ done: r });
} catch (e) {
  parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
} finally {
  await store.close();
}
