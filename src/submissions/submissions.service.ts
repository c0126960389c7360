/**
 * Submitting a paper to today's daily list. Metadata comes from the store, else from arXiv
 * through the ingest feature's single-paper fetch (which stores it). The rules, each refusal a
 * readable message: an arXiv id or URL; published on arXiv within SUBMIT_MAX_AGE_DAYS; not
 * featured before; at most SUBMIT_PER_USER_PER_DAY submissions per user per UTC day.
 */
import type { AppContext } from '../context.js';
import { AppError, isAppError } from '../domain/errors.js';
import { extractArxivId } from '../domain/arxiv-id.js';
import { toDate } from '../domain/dates.js';
import { getPaper } from '../papers/papers.repository.js';
import { addDailyEntries } from '../daily/daily.repository.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { recomputeTrending } from '../trending/trending.service.js';
import { ingestDeps, ingestOne, IngestError } from '../ingest/index.js';
import { countSubmissionsSince, firstFeatured } from './submissions.repository.js';
import type { Paper } from '../domain/paper.js';

type Ctx = AppContext;

const DAY_MS = 86_400_000;

export interface SubmitResult {
  paperId: string;
  title: string;
  date: string; // the day it is featured on
  /** true when the metadata was fetched from arXiv just now */
  fetched: boolean;
}

/** Fetch from arXiv, waiting at most SUBMIT_ARXIV_TIMEOUT_MS (the fetch goes on and stores the paper when it completes). */
async function fetchFromArxiv(ctx: Ctx, id: string): Promise<void> {
  const fetching = ingestOne(ingestDeps(ctx), id);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('unavailable', `arXiv:${id} is not in the store and arXiv did not answer within ${Math.round(ctx.config.SUBMIT_ARXIV_TIMEOUT_MS / 1000)} seconds. Try again in a few minutes.`)), ctx.config.SUBMIT_ARXIV_TIMEOUT_MS);
    timer.unref?.();
  });
  fetching.catch(() => {}); // a late failure after the time-out is only logged by the fetcher
  try {
    await Promise.race([fetching, timeout]);
  } catch (e) {
    if (isAppError(e)) throw e;
    if (e instanceof IngestError) {
      if (e.code === 'not_found') throw new AppError('not_found', `arXiv has no paper ${id}. Check the id.`);
      if (e.code === 'bad_input' || e.code === 'arxiv_error') throw new AppError('bad_request', `arXiv refused ${id}: ${e.message}`);
      throw new AppError('unavailable', `arXiv:${id} is not in the store and arXiv is unreachable right now (${e.message}). Try again later.`, { arxivId: id });
    }
    throw new AppError('unavailable', `arXiv:${id} is not in the store and arXiv is unreachable right now. Try again later.`, { arxivId: id });
  } finally {
    clearTimeout(timer);
  }
}

export async function submitPaper(ctx: Ctx, user: Actor, input: string | { arxiv: string }): Promise<SubmitResult> {
  const raw = (typeof input === 'string' ? input : input.arxiv).trim();
  if (!raw) throw new AppError('bad_request', 'Enter an arXiv id (like 2401.12345) or an arXiv URL.');
  if (raw.length > 300) throw new AppError('bad_request', 'That is too long to be an arXiv id or URL.');
  const parsed = extractArxivId(raw);
  if (!parsed) throw new AppError('bad_request', `“${raw.slice(0, 80)}” is not an arXiv id or URL. Ids look like 2401.12345 or hep-th/9901001; URLs like https://arxiv.org/abs/2401.12345.`);
  const id = parsed.id;
  await requireActiveUser(ctx, user);

  let paper: Paper | null = await getPaper(ctx.store.db, id);
  let fetched = false;
  if (!paper) {
    await fetchFromArxiv(ctx, id);
    paper = await getPaper(ctx.store.db, id);
    fetched = true;
    if (!paper) throw new AppError('unavailable', `arXiv:${id} is not in the store and arXiv is unreachable right now. Try again later.`, { arxivId: id });
  }
  if (paper.hidden) throw new AppError('forbidden', `arXiv:${id} was hidden by a moderator and cannot be submitted.`);
  if (paper.withdrawn) throw new AppError('bad_request', `arXiv:${id} has been withdrawn by its authors.`);

  const now = ctx.clock.now();
  const maxAge = ctx.config.SUBMIT_MAX_AGE_DAYS;
  if (!paper.publishedAt) throw new AppError('bad_request', `arXiv gives no publication date for ${id}, so it cannot be checked against the ${maxAge}-day rule.`);
  const ageDays = (now.getTime() - Date.parse(paper.publishedAt)) / DAY_MS;
  if (ageDays > maxAge) {
    throw new AppError('bad_request', `arXiv:${id} was published on ${paper.publishedAt.slice(0, 10)}, ${Math.floor(ageDays)} days ago. Only papers published in the last ${maxAge} days can be submitted.`);
  }

  const today = toDate(now);
  const limit = ctx.config.SUBMIT_PER_USER_PER_DAY;
  await ctx.store.db.transaction().execute(async (trx) => {
    const featured = await firstFeatured(trx, id);
    if (featured) throw new AppError('conflict', `arXiv:${id} is already featured, on ${featured.date}: each paper is featured once.`, { date: featured.date });
    const used = await countSubmissionsSince(trx, user.id, `${today}T00:00:00.000Z`);
    if (used >= limit) throw new AppError('rate_limited', `You have submitted ${used} papers today, the most a day. Submit more tomorrow (UTC).`, { retryAfter: Math.ceil((Date.parse(`${today}T00:00:00Z`) + DAY_MS - now.getTime()) / 1000) });
    const added = await addDailyEntries(trx, [{ paperId: id, date: today, submittedBy: user.id, submittedAt: now.toISOString(), source: 'user' }]);
    if (!added) throw new AppError('conflict', `arXiv:${id} is already featured today.`);
    await recomputeTrending(trx, [id], now);
  });
  await ctx.events.emit({ kind: 'data', what: 'submission' });
  return { paperId: id, title: paper.title, date: today, fetched };
}
