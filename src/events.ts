/**
 * The change events of one process. Every write announces itself here, after it is committed:
 * the page caches (ctx.dataVersion), the trending scores of changed papers and the search index
 * listen. Writes made by *another* process (the CLI, a second server) reach the same listeners
 * as `store` events, raised by the change-log follower (src/changes/follower.ts), so what a
 * listener derives follows the store, not the process.
 */
export type Change =
  /** Papers added, edited, hidden, withdrawn or removed by this process. */
  | { kind: 'papers'; ids: string[] }
  /** Other data pages show (votes, comments, submissions, moderation), written by this process. */
  | { kind: 'data'; what: string }
  /** The store's change log moved (any process): `seq` is the newest change seen. */
  | { kind: 'store'; seq: number };

export type ChangeKind = Change['kind'];
export type ChangeHandler<K extends ChangeKind = ChangeKind> = (change: Extract<Change, { kind: K }>) => Promise<void> | void;

export class EventBus {
  private handlers: { kinds: ChangeKind[] | null; fn: (c: Change) => Promise<void> | void }[] = [];

  /** Listen to every change, or to these kinds only. Returns a function that stops listening. */
  on<K extends ChangeKind>(kinds: K[] | null, fn: ChangeHandler<K>): () => void {
    const h = { kinds, fn: fn as (c: Change) => Promise<void> | void };
    this.handlers.push(h);
    return () => {
      this.handlers = this.handlers.filter((x) => x !== h);
    };
  }

  /** Tell every listener, in the order they registered; resolves when all have finished. */
  async emit(change: Change): Promise<void> {
    if (change.kind === 'papers' && change.ids.length === 0) return;
    for (const h of [...this.handlers]) if (!h.kinds || h.kinds.includes(change.kind)) await h.fn(change);
  }
}
