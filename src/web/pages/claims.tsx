/**
 * Claiming authorship from the paper page (POST /claims) and deciding claims on the moderation
 * page (POST /moderation/claims/{id}/approve|reject). The forms carry the CSRF token like every
 * other form; refusals (unverified account, someone else's name) are readable 4xx pages.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { claimAuthorship, decideClaim } from '../../claims/claims.service.js';
import { Hidden, firstIssue, formOf } from './auth.js';

const claimForm = z.object({ paper: z.string().min(1, 'Which paper? The form lacks its arXiv id.').max(60), author: z.string().trim().min(1, 'Choose the author name that is yours.').max(500) });
const idParam = z.coerce.number().int().positive().max(2_147_483_647);

/** The claim form under a paper's details, for a signed-in user (rendered per request: it carries the CSRF token). */
export function ClaimForm({ c, paperId, authors }: { c: WebContext; paperId: string; authors: string[] }) {
  const user = c.get('user');
  if (!authors.length) return null;
  if (!user) {
    return (
      <p class="muted small">
        Are you an author? <a href={`/login?next=${encodeURIComponent(`/papers/${paperId}`)}`}>Log in</a> to claim authorship.
      </p>
    );
  }
  return (
    <form method="post" action="/claims" class="claim-form">
      <Hidden c={c} />
      <input type="hidden" name="paper" value={paperId} />
      <label for="claim-author">Are you an author? Claim your name</label>{' '}
      <select id="claim-author" name="author" required>
        {authors.map((a) => (
          <option value={a}>{a}</option>
        ))}
      </select>{' '}
      <button type="submit">Claim authorship</button>
      <span class="muted small"> A moderator checks each claim.</span>
    </form>
  );
}

export function claimRoutes() {
  const app = new Hono<AppEnv>();
  app.post('/claims', rateLimit({ name: 'claim', points: 30, duration: 60 }), async (c) => {
    const parsed = claimForm.safeParse(await formOf(c));
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const id = parseArxivId(parsed.data.paper);
    if (!id) throw new AppError('bad_request', `“${parsed.data.paper.slice(0, 60)}” is not an arXiv id.`);
    const user = c.get('user');
    if (!user) return c.redirect(`/login?next=${encodeURIComponent(`/papers/${id.id}`)}`, 303);
    await claimAuthorship(c.get('ctx'), user, id.id, parsed.data.author);
    return c.redirect(`/papers/${id.id}?claimed=1`, 303);
  });

  app.post('/moderation/claims/:id/:decision{approve|reject}', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) throw new AppError('not_found', 'That claim does not exist.');
    await decideClaim(c.get('ctx'), c.get('user') ?? null, id.data, c.req.param('decision') === 'approve');
    return c.redirect('/moderation?done=1', 303);
  });
  return app;
}
