/**
 * Scheduled arXiv ingest for `papertide serve`: today's RSS announcements for INGEST_CATEGORIES
 * (default cs.LG, cs.CL, cs.CV, cs.AI), once a day at INGEST_AT_UTC, after arXiv's announcement.
 * One request for all categories. With no network it logs one clear line and the server keeps
 * serving; the next scheduled run tries again.
 */
import type { AppContext } from '../context.js';
import type { JobSpec } from './job.js';
import { ingestDeps, ingestRss, IngestError } from '../ingest/index.js';

export const INGEST_RSS_JOB = 'ingest-rss';

/** Run once: never throws (a failure is one log line). Returns what happened, for tests and logs. */
export async function runRssIngest(ctx: AppContext): Promise<{ ok: boolean; items: number; message: string }> {
  const categories = [...ctx.config.INGEST_CATEGORIES];
  const started = Date.now();
  try {
    const res = await ingestRss(ingestDeps(ctx), categories);
    const message = `${INGEST_RSS_JOB}: ${res.items} announcements in ${categories.join('+')}, ${res.counts.added} added, ${res.counts.updated} updated (${((Date.now() - started) / 1000).toFixed(1)} s)`;
    ctx.logger.info({ job: INGEST_RSS_JOB, ...res.counts }, message);
    return { ok: true, items: res.items, message };
  } catch (e) {
    const unreachable = e instanceof IngestError && (e.code === 'network' || e.code === 'http' || e.code === 'not_xml');
    const reason = e instanceof Error ? e.message : String(e);
    const message = unreachable
      ? `${INGEST_RSS_JOB}: arXiv is unreachable, no papers ingested this run (${reason}); next try at ${ctx.config.INGEST_AT_UTC} UTC`
      : `${INGEST_RSS_JOB}: failed, no papers ingested this run: ${reason}`;
    ctx.logger.warn({ job: INGEST_RSS_JOB, error: reason }, message);
    return { ok: false, items: 0, message };
  }
}

export function ingestJobs(ctx: Pick<AppContext, 'config'>): JobSpec[] {
  if (ctx.config.INGEST_SCHEDULE === 'off' || ctx.config.INGEST_CATEGORIES.length === 0) return [];
  return [{ name: INGEST_RSS_JOB, dailyAtUtc: ctx.config.INGEST_AT_UTC, run: async (c) => void (await runRssIngest(c)) }];
}

