/** `/submit`: a signed-in, verified user submits an arXiv id or URL to today's daily papers. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { isAppError } from '../../domain/errors.js';
import { rateLimit, type LimitSpec } from '../middleware/rate-limit.js';
import { submitPaper } from '../../submissions/submissions.service.js';
import { FormError, Hidden } from '../components/form.js';
import { firstIssue, formFields as formOf } from '../validate.js';

export const SUBMIT_LIMITS = {
  perIp: { name: 'submit', points: 60, duration: 3600 },
  perUser: { name: 'submit', points: 20, duration: 3600 },
} satisfies Record<string, LimitSpec>;

const submitSchema = z.object({
  arxiv: z.string().trim().min(1, 'Enter an arXiv id (like 2401.12345) or an arXiv URL.').max(300, 'That is too long to be an arXiv id or URL.'),
});

function SubmitForm({ c, value, error, notice }: { c: WebContext; value?: string; error?: string; notice?: string }) {
  const ctx = c.get('ctx');
  const user = c.get('user');
  return (
    <section class="form-card" aria-labelledby="submit-h">
      <h1 id="submit-h">Submit a paper</h1>
      {notice ? (
        <p class="notice ok" role="status">
          {notice}
        </p>
      ) : null}
      <p class="muted">
        Add a paper to today's daily papers. It must have been published on arXiv in the last {ctx.config.SUBMIT_MAX_AGE_DAYS} days and not featured before; you can submit {ctx.config.SUBMIT_PER_USER_PER_DAY} a day.
      </p>
      {user && !user.emailVerified ? (
        <p class="notice" role="note">
          Confirm your email address first: open the link we sent to {user.email}.{' '}
          <form method="post" action="/verify/resend" class="inline">
            <Hidden c={c} />
            <button type="submit" class="link">Send a new link</button>
          </form>
        </p>
      ) : null}
      <FormError message={error} />
      {/* /static/submit.js sends this form with fetch and shows how long arXiv is taking; without it the form posts normally. */}
      <form method="post" action="/submit" data-submit-progress data-wait-seconds={String(Math.ceil(ctx.config.SUBMIT_ARXIV_TIMEOUT_MS / 1000))}>
        <Hidden c={c} />
        <label for="arxiv">arXiv id or URL</label>
        <input id="arxiv" name="arxiv" type="text" required maxlength={300} placeholder="2401.12345 or https://arxiv.org/abs/2401.12345" value={value ?? ''} autocomplete="off" />
        <p class="submit-row">
          <button type="submit">Submit</button>
          <span class="submit-status" role="status" aria-live="polite"></span>
        </p>
        <p class="muted small">
          A paper that is not here yet is fetched from arXiv first: that takes a few seconds, at most {Math.ceil(ctx.config.SUBMIT_ARXIV_TIMEOUT_MS / 1000)}.
        </p>
      </form>
      <script src="/static/submit.js" defer nonce={c.get('secureHeadersNonce')}></script>
    </section>
  );
}

export function submitRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/submit', (c) => {
    if (!c.get('user')) return c.redirect(`/login?next=${encodeURIComponent(c.req.url.replace(/^https?:\/\/[^/]+/, ''))}`, 303);
    return renderPage(c, { title: 'Submit a paper', noindex: true }, <SubmitForm c={c} value={c.req.query('id')?.slice(0, 300)} />);
  });
  app.post('/submit', rateLimit(SUBMIT_LIMITS.perIp, { perUser: SUBMIT_LIMITS.perUser }), async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect('/login?next=/submit', 303);
    const form = await formOf(c);
    const parsed = submitSchema.safeParse(form);
    if (!parsed.success) return renderPage(c, { title: 'Submit a paper', status: 400, noindex: true }, <SubmitForm c={c} value={form.arxiv} error={firstIssue(parsed.error)} />);
    try {
      const r = await submitPaper(c.get('ctx'), user, parsed.data.arxiv);
      return c.redirect(`/papers/${r.paperId}?submitted=${r.date}`, 303);
    } catch (e) {
      if (isAppError(e) && e.code !== 'internal' && e.code !== 'config') {
        if (e.code === 'rate_limited' && e.details?.retryAfter) c.header('Retry-After', String(e.details.retryAfter));
        return renderPage(c, { title: 'Submit a paper', status: e.status, noindex: true }, <SubmitForm c={c} value={parsed.data.arxiv} error={e.message} />);
      }
      throw e;
    }
  });
  return app;
}
