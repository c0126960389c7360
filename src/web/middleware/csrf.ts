/**
 * CSRF protection for every form and state-changing request (POST, PUT, PATCH, DELETE).
 *
 * The token pages embed as `_csrf` (c.get('csrf')) is an HMAC under the app secret of:
 * - the session (its stored hash) when signed in: a per-session token;
 * - otherwise a random value kept in the httpOnly `pt_csrf` cookie: a signed double-submit
 *   cookie for anonymous forms (login, sign-up, the footer subscribe form).
 * A request passes when its `_csrf` form field or `X-CSRF-Token` header equals the token of its
 * state: the session's when it has a live session (never an anonymous one then), else the
 * cookie's.
 * An attacker's page can neither read the cookie nor compute the HMAC, so it cannot forge one.
 *
 * Exempt: requests with `Authorization: Bearer` (API tokens; the session middleware ignores
 * cookies on them), and paths registered with `exemptFromCsrf` whose URL itself carries the
 * secret, like RFC 8058 one-click unsubscribe, which mail providers POST without a form.
 */
import crypto from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv, WebContext } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { cookieName, hasBearer, secureCookies, sessionHashOf } from './session.js';

export const CSRF_COOKIE = 'pt_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const exempt: RegExp[] = [/^\/subscription\/[^/]+\/(unsubscribe|one-click)$/, /^\/unsubscribe\/[^/]+$/];

/** Let a path skip CSRF checks: only for URLs that carry their own secret token. */
export function exemptFromCsrf(pattern: RegExp): void {
  exempt.push(pattern);
}

function hmac(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(value).digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export const FORGED_MESSAGE = 'This form has expired or did not come from a Papertide page. Go back, reload the page and try again.';

async function submittedToken(c: WebContext): Promise<string> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    try {
      const body = await c.req.parseBody(); // cached: handlers read the same parsed body
      const v = body[CSRF_FIELD];
      return typeof v === 'string' ? v : '';
    } catch {
      return '';
    }
  }
  return '';
}

export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (hasBearer(c)) return next();
    const secret = c.get('ctx').secret;
    const session = sessionHashOf(c);
    let anon = getCookie(c, cookieName(c, CSRF_COOKIE)) ?? '';
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(anon)) anon = '';
    const sessionToken = session ? hmac(secret, `session:${session}`) : '';
    const anonToken = anon ? hmac(secret, `anon:${anon}`) : '';
    if (!session && !anon) {
      anon = crypto.randomBytes(24).toString('base64url');
      setCookie(c, cookieName(c, CSRF_COOKIE), anon, { httpOnly: true, sameSite: 'Lax', secure: secureCookies(c), path: '/' });
    }
    c.set('csrf', session ? sessionToken : hmac(secret, `anon:${anon}`));
    if (UNSAFE.has(c.req.method) && !exempt.some((re) => re.test(c.req.path))) {
      const got = await submittedToken(c);
      // Signed in: only the session's token. An anonymous token is not enough, since an attacker
      // can mint one for a cookie value they plant (a sibling subdomain can set `pt_csrf`).
      const ok = !!got && (session ? same(got, sessionToken) : !!anonToken && same(got, anonToken));
      if (!ok) throw new AppError('forbidden', FORGED_MESSAGE, { csrf: true });
    }
    await next();
  };
}
