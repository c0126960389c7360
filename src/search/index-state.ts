/**
 * The search index's state, one value (search.service.ts holds it), and the start-up decision
 * as a pure function of what is on disk and in the store.
 *
 *            ┌──────────── build fails, nothing to serve ───────────┐
 *            ▼                                                       │
 *   absent ──build now──▶ ready ◀──build done── building(serving?) ◀─┘
 *     ▲                    │  ▲                    ▲
 *     └── (memory store)   │  └── catch up from the change log (stays ready)
 *                          └── small index without embedder: rebuild (stays ready)
 *   unavailable (the embedder cannot be made)   refused (format/tokenizer/embedder mismatch)
 */
import type { SearchEngine } from './engine.js';

/** How the search service reports: a message and its level (progress 'info', degraded service 'warn', a failed build 'error'). */
export type SearchLog = (msg: string, level?: 'info' | 'warn' | 'error') => void;

export type IndexState =
  /** The configured embedder cannot be made: search answers with this message. */
  | { kind: 'unavailable'; message: string }
  /** The index on disk does not match this version or embedder: `papertide reindex`. */
  | { kind: 'refused'; message: string }
  /** No index and no build running (a failed build, or a store a worker cannot open). */
  | { kind: 'absent'; message: string }
  /** A background build runs; meanwhile an older snapshot may serve (not following the store). */
  | { kind: 'building'; note: string; serving: SearchEngine | null }
  /** Serving and following the store. */
  | { kind: 'ready'; engine: SearchEngine };

/** The engine that answers queries in this state, if any. */
export function servingEngine(s: IndexState): SearchEngine | null {
  return s.kind === 'ready' ? s.engine : s.kind === 'building' ? s.serving : null;
}

/** What a server does at start with what it found. */
export type StartPlan =
  | { action: 'refuse' }
  /** Build in this process before answering (small store, or no background build possible). */
  | { action: 'build-now' }
  /** Build in a worker; serve the snapshot meanwhile when there is one. */
  | { action: 'build-in-background'; why: string; serveSnapshot: boolean }
  /** Serve the snapshot and apply the change log after its position. */
  | { action: 'catch-up'; from: number };

export interface StartFacts {
  /** What openIndex found on disk. */
  found: 'missing' | 'unembedded' | 'mismatch' | 'loaded';
  /** The snapshot's change-log position (0 for an index written before the log). */
  snapshotSeq: number;
  /** The oldest and newest change in the store's log (null: empty log). */
  oldestSeq: number | null;
  latestSeq: number;
  /** Distinct papers changed after the snapshot. */
  changedPapers: number;
  /** Papers in the store. */
  papers: number;
  /** Largest build (or catch-up) done before answering. */
  syncMax: number;
  canBuildInBackground: boolean;
}

export function planStart(f: StartFacts): StartPlan {
  if (f.found === 'mismatch') return { action: 'refuse' };
  if (f.found === 'missing' || f.found === 'unembedded') {
    if (f.papers <= f.syncMax || !f.canBuildInBackground) return { action: 'build-now' };
    return { action: 'build-in-background', why: f.found === 'missing' ? 'no index yet' : 'the last one was built on an empty store', serveSnapshot: false };
  }
  // The log was pruned past the snapshot: what changed since is unknown.
  const lost = f.snapshotSeq < f.latestSeq && f.oldestSeq !== null && f.oldestSeq > f.snapshotSeq + 1;
  if (lost) {
    if (f.canBuildInBackground && f.papers > f.syncMax) return { action: 'build-in-background', why: 'the change log no longer reaches back to the last build', serveSnapshot: true };
    return { action: 'build-now' };
  }
  // Many papers changed since the snapshot (a big `papertide import`): a fresh build is cheaper
  // than replaying them one by one, and the snapshot serves meanwhile.
  if (f.changedPapers > f.syncMax && f.canBuildInBackground) return { action: 'build-in-background', why: `${f.changedPapers} papers changed since the last build`, serveSnapshot: true };
  return { action: 'catch-up', from: f.snapshotSeq };
}
