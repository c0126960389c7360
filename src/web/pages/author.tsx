/**
 * `/authors/{name}`: an author's papers (newest first), co-authors, the categories they publish
 * in by year, their feed, and the Hugging Face user who claimed the name where the archive says
 * so. Names match regardless of case and accents, as the author feeds and `author:` searches do.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../types.js';
import { renderPage } from '../layout.js';
import { PaperCard } from '../components/paper-card.js';
import { AppError } from '../../domain/errors.js';
import { HF_ORIGIN, isHfHandle } from '../../domain/hf-profile.js';
import { wellFormedText } from '../../domain/safe-url.js';
import { authorView } from '../../feeds/listings.service.js';
import { listingDeps } from '../api/deps.js';
import { feedLinks } from './feeds.js';
import { FollowButton } from '../components/follow-button.js';
import { isFollowing } from '../../follows/follows.service.js';

const LIMIT = 100;

export function authorHref(name: string): string {
  return `/authors/${encodeURIComponent(wellFormedText(name))}`;
}

export function authorRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/authors/:name{.+}', async (c) => {
    const asked = c.req.param('name').replace(/\s+/g, ' ').trim();
    if (!asked || asked.length > 300 || asked.includes('\u0000')) throw new AppError('not_found', 'Give an author name, e.g. /authors/Yann%20LeCun.');
    const view = await authorView(listingDeps(c.get('ctx')), asked, LIMIT);
    if (!view) throw new AppError('not_found', `No papers by “${asked.slice(0, 100)}” here.`);
    const feeds = feedLinks({ kind: 'author', name: view.name }, `Papers by ${view.name}`);
    const years = [...new Set(view.categoriesByYear.map((r) => r.year))];
    const claimed = view.claimedBy && isHfHandle(view.claimedBy.name) ? view.claimedBy : null;
    const user = c.get('user');
    const followed = user ? await isFollowing(c.get('ctx'), user, 'author', view.name) : false;
    const here = `/authors/${encodeURIComponent(view.name)}`;
    return renderPage(c, { title: view.name, description: `Papers by ${view.name}.`, alternates: feeds }, (
      <section aria-labelledby="author-h">
        <header class="page-head">
          <h1 id="author-h">{view.name}</h1>
          <p class="muted">
            {view.papers.length === LIMIT ? `The newest ${LIMIT} papers` : `${view.papers.length} paper${view.papers.length === 1 ? '' : 's'}`} here ·{' '}
            {feeds.map((f, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={f.href}>{f.title.replace(/^.*\((.*)\)$/, '$1')}</a>
              </>
            ))}
            {view.claimedHere ? (
              <>
                {' · '}
                <a href={`/u/${encodeURIComponent(view.claimedHere)}`} class="claimed">
                  profile of {view.claimedHere} (claimed here)
                </a>
              </>
            ) : null}
            {claimed ? (
              <>
                {' · claimed on Hugging Face by '}
                <a href={`${HF_ORIGIN}/${encodeURIComponent(claimed.name)}`} rel="noopener nofollow">{claimed.fullname !== claimed.name ? `${claimed.fullname} (@${claimed.name})` : `@${claimed.name}`}</a>
              </>
            ) : null}
          </p>
          <div class="follow-bar">
            <FollowButton c={c} kind="author" value={view.name} following={followed} back={here} label={view.name} />
          </div>
        </header>
        <div class="paper-layout">
          <div class="paper-abstract">
            <ul class="paper-list">
              {view.papers.map((x) => (
                <li>
                  <PaperCard paper={x.paper} submitter={x.featured?.submitterName} date={x.featured?.date} />
                </li>
              ))}
            </ul>
          </div>
          <aside class="paper-side" aria-label="About this author">
            {view.coAuthors.length ? (
              <section aria-labelledby="co-h">
                <h2 id="co-h">Co-authors</h2>
                <ul class="plain">
                  {view.coAuthors.map((a) => (
                    <li>
                      <a href={authorHref(a.name)}>{a.name}</a> <span class="muted">({a.n})</span>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            {years.length ? (
              <section aria-labelledby="cats-h">
                <h2 id="cats-h">Categories by year</h2>
                <dl>
                  {years.map((y) => (
                    <>
                      <dt>{y}</dt>
                      <dd class="chips">
                        {view.categoriesByYear
                          .filter((r) => r.year === y)
                          .slice(0, 6)
                          .map((r) => (
                            <a class="chip" href={`/search?q=${encodeURIComponent(`cat:${r.category}`)}`}>
                              {r.category} · {r.n}
                            </a>
                          ))}
                      </dd>
                    </>
                  ))}
                </dl>
              </section>
            ) : null}
          </aside>
        </div>
      </section>
    ));
  });
  return app;
}
