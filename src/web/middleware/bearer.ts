/**
 * `Authorization: Bearer pt_…` for the JSON API: a valid personal API token sets c.get('user')
 * for the request. A request with an Authorization header that does not work is refused with
 * 401 (and `WWW-Authenticate`, RFC 6750) rather than silently treated as anonymous, so a script
 * with a revoked token finds out at once. Requests without the header pass through unchanged.
 *
 * API writes accept API tokens only, never the browser's session cookie: the CSRF middleware
 * exempts Bearer requests, so a write must prove itself with the token. `requireTokenForApiWrites`
 * runs before the session and CSRF middleware and answers a token-less API write with 401,
 * which tells a script what is missing (instead of a form-expired 403).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, WebContext } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { authenticateToken } from '../../api-tokens/api-tokens.service.js';

const viaToken = new WeakSet<Request>();

/** True when this request's user was authenticated by an API token. */
export function authenticatedByToken(c: WebContext): boolean {
  return viaToken.has(c.req.raw);
}

function missingToken(c: WebContext): never {
  c.header('WWW-Authenticate', 'Bearer realm="papertide"');
  throw new AppError('unauthorized', 'Writes need a personal API token: send “Authorization: Bearer <token>” (create one at /settings/tokens).');
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Mount on /api/* before sessions and CSRF: an API write without a Bearer token is 401. */
export function requireTokenForApiWrites(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (UNSAFE.has(c.req.method) && !/^bearer\s/i.test(c.req.header('authorization') ?? '')) missingToken(c);
    await next();
  };
}

export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) return next();
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m) {
      c.header('WWW-Authenticate', 'Bearer realm="papertide", error="invalid_request"');
      throw new AppError('unauthorized', 'The Authorization header must be “Bearer <token>” with a personal API token from /settings/tokens.');
    }
    const ctx = c.get('ctx');
    const user = await authenticateToken(ctx.store.db, m[1], ctx.clock.now());
    if (!user) {
      c.header('WWW-Authenticate', 'Bearer realm="papertide", error="invalid_token"');
      throw new AppError('unauthorized', 'This API token does not work: it is unknown or revoked. Create a new one at /settings/tokens.');
    }
    c.set('user', { id: user.id, name: user.name, email: user.email, role: user.role, emailVerified: user.emailVerified });
    viaToken.add(c.req.raw);
    await next();
  };
}

/** The token's user, or 401 (a session cookie does not count for API writes). */
export function requireTokenUser(c: WebContext) {
  const user = c.get('user');
  if (!user || !authenticatedByToken(c)) missingToken(c);
  return user;
}
