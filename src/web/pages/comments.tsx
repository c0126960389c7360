/**
 * Comments on the paper page (a section slot) and their routes: post, reply, edit and delete
 * your own; moderators get a hide button. Bodies are stored rendered and sanitised.
 */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import type { Slots } from '../slots.js';
import { renderPage } from '../layout.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { rateLimit, type LimitSpec } from '../middleware/rate-limit.js';
import { addComment, commentThreads, deleteComment, editComment, getComment, COMMENT_MAX_CHARS, type CommentView } from '../../comments/comments.service.js';
import { isModerator } from '../../users/users.service.js';
import { FormError, Hidden } from '../components/form.js';
import { firstIssue, formFields as formOf } from '../validate.js';
import { CommentCounts } from '../components/paper-card.js';
import { renderMathInHtml } from '../render/math.js';
import type { Paper } from '../../domain/paper.js';

export const COMMENT_LIMITS = {
  perIp: { name: 'comment', points: 60, duration: 600 },
  perUser: { name: 'comment', points: 10, duration: 600 },
} satisfies Record<string, LimitSpec>;

const postSchema = z.object({
  paper: z.string().min(1).max(60),
  body: z.string().max(COMMENT_MAX_CHARS * 2, `Comments are limited to ${COMMENT_MAX_CHARS.toLocaleString('en')} characters.`),
  parent: z
    .string()
    .regex(/^\d{1,9}$/, 'The comment you reply to is not valid.') // ids are 32-bit integers on PostgreSQL
    .optional()
    .or(z.literal('')),
});
const idParam = z.coerce.number().int().positive().max(2_147_483_647); // PostgreSQL's integer: a larger id is a 404, not a 500

function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ') + ' UTC';
}

