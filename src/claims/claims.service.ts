/**
 * Claiming authorship: a verified, unbanned user claims an author name on a paper; a moderator
 * approves or rejects it (audited). A name someone else has claimed (pending or approved, on any
 * paper) is refused: that dispute goes to a moderator, not to whoever claims first twice.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { isModerator, type Actor } from '../users/users.service.js';
import { userById } from '../users/users.repository.js';
import { authorKey, getPaper } from '../papers/papers.repository.js';
import { audit } from '../moderation/moderation.repository.js';
import { approvedClaimantOtherThan, claimById, insertClaim, otherUsersClaim, ownClaim, reopenClaim, setClaimStatus } from './claims.repository.js';

export async function claimAuthorship(ctx: AppContext, actor: Actor | null, paperId: string, authorName: string): Promise<{ id: number; status: string }> {
  if (!actor) throw new AppError('unauthorized', 'Log in to claim authorship.');
  const db = ctx.store.db;
  const user = await userById(db, actor.id);
  if (!user || user.banned_at) throw new AppError('forbidden', 'This account cannot claim authorship.');
  if (!user.email_verified_at) throw new AppError('forbidden', 'Verify your email address first: only verified users can claim authorship.');
  const paper = await getPaper(db, paperId);
  if (!paper || paper.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here.`);
  const key = authorKey(authorName);
  const name = paper.authors.find((a) => authorKey(a) === key);
  if (!key || !name) throw new AppError('bad_request', `“${authorName.slice(0, 100)}” is not an author of arXiv:${paperId}.`);
  const now = ctx.clock.now().toISOString();
  const result = await db.transaction().execute(async (trx) => {
    if (await otherUsersClaim(trx, key, actor.id)) throw new AppError('conflict', `${name} is already claimed by another user. If that is you, ask a moderator.`);
    const mine = await ownClaim(trx, paper.id, key, actor.id);
    if (mine) {
      if (mine.status === 'rejected') await reopenClaim(trx, Number(mine.id), now);
      return { id: Number(mine.id), status: mine.status === 'rejected' ? 'pending' : mine.status };
    }
    return { id: await insertClaim(trx, { paperId: paper.id, authorName: name, nameKey: key, userId: actor.id, now }), status: 'pending' };
  });
  await ctx.events.emit({ kind: 'data', what: 'claims' });
  return result;
}

export async function decideClaim(ctx: AppContext, actor: Actor | null, claimId: number, approve: boolean): Promise<void> {
  if (!actor) throw new AppError('unauthorized', 'Log in first.');
  if (!isModerator(actor)) throw new AppError('forbidden', 'Only moderators can do this.');
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    const c = await claimById(trx, claimId);
    if (!c) throw new AppError('not_found', 'That claim does not exist.');
    if (approve && (await approvedClaimantOtherThan(trx, c.name_key, c.user_id))) {
      throw new AppError('conflict', `${c.author_name} is already claimed by another user (approved): reject one of the claims first.`);
    }
    await setClaimStatus(trx, claimId, approve ? 'approved' : 'rejected', actor.id, now);
    await audit(trx, { actorId: actor.id, action: approve ? 'claim.approve' : 'claim.reject', targetType: 'claim', targetId: String(claimId), reason: `${c.author_name} on arXiv:${c.paper_id}`, now });
  });
  await ctx.events.emit({ kind: 'data', what: 'claims' });
}
