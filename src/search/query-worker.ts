/**
 * The search thread (query-thread.ts): a second search service in a worker thread, at a lower
 * CPU priority than the server's event loop, that answers the queries of /search, the search API
 * and suggestions. It opens its own connection to the store, loads the index snapshot the server
 * built (it never builds a large index itself: the server holds the build) and follows the store
 * by the server's change events, which the server forwards before any later query, so a query
 * sees every write the server had seen when it asked.
 *
 * Messages in: {catchUp}, {upsert: docs}, {refresh: ids}, {remove: ids}, {search: {id, query, opts}}, {close}.
 * Messages out: {ready: boolean}, {answer: {id, result} | {id, error}}, {log, level}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fs from 'node:fs';
import os from 'node:os';
import { openStore } from '../db/index.js';
import { countPapers } from '../papers/papers.repository.js';
import { createEmbedder, type EmbedderSettings } from './embedders/from-config.js';
import { createSearchService, type SearchOptions } from './search.service.js';
import type { SearchDoc } from '../domain/paper.js';

const { databaseUrl, dataDir, embedder: settings, knownDim, nice } = workerData as {
  databaseUrl: string;
  dataDir: string;
  embedder: EmbedderSettings | null;
  knownDim?: number;
  nice: number;
};
const port = parentPort!;

// Lower this thread's priority (Linux: setpriority on the thread's own id): when the CPU is
// contended, the server's event loop — pages, feeds, refusals — goes before a search.
try {
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (nice > 0 && Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + nice));
} catch {
  // not Linux, or not allowed: the thread runs at the process's priority
}

const store = openStore({ databaseUrl });
/** The service's default for building at once, in memory (autoBuildMax). */
const SMALL = 5000;
const log = (m: string, level: 'info' | 'warn' | 'error' = 'info') => port.postMessage({ log: m, level });
const embedder = settings ? await createEmbedder(settings, knownDim).catch(() => null) : null;
const svc = await createSearchService({
  db: store.db,
  dataDir,
  embedder,
  embedderSettings: settings ?? undefined,
  queryEmbedTimeoutMs: settings?.timeoutMs,
  log: (m, level) => {
    // The server logs the index's progress itself; only problems of this copy are worth a line.
    if (level === 'warn' || level === 'error') log(`search thread: ${m}`, level);
  },
  // The server process builds and saves a large index; this thread waits for its snapshot. A
  // small store's index (built in memory in well under a second, and not always saved) it
  // builds itself.
  buildLock: { acquire: async () => (await countPapers(store.db)) <= SMALL, release: async () => {} },
});

let ready = false;
const sayReady = () => {
  if (svc.ready !== ready) port.postMessage({ ready: (ready = svc.ready) });
};
sayReady();
const poll = setInterval(sayReady, 250);

// Index updates and queries run in the order they were sent.
let chain: Promise<unknown> = Promise.resolve();
const inOrder = (fn: () => Promise<unknown>) => (chain = chain.then(fn).catch((e) => log(`search thread: ${e instanceof Error ? e.message : String(e)}`, 'warn')));

port.on('message', (m: { catchUp?: true; upsert?: SearchDoc[]; refresh?: string[]; remove?: string[]; search?: { id: number; query: string; opts: SearchOptions }; close?: true }) => {
  if (m.catchUp) inOrder(() => svc.catchUp());
  else if (m.upsert) inOrder(() => svc.upsert(m.upsert!));
  else if (m.refresh) inOrder(() => svc.refresh(m.refresh!));
  else if (m.remove) inOrder(() => svc.remove(m.remove!));
  else if (m.search) {
    const { id, query, opts } = m.search;
    inOrder(async () => {
      try {
        const result = await svc.search(query, opts);
        port.postMessage({ answer: { id, result } });
      } catch (e) {
        port.postMessage({ answer: { id, error: e instanceof Error ? e.message : String(e) } });
      }
      sayReady();
    });
  } else if (m.close) {
    clearInterval(poll);
    void inOrder(async () => {
      await svc.close();
      await store.close();
      port.close();
    });
  }
});
