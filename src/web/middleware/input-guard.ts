/**
 * Input the routes cannot use, answered with a readable 400 inside the app, never a 500.
 *
 * Refuses a NUL character (U+0000) in the path, a query parameter, a form
 * field or a JSON string: PostgreSQL refuses NUL in text values, so on that store any route
 * writing or even looking up such a value would fail with a 500; refusing it here, before any
 * route, gives the same answer on every route and both stores.
 * Bodies are read through Hono's cached parsers, so handlers read the same parsed body again.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';
import { AppError } from '../../domain/errors.js';

export const NUL_MESSAGE = 'The request contains a NUL character (U+0000), which Papertide does not accept in any text. Remove it and try again.';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// What Node's http module accepts in a header value (lib/_http_common.js checkInvalidHeaderChar).
// eslint-disable-next-line no-control-regex
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function hasNulDeep(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 50 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => hasNulDeep(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNulDeep(x, depth + 1));
}

export function inputGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    const rawPath = url.slice(url.indexOf('/', url.indexOf('//') + 2), q < 0 ? undefined : q);
    // Malformed percent-encoding is left to the routes (the router keeps such a segment as
    // written and the route answers 400/404 for it); only a NUL is refused here.
    if (/%00/i.test(rawPath) || rawPath.includes('\u0000')) throw new AppError('bad_request', NUL_MESSAGE);
    if (q >= 0) {
      const search = url.slice(q + 1).replace(/#.*$/, '');
      if (/%00/i.test(search) || search.includes('\u0000')) throw new AppError('bad_request', NUL_MESSAGE);
    }
    if (UNSAFE.has(c.req.method)) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody({ all: true }).catch(() => null);
        if (body && hasNulDeep(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, Array.isArray(v) ? v.filter((x) => typeof x === 'string') : typeof v === 'string' ? v : '']))))
          throw new AppError('bad_request', NUL_MESSAGE);
      } else if (type.startsWith('application/json')) {
        const text = await c.req.text().catch(() => '');
        if (text.includes('\u0000')) throw new AppError('bad_request', NUL_MESSAGE);
        if (/\\u0000/i.test(text)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined; // the handler reports bad JSON itself
          }
          if (hasNulDeep(parsed)) throw new AppError('bad_request', NUL_MESSAGE);
        }
      }
    }
    await next();
    // Last line of defence for headers built from input: a value Node's HTTP writer refuses
    // (control characters other than tab; WHATWG Headers lets \x01-\x1f through) would make
    // @hono/node-server answer a raw 500 "Error: Invalid character in header content" outside
    // the app. Answer a plain 400 from here instead.
    for (const [, v] of c.res.headers) {
      if (INVALID_HEADER_VALUE.test(v)) {
        c.res = undefined as unknown as Response; // drop the bad headers rather than merge them
        c.res = new Response('Bad request: the address or form contains characters that cannot be used here.', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
        break;
      }
    }
  };
}
