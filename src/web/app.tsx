/**
 * The Hono application: middleware, static assets, and every feature's routes. Each feature
 * exports a route factory; mount it here (one line) in the section it belongs to.
 */
import path from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders, NONCE } from 'hono/secure-headers';
import { serveStatic } from '@hono/node-server/serve-static';
import type { AppContext } from '../context.js';
import { ROOT_DIR } from '../paths.js';
import type { AppEnv } from './types.js';
import { createSlots, type Slots } from './slots.js';
import { notFound, onError } from './errors.js';
import { dailyRoutes } from './pages/daily.js';
import { paperRoutes } from './pages/paper.js';
import { paperMarkdownRoutes } from './pages/paper-markdown.js';
import { registerSimilarPapers } from './pages/similar.js';
import { subscribeRoutes } from './pages/subscribe.js';
import { apiRoutes } from './api/routes.js';
import { requireTokenForApiWrites } from './middleware/bearer.js';
import { feedRoutes, feedAlternates } from './pages/feeds.js';
import { apiTokenRoutes } from './pages/api-tokens.js';
import { sessionMiddleware } from './middleware/session.js';
import { csrfProtection } from './middleware/csrf.js';
import { listen } from './server.js';
import type { ServerType } from '@hono/node-server';
import { SEARCH_PATHS, searchGuard, type EarlyAnswer, type RawRequest, type SearchGate } from './middleware/search-guard.js';
import { inputGuard } from './middleware/input-guard.js';
import { authRoutes } from './pages/auth.js';
import { trendingRoutes } from './pages/trending.js';
import { aboutTrendingRoutes } from './pages/about-trending.js';
import { voteRoutes } from './pages/votes.js';
import { submitRoutes } from './pages/submit.js';
import { commentRoutes } from './pages/comments.js';
import { moderationRoutes } from './pages/moderation.js';
import { userRoutes } from './pages/user.js';
import { searchRoutes } from './pages/search.js';
import { libraryRoutes, registerLibrarySlots, importBodyLimit } from './pages/library.js';
import { followingRoutes, registerFollowSlots } from './pages/following.js';
import { forYouRoutes } from './pages/for-you.js';
import { organizationRoutes } from './pages/organization.js';
import { authorRoutes } from './pages/author.js';
import { claimRoutes } from './pages/claims.js';
import { privateFeedRoutes } from './pages/private-feeds.js';

/**
 * Files under a URL prefix, read from disk per request by node-server's serveStatic (the OS page
 * cache keeps them hot): nothing is remembered per path, so a flood of unique missing paths costs
 * a stat each and no memory. Traversal (`..`, encoded slashes, `%`) is refused by serveStatic.
 * With `last`, a missing file is a short plain 404 (an asset, not a page: no page frame, and the
 * path is not echoed back); otherwise the next route gets its turn.
 */
function staticDir(prefix: string, dir: string, opts: { last?: boolean } = {}): MiddlewareHandler<AppEnv> {
  const serve = serveStatic({ root: dir, rewriteRequestPath: (p) => p.slice(prefix.length - 1) });
  return async (c, next) => {
    let missing = false;
    const res = await serve(c, async () => {
      missing = true;
    });
    if (missing) return opts.last ? c.text('Not found: no such file.', 404) : next();
    if (res instanceof Response && res.ok) res.headers.set('Cache-Control', 'public, max-age=3600');
    return res;
  };
}

/**
 * The Content-Security-Policy of every response. Scripts come from this origin only (plus the
 * request's nonce, for an inline script a page may need); no inline handlers, no `javascript:`
 * URLs, no plugins, no <base>, no framing. Styles: stylesheets from this origin only, but style
 * *attributes* are allowed, because KaTeX lays out rendered math with inline `style="height:…"`
 * on its spans (without them fractions and roots collapse); an injected style attribute cannot
 * run script. Images may come from any https origin (paper thumbnails live on other hosts).
 */
function securityHeaders(ctx: AppContext): MiddlewareHandler<AppEnv> {
  const https = ctx.config.baseUrl.startsWith('https:');
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", NONCE],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      styleSrcElem: ["'self'"],
      styleSrcAttr: ["'unsafe-inline'"],
      imgSrc: ["'self'", 'https:', 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    permissionsPolicy: {
      camera: [],
      microphone: [],
      geolocation: [],
      payment: [],
      usb: [],
      browsingTopics: [],
    },
    crossOriginOpenerPolicy: 'same-origin',
    // Feeds, the API and images are meant to be fetched from elsewhere.
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: https ? 'max-age=31536000; includeSubDomains' : false,
    referrerPolicy: 'strict-origin-when-cross-origin',
    xFrameOptions: 'DENY',
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    // A handler's own header wins: subscription links send `Referrer-Policy: no-referrer`.
    overwrite: false,
  });
}

/**
 * Pages rendered for a signed-in user carry their name, CSRF token and votes: no cache may keep
 * them or hand them to someone else.
 */
function privatePages(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (!c.get('user')) return;
    if (!(c.res.headers.get('Content-Type') ?? '').startsWith('text/html')) return;
    c.header('Cache-Control', 'private, no-store');
    c.header('Vary', 'Cookie', { append: true });
  };
}

