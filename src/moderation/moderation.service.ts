/**
 * Moderation: hide or show a paper or a comment, ban or unban a user. Moderators and admins
 * only; a moderator cannot ban another moderator or an admin (admins can ban moderators), and
 * nobody bans themselves. Every action writes an audit_log row in the same transaction.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { isModerator, type Actor } from '../users/users.service.js';
import { deleteSessionsOfUser, setUserFields, userByName } from '../users/users.repository.js';
import { bumpCommentCount, commentById, recentComments, updateComment } from '../comments/comments.repository.js';
import { recomputeTrending } from '../trending/trending.service.js';
import { audit, auditEntries, authorIsBanned, bannedUsers, hiddenPapers, holdUsersContent, knownOrganizations, releaseUsersContent, organizationByHandle, setOrganizationOfPaper } from './moderation.repository.js';
import { hfOrganization, isHfHandle, storedHfOrganization } from '../domain/hf-profile.js';
import { safeHttpUrl } from '../domain/safe-url.js';
import { pendingClaims } from '../claims/claims.repository.js';
import { logDataChange } from '../changes/changes.repository.js';

const REASON_MAX = 500;

function requireModerator(actor: Actor | null): asserts actor is Actor {
  if (!actor) throw new AppError('unauthorized', 'Log in first.');
  if (!isModerator(actor)) throw new AppError('forbidden', 'Only moderators can do this.');
}

function reasonOf(r: string | null | undefined): string | null {
  const t = (r ?? '').trim();
  if (t.length > REASON_MAX) throw new AppError('bad_request', `Reasons are limited to ${REASON_MAX} characters.`);
  return t || null;
}

export async function setPaperHidden(ctx: AppContext, actor: Actor | null, paperId: string, hidden: boolean, reason?: string | null): Promise<void> {
  requireModerator(actor);
  const why = reasonOf(reason);
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('papers').set({ hidden: hidden ? 1 : 0 }).where('id', '=', paperId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found', `There is no paper arXiv:${paperId} here.`);
    await audit(trx, { actorId: actor.id, action: hidden ? 'paper.hide' : 'paper.show', targetType: 'paper', targetId: paperId, reason: why, now });
  });
  await ctx.events.emit({ kind: 'papers', ids: [paperId] }); // the search index drops or restores it
}

export async function setCommentHidden(ctx: AppContext, actor: Actor | null, commentId: number, hidden: boolean, reason?: string | null): Promise<{ paperId: string }> {
  requireModerator(actor);
  const why = reasonOf(reason);
  const now = ctx.clock.now();
  const paperId = await ctx.store.db.transaction().execute(async (trx) => {
    const c = await commentById(trx, commentId);
    if (!c) throw new AppError('not_found', 'That comment does not exist.');
    const wasHidden = !!c.hidden_at;
    // A banned author's comments are out of the counts already (the ban took them out).
    if (wasHidden !== hidden && (await authorIsBanned(trx, commentId)) && !hidden) throw new AppError('conflict', 'Its author is banned: unban the user to show their comments again.');
    if (wasHidden !== hidden) {
      await updateComment(trx, commentId, hidden ? { hidden_at: now.toISOString(), hidden_by: actor.id } : { hidden_at: null, hidden_by: null });
      if (!c.deleted_at) {
        await bumpCommentCount(trx, c.paper_id, hidden ? -1 : +1);
        await recomputeTrending(trx, [c.paper_id], now);
      }
    }
    await audit(trx, { actorId: actor.id, action: hidden ? 'comment.hide' : 'comment.show', targetType: 'comment', targetId: String(commentId), reason: why, now: now.toISOString() });
    return c.paper_id;
  });
  await ctx.events.emit({ kind: 'data', what: 'moderation' });
  return { paperId };
}

export async function setUserBanned(ctx: AppContext, actor: Actor | null, name: string, banned: boolean, reason?: string | null): Promise<void> {
  requireModerator(actor);
  const why = reasonOf(reason);
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    const u = await userByName(trx, name.trim());
    if (!u) throw new AppError('not_found', `There is no user named “${name}”.`);
    if (u.id === actor.id) throw new AppError('bad_request', 'You cannot ban yourself.');
    if (u.role === 'admin' || (u.role === 'moderator' && actor.role !== 'admin')) throw new AppError('forbidden', `Only an admin can ban ${u.role === 'admin' ? 'an admin' : 'a moderator'}, and admins only through \`papertide user\`.`);
    const wasBanned = !!u.banned_at;
    await setUserFields(trx, u.id, banned ? { banned_at: now, ban_reason: why } : { banned_at: null, ban_reason: null });
    if (banned) await deleteSessionsOfUser(trx, u.id); // out at once, everywhere
    // The user's comments and submissions leave (or, on unban, come back to) every surface.
    if (banned !== wasBanned) {
      const moved = banned ? await holdUsersContent(trx, u.id, actor.id, now) : await releaseUsersContent(trx, u.id);
      for (const [paperId, n] of moved.commentsByPaper) await bumpCommentCount(trx, paperId, banned ? -n : n);
      const touched = [...new Set([...moved.commentsByPaper.keys(), ...moved.entryPapers])];
      if (touched.length) await recomputeTrending(trx, touched, new Date(now));
    }
    await logDataChange(trx); // the user's comments change on pages every process caches
    await audit(trx, { actorId: actor.id, action: banned ? 'user.ban' : 'user.unban', targetType: 'user', targetId: u.name, reason: why, now });
  });
  await ctx.events.emit({ kind: 'data', what: 'moderation' });
}

export async function moderationOverview(ctx: AppContext, actor: Actor | null) {
  requireModerator(actor);
  const db = ctx.store.db;
  const [comments, log, banned, hidden, claims, organizations] = await Promise.all([recentComments(db, 50), auditEntries(db, 100), bannedUsers(db), hiddenPapers(db), pendingClaims(db, 100), knownOrganizations(db, 500)]);
  return { comments, log, banned, hidden, claims, organizations: organizations.map((o) => o.organization_name!).filter(Boolean) };
}

const MODERATED_CLEAR = JSON.stringify({ moderated: true });

export interface OrganizationInput {
  /** Its handle: what goes into /organizations/{handle} (and https://huggingface.co/{handle}). */
  handle: string;
  /** Display name and logo: used only when no paper is listed under this handle yet. */
  fullname?: string | null;
  avatar?: string | null;
}

