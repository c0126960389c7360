/**
 * Private feeds: `/settings/feeds` (a signed-in user's secret feed URLs for Following, For you
 * and each collection: make, replace, revoke) and `/feeds/private/{token}.{rss,atom,json}` (the
 * feeds themselves, for feed readers: the token is the credential, no cookie needed).
 * A URL is shown once, on the page that made it (only its sha256 is stored).
 * Bad, revoked or replaced tokens are 404s like any unknown URL (src/feed-tokens).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { AppError } from '../../domain/errors.js';
import { Hidden } from '../components/form.js';
import { form } from '../validate.js';
import { renderFeed, notModified, type FeedFormat } from '../../feeds/feed.render.js';
import { makeFeedToken, myFeedTokens, privateFeed, privateFeedPath, revokeFeedToken, type FeedTarget, type FeedTokenRecord } from '../../feed-tokens/feed-tokens.service.js';
import { myCollections } from '../../library/library.service.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { LIBRARY_LIMITS } from './library.js';

const FORMATS: FeedFormat[] = ['atom', 'rss', 'json'];
const LABEL: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

const targetSchema = z.object({
  feed: z.string().regex(/^(following|foryou|collection:\d{1,9})$/, 'Which feed? Choose Following, For you or one of your collections.'),
});

function targetOf(s: string): FeedTarget {
  if (s === 'following' || s === 'foryou') return { kind: s };
  return { kind: 'collection', collectionId: Number(s.slice('collection:'.length)) };
}

const fmt = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

interface Row {
  key: string; // the form value
  label: string;
  page: string;
  active: FeedTokenRecord | undefined;
}

async function settingsPage(c: WebContext, opts: { made?: { label: string; token: string }; notice?: string } = {}) {
  const user = c.get('user')!;
  const ctx = c.get('ctx');
  const [tokens, collections] = await Promise.all([myFeedTokens(ctx, user), myCollections(ctx, user)]);
  const find = (kind: string, collectionId: number | null) => tokens.find((t) => t.kind === kind && t.collectionId === collectionId);
  const rows: Row[] = [
    { key: 'following', label: 'Following', page: '/following', active: find('following', null) },
    { key: 'foryou', label: 'For you', page: '/for-you', active: find('foryou', null) },
    ...collections.map((col) => ({ key: `collection:${col.id}`, label: `Collection “${col.name}”${col.is_public ? '' : ' (private)'}`, page: `/collections/${col.id}`, active: find('collection', col.id) })),
  ];
  const base = ctx.config.baseUrl;
  c.header('Cache-Control', 'private, no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return renderPage(
    c,
    { title: 'Private feeds', noindex: true },
    <section class="settings-feeds" aria-labelledby="pfeeds-h">
      <h1 id="pfeeds-h">Private feeds</h1>
      <p>
        Read your Following, For you and collections in any feed reader (RSS 2.0, Atom 1.0 or JSON Feed 1.1). Each feed has a secret URL: anyone who has it can read that feed, so keep it to yourself. Replace it if it leaked (the old URL stops working at once) or revoke it. Public collections also have a public feed on their page.
      </p>
      {opts.made ? (
        <div class="notice success" role="status">
          <p>
            <strong>The private feed URL of {opts.made.label}.</strong> Copy it now: it will not be shown again.
          </p>
          <ul class="plain private-feed-urls">
            {FORMATS.map((f) => (
              <li>
                <label>
                  {LABEL[f]} <input class="token" type="text" readonly size={80} value={`${base}${privateFeedPath(opts.made!.token, f)}`} />
                </label>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {opts.notice ? (
        <p class="notice" role="status">
          {opts.notice}
        </p>
      ) : null}
      <table class="tokens private-feeds">
        <thead>
          <tr>
            <th scope="col">Feed</th>
            <th scope="col">Secret URL</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>
                <a href={r.page}>{r.label}</a>
              </td>
              <td>{r.active ? <span>made {fmt(r.active.createdAt)}, starts <code>/feeds/private/{r.active.prefix}…</code></span> : <span class="muted">none</span>}</td>
              <td>
                <form method="post" action="/settings/feeds" class="inline">
                  <Hidden c={c} />
                  <input type="hidden" name="feed" value={r.key} />
                  <button type="submit" aria-label={`${r.active ? 'Replace the URL of' : 'Make a URL for'} ${r.label}`}>
                    {r.active ? 'Replace URL' : 'Make URL'}
                  </button>
                </form>
                {r.active ? (
                  <form method="post" action={`/settings/feeds/${r.active.id}/revoke`} class="inline">
                    <Hidden c={c} />
                    <button type="submit" class="danger" aria-label={`Revoke the URL of ${r.label}`}>
                      Revoke
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>,
  );
}

function requireUser(c: WebContext) {
  const user = c.get('user');
  if (!user) return { user: null, redirect: c.redirect(`/login?next=${encodeURIComponent('/settings/feeds')}`, 303) };
  return { user, redirect: null };
}

export function privateFeedRoutes() {
  const app = new Hono<AppEnv>();
  const limit = rateLimit(LIBRARY_LIMITS.perIp, { perUser: LIBRARY_LIMITS.perUser });

  app.get('/settings/feeds', async (c) => {
    const { user, redirect } = requireUser(c);
    if (!user) return redirect;
    return settingsPage(c);
  });

  app.post('/settings/feeds', limit, form(targetSchema), async (c) => {
    const { user, redirect } = requireUser(c);
    if (!user) return redirect;
    const key = c.req.valid('form').feed;
    const target = targetOf(key);
    const made = await makeFeedToken(c.get('ctx'), user, target);
    const label = target.kind === 'following' ? 'Following' : target.kind === 'foryou' ? 'For you' : `your collection`;
    return settingsPage(c, { made: { label, token: made.token } });
  });

  app.post('/settings/feeds/:id/revoke', limit, async (c) => {
    const { user, redirect } = requireUser(c);
    if (!user) return redirect;
    const id = c.req.param('id');
    if (!/^\d{1,9}$/.test(id)) throw new AppError('not_found', 'No such feed URL.');
    await revokeFeedToken(c.get('ctx'), user, Number(id));
    return settingsPage(c, { notice: 'Revoked: that URL no longer works.' });
  });

  app.get('/feeds/private/:file', async (c) => {
    // Whatever happens below, the secret in the path must not travel on in a Referer header.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Robots-Tag', 'noindex');
    const m = /^(.+)\.(rss|atom|json)$/.exec(c.req.param('file'));
    if (!m) throw new AppError('not_found', 'No such feed.');
    const ctx = c.get('ctx');
    const w = c.req.query('window');
    const doc = await privateFeed(ctx, m[1], ctx.config.baseUrl, { window: w === 'day' || w === 'month' ? w : 'week' });
    const r = renderFeed(doc, m[2] as FeedFormat);
    c.header('ETag', r.etag);
    c.header('Last-Modified', r.lastModified.toUTCString());
    c.header('Cache-Control', 'private, max-age=300');
    if (notModified(r, c.req.header('if-none-match'), c.req.header('if-modified-since'))) return c.body(null, 304);
    return c.body(r.body, 200, { 'Content-Type': r.contentType });
  });

  return app;
}
