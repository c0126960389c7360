/**
 * Comments: Markdown rendered and sanitised at write time, one level of replies, edit and
 * delete your own; moderators hide (src/moderation). The count on the paper and its trending
 * key change in the same transaction as the comment.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { CommentRow } from '../db/schema.js';
import { requireActiveUser, isModerator, type Actor } from '../users/users.service.js';
import { recomputeTrending } from '../trending/trending.service.js';
import { renderCommentMarkdown } from './markdown.js';
import { bumpCommentCount, commentById, commentsOfPaper, insertComment, lockAuthor, recentCommentsBy, updateComment } from './comments.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events'> & Partial<AppContext>;

export const COMMENT_MAX_CHARS = 5000;
/**
 * How many comments one user may post in a sliding window, whatever the door (page, API): the
 * count is read from the store inside the posting transaction, so it holds across processes and
 * restarts, and two parallel posts cannot both slip under it.
 */
export const COMMENT_RATE = { max: 10, windowMinutes: 10 } as const;

/** How long after posting its author may still edit a comment. */
export const COMMENT_EDIT_HOURS = 24 * 7;

function cleanBody(body: string): { body: string; html: string } {
  const text = body.replace(/\r\n?/g, '\n').trim();
  if (!text) throw new AppError('bad_request', 'Write something first: the comment is empty.');
  if (text.length > COMMENT_MAX_CHARS) throw new AppError('payload_too_large', `Comments are limited to ${COMMENT_MAX_CHARS.toLocaleString('en')} characters; this one has ${text.length.toLocaleString('en')}.`);
  const html = renderCommentMarkdown(text);
  if (!html.replace(/<[^>]*>/g, '').trim()) throw new AppError('bad_request', 'Write some text: the comment has nothing to show.');
  return { body: text, html };
}

function done(ctx: Ctx) {
  return ctx.events.emit({ kind: 'data', what: 'comment' });
}

export interface CommentResult {
  id: number;
  paperId: string;
  parentId: number | null;
  bodyHtml: string;
}

export async function addComment(ctx: Ctx, user: Actor, paperId: string, body: string, parentId?: number | null): Promise<CommentResult> {
  const clean = cleanBody(body);
  await requireActiveUser(ctx, user);
  const now = ctx.clock.now();
  const r = await ctx.store.db.transaction().execute(async (trx) => {
    await lockAuthor(trx, user.id);
    const windowMs = COMMENT_RATE.windowMinutes * 60_000;
    const recent = await recentCommentsBy(trx, user.id, new Date(now.getTime() - windowMs).toISOString());
    if (recent.count >= COMMENT_RATE.max) {
      const freeAt = Date.parse(recent.oldest!) + windowMs;
      const retryAfter = Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000));
      throw new AppError('rate_limited', `Too many comment requests. Try again in ${retryAfter} seconds.`, { retryAfter });
    }
    const paper = await trx.selectFrom('papers').select(['id', 'hidden']).where('id', '=', paperId).executeTakeFirst();
    if (!paper || paper.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here to comment on.`);
    let parent: number | null = null;
    if (parentId != null) {
      const p = await commentById(trx, parentId);
      if (!p || p.paper_id !== paperId) throw new AppError('bad_request', 'The comment you reply to is not on this paper.');
      if (p.deleted_at || p.hidden_at) throw new AppError('bad_request', 'The comment you reply to was removed.');
      // One level of replies: a reply to a reply joins the same thread.
      parent = p.parent_id ?? p.id;
    }
    const id = await insertComment(trx, { paperId, userId: user.id, parentId: parent, body: clean.body, bodyHtml: clean.html, now: now.toISOString() });
    await bumpCommentCount(trx, paperId, +1);
    await recomputeTrending(trx, [paperId], now);
    return { id, paperId, parentId: parent, bodyHtml: clean.html };
  });
  await done(ctx);
  return r;
}

async function ownComment(ctx: Ctx, user: Actor, commentId: number): Promise<CommentRow> {
  await requireActiveUser(ctx, user);
  const c = await commentById(ctx.store.db, commentId);
  if (!c || c.deleted_at) throw new AppError('not_found', 'That comment does not exist or was deleted.');
  if (c.user_id !== user.id) throw new AppError('forbidden', 'You can only change your own comments.');
  if (c.hidden_at) throw new AppError('forbidden', 'A moderator hid this comment; it cannot be changed.');
  return c;
}

export async function editComment(ctx: Ctx, user: Actor, commentId: number, body: string): Promise<CommentResult> {
  const c = await ownComment(ctx, user, commentId);
  const now = ctx.clock.now();
  if (now.getTime() - Date.parse(c.created_at) > COMMENT_EDIT_HOURS * 3_600_000) throw new AppError('forbidden', `Comments can be edited for ${COMMENT_EDIT_HOURS / 24} days after posting.`);
  const clean = cleanBody(body);
  await updateComment(ctx.store.db, commentId, { body: clean.body, body_html: clean.html, edited_at: now.toISOString() });
  await done(ctx);
  return { id: c.id, paperId: c.paper_id, parentId: c.parent_id, bodyHtml: clean.html };
}

export async function deleteComment(ctx: Ctx, user: Actor, commentId: number): Promise<{ paperId: string }> {
  const c = await ownComment(ctx, user, commentId);
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    // Compare-and-set: two concurrent deletes count once.
    const r = await trx.updateTable('comments').set({ deleted_at: now.toISOString() }).where('id', '=', commentId).where('deleted_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1 && !c.hidden_at) {
      await bumpCommentCount(trx, c.paper_id, -1);
      await recomputeTrending(trx, [c.paper_id], now);
    }
  });
  await done(ctx);
  return { paperId: c.paper_id };
}

export interface CommentView {
  id: number;
  userName: string;
  isOwn: boolean;
  createdAt: string;
  editedAt: string | null;
  /** null when removed: deleted, or hidden (moderators still see hidden text, marked) */
  bodyHtml: string | null;
  body: string | null;
  state: 'visible' | 'deleted' | 'hidden';
  replies: CommentView[];
}

/** The threads of a paper as a viewer sees them; removed comments stay as placeholders when they have replies. */
export async function commentThreads(ctx: Pick<AppContext, 'store'>, paperId: string, viewer: Actor | null): Promise<CommentView[]> {
  const rows = await commentsOfPaper(ctx.store.db, paperId);
  const mod = isModerator(viewer);
  const view = (r: (typeof rows)[number]): CommentView => {
    const state = r.deleted_at ? 'deleted' : r.hidden_at ? 'hidden' : 'visible';
    const show = state === 'visible' || (state === 'hidden' && mod);
    return { id: Number(r.id), userName: r.user_name, isOwn: viewer?.id === Number(r.user_id), createdAt: r.created_at, editedAt: r.edited_at, bodyHtml: show ? r.body_html : null, body: show ? r.body : null, state, replies: [] };
  };
  const top = new Map<number, CommentView>();
  for (const r of rows) if (r.parent_id == null) top.set(Number(r.id), view(r));
  for (const r of rows) if (r.parent_id != null) top.get(Number(r.parent_id))?.replies.push(view(r));
  const keep = (c: CommentView) => c.state === 'visible' || mod || c.replies.some((x) => x.state === 'visible');
  return [...top.values()].map((c) => ({ ...c, replies: c.replies.filter((x) => x.state === 'visible' || mod) })).filter(keep);
}

export async function getComment(ctx: Pick<AppContext, 'store'>, id: number): Promise<CommentRow | undefined> {
  return commentById(ctx.store.db, id);
}