/**
 * Set the organization a paper is listed under, or clear it (org null). A handle already used by
 * other papers keeps its stored name and logo (the organization is one thing everywhere); a new
 * handle becomes an organization with the name and https logo given here. Audited. The stored
 * JSON carries `moderated: true`, so re-importing Hugging Face's archive does not undo it.
 */
export async function setPaperOrganization(ctx: AppContext, actor: Actor | null, paperId: string, org: OrganizationInput | null, reason?: string | null): Promise<{ name: string | null }> {
  requireModerator(actor);
  const why = reasonOf(reason);
  const handle = org?.handle.trim() ?? '';
  if (org && !isHfHandle(handle)) throw new AppError('bad_request', `“${String(org.handle).trim().slice(0, 60)}” is not an organization handle: use letters, digits, '-', '_' and '.', e.g. utokyo-ai.`);
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    let value: { json: string; name: string } | null = null;
    if (org) {
      const existing = storedHfOrganization(await organizationByHandle(trx, handle));
      let made = existing;
      if (!made) {
        const fullname = (org.fullname ?? '').trim();
        if (fullname.length > 200) throw new AppError('bad_request', 'Organization names are limited to 200 characters.');
        const avatar = (org.avatar ?? '').trim();
        if (avatar && !/^https:/i.test(safeHttpUrl(avatar) ?? '')) throw new AppError('bad_request', 'The logo must be an https:// image URL.');
        made = hfOrganization({ name: handle, fullname: fullname || handle, avatar: avatar || undefined });
      }
      if (!made) throw new AppError('bad_request', 'That is not a valid organization.');
      value = { json: JSON.stringify({ ...made, moderated: true }), name: made.name };
    }
    // A clear is stored as {"moderated":true} (no organization), so a re-import of the archive keeps it.
    if (!(await setOrganizationOfPaper(trx, paperId, value, MODERATED_CLEAR))) throw new AppError('not_found', `There is no paper arXiv:${paperId} here.`);
    await audit(trx, { actorId: actor.id, action: value ? 'paper.organization.set' : 'paper.organization.clear', targetType: 'paper', targetId: paperId, reason: [value ? `@${value.name}` : null, why].filter(Boolean).join(': ') || null, now });
  });
  await ctx.events.emit({ kind: 'data', what: 'moderation' });
  return { name: org ? handle : null };
}
