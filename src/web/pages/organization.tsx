/**
 * `/organizations/{handle}`: the papers listed under an organization (from Hugging Face's
 * archive, or set by a moderator: /moderation), newest first, with its name, logo (https only),
 * a link to it on Hugging Face (for organizations from the archive) and
 * its feeds. An unknown or malformed handle is a 404 with a readable message.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../types.js';
import { renderPage } from '../layout.js';
import { PaperCard } from '../components/paper-card.js';
import { AppError } from '../../domain/errors.js';
import { HF_ORIGIN, isHfHandle } from '../../domain/hf-profile.js';
import { safeHttpUrl } from '../../domain/safe-url.js';
import { organizationPapers } from '../../feeds/listings.service.js';
import { listingDeps } from '../api/deps.js';
import { feedLinks } from './feeds.js';

const LIMIT = 100;

export function organizationRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/organizations/:name', async (c) => {
    const name = c.req.param('name');
    const shown = name.slice(0, 40);
    if (!isHfHandle(name)) throw new AppError('not_found', `“${shown}” is not an organization's name here.`);
    const items = await organizationPapers(listingDeps(c.get('ctx')), name, LIMIT);
    if (!items.length) throw new AppError('not_found', `No papers are listed under the organization “${name}” here.`);
    const org = items.map((x) => x.paper.organization).find(Boolean) ?? { name, fullname: name };
    const logo = safeHttpUrl(org.avatar);
    const spec = { kind: 'organization' as const, name };
    const feeds = feedLinks(spec, `${org.fullname} papers`);
    return renderPage(c, { title: org.fullname, description: `Papers listed under ${org.fullname}.`, alternates: feeds }, (
      <section aria-labelledby="org-h">
        <header class="page-head org-head">
          {logo && /^https:/i.test(logo) ? <img class="org-logo" src={logo} alt="" width="48" height="48" loading="lazy" referrerpolicy="no-referrer" /> : null}
          <div>
            <h1 id="org-h">{org.fullname}</h1>
            <p class="muted">
              {items.length === LIMIT ? `The newest ${LIMIT} papers` : `${items.length} paper${items.length === 1 ? '' : 's'}`} listed under this organization ·{' '}
              {'_id' in org && org._id ? (
                <>
                  <a href={`${HF_ORIGIN}/${encodeURIComponent(name)}`} rel="noopener nofollow">@{name} on Hugging Face</a> ·{' '}
                </>
              ) : null}
              {feeds.map((f, i) => (
                <>
                  {i > 0 ? ', ' : ''}
                  <a href={f.href}>{f.title.replace(/^.*\((.*)\)$/, '$1')}</a>
                </>
              ))}
            </p>
          </div>
        </header>
        <ul class="paper-list">
          {items.map((x) => (
            <li>
              <PaperCard paper={x.paper} submitter={x.featured?.submitterName} date={x.featured?.date} />
            </li>
          ))}
        </ul>
      </section>
    ));
  });
  return app;
}