function CommentItem({ c, v, paperId, reply }: { c: WebContext; v: CommentView; paperId: string; reply?: boolean }) {
  const user = c.get('user');
  const mod = isModerator(user);
  return (
    <li id={`c${v.id}`} class={`comment ${v.state}`}>
      <p class="comment-meta small muted">
        <a href={`/u/${encodeURIComponent(v.userName)}`}>{v.state === 'deleted' ? '[deleted]' : v.userName}</a> · <a href={`#c${v.id}`}>{when(v.createdAt)}</a>
        {v.editedAt ? ' · edited' : ''}
        {v.state === 'hidden' ? <span class="chip warn">hidden by a moderator</span> : null}
      </p>
      {v.bodyHtml !== null ? <div class="comment-body">{raw(renderMathInHtml(v.bodyHtml))}</div> : <p class="muted">{v.state === 'deleted' ? 'This comment was deleted.' : 'This comment was hidden by a moderator.'}</p>}
      {user && v.state === 'visible' ? (
        <div class="comment-actions small">
          {!reply ? (
            <details>
              <summary>Reply</summary>
              <CommentForm c={c} paperId={paperId} parent={v.id} />
            </details>
          ) : null}
          {v.isOwn ? (
            <>
              <a href={`/comments/${v.id}/edit`}>Edit</a>
              <form method="post" action={`/comments/${v.id}/delete`} class="inline">
                <Hidden c={c} />
                <button type="submit" class="link">Delete</button>
              </form>
            </>
          ) : null}
        </div>
      ) : null}
      {mod && v.state !== 'deleted' ? (
        <form method="post" action={`/moderation/comments/${v.id}/${v.state === 'hidden' ? 'show' : 'hide'}`} class="inline small">
          <Hidden c={c} />
          <button type="submit" class="link">{v.state === 'hidden' ? 'Show again' : 'Hide (moderator)'}</button>
        </form>
      ) : null}
      {v.replies.length ? (
        <ol class="replies">
          {v.replies.map((r) => (
            <CommentItem c={c} v={r} paperId={paperId} reply />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

export function CommentForm({ c, paperId, parent, value, error }: { c: WebContext; paperId: string; parent?: number; value?: string; error?: string }) {
  const fid = parent ? `reply-${parent}` : 'comment-body';
  return (
    <form method="post" action="/comments" class="comment-form">
      <Hidden c={c} />
      <input type="hidden" name="paper" value={paperId} />
      {parent ? <input type="hidden" name="parent" value={String(parent)} /> : null}
      <FormError message={error} />
      <label for={fid}>{parent ? 'Your reply' : 'Add a comment'}</label>
      <textarea id={fid} name="body" rows={parent ? 3 : 5} maxlength={COMMENT_MAX_CHARS} required>
        {value ?? ''}
      </textarea>
      <p class="small muted">Markdown: **bold**, *italic*, `code`, [links](https://…). Up to {COMMENT_MAX_CHARS.toLocaleString('en')} characters.</p>
      <button type="submit">{parent ? 'Reply' : 'Comment'}</button>
    </form>
  );
}

async function CommentsSection(c: WebContext, paper: Paper) {
  const paperId = paper.id;
  const user = c.get('user');
  const threads = await commentThreads(c.get('ctx'), paperId, user);
  const count = threads.reduce((n, t) => n + (t.state === 'visible' ? 1 : 0) + t.replies.filter((r) => r.state === 'visible').length, 0);
  // papers.num_comments caches visible comments here + the count imported from Hugging Face.
  const external = Math.max(0, paper.numComments - count);
  return (
    <section id="comments" aria-labelledby="comments-h" class="comments">
      <h2 id="comments-h">
        Comments ({count})
      </h2>
      <p class="comment-counts">
        <CommentCounts paperId={paperId} local={count} external={external} here="#comments" />
      </p>
      {threads.length ? (
        <ol class="comment-list">
          {threads.map((t) => (
            <CommentItem c={c} v={t} paperId={paperId} />
          ))}
        </ol>
      ) : (
        <p class="muted">{external > 0 ? 'No comments here yet.' : 'No comments yet.'}</p>
      )}
      {user ? (
        <CommentForm c={c} paperId={paperId} />
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(`/papers/${paperId}#comments`)}`}>Log in</a> to comment.
        </p>
      )}
    </section>
  );
}

export function commentRoutes(slots: Slots) {
  const app = new Hono<AppEnv>();
  slots.paperSections.push((c, paper) => CommentsSection(c, paper));

  // The per-user comment limit lives in the comments service (the same for the API).
  app.post('/comments', rateLimit(COMMENT_LIMITS.perIp), async (c) => {
    const user = c.get('user');
    const form = await formOf(c);
    const parsed = postSchema.safeParse(form);
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const id = parseArxivId(parsed.data.paper);
    if (!id) throw new AppError('bad_request', `“${parsed.data.paper}” is not an arXiv id.`);
    if (!user) return c.redirect(`/login?next=${encodeURIComponent(`/papers/${id.id}#comments`)}`, 303);
    try {
      const r = await addComment(c.get('ctx'), user, id.id, parsed.data.body, parsed.data.parent ? Number(parsed.data.parent) : null);
      return c.redirect(`/papers/${id.id}#c${r.id}`, 303);
    } catch (e) {
      if (isAppError(e) && (e.code === 'bad_request' || e.code === 'payload_too_large')) {
        return renderPage(c, { title: 'Your comment', status: e.status, noindex: true }, (
          <section class="form-card">
            <h1>Your comment was not posted</h1>
            <CommentForm c={c} paperId={id.id} parent={parsed.data.parent ? Number(parsed.data.parent) : undefined} value={parsed.data.body} error={e.message} />
            <p>
              <a href={`/papers/${id.id}#comments`}>Back to the paper</a>
            </p>
          </section>
        ));
      }
      throw e;
    }
  });

  const editPage = (c: WebContext, id: number, paperId: string, body: string, error?: string, status = 200) =>
    renderPage(c, { title: 'Edit your comment', status, noindex: true }, (
      <section class="form-card">
        <h1>Edit your comment</h1>
        <FormError message={error} />
        <form method="post" action={`/comments/${id}/edit`}>
          <Hidden c={c} />
          <label for="body">Comment</label>
          <textarea id="body" name="body" rows={6} maxlength={COMMENT_MAX_CHARS} required>
            {body}
          </textarea>
          <p>
            <button type="submit">Save</button> <a href={`/papers/${paperId}#c${id}`}>Cancel</a>
          </p>
        </form>
      </section>
    ));

  app.get('/comments/:id/edit', async (c) => {
    const user = c.get('user');
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) throw new AppError('not_found', 'There is no such comment.');
    if (!user) return c.redirect(`/login?next=/comments/${id.data}/edit`, 303);
    const cm = await getComment(c.get('ctx'), id.data);
    if (!cm || cm.deleted_at) throw new AppError('not_found', 'That comment does not exist or was deleted.');
    if (cm.user_id !== user.id) throw new AppError('forbidden', 'You can only change your own comments.');
    return editPage(c, id.data, cm.paper_id, cm.body);
  });

  app.post('/comments/:id/edit', rateLimit(COMMENT_LIMITS.perIp, { perUser: COMMENT_LIMITS.perUser }), async (c) => {
    const user = c.get('user');
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) throw new AppError('not_found', 'There is no such comment.');
    if (!user) return c.redirect('/login', 303);
    const form = await formOf(c);
    const body = z.string().max(COMMENT_MAX_CHARS * 2).safeParse(form.body ?? '');
    if (!body.success) throw new AppError('payload_too_large', `Comments are limited to ${COMMENT_MAX_CHARS.toLocaleString('en')} characters.`);
    try {
      const r = await editComment(c.get('ctx'), user, id.data, body.data);
      return c.redirect(`/papers/${r.paperId}#c${r.id}`, 303);
    } catch (e) {
      if (isAppError(e) && (e.code === 'bad_request' || e.code === 'payload_too_large')) {
        const cm = await getComment(c.get('ctx'), id.data);
        return editPage(c, id.data, cm?.paper_id ?? '', body.data, e.message, e.status);
      }
      throw e;
    }
  });

  app.post('/comments/:id/delete', async (c) => {
    const user = c.get('user');
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) throw new AppError('not_found', 'There is no such comment.');
    if (!user) return c.redirect('/login', 303);
    const r = await deleteComment(c.get('ctx'), user, id.data);
    return c.redirect(`/papers/${r.paperId}#comments`, 303);
  });

  return app;
}
