/**
 * Where a follower of the change log stands: every change up to `position` has been applied.
 *
 * On SQLite writes are serialised, so sequence numbers become visible in order. On PostgreSQL a
 * transaction that took seq 5 may commit after one that took seq 6: a follower that saw 6 must
 * not step over 5 for good. Applied numbers above a missing one are remembered, and the missing
 * one holds the position until it shows up or `gapGraceMs` has passed (a rolled-back transaction
 * leaves a hole that never fills). Pure: the caller reads rows and applies them.
 */
export class ChangeCursor {
  /** Applied numbers above a missing one, with when they were read. */
  private applied = new Map<number, number>();

  constructor(
    public position: number,
    private readonly gapGraceMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Of these rows (read after `position`), the ones not applied yet; marks them applied. */
  take<R extends { seq: number }>(rows: R[]): R[] {
    const fresh = rows.filter((r) => r.seq > this.position && !this.applied.has(r.seq));
    const t = this.now();
    for (const r of fresh) this.applied.set(r.seq, t);
    this.advance();
    return fresh;
  }

  /** True while a missing sequence number holds the position back (poll again soon). */
  get waiting(): boolean {
    return this.applied.size > 0;
  }

  /** Start again from `position` (a new index snapshot that contains everything up to it). */
  reset(position: number): void {
    this.position = position;
    this.applied.clear();
  }

  private advance(): void {
    while (this.applied.size > 0) {
      const next = this.position + 1;
      if (this.applied.delete(next)) {
        this.position = next;
        continue;
      }
      // Every number between the position and the lowest applied one was missing when that one
      // was read (rows are read in order): give them up together once the grace has passed.
      const lowest = Math.min(...this.applied.keys());
      if (this.now() - this.applied.get(lowest)! < this.gapGraceMs) return;
      this.position = lowest - 1;
    }
  }
}
