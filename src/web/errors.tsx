/** One place that turns errors into responses: JSON for /api and feeds, a helpful page otherwise. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, isAppError, toAppError } from '../domain/errors.js';
import { extractArxivId } from '../domain/arxiv-id.js';
import type { AppEnv } from './types.js';
import { renderPage } from './layout.js';
import { tryDecodeURIComponent } from '../domain/safe-url.js';

function wantsJson(c: Context<AppEnv>): boolean {
  const p = c.req.path;
  return p.startsWith('/api/') || p === '/api' && c.req.header('accept')?.includes('json') === true || p.startsWith('/feeds/') && p.endsWith('.json');
}

export function errorPage(c: Context<AppEnv>, status: number, heading: string, message: string, extra?: { arxivId?: string }) {
  return renderPage(c, { title: heading, status, noindex: true }, (
    <section class="error-page" aria-labelledby="err-h">
      <p class="status">{status}</p>
      <h1 id="err-h">{heading}</h1>
      <p>{message}</p>
      {extra?.arxivId ? (
        <p>
          <a class="button" href={`https://arxiv.org/abs/${extra.arxivId}`}>Open arXiv:{extra.arxivId} on arXiv</a>{' '}
          <a class="button" href={`/submit?id=${encodeURIComponent(extra.arxivId)}`}>Submit it to Papertide</a>
        </p>
      ) : null}
      <form action="/search" method="get" role="search" class="error-search">
        <label for="err-q">Search papers instead</label>
        <input id="err-q" name="q" type="search" maxlength={250} />
        <button type="submit">Search</button>
      </form>
      <p>
        Or go to <a href="/">today's papers</a>, <a href="/papers/trending">trending</a>.
      </p>
    </section>
  ));
}

export function notFound(c: Context<AppEnv>) {
  if (wantsJson(c)) return c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404);
  const guess = extractArxivId(tryDecodeURIComponent(c.req.path.slice(1)) ?? c.req.path.slice(1)); // c.req.path is decoded once already
  if (guess) return c.redirect(`/papers/${guess.id}`, 302);
  return errorPage(c, 404, 'Page not found', `There is no page at ${c.req.path}. It may have moved, or the address may have a typo.`);
}

export function onError(thrown: Error, c: Context<AppEnv>) {
  const err = toAppError(thrown) ?? thrown;
  if (isAppError(err)) {
    if (err.code === 'rate_limited' && err.details?.retryAfter) c.header('Retry-After', String(err.details.retryAfter));
    if (wantsJson(c)) return c.json({ error: err.message }, err.status as any);
    const heading = err.code === 'not_found' ? 'Not found' : err.code === 'bad_request' ? 'That did not work' : err.code === 'forbidden' || err.code === 'unauthorized' ? 'Not allowed' : err.code === 'rate_limited' ? 'Slow down' : 'Something went wrong';
    return errorPage(c, err.status, heading, err.message, { arxivId: err.details?.arxivId as string | undefined });
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const message = status === 413 ? 'The request is too large.' : err.message || 'Bad request.';
    if (wantsJson(c)) return c.json({ error: message }, status);
    return errorPage(c, status, status === 413 ? 'Too large' : 'That did not work', message);
  }
  c.get('ctx')?.logger.error({ err, path: c.req.path }, 'unhandled error');
  if (wantsJson(c)) return c.json({ error: 'Internal error. It has been logged.' }, 500);
  return errorPage(c, 500, 'Something went wrong', 'An unexpected error happened on our side. It has been logged; please try again.');
}

export { AppError };
