/**
 * The Hono application: middleware, static assets, and every feature's routes. Each feature
 * exports a route factory; mount it here (one line) in the section it belongs to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../app.js';
import { ROOT_DIR } from '../app.js';
import type { AppEnv } from './types.js';
import { createSlots, type Slots } from './slots.js';
import { notFound, onError } from './errors.js';
import { dailyRoutes } from './pages/daily.js';
import { paperRoutes } from './pages/paper.js';
import { registerSimilarPapers } from './pages/similar.js';
import { subscribeRoutes } from './pages/subscribe.js'; // digests (issue 6)
import { apiRoutes } from './api/routes.js'; // api (issue 7)
import { requireTokenForApiWrites } from './middleware/bearer.js'; // api (issue 7)
import { feedRoutes, feedAlternates } from './pages/feeds.js'; // api (issue 7)
import { apiTokenRoutes } from './pages/api-tokens.js'; // api (issue 7)
import { sessionMiddleware } from './middleware/session.js';
import { csrfProtection } from './middleware/csrf.js';
import { inputGuard } from './middleware/input-guard.js';
import { authRoutes } from './pages/auth.js';
import { trendingRoutes } from './pages/trending.js';
import { aboutTrendingRoutes } from './pages/about-trending.js';
import { voteRoutes } from './pages/votes.js';
import { submitRoutes } from './pages/submit.js';
import { commentRoutes } from './pages/comments.js';
import { moderationRoutes } from './pages/moderation.js';
import { userRoutes } from './pages/user.js';
import { searchRoutes } from './pages/search.js'; // search (issue 4)

const STATIC_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
};

/** Serve files from a folder under a prefix, read once and kept in memory, with long caching. */
function staticDir(prefix: string, dir: string) {
  const cache = new Map<string, Buffer | null>();
  return async (c: any) => {
    const rel = c.req.path.slice(prefix.length);
    if (rel.includes('..') || rel.includes('\0')) return c.notFound();
    let body = cache.get(rel);
    if (body === undefined) {
      const file = path.join(dir, rel);
      body = fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file) : null;
      cache.set(rel, body);
    }
    if (!body) return c.notFound();
    return c.body(body, 200, {
      'Content-Type': STATIC_TYPES[path.extname(rel)] ?? 'application/octet-stream',
      'Cache-Control': 'public, max-age=3600',
    });
  };
}

export interface WebApp {
  app: Hono<AppEnv>;
  slots: Slots;
}

export function createWebApp(ctx: AppContext): WebApp {
  const app = new Hono<AppEnv>();
  const slots = createSlots();

  app.use('*', async (c, next) => {
    c.set('ctx', ctx);
    c.set('user', null);
    c.set('csrf', '');
    c.set('alternates', []);
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    if (!c.res.headers.has('X-Frame-Options')) c.header('X-Frame-Options', 'DENY');
  });
  app.use('*', bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text('Request body too large (256 KiB at most).', 413) }));
  app.use('*', inputGuard()); // malformed %-encoding and NUL characters: a 400 on every route and store

  // --- static assets
  app.get('/static/katex/*', staticDir('/static/katex/', path.join(ROOT_DIR, 'node_modules', 'katex', 'dist')));
  app.get('/static/*', staticDir('/static/', path.join(ROOT_DIR, 'src', 'web', 'static')));
  app.get('/favicon.ico', (c) => c.redirect('/static/favicon.svg', 301));
  app.get('/healthz', (c) => c.json({ ok: true }));

  // --- middleware of features (sessions, CSRF, rate limits) mount here, before pages
  app.use('/api/*', requireTokenForApiWrites()); // api (issue 7)
  app.use('*', feedAlternates()); // api (issue 7)
  app.use('*', sessionMiddleware());
  app.use('*', csrfProtection());

  // --- pages and APIs of features
  app.route('/', dailyRoutes());
  app.route('/', paperRoutes(slots));
  app.route('/', apiRoutes(ctx)); // api (issue 7)
  app.route('/', feedRoutes(ctx)); // api (issue 7)
  app.route('/', apiTokenRoutes()); // api (issue 7)
  app.route('/', authRoutes());
  app.route('/', trendingRoutes(slots));
  app.route('/', aboutTrendingRoutes());
  registerSimilarPapers(slots); // paper page: similar papers (search index neighbours)
  app.route('/', voteRoutes());
  app.route('/', submitRoutes());
  app.route('/', commentRoutes(slots));
  app.route('/', moderationRoutes());
  app.route('/', userRoutes());
  app.route('/', searchRoutes()); // search (issue 4)
  app.route('/', subscribeRoutes()); // digests (issue 6)

  app.notFound(notFound);
  app.onError(onError);
  return { app, slots };
}
