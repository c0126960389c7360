/** `/u/{name}`: a user's submissions, upvotes and comments; your own page offers a new verification link. */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { AppEnv } from '../types.js';
import { renderPage } from '../layout.js';
import { PaperCard } from '../components/paper-card.js';
import { AppError } from '../../domain/errors.js';
import { userProfile } from '../../users/profile.service.js';
import { publicCollections } from '../../library/library.service.js';
import { SaveButton, savedIn } from '../components/save-button.js';
import { Hidden } from '../components/form.js';

export function userRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/u/:name', async (c) => {
    const name = c.req.param('name');
    if (name.length > 40) throw new AppError('not_found', 'There is no such user.');
    const p = await userProfile(c.get('ctx'), name);
    const viewer = c.get('user');
    const self = viewer?.id === p.user.id;
    const mod = viewer && (viewer.role === 'moderator' || viewer.role === 'admin');
    const collections = p.user.banned ? [] : await publicCollections(c.get('ctx'), p.user.id);
    const here = `/u/${encodeURIComponent(p.user.name)}`;
    const saved = await savedIn(c, [...p.submissions.map((x) => x.paper.id), ...p.upvotes.map((x) => x.paper.id)]);
    return renderPage(c, { title: p.user.name, noindex: p.user.banned }, (
      <div class="profile">
        <div class="page-head">
          <h1>{p.user.name}</h1>
          <p class="muted">
            Member since {p.user.createdAt.slice(0, 10)}
            {p.user.role !== 'user' ? <span class="chip">{p.user.role}</span> : null}
            {p.user.banned ? <span class="chip warn">suspended</span> : null}
          </p>
        </div>
        {self && !viewer!.emailVerified ? (
          <p class="notice" role="note">
            Confirm your email address ({viewer!.email}) to submit, upvote and comment.{' '}
            <form method="post" action="/verify/resend" class="inline">
              <Hidden c={c} />
              <button type="submit" class="link">Send a new link</button>
            </form>
          </p>
        ) : null}
        {self ? (
          <nav class="account-links" aria-label="Your account">
            <a class="button" href="/subscription/manage">Email digest settings</a>{' '}
            <a class="button" href="/settings/tokens">API tokens</a>
          </nav>
        ) : null}
        {mod && !self && p.user.role === 'user' ? (
          <form method="post" action={p.user.banned ? '/moderation/users/unban' : '/moderation/users/ban'} class="inline">
            <Hidden c={c} />
            <input type="hidden" name="name" value={p.user.name} />
            <input type="hidden" name="back" value={`/u/${encodeURIComponent(p.user.name)}`} />
            {p.user.banned ? null : (
              <>
                <label for="ban-reason">Reason </label>
                <input id="ban-reason" name="reason" type="text" maxlength={500} />{' '}
              </>
            )}
            <button type="submit">{p.user.banned ? 'Unban' : 'Ban this user'}</button>
          </form>
        ) : null}
        {p.authored.length || (self && p.pendingClaims.length) ? (
          <section aria-labelledby="authored-h">
            <h2 id="authored-h">Papers by {p.user.name} ({p.authored.length})</h2>
            <ul class="plain authored">
              {p.authored.map((a) => (
                <li>
                  <a href={`/papers/${a.paperId}`}>{a.paperTitle}</a> <span class="muted">as {a.authorName}</span>
                </li>
              ))}
              {self
                ? p.pendingClaims.map((a) => (
                    <li>
                      <a href={`/papers/${a.paperId}`}>{a.paperTitle}</a> <span class="muted">as {a.authorName} · waiting for a moderator</span>
                    </li>
                  ))
                : null}
            </ul>
          </section>
        ) : null}
        <section aria-labelledby="subs-h">
          <h2 id="subs-h">Submissions ({p.submissions.length})</h2>
          {p.submissions.length ? (
            <ol class="paper-list">
              {p.submissions.map((s) => (
                <li>
                  <PaperCard paper={s.paper} date={s.featuredDate} save={<SaveButton c={c} paperId={s.paper.id} saved={saved.has(s.paper.id)} back={here} compact />} />
                </li>
              ))}
            </ol>
          ) : (
            <p class="muted">No submissions yet.</p>
          )}
        </section>
        <section aria-labelledby="ups-h">
          <h2 id="ups-h">Upvotes ({p.upvotes.length})</h2>
          {p.upvotes.length ? (
            <ol class="paper-list">
              {p.upvotes.map((v) => (
                <li>
                  <PaperCard paper={v.paper} save={<SaveButton c={c} paperId={v.paper.id} saved={saved.has(v.paper.id)} back={here} compact />} />
                </li>
              ))}
            </ol>
          ) : (
            <p class="muted">No upvotes yet.</p>
          )}
        </section>
        {collections.length || self ? (
          <section aria-labelledby="cols-h">
            <h2 id="cols-h">Public collections ({collections.length})</h2>
            {collections.length ? (
              <ul class="plain">
                {collections.map((col) => (
                  <li>
                    <a href={`/collections/${col.id}`}>{col.name}</a> <span class="muted">· {col.papers} {col.papers === 1 ? 'paper' : 'papers'}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">
                None yet: make a collection public on <a href="/library">your library</a> to share it here.
              </p>
            )}
          </section>
        ) : null}
        <section aria-labelledby="com-h">
          <h2 id="com-h">Comments ({p.comments.length})</h2>
          {p.comments.length ? (
            <ul class="plain user-comments">
              {p.comments.map((cm) => (
                <li>
                  <p class="small muted">
                    On <a href={`/papers/${cm.paper_id}#c${cm.id}`}>{cm.paper_title}</a> · {cm.created_at.slice(0, 10)}
                  </p>
                  <div class="comment-body">{raw(cm.body_html)}</div>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No comments yet.</p>
          )}
        </section>
      </div>
    ));
  });
  return app;
}
