/**
 * The JSON API, compatible with Hugging Face's /api/daily_papers, /api/papers/{id} and
 * /api/papers/search, plus /api/papers (cursor paging), /api/trending and
 * /api/papers/{id}/similar. Each handler: validate (zod) → authorize → call a service → present.
 * Errors are `{"error": "..."}` (web/errors.tsx). CORS is open for GET; anonymous reads are
 * limited per IP, token-authenticated ones per user, with RateLimit-* headers and 429.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { Limiter, clientIp } from '../middleware/rate-limit.js';
import { bearerAuth } from '../middleware/bearer.js';
import { dailyPapers, listedPaper, papersPage, searchPapers, visiblePaper, similarPapers, trendingPapers } from '../../feeds/listings.service.js';
import { presentDailyItem, presentItems, presentPaper, presentTrendingItem } from '../presenters/paper.presenter.js';
import { DailyPapersQuery, PapersQuery, SearchQuery, SimilarQuery, TrendingQuery } from './schemas.js';
import { parse, pathArxivId, query } from '../validate.js';
import { listingDeps } from './deps.js';
import { writeRoutes } from './writes.js';
import { docsRoutes } from './docs.js';
import { libraryApiRoutes } from './library-api.js';

const RATE_HEADERS = ['RateLimit', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'Link'];

/** Per-IP limit for anonymous reads, per-user for token-authenticated requests. */
export function apiRateLimit(ctx: AppContext, name = 'API'): MiddlewareHandler<AppEnv> {
  const points = ctx.config.RATE_LIMIT_PER_MINUTE;
  const anon = new Limiter({ name, points, duration: 60 });
  const users = new Limiter({ name: `${name} (per user)`, points: points * 2, duration: 60 });
  return async (c, next) => {
    const user = c.get('user');
    if (user) await users.consume(`u${user.id}`, c);
    else await anon.consume(clientIp(c), c);
    await next();
  };
}

export function apiRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.use('/api/*', cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], exposeHeaders: RATE_HEADERS, maxAge: 86400 }));
  app.use('/api/*', bearerAuth());
  app.use('/api/*', apiRateLimit(ctx));
  app.use('/api/*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' && c.res.status === 200 && !c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'public, max-age=60');
  });

  app.get('/api/daily_papers', query(DailyPapersQuery), async (c) => {
    const q = c.req.valid('query');
    const { items } = await dailyPapers(listingDeps(c.get('ctx')), { date: q.date, week: q.week, month: q.month, page: q.p ?? 0, limit: q.limit ?? 50, sort: q.sort, submitter: q.submitter });
    return c.json(items.map(presentDailyItem));
  });

  app.get('/api/papers/search', query(SearchQuery), async (c) => {
    const q = c.req.valid('query');
    const { items, engine } = await searchPapers(listingDeps(c.get('ctx')), q.q, q.limit ?? 50);
    c.header('X-Search-Engine', engine);
    return c.json(presentItems(items));
  });

  app.get('/api/papers', query(PapersQuery), async (c) => {
    const q = c.req.valid('query');
    const limit = q.limit ?? 50;
    const { items, nextCursor } = await papersPage(listingDeps(c.get('ctx')), { cursor: q.cursor, limit });
    if (nextCursor) {
      const next = new URL('/api/papers', c.get('ctx').config.baseUrl);
      next.searchParams.set('cursor', nextCursor);
      if (q.limit) next.searchParams.set('limit', String(limit));
      c.header('Link', `<${next.toString()}>; rel="next"`);
    }
    return c.json(items.map((x) => presentPaper(x.paper, x.featured)));
  });

  app.get('/api/trending', query(TrendingQuery), async (c) => {
    const q = c.req.valid('query');
    const limit = q.limit ?? 50;
    const items = await trendingPapers(listingDeps(c.get('ctx')), { limit, offset: (q.p ?? 0) * limit, window: q.window });
    return c.json(items.map(presentTrendingItem));
  });

  // arXiv ids may contain a slash (hep-th/9901001): match the rest of the path, then dispatch.
  app.get('/api/papers/:rest{.+}', async (c) => {
    const rest = c.req.param('rest');
    const deps = listingDeps(c.get('ctx'));
    if (rest.endsWith('/similar')) {
      const id = pathArxivId(rest.slice(0, -'/similar'.length));
      const q = parse(SimilarQuery, c.req.query());
      const paper = await visiblePaper(deps, id);
      if (!paper) throw new AppError('not_found', `No paper with arXiv id ${id} here.`);
      return c.json(presentItems(await similarPapers(deps, paper, q.limit ?? 10)));
    }
    const id = pathArxivId(rest);
    const found = await listedPaper(deps, id);
    if (!found) throw new AppError('not_found', `No paper with arXiv id ${id} here.`);
    return c.json(presentPaper(found.paper, found.featured));
  });

  app.route('/', writeRoutes(ctx));
  app.route('/', libraryApiRoutes(ctx)); // library, collections, follows, recommendations (Bearer)
  app.route('/', docsRoutes());
  return app;
}
