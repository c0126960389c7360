/**
 * Sessions: the `pt_session` cookie (httpOnly, SameSite=Lax; when BASE_URL is https, Secure and
 * named `__Host-pt_session`, a prefix browsers only accept from the host itself over https with
 * Path=/ and no Domain, so a sibling subdomain cannot plant or shadow it) holds a random token;
 * the store keeps only its sha256 (src/users). Sets c.get('user'). Sessions end after
 * SESSION_IDLE_DAYS without use and SESSION_DAYS after login, whichever comes first.
 *
 * A request carrying `Authorization: Bearer …` is an API client: the cookie is ignored, so a
 * cross-site request can never combine a browser's session with the CSRF exemption of API
 * tokens (see csrf.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { AppEnv, WebContext } from '../types.js';
import { sessionUser, SESSION_DAYS } from '../../users/users.service.js';

export const SESSION_COOKIE = 'pt_session';

const sessionHashes = new WeakMap<Request, string>();

/** sha256 of the current request's session token, when it has a live session. */
export function sessionHashOf(c: WebContext): string | null {
  return sessionHashes.get(c.req.raw) ?? null;
}

export function hasBearer(c: WebContext): boolean {
  return /^bearer\s/i.test(c.req.header('authorization') ?? '');
}

export function secureCookies(c: WebContext): boolean {
  return c.get('ctx').config.baseUrl.startsWith('https:');
}

/** A cookie's name: `__Host-` prefixed when cookies are Secure (BASE_URL is https). */
export function cookieName(c: WebContext, name: string): string {
  return secureCookies(c) ? `__Host-${name}` : name;
}

export function setSessionCookie(c: WebContext, token: string): void {
  setCookie(c, cookieName(c, SESSION_COOKIE), token, { httpOnly: true, sameSite: 'Lax', secure: secureCookies(c), path: '/', maxAge: SESSION_DAYS * 86_400 });
}

export function clearSessionCookie(c: WebContext): void {
  deleteCookie(c, cookieName(c, SESSION_COOKIE), { path: '/', secure: secureCookies(c) });
}

export function sessionMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasBearer(c)) {
      const token = getCookie(c, cookieName(c, SESSION_COOKIE));
      if (token) {
        const u = await sessionUser(c.get('ctx'), token);
        if (u) {
          c.set('user', { id: u.id, name: u.name, email: u.email, role: u.role, emailVerified: u.emailVerified });
          sessionHashes.set(c.req.raw, u.sessionHash);
        } else {
          clearSessionCookie(c); // expired, logged out elsewhere, or banned
        }
      }
    }
    await next();
  };
}
