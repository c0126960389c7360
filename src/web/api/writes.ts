/**
 * API writes with personal API tokens (`Authorization: Bearer pt_…`, see middleware/bearer.ts):
 * submit a paper to today's daily papers, toggle an upvote, add a comment. They call the same
 * services as the pages (src/submissions, src/votes, src/comments), so the rules (14-day window,
 * one submission per paper, per-user limits, moderation) are the same.
 */
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { Limiter } from '../middleware/rate-limit.js';
import { requireTokenUser } from '../middleware/bearer.js';
import { CommentBody, SubmitBody } from './schemas.js';
import { jsonBody, parse, pathArxivId } from '../validate.js';
import { writePorts } from './write-ports.js';

function idFromPath(rest: string, suffix: string): string | null {
  return rest.endsWith(suffix) ? rest.slice(0, -suffix.length) : null;
}

export function writeRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  const writes = new Limiter({ name: 'API write', points: 60, duration: 60 });

  app.post('/api/papers/submit', async (c) => {
    const user = requireTokenUser(c);
    const body = parse(SubmitBody, await jsonBody(c));
    await writes.consume(`u${user.id}`, c);
    const result = await writePorts(ctx).submitPaper(c, user, body.id);
    return c.json(result, 201);
  });

  app.post('/api/papers/:rest{.+}', async (c) => {
    const rest = c.req.param('rest');
    const upvoteOf = idFromPath(rest, '/upvote');
    const commentOf = idFromPath(rest, '/comments') ?? idFromPath(rest, '/comment');
    if (upvoteOf === null && commentOf === null) throw new AppError('not_found', `No route for POST ${c.req.path}`);
    const user = requireTokenUser(c);
    const id = pathArxivId((upvoteOf ?? commentOf)!);
    if (upvoteOf !== null) {
      await writes.consume(`u${user.id}`, c);
      return c.json(await writePorts(ctx).toggleVote(c, user, id));
    }
    const body = parse(CommentBody, await jsonBody(c));
    await writes.consume(`u${user.id}`, c);
    return c.json(await writePorts(ctx).addComment(c, user, id, body.body, body.parentId ?? null), 201);
  });

  return app;
}
