/**
 * Upvotes: one per user per paper, toggled. The vote row, the cached count and the trending
 * key change in one transaction, so counts stay exact under concurrent votes.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { recomputeTrending } from '../trending/trending.service.js';
import { bumpUpvotes, deleteVote, insertVote } from './votes.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events'>;

export interface VoteResult {
  paperId: string;
  voted: boolean;
  upvotes: number;
}

/** Toggle the user's upvote (or set it: `want` true/false makes the call idempotent). */
export async function toggleVote(ctx: Ctx, user: Actor, paperId: string, want?: boolean): Promise<VoteResult> {
  await requireActiveUser(ctx, user);
  const now = ctx.clock.now();
  const result = await ctx.store.db.transaction().execute(async (trx) => {
    const paper = await trx.selectFrom('papers').select(['id', 'hidden', 'upvotes']).where('id', '=', paperId).executeTakeFirst();
    if (!paper || paper.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here to upvote.`);
    let voted: boolean;
    let upvotes = Number(paper.upvotes);
    if (want !== false && (await insertVote(trx, user.id, paperId, now.toISOString()))) {
      voted = true;
      upvotes = await bumpUpvotes(trx, paperId, +1);
    } else if (want === true) {
      voted = true; // already voted: nothing to do
    } else if (await deleteVote(trx, user.id, paperId)) {
      voted = false;
      upvotes = await bumpUpvotes(trx, paperId, -1);
    } else {
      voted = false;
    }
    await recomputeTrending(trx, [paperId], now);
    return { paperId, voted, upvotes };
  });
  await ctx.events.emit({ kind: 'data', what: 'vote' });
  return result;
}

/** Which of these papers the user has upvoted (for rendering pressed buttons). */
export { votedAmong } from './votes.repository.js';
