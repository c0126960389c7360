/**
 * Keeps an index current with the store's change log: from a position (the snapshot's), it reads
 * the changes after it and hands the changed paper ids to `apply` (which re-reads them), whatever
 * process wrote them. Calls while a round runs fold into one more round; on PostgreSQL a change
 * number held by a transaction not committed yet is looked at again a second later.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ChangeCursor } from '../changes/cursor.js';
import { changesAfter } from '../changes/changes.repository.js';
import type { SearchLog } from './index-state.js';

/** Change-log rows read per round of a catch-up. */
const CATCH_UP_BATCH = 5000;

export class IndexFollower {
  private cursor: ChangeCursor | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly apply: (ids: string[]) => Promise<void>,
    private readonly log: SearchLog,
  ) {}

  /** Follow from `position` (everything up to it is in the index); null: stop following. */
  startAt(position: number | null): void {
    this.cursor = position === null ? null : new ChangeCursor(position);
  }

  get position(): number | null {
    return this.cursor?.position ?? null;
  }

  /** The round in progress (or null). */
  get busy(): Promise<void> | null {
    return this.running;
  }

  catchUp(): Promise<void> {
    if (!this.cursor || this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.rounds()
      .catch((e) => this.log(`search index: could not apply the store's changes: ${e instanceof Error ? e.message : String(e)}`, 'warn'))
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.running;
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        const c = this.cursor;
        if (!c) break;
        const rows = await changesAfter(this.db, c.position, CATCH_UP_BATCH);
        if (c !== this.cursor) break; // a new snapshot was installed meanwhile: start from its position
        const fresh = c.take(rows);
        await this.apply([...new Set(fresh.map((r) => r.paperId).filter((id): id is string => id !== null))]);
        if (rows.length < CATCH_UP_BATCH) break;
      }
    } while (this.again && !this.stopped);
    if (this.cursor?.waiting && !this.stopped && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.catchUp();
      }, 1000);
      this.retry.unref?.();
    }
  }
}
