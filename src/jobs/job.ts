/**
 * The shape of scheduled work, part of the kernel (features and the scheduler import it, it
 * imports only the context type). createApp collects the jobs of every feature; `papertide
 * serve` hands them to the scheduler (src/scheduler.ts).
 */
import type { AppContext } from '../context.js';

/** A job `papertide serve` runs: every `everyMs`, or daily at `dailyAtUtc` (HH:MM). */
export interface JobSpec {
  name: string;
  everyMs?: number;
  dailyAtUtc?: string;
  /**
   * Safe to run in every process at once (the outbox sender claims each row itself). Other jobs
   * run once per deployment: the scheduler takes a lease in the store for each period.
   */
  everyProcess?: boolean;
  run: (ctx: AppContext) => Promise<void>;
}
