/**
 * The search thread: /search, the search API and suggestions are answered by a second search
 * service in a worker thread (query-worker.ts) at a lower CPU priority, so a flood of searches
 * cannot hold the server's event loop: pages, feeds and /healthz keep their latency while every
 * core is busy ranking. Everything else (similar papers, For you, listings' engine reads, index
 * builds) stays on the server's own service.
 *
 * `withSearchThread(svc, …)` returns a SearchService that sends `search()` to the thread once it
 * has loaded the index, and to the server's service before that, if the thread stops, or if it
 * cannot answer a query; every other member is the server's service. The server's change events
 * (and its direct index updates) are forwarded to the thread before any later query, so a query
 * answered by the thread sees every change the server had seen when it asked.
 *
 * Cost: the thread holds a second copy of the index (about 110 MB at 75k papers). SEARCH_THREAD
 * =false turns it off; it is used only with the built-in embedder (an external embedder's query
 * time is spent waiting on the endpoint, not on the CPU).
 */
import { Worker } from 'node:worker_threads';
import type { SearchOptions, SearchResult, SearchService } from './search.service.js';
import type { SearchDoc } from '../domain/paper.js';
import type { EmbedderSettings } from './embedders/from-config.js';
import type { SearchLog } from './index-state.js';
import { embedderSettings } from './embedders/from-config.js';
import type { Config } from '../config.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';

export interface SearchThreadOptions {
  databaseUrl: string;
  dataDir: string;
  embedder: EmbedderSettings | null;
  /** How much lower the thread's priority is (Linux nice steps; 0: the same). */
  nice?: number;
  log: SearchLog;
}

export interface SearchThread {
  /** The thread has loaded the index and answers queries. */
  readonly ready: boolean;
  /** Resolves when the thread is ready (or has stopped: then it resolves false). */
  whenReady(): Promise<boolean>;
  search(query: string, opts: SearchOptions): Promise<SearchResult>;
  /** Apply the store's change log (the server forwards each of its change events). */
  catchUp(): void;
  upsert(docs: SearchDoc[]): void;
  refresh(ids: string[]): void;
  remove(ids: string[]): void;
  close(): Promise<void>;
}

type Answer = { id: number; result: SearchResult } | { id: number; error: string };

export function startSearchThread(o: SearchThreadOptions): SearchThread {
  const w = new Worker(new URL('./query-worker.mjs', import.meta.url), {
    workerData: { databaseUrl: o.databaseUrl, dataDir: o.dataDir, embedder: o.embedder, nice: o.nice ?? 10 },
  });
  let ready = false;
  let stopped = false;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (r: SearchResult) => void; reject: (e: Error) => void }>();
  const readyWaiters: ((ok: boolean) => void)[] = [];
  const stop = (why: string | null) => {
    if (stopped) return;
    stopped = true;
    ready = false;
    if (why) o.log(`search thread stopped (${why}); the server answers searches itself`, 'warn');
    for (const { reject } of waiting.values()) reject(new Error('the search thread stopped'));
    waiting.clear();
    for (const r of readyWaiters.splice(0)) r(false);
  };
  w.on('message', (m: { ready?: boolean; answer?: Answer; log?: string; level?: 'info' | 'warn' | 'error' }) => {
    if (m.log) o.log(m.log, m.level);
    if (m.ready !== undefined) {
      ready = m.ready;
      if (ready) for (const r of readyWaiters.splice(0)) r(true);
    }
    if (m.answer) {
      const p = waiting.get(m.answer.id);
      waiting.delete(m.answer.id);
      if (waiting.size === 0) w.unref();
      if (p) 'result' in m.answer ? p.resolve(m.answer.result) : p.reject(new Error(m.answer.error));
    }
  });
  w.on('error', (e) => stop(e.message));
  w.on('exit', (code) => stop(code === 0 ? null : `exit code ${code}`));
  w.unref();
  const post = (m: unknown) => {
    if (!stopped) w.postMessage(m);
  };
  return {
    get ready() {
      return ready && !stopped;
    },
    whenReady() {
      if (stopped) return Promise.resolve(false);
      if (ready) return Promise.resolve(true);
      return new Promise((r) => readyWaiters.push(r));
    },
    search(query, opts) {
      if (stopped) return Promise.reject(new Error('the search thread stopped'));
      const id = nextId++;
      return new Promise<SearchResult>((resolve, reject) => {
        // An idle thread does not keep the process alive; one with a query to answer does.
        if (waiting.size === 0) w.ref();
        waiting.set(id, { resolve, reject });
        w.postMessage({ search: { id, query, opts } });
      });
    },
    catchUp: () => post({ catchUp: true }),
    upsert: (docs) => post({ upsert: docs }),
    refresh: (ids) => post({ refresh: ids }),
    remove: (ids) => post({ remove: ids }),
    async close() {
      if (stopped) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.ref();
      post({ close: true });
      const t = setTimeout(() => void w.terminate(), 5000);
      await exited;
      clearTimeout(t);
      stop(null);
    },
  };
}

/**
 * The server's search service with queries answered by `thread` when it can. Direct index
 * updates go to both, in order (the change events are forwarded by searchThreadFor). A query the
 * thread could not answer is answered by the server.
 */
export function withSearchThread(svc: SearchService, thread: SearchThread): SearchService {
  let answered = 0;
  return Object.create(svc, {
    search: {
      value: async (query: string, opts: SearchOptions = {}): Promise<SearchResult> => {
        if (!thread.ready || !svc.ready) return svc.search(query, opts);
        try {
          const r = await thread.search(query, opts);
          answered++;
          return r;
        } catch {
          return svc.search(query, opts);
        }
      },
    },
    thread: {
      get: () => ({ ready: thread.ready, answered, stop: () => thread.close() }),
    },
    upsert: {
      value: async (docs: SearchDoc[]) => {
        await svc.upsert(docs);
        thread.upsert(docs);
      },
    },
    remove: {
      value: async (ids: string[]) => {
        await svc.remove(ids);
        thread.remove(ids);
      },
    },
    refresh: {
      value: async (ids: string[]) => {
        await svc.refresh(ids);
        thread.refresh(ids);
      },
    },
    catchUp: {
      value: async () => {
        thread.catchUp();
        await svc.catchUp();
      },
    },
  }) as SearchService;
}

/**
 * The server's search service, with a search thread when the configuration allows one
 * (SEARCH_THREAD, the built-in embedder, a store another thread can open): the thread follows
 * the same change events and closes with the context. Called by createApp.
 */
export function searchThreadFor(
  ctx: { config: Config; events: EventBus; disposers: (() => Promise<void> | void)[]; logger: Pick<Logger, 'info' | 'warn' | 'error'> },
  svc: SearchService,
): SearchService {
  const settings = embedderSettings(ctx.config);
  if (!ctx.config.SEARCH_THREAD || settings.kind !== 'builtin' || svc.state.kind === 'unavailable' || ctx.config.databaseUrl.includes(':memory:')) return svc;
  const log: SearchLog = (m, level = 'info') => ctx.logger[level]({}, m);
  const thread = startSearchThread({ databaseUrl: ctx.config.databaseUrl, dataDir: ctx.config.dataDir, embedder: settings, log });
  ctx.events.on(['papers', 'store'], () => thread.catchUp());
  ctx.disposers.push(() => thread.close());
  return withSearchThread(svc, thread);
}
