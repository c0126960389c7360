/**
 * `/feeds/...`: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for daily papers, trending, each arXiv
 * category, each author and any search query, with ETag/Last-Modified and 304; the `/feeds`
 * index page; and `feedAlternates()`, which adds <link rel="alternate"> feed links to the
 * pages the feeds mirror (trending, search) so feed readers discover them from the page URL.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { AppError } from '../../domain/errors.js';
import { buildFeed, feedPath, type FeedSpec } from '../../feeds/feeds.service.js';
import { renderFeed, notModified, type FeedFormat } from '../../feeds/feed.render.js';
import { categoriesWithPapers } from '../../feeds/listings.service.js';
import { listingDeps } from '../api/deps.js';
import { apiRateLimit } from '../api/routes.js';

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
const LABEL: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
const MIME: Record<FeedFormat, string> = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' };

/** "cs.LG.atom" → ["cs.LG", "atom"]; null when the extension is not a feed format. */
function splitExt(file: string): [string, FeedFormat] | null {
  const i = file.lastIndexOf('.');
  if (i <= 0) return null;
  const ext = file.slice(i + 1) as FeedFormat;
  return FORMATS.includes(ext) ? [file.slice(0, i), ext] : null;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('bad_request', 'The address is not valid percent-encoding.');
  }
}

export function feedLinks(spec: FeedSpec, titlePrefix: string) {
  return FORMATS.map((f) => ({ type: MIME[f], title: `${titlePrefix} (${LABEL[f]})`, href: feedPath(spec, f) }));
}

async function serveFeed(c: WebContext, spec: FeedSpec, format: FeedFormat) {
  const ctx = c.get('ctx');
  const doc = await buildFeed(listingDeps(ctx), spec, ctx.config.baseUrl);
  const r = renderFeed(doc, format);
  c.header('ETag', r.etag);
  c.header('Last-Modified', r.lastModified.toUTCString());
  c.header('Cache-Control', 'public, max-age=300');
  c.header('Access-Control-Allow-Origin', '*');
  if (notModified(r, c.req.header('if-none-match'), c.req.header('if-modified-since'))) return c.body(null, 304);
  return c.body(r.body, 200, { 'Content-Type': r.contentType });
}

function FeedRow({ label, spec }: { label: string; spec: FeedSpec }) {
  return (
    <li>
      <span>{label}</span>{' '}
      {FORMATS.map((f, i) => (
        <>
          {i > 0 ? ' · ' : ''}
          <a href={feedPath(spec, f)} type={MIME[f]}>{LABEL[f]}</a>
        </>
      ))}
    </li>
  );
}

export function feedRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.use('/feeds/*', apiRateLimit(ctx, 'feed'));

  app.get('/feeds', async (c) => {
    const cats = await categoriesWithPapers(listingDeps(c.get('ctx')), 40);
    const base = c.get('ctx').config.baseUrl;
    return renderPage(c, { title: 'Feeds', description: 'RSS, Atom and JSON feeds of daily papers, trending papers, categories, authors and searches.', alternates: [...feedLinks({ kind: 'daily' }, 'Daily papers'), ...feedLinks({ kind: 'trending' }, 'Trending papers')] }, (
      <section class="feeds-index" aria-labelledby="feeds-h">
        <h1 id="feeds-h">Feeds</h1>
        <p>
          Follow Papertide in any feed reader. Every feed comes as RSS 2.0, Atom 1.0 and JSON Feed 1.1, holds the newest {50} papers, and supports conditional requests (ETag and Last-Modified), so polling is cheap.
        </p>
        <h2>Everyone's</h2>
        <ul class="plain feed-list">
          <FeedRow label="Daily papers" spec={{ kind: 'daily' }} />
          <FeedRow label="Trending papers" spec={{ kind: 'trending' }} />
        </ul>
        <h2>By arXiv category</h2>
        {cats.length ? (
          <ul class="plain feed-list">
            {cats.map((x) => (
              <FeedRow label={`${x.category} (${x.n})`} spec={{ kind: 'category', category: x.category }} />
            ))}
          </ul>
        ) : (
          <p class="muted">No categories yet: they appear once papers from arXiv are imported.</p>
        )}
        <p class="muted small">Any category works: <code>{base}/feeds/category/cs.LG.atom</code>.</p>
        <h2>By author</h2>
        <p>
          <code>{base}/feeds/author/Yann%20LeCun.atom</code> — the author's newest papers, matched regardless of case and accents.
        </p>
        <h2>By organization</h2>
        <p>
          <code>{base}/feeds/organization/utokyo-ai.atom</code> — newest papers listed under an organization (its Hugging Face handle; see its page at /organizations/utokyo-ai).
        </p>
        <h2>Any search</h2>
        <form action="/feeds/search.atom" method="get" class="feed-search">
          <label for="feed-q">Search text</label>
          <input id="feed-q" name="q" type="search" maxlength={250} required placeholder='e.g. diffusion "protein folding"' />
          <button type="submit">Get the Atom feed</button>
        </form>
        <p class="muted small">
          Or use <code>/feeds/search.rss?q=…</code> and <code>/feeds/search.json?q=…</code>. The JSON API is described at <a href="/api">/api</a>.
        </p>
      </section>
    ));
  });

  app.get('/feeds/:file', async (c) => {
    const parts = splitExt(c.req.param('file'));
    if (!parts) throw new AppError('not_found', 'No such feed. Feeds end in .rss, .atom or .json; see /feeds.');
    const [name, format] = parts;
    if (name === 'daily') return serveFeed(c, { kind: 'daily' }, format);
    if (name === 'trending') return serveFeed(c, { kind: 'trending' }, format);
    if (name === 'search') return serveFeed(c, { kind: 'search', q: c.req.query('q') ?? '' }, format);
    throw new AppError('not_found', `No feed called “${name.slice(0, 40)}”. See /feeds for the list.`);
  });

  app.get('/feeds/category/:file', async (c) => {
    const parts = splitExt(decode(c.req.param('file')));
    if (!parts) throw new AppError('not_found', 'Category feeds end in .rss, .atom or .json, e.g. /feeds/category/cs.LG.atom.');
    return serveFeed(c, { kind: 'category', category: parts[0] }, parts[1]);
  });

  app.get('/feeds/organization/:file', async (c) => {
    const parts = splitExt(decode(c.req.param('file')));
    if (!parts) throw new AppError('not_found', 'Organization feeds end in .rss, .atom or .json, e.g. /feeds/organization/utokyo-ai.atom.');
    return serveFeed(c, { kind: 'organization', name: parts[0] }, parts[1]);
  });

  app.get('/feeds/author/:file{.+}', async (c) => {
    const parts = splitExt(decode(c.req.param('file')));
    if (!parts) throw new AppError('not_found', 'Author feeds end in .rss, .atom or .json, e.g. /feeds/author/Yann%20LeCun.atom.');
    return serveFeed(c, { kind: 'author', name: parts[0] }, parts[1]);
  });

  return app;
}

/** Feed links for the pages the feeds mirror: trending and search (daily pages link their own). */
export function feedAlternates(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET') {
      const path = c.req.path;
      let add: ReturnType<typeof feedLinks> = [];
      if (path === '/papers/trending') add = feedLinks({ kind: 'trending' }, 'Trending papers');
      else if (path === '/search') {
        const q = (c.req.query('q') ?? '').trim();
        if (q && q.length <= 250) add = feedLinks({ kind: 'search', q }, `Search: ${q}`);
      }
      if (add.length) c.set('alternates', [...(c.get('alternates') ?? []), ...add]);
    }
    await next();
  };
}
