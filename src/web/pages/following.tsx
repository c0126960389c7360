/**
 * Follows: POST /follow (author, category or saved search; then back), /following (the newest
 * papers matching any follow, each saying why, and the list of follows), the follow buttons of
 * the search page (an author:/cat: query follows that author or category, any query can be saved)
 * and the paper page's "Follow" section (its authors and categories).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import type { Slots } from '../slots.js';
import { AppError } from '../../domain/errors.js';
import { renderPage } from '../layout.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { PaperCard } from '../components/paper-card.js';
import { FollowButton } from '../components/follow-button.js';
import { SaveButton, savedIn } from '../components/save-button.js';
import { firstIssue, formOf, safeNext } from './auth.js';
import { LIBRARY_LIMITS } from './library.js';
import { following, followText, isFollowing, myFollows, setFollow, type FollowKind } from '../../follows/follows.service.js';

const followSchema = z.object({
  kind: z.enum(['author', 'category', 'query'], { message: 'Follow an author, a category or a search.' }),
  value: z.string().max(1000),
  want: z.enum(['on', 'off']).optional(),
  back: z.string().optional(),
});

/** What a search query can be followed as: the author or category it names alone, and the search itself. */
export function followTargets(q: string): { kind: FollowKind; value: string; label: string }[] {
  const s = q.trim();
  if (!s) return [];
  const out: { kind: FollowKind; value: string; label: string }[] = [];
  const author = /^author:(?:"([^"]+)"|(\S+))$/i.exec(s);
  if (author) {
    const name = (author[1] ?? author[2]).trim();
    out.push({ kind: 'author', value: name, label: `author ${name}` });
  }
  const cat = /^cat:(\S+)$/i.exec(s);
  if (cat) out.push({ kind: 'category', value: cat[1], label: cat[1] });
  out.push({ kind: 'query', value: s, label: 'this search' });
  return out;
}

/** The follow buttons above search results (the search page renders this for any query that parsed). */
export async function SearchFollows({ c, q, back }: { c: WebContext; q: string; back: string }) {
  const user = c.get('user');
  const targets = followTargets(q);
  if (!targets.length) return null;
  const states = await Promise.all(targets.map((t) => (user ? isFollowing(c.get('ctx'), user, t.kind, t.value) : false)));
  return (
    <div class="follow-bar">
      {targets.map((t, i) => (
        <FollowButton c={c} kind={t.kind} value={t.value} following={states[i]} back={back} label={t.label} />
      ))}
    </div>
  );
}

/** The paper page's Follow section: each author and category of the paper. */
export function registerFollowSlots(slots: Slots) {
  slots.paperSections.push(async (c, paper) => {
    const user = c.get('user');
    const back = `/papers/${paper.id}`;
    const authors = paper.authors.slice(0, 12);
    const cats = paper.categories.slice(0, 6);
    const state = async (kind: FollowKind, v: string) => (user ? isFollowing(c.get('ctx'), user, kind, v) : false);
    const [a, k] = await Promise.all([Promise.all(authors.map((n) => state('author', n))), Promise.all(cats.map((n) => state('category', n)))]);
    if (!authors.length && !cats.length) return null;
    return (
      <section class="follow-panel" aria-labelledby="follow-h">
        <h2 id="follow-h">Follow</h2>
        <p class="muted small">New papers by these authors or in these categories appear on your <a href="/following">Following</a> page.</p>
        <ul class="plain follow-list">
          {authors.map((n, i) => (
            <li>
              <FollowButton c={c} kind="author" value={n} following={a[i]} back={back} label={n} />
            </li>
          ))}
          {cats.map((n, i) => (
            <li>
              <FollowButton c={c} kind="category" value={n} following={k[i]} back={back} label={n} />
            </li>
          ))}
        </ul>
      </section>
    );
  });
}

export function followingRoutes() {
  const app = new Hono<AppEnv>();

  app.post('/follow', rateLimit(LIBRARY_LIMITS.perIp, { perUser: LIBRARY_LIMITS.perUser }), async (c) => {
    const parsed = followSchema.safeParse(await formOf(c));
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const back = safeNext(parsed.data.back, '/following');
    const user = c.get('user');
    if (!user) return c.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
    await setFollow(c.get('ctx'), user, parsed.data.kind, parsed.data.value, parsed.data.want !== 'off');
    return c.redirect(back, 303);
  });

  app.get('/following', async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect(`/login?next=${encodeURIComponent('/following')}`, 303);
    const ctx = c.get('ctx');
    const { follows, items } = await following(ctx, user);
    const saved = await savedIn(c, items.map((i) => i.paper.id));
    return renderPage(
      c,
      { title: 'Following', math: true, noindex: true },
      <>
        <div class="page-head">
          <h1>Following</h1>
          <p class="muted">The newest papers by the authors, in the categories and matching the searches you follow, newest first. Read them in a feed reader: <a href="/settings/feeds">private feed URL</a>.</p>
        </div>
        <section aria-labelledby="follows-h" class="follows">
          <h2 id="follows-h">You follow</h2>
          {follows.length ? (
            <ul class="plain follow-list">
              {follows.map((f) => (
                <li>
                  <FollowButton c={c} kind={f.kind} value={f.label} following back="/following" label={followText(f)} />{' '}
                  <a class="small" href={`/search?q=${encodeURIComponent(f.kind === 'author' ? `author:"${f.label}"` : f.kind === 'category' ? `cat:${f.label}` : f.label)}&sort=newest`}>search</a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">
              Nothing yet. Follow authors and categories from a paper's page, or any search from the <a href="/search">search page</a>.
            </p>
          )}
        </section>
        {items.length ? (
          <ol class="paper-list">
            {items.map((it) => (
              <li>
                <PaperCard
                  paper={it.paper}
                  date={it.paper.publishedAt?.slice(0, 10)}
                  save={<SaveButton c={c} paperId={it.paper.id} saved={saved.has(it.paper.id)} back="/following" compact />}
                  extra={<p class="why-here muted small">{it.reasons.map((r) => `you follow ${r}`).join(' · ')}</p>}
                />
              </li>
            ))}
          </ol>
        ) : follows.length ? (
          <p class="empty">No papers match what you follow yet.</p>
        ) : null}
      </>,
    );
  });

  return app;
}
