/** `/moderation`: hide papers and comments, ban users, and the audit log of every action. */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { AppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { moderationOverview, setCommentHidden, setPaperHidden, setPaperOrganization, setUserBanned } from '../../moderation/moderation.service.js';
import { safeNext } from './auth.js';
import { Flash, Hidden } from '../components/form.js';
import { firstIssue, formFields as formOf } from '../validate.js';

const reason = z.string().max(500, 'Reasons are limited to 500 characters.').optional();
const paperForm = z.object({ paper: z.string().trim().min(1, 'Enter an arXiv id.').max(60), reason, back: z.string().optional() });
const userForm = z.object({ name: z.string().trim().min(1, 'Enter a user name.').max(30), reason, back: z.string().optional() });
const orgForm = z.object({
  paper: z.string().trim().min(1, 'Enter an arXiv id.').max(60),
  org: z.string().trim().max(96, 'Organization handles are limited to 96 characters.').optional(),
  fullname: z.string().trim().max(200, 'Organization names are limited to 200 characters.').optional(),
  avatar: z.string().trim().max(2000, 'Logo URLs are limited to 2,000 characters.').optional(),
  reason,
  back: z.string().optional(),
});
const idParam = z.coerce.number().int().positive().max(2_147_483_647); // PostgreSQL's integer: a larger id is a 404, not a 500

function requireMod(c: WebContext) {
  const user = c.get('user');
  if (!user) throw new AppError('unauthorized', 'Log in as a moderator first.');
  if (user.role !== 'moderator' && user.role !== 'admin') throw new AppError('forbidden', 'Only moderators can open the moderation page.');
  return user;
}

export function moderationRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/moderation', async (c) => {
    const user = requireMod(c);
    const o = await moderationOverview(c.get('ctx'), user);
    const done = c.req.query('done');
    return renderPage(c, { title: 'Moderation', noindex: true }, (
      <div class="moderation">
        <div class="page-head">
          <h1>Moderation</h1>
          <p class="muted">Every action here is recorded in the audit log below.</p>
        </div>
        <Flash message={done ? 'Done. The action is in the audit log.' : null} />
        <div class="mod-forms">
          <form method="post" action="/moderation/papers/hide" class="form-card">
            <h2>Hide a paper</h2>
            <Hidden c={c} />
            <label for="hide-paper">arXiv id</label>
            <input id="hide-paper" name="paper" type="text" required maxlength={60} />
            <label for="hide-paper-reason">Reason</label>
            <input id="hide-paper-reason" name="reason" type="text" maxlength={500} />
            <p>
              <button type="submit">Hide paper</button>
            </p>
          </form>
          <form method="post" action="/moderation/users/ban" class="form-card">
            <h2>Ban a user</h2>
            <Hidden c={c} />
            <label for="ban-name">User name</label>
            <input id="ban-name" name="name" type="text" required maxlength={30} />
            <label for="ban-reason">Reason (the user sees it)</label>
            <input id="ban-reason" name="reason" type="text" maxlength={500} />
            <p>
              <button type="submit">Ban user</button>
            </p>
          </form>
          <form method="post" action="/moderation/papers/organization" class="form-card">
            <h2>Set a paper's organization</h2>
            <Hidden c={c} />
            <label for="org-paper">arXiv id</label>
            <input id="org-paper" name="paper" type="text" required maxlength={60} />
            <label for="org-handle">Organization handle (empty: no organization)</label>
            <input id="org-handle" name="org" type="text" maxlength={96} list="org-handles" autocomplete="off" />
            <datalist id="org-handles">
              {o.organizations.map((n) => (
                <option value={n} />
              ))}
            </datalist>
            <label for="org-fullname">Name (a new organization only)</label>
            <input id="org-fullname" name="fullname" type="text" maxlength={200} />
            <label for="org-avatar">Logo, https URL (a new organization only)</label>
            <input id="org-avatar" name="avatar" type="url" maxlength={2000} placeholder="https://" />
            <label for="org-reason">Reason</label>
            <input id="org-reason" name="reason" type="text" maxlength={500} />
            <p>
              <button type="submit">Set organization</button>
            </p>
          </form>
        </div>
        <h2>Authorship claims waiting</h2>
        {o.claims.length ? (
          <ul class="claims">
            {o.claims.map((cl) => (
              <li>
                <a href={`/u/${encodeURIComponent(cl.userName)}`}>{cl.userName}</a> claims to be <strong>{cl.authorName}</strong> on{' '}
                <a href={`/papers/${cl.paperId}`}>arXiv:{cl.paperId}</a> <span class="muted">({cl.createdAt.slice(0, 10)})</span>{' '}
                <form method="post" action={`/moderation/claims/${cl.id}/approve`} class="inline">
                  <Hidden c={c} />
                  <button type="submit" class="link">Approve</button>
                </form>{' '}
                <form method="post" action={`/moderation/claims/${cl.id}/reject`} class="inline">
                  <Hidden c={c} />
                  <button type="submit" class="link">Reject</button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">None.</p>
        )}
        <h2>Recent comments</h2>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Paper</th>
              <th>Comment</th>
              <th>Action</th>
            </tr>
          </thead>
          <tbody>
            {o.comments.map((cm) => (
              <tr>
                <td>{cm.created_at.slice(0, 16).replace('T', ' ')}</td>
                <td>
                  <a href={`/u/${encodeURIComponent(cm.user_name)}`}>{cm.user_name}</a>
                </td>
                <td>
                  <a href={`/papers/${cm.paper_id}#c${cm.id}`}>{cm.paper_id}</a>
                </td>
                <td class="comment-body">{cm.deleted_at ? <em>deleted</em> : raw(cm.body_html)}</td>
                <td>
                  {cm.deleted_at ? null : (
                    <form method="post" action={`/moderation/comments/${cm.id}/${cm.hidden_at ? 'show' : 'hide'}`} class="inline">
                      <Hidden c={c} />
                      <input type="hidden" name="back" value="/moderation?done=1" />
                      <button type="submit" class="link">{cm.hidden_at ? 'Show' : 'Hide'}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Hidden papers</h2>
        {o.hidden.length ? (
          <ul>
            {o.hidden.map((p) => (
              <li>
                <a href={`/papers/${p.id}`}>{p.id}</a> {p.title}{' '}
                <form method="post" action="/moderation/papers/show" class="inline">
                  <Hidden c={c} />
                  <input type="hidden" name="paper" value={p.id} />
                  <button type="submit" class="link">Show again</button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">None.</p>
        )}
        <h2>Banned users</h2>
        {o.banned.length ? (
          <ul>
            {o.banned.map((u) => (
              <li>
                <a href={`/u/${encodeURIComponent(u.name)}`}>{u.name}</a> since {u.banned_at?.slice(0, 10)}
                {u.ban_reason ? `: ${u.ban_reason}` : ''}{' '}
                <form method="post" action="/moderation/users/unban" class="inline">
                  <Hidden c={c} />
                  <input type="hidden" name="name" value={u.name} />
                  <button type="submit" class="link">Unban</button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">None.</p>
        )}
        <h2 id="audit">Audit log</h2>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Target</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {o.log.map((a) => (
              <tr class="audit-row">
                <td>{a.created_at.slice(0, 16).replace('T', ' ')}</td>
                <td>{a.actor_name ?? '—'}</td>
                <td>{a.action}</td>
                <td>
                  {a.target_type} {a.target_id}
                </td>
                <td>{a.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    ));
  });

  for (const [path, hidden] of [['/moderation/papers/hide', true], ['/moderation/papers/show', false]] as const) {
    app.post(path, async (c) => {
      const user = requireMod(c);
      const f = paperForm.safeParse(await formOf(c));
      if (!f.success) throw new AppError('bad_request', firstIssue(f.error));
      const id = parseArxivId(f.data.paper);
      if (!id) throw new AppError('bad_request', `“${f.data.paper}” is not an arXiv id.`);
      await setPaperHidden(c.get('ctx'), user, id.id, hidden, f.data.reason);
      return c.redirect(safeNext(f.data.back, '/moderation?done=1'), 303);
    });
  }

  app.post('/moderation/papers/organization', async (c) => {
    const user = requireMod(c);
    const f = orgForm.safeParse(await formOf(c));
    if (!f.success) throw new AppError('bad_request', firstIssue(f.error));
    const id = parseArxivId(f.data.paper);
    if (!id) throw new AppError('bad_request', `“${f.data.paper}” is not an arXiv id.`);
    const org = f.data.org ? { handle: f.data.org, fullname: f.data.fullname, avatar: f.data.avatar } : null;
    await setPaperOrganization(c.get('ctx'), user, id.id, org, f.data.reason);
    return c.redirect(safeNext(f.data.back, '/moderation?done=1'), 303);
  });

  for (const [path, hidden] of [['hide', true], ['show', false]] as const) {
    app.post(`/moderation/comments/:id/${path}`, async (c) => {
      const user = requireMod(c);
      const id = idParam.safeParse(c.req.param('id'));
      if (!id.success) throw new AppError('not_found', 'There is no such comment.');
      const form = await formOf(c);
      const r = await setCommentHidden(c.get('ctx'), user, id.data, hidden, reason.safeParse(form.reason).success ? form.reason : null);
      return c.redirect(safeNext(form.back, `/papers/${r.paperId}#c${id.data}`), 303);
    });
  }

  for (const [path, banned] of [['/moderation/users/ban', true], ['/moderation/users/unban', false]] as const) {
    app.post(path, async (c) => {
      const user = requireMod(c);
      const f = userForm.safeParse(await formOf(c));
      if (!f.success) throw new AppError('bad_request', firstIssue(f.error));
      await setUserBanned(c.get('ctx'), user, f.data.name, banned, f.data.reason);
      return c.redirect(safeNext(f.data.back, '/moderation?done=1'), 303);
    });
  }
  return app;
}
