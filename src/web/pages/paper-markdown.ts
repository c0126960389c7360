/**
 * `GET /papers/{id}.md`, and `GET /papers/{id}` with `Accept: text/markdown` (and not HTML):
 * the paper as Markdown (presenters/paper.markdown.ts), as Hugging Face's `read_paper` reads it.
 * Everything else falls through to the HTML paper page.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../types.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { getPaper } from '../../papers/papers.repository.js';
import { AppError } from '../../domain/errors.js';
import { paperMarkdown } from '../presenters/paper.markdown.js';

/** Does the client ask for Markdown rather than HTML? (q-values are not weighed: HTML wins a tie.) */
function wantsMarkdown(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  return types.includes('text/markdown') && !types.includes('text/html');
}

export function paperMarkdownRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/papers/:id{.+}', async (c, next) => {
    const raw = c.req.param('id');
    const isMd = raw.endsWith('.md');
    if (!isMd && !wantsMarkdown(c.req.header('accept'))) return next();
    let text = isMd ? raw.slice(0, -3) : raw;
    try {
      text = decodeURIComponent(text);
    } catch {
      /* left as it is: not an id either way */
    }
    const parsed = parseArxivId(text);
    if (!parsed) throw new AppError('not_found', `No paper with arXiv id “${text.slice(0, 80)}” here.`);
    const paper = await getPaper(c.get('ctx').store.db, parsed.id);
    const role = c.get('user')?.role;
    if (!paper || (paper.hidden && role !== 'moderator' && role !== 'admin')) throw new AppError('not_found', `Papertide does not have arXiv:${parsed.id}.`);
    c.header('Vary', 'Accept');
    return c.body(paperMarkdown(paper, { baseUrl: c.get('ctx').config.baseUrl }), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
  return app;
}
