/**
 * Follows the store's change log for one server process: every `intervalMs` (and at once when
 * PostgreSQL notifies a commit) it reads the newest change number and, when it moved, raises a
 * `store` change event. Listeners (ctx.dataVersion, the search index) then catch up on what any
 * process wrote: the CLI, another server, a second box on the same PostgreSQL.
 *
 * The poll is one primary-key probe (`max(seq)`); what changed is read by each listener from its
 * own position (src/changes/cursor.ts), so a slow listener never misses a change.
 */
import type { EventBus } from '../events.js';
import type { Store } from '../db/index.js';
import { latestChange } from './changes.repository.js';

export interface StoreFollower {
  /** Look now (also called on a timer). Resolves when listeners have caught up. */
  poll(): Promise<void>;
  stop(): Promise<void>;
  /** The newest change seen. */
  readonly seen: number;
}

export async function followStore(
  store: Store,
  events: EventBus,
  opts: { intervalMs?: number; onError?: (e: unknown) => void } = {},
): Promise<StoreFollower> {
  let seen = await latestChange(store.db);
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function once(): Promise<void> {
    const latest = await latestChange(store.db);
    if (latest === seen) return;
    seen = latest;
    await events.emit({ kind: 'store', seq: latest });
  }
  function poll(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once();
      } while (again && !stopped);
    })()
      .catch((e) => opts.onError?.(e))
      .finally(() => (running = null));
    return running;
  }

  const timer = setInterval(() => void poll(), opts.intervalMs ?? 1000);
  timer.unref?.();
  const unlisten = store.listen ? await store.listen('papertide_changes', () => void poll()).catch(() => null) : null;
  return {
    poll,
    get seen() {
      return seen;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await unlisten?.();
    },
  };
}