function noReferrer(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.header('Referrer-Policy', 'no-referrer');
  };
}

const MAX_PATH = 2048;

export interface WebApp {
  app: Hono<AppEnv>;
  slots: Slots;
  /** Search's concurrency gate (null when off). */
  searchGate: SearchGate | null;
  /** Answers the HTTP server gives before the app sees the request (src/web/server.ts). */
  early(req: RawRequest): EarlyAnswer | null;
  /** Serve the app over HTTP on one port (src/web/server.ts). */
  listen(opts: { port: number; hostname?: string }, onListening?: () => void): ServerType;
}

export function createWebApp(ctx: AppContext): WebApp {
  const app = new Hono<AppEnv>();
  const slots = createSlots();

  // No route has a path anywhere near this long; refusing early keeps a flood of huge unique
  // paths from being copied, decoded and stat'ed (garbage that makes the heap balloon).
  app.use('*', async (c, next) => (c.req.path.length > MAX_PATH ? c.text(`The address is too long (${MAX_PATH.toLocaleString('en')} characters at most before the "?").`, 414) : next()));
  app.use('*', securityHeaders(ctx));
  app.use('*', async (c, next) => {
    c.set('ctx', ctx);
    c.set('user', null);
    c.set('csrf', '');
    c.set('alternates', []);
    await next();
  });
  app.use('*', privatePages());
  // Subscription links carry their secret in the path: no page under them (a bad or expired
  // link's page included) may send it on in a Referer header.
  for (const p of ['/subscription/*', '/unsubscribe/*']) app.use(p, noReferrer());
  // Only requests that may carry a body: bodyLimit reads c.req.raw, which makes the adapter build a
  // full Request (with an AbortSignal) for every GET too, a cost every page and refusal paid.
  // The library import takes files up to its own, larger limit (src/web/pages/library.tsx).
  const formLimit = bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text('Request body too large (256 KiB at most).', 413) });
  const importLimit = importBodyLimit();
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : c.req.path === '/library/import' || c.req.path === '/api/library/import' ? importLimit(c, next) : formLimit(c, next)));
  app.use('*', inputGuard()); // malformed %-encoding and NUL characters: a 400 on every route and store

  // --- static assets
  app.get('/static/katex/*', staticDir('/static/katex/', path.join(ROOT_DIR, 'node_modules', 'katex', 'dist')));
  app.get('/static/*', staticDir('/static/', path.join(ROOT_DIR, 'src', 'web', 'static'), { last: true }));
  app.get('/favicon.ico', (c) => c.redirect('/static/favicon.svg', 301));
  // Liveness plus the search index's state ('ready', 'building', …): a deploy script or a benchmark
  // waits for 'ready' before sending search traffic. Costs one field read.
  app.get('/healthz', (c) => c.json({ ok: true, search: ctx.search?.state.kind ?? 'off' }));

  // --- search's own rate limit and concurrency gate, shared by the page, suggestions and the API
  const guard = searchGuard({ perMinute: ctx.config.SEARCH_RATE_PER_MINUTE, concurrency: ctx.config.SEARCH_CONCURRENCY, queue: ctx.config.SEARCH_QUEUE, https: ctx.config.baseUrl.startsWith('https:'), trustProxy: !!ctx.config.TRUST_PROXY });
  for (const p of SEARCH_PATHS) app.use(p, guard.middleware);

  // --- middleware of features (sessions, CSRF, rate limits) mount here, before pages
  app.use('/api/*', requireTokenForApiWrites());
  app.use('*', feedAlternates());
  app.use('*', sessionMiddleware());
  app.use('*', csrfProtection());

  // --- pages and APIs of features
  app.route('/', dailyRoutes());
  app.route('/', paperMarkdownRoutes()); // before the HTML page: /papers/{id}.md and Accept: text/markdown
  app.route('/', paperRoutes(slots));
  app.route('/', apiRoutes(ctx));
  app.route('/', feedRoutes(ctx));
  app.route('/', apiTokenRoutes());
  app.route('/', authRoutes());
  app.route('/', trendingRoutes(slots));
  app.route('/', aboutTrendingRoutes());
  registerSimilarPapers(slots); // paper page: similar papers (search index neighbours)
  app.route('/', voteRoutes());
  app.route('/', submitRoutes());
  app.route('/', commentRoutes(slots));
  app.route('/', moderationRoutes());
  app.route('/', userRoutes());
  app.route('/', searchRoutes());
  app.route('/', subscribeRoutes());
  registerLibrarySlots(slots); // paper page: Save, your note and collections, Cite
  registerFollowSlots(slots); // paper page: follow its authors and categories
  app.route('/', libraryRoutes());
  app.route('/', followingRoutes());
  app.route('/', forYouRoutes()); // For you, its dismissals and onboarding (src/recs)
  app.route('/', organizationRoutes());
  app.route('/', authorRoutes());
  app.route('/', claimRoutes());
  app.route('/', privateFeedRoutes()); // /settings/feeds, /feeds/private/{token}.*

  app.notFound(notFound);
  app.onError(onError);
  return { app, slots, searchGate: guard.gate, early: guard.early, listen: (opts, cb) => listen({ fetch: app.fetch, early: guard.early }, opts, cb) };
}
