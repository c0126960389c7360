/** POST /vote: toggle an upvote. JSON for the no-reload script, a redirect back for the plain form. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { rateLimit, type LimitSpec } from '../middleware/rate-limit.js';
import { toggleVote } from '../../votes/votes.service.js';
import { safeNext } from './auth.js';
import { firstIssue, formFields as formOf } from '../validate.js';

export const VOTE_LIMITS = {
  perIp: { name: 'vote', points: 300, duration: 60 },
  perUser: { name: 'vote', points: 60, duration: 60 },
} satisfies Record<string, LimitSpec>;

const voteSchema = z.object({
  paper: z.string().min(1, 'Which paper? The form lacks its arXiv id.').max(60),
  back: z.string().optional(),
  want: z.enum(['on', 'off']).optional(),
});

export function voteRoutes() {
  const app = new Hono<AppEnv>();
  app.post('/vote', rateLimit(VOTE_LIMITS.perIp, { perUser: VOTE_LIMITS.perUser }), async (c) => {
    const form = await formOf(c);
    const parsed = voteSchema.safeParse(form);
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const id = parseArxivId(parsed.data.paper);
    if (!id) throw new AppError('bad_request', `“${parsed.data.paper}” is not an arXiv id.`);
    const json = (c.req.header('accept') ?? '').includes('application/json');
    const user = c.get('user');
    if (!user) {
      if (json) return c.json({ error: 'Log in to upvote.', login: `/login?next=/papers/${id.id}` }, 401);
      return c.redirect(`/login?next=${encodeURIComponent(`/papers/${id.id}`)}`, 303);
    }
    try {
      const r = await toggleVote(c.get('ctx'), user, id.id, parsed.data.want === undefined ? undefined : parsed.data.want === 'on');
      if (json) return c.json(r);
      return c.redirect(safeNext(parsed.data.back, `/papers/${id.id}`), 303);
    } catch (e) {
      if (json && e instanceof AppError) return c.json({ error: e.message }, e.status as any);
      throw e;
    }
  });
  return app;
}
