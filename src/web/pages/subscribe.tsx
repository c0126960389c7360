/**
 * Digest subscription pages: /subscribe (double opt-in), /subscription/{token} (confirm, then
 * preferences — no login needed, the signed link is the key), /unsubscribe/{token} (footer link:
 * a page with one button; and RFC 8058 one-click: POST with `List-Unsubscribe=One-Click`, which
 * mail providers send without a form, so the path is exempt from CSRF in middleware/csrf.ts),
 * /subscription/manage (signed-in users: their subscription by their account's email).
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { Limiter, clientIp } from '../middleware/rate-limit.js';
import { AppError } from '../../domain/errors.js';
import { z } from 'zod';
import { emailField, firstOf, multiFieldsOf, multiForm } from '../validate.js';
import { COMMON_CATEGORIES, describeTopics, type Topics } from '../../digests/topics.js';
import {
  subscribe,
  openLink,
  confirmSubscription,
  parsePreferences,
  preferencesOf,
  updatePreferences,
  unsubscribe,
  manageUrlForEmail,
  linkFor,
  LinkError,
  MAX_PAPERS_LIMIT,
  type Preferences,
} from '../../digests/subscriptions.service.js';

/** Per client IP and per address, on top of the store's one-link-email-per-address-per-hour rule. */
export const SUBSCRIBE_LIMITS = {
  perIp: { name: 'subscribe', points: 20, duration: 3600 },
  perAddress: { name: 'subscribe-address', points: 5, duration: 3600 },
};

const noStore = (c: WebContext) => {
  // The URL carries a secret: never cache it, never leak it in a Referer header.
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
};

function Csrf({ c }: { c: WebContext }) {
  return <input type="hidden" name="_csrf" value={c.get('csrf') ?? ''} />;
}

function SubscribeForm({ c, email, error, cadence }: { c: WebContext; email?: string; error?: string; cadence?: string }) {
  return (
    <form method="post" action="/subscribe" class="form-card" novalidate>
      <Csrf c={c} />
      <label for="sub-email">Email address</label>
      <input id="sub-email" type="email" name="email" required autocomplete="email" value={email ?? ''} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'sub-email-error' : undefined} maxlength={254} />
      {error ? (
        <p id="sub-email-error" class="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <fieldset>
        <legend>How often</legend>
        <label class="inline-label"><input type="radio" name="cadence" value="daily" checked={cadence !== 'weekly'} /> Daily, on weekdays</label>
        <label class="inline-label"><input type="radio" name="cadence" value="weekly" checked={cadence === 'weekly'} /> Weekly, on Mondays</label>
      </fieldset>
      <fieldset>
        <legend>Topics (optional: none means everything trending)</legend>
        {COMMON_CATEGORIES.slice(0, 6).map((cat) => (
          <label class="inline-label"><input type="checkbox" name="categories" value={cat.id} /> {cat.name} <span class="muted">({cat.id})</span></label>
        ))}
        <label for="sub-keywords">Keywords, comma-separated</label>
        <input id="sub-keywords" name="keywords" placeholder="diffusion, retrieval augmented generation" maxlength={1000} />
      </fieldset>
      <button type="submit">Subscribe</button>
      <p class="muted small">We send a confirmation link first. Nothing else arrives until you click it. Every email has a one-click unsubscribe.</p>
    </form>
  );
}

function subscribePage(c: WebContext, opts: { email?: string; error?: string; status?: number; cadence?: string } = {}) {
  return renderPage(c, { title: 'Trending papers in your inbox', description: 'Daily or weekly digests of trending papers, filtered by your topics.', status: opts.status }, (
    <section aria-labelledby="sub-h">
      <h1 id="sub-h">Trending papers in your inbox</h1>
      <p>The top trending papers since your last digest, daily on weekdays or weekly, filtered by arXiv categories, keywords or saved searches. Title, authors, a short abstract, upvotes and code link for each.</p>
      <SubscribeForm c={c} email={opts.email} error={opts.error} cadence={opts.cadence} />
    </section>
  ));
}

function linkProblemPage(c: WebContext, e: LinkError) {
  const status = e.problem === 'expired' ? 410 : e.problem === 'unknown' ? 404 : 400;
  noStore(c);
  return renderPage(c, { title: 'This link does not work', status, noindex: true }, (
    <section aria-labelledby="link-h">
      <h1 id="link-h">This link does not work</h1>
      <p role="alert">{e.message}</p>
      <SubscribeForm c={c} />
    </section>
  ));
}

const list = (xs: string[]) => xs.join(', ');

function PreferencesForm({ c, token, prefs, problems }: { c: WebContext; token: string; prefs: Preferences; problems?: string[] }) {
  const known = new Set(COMMON_CATEGORIES.map((x) => x.id));
  const other = prefs.topics.categories.filter((x) => !known.has(x));
  return (
    <form method="post" action={`/subscription/${token}`} class="form-card preferences">
      <Csrf c={c} />
      {problems?.length ? (
        <div class="notice" role="alert">
          <p><strong>Please fix:</strong></p>
          <ul>{problems.map((p) => <li>{p}</li>)}</ul>
        </div>
      ) : null}
      <fieldset>
        <legend>How often</legend>
        <label class="inline-label"><input type="radio" name="cadence" value="daily" checked={prefs.cadence === 'daily'} /> Daily, on weekdays</label>
        <label class="inline-label"><input type="radio" name="cadence" value="weekly" checked={prefs.cadence === 'weekly'} /> Weekly, on Mondays</label>
      </fieldset>
      <fieldset>
        <legend>arXiv categories</legend>
        {COMMON_CATEGORIES.map((cat) => (
          <label class="inline-label"><input type="checkbox" name="categories" value={cat.id} checked={prefs.topics.categories.includes(cat.id)} /> {cat.name} <span class="muted">({cat.id})</span></label>
        ))}
        <label for="pref-cats">Other categories, comma-separated</label>
        <input id="pref-cats" name="categories_other" value={list(other)} placeholder="math.OC, q-bio.NC" maxlength={500} />
      </fieldset>
      <label for="pref-keywords">Keywords, comma-separated (matched in titles and abstracts)</label>
      <input id="pref-keywords" name="keywords" value={list(prefs.topics.keywords)} maxlength={2000} />
      <label for="pref-searches">Saved searches, one per line (e.g. <code>cat:cs.CL "retrieval augmented" -survey</code>)</label>
      <textarea id="pref-searches" name="searches" rows={3} maxlength={3000}>{prefs.topics.searches.join('\n')}</textarea>
      <label for="pref-n">Papers per digest</label>
      <input id="pref-n" name="max_papers" type="number" min={1} max={MAX_PAPERS_LIMIT} value={String(prefs.maxPapers)} />
      <fieldset>
        <legend>Your sections</legend>
        <p class="muted small">After the trending papers, new papers picked for you. They need a Papertide account with this address.</p>
        <label class="inline-label"><input type="checkbox" name="section_following" checked={prefs.following} /> Following: new papers by the authors, in the categories and matching the searches you follow</label>
        <label class="inline-label"><input type="checkbox" name="section_foryou" checked={prefs.forYou} /> For you: recent papers recommended from your library, upvotes and follows</label>
      </fieldset>
      <label class="inline-label"><input type="checkbox" name="paused" checked={prefs.paused} /> Pause the digest (keep my settings)</label>
      <p><button type="submit">Save preferences</button></p>
    </form>
  );
}

function managePage(c: WebContext, token: string, sub: { email: string; status: string }, prefs: Preferences, opts: { notice?: string; problems?: string[]; status?: number } = {}) {
  noStore(c);
  return renderPage(c, { title: 'Your digest', noindex: true, status: opts.status }, (
    <section aria-labelledby="pref-h">
      <h1 id="pref-h">Your digest</h1>
      {opts.notice ? <p class="notice" role="status">{opts.notice}</p> : null}
      <p>
        For <strong>{sub.email}</strong> · {sub.status === 'active' ? (prefs.paused ? 'paused' : 'active') : sub.status} · {prefs.cadence === 'weekly' ? 'weekly' : 'daily on weekdays'} · {describeTopics(prefs.topics)} · {prefs.maxPapers} papers
      </p>
      <PreferencesForm c={c} token={token} prefs={prefs} problems={opts.problems} />
      <form method="post" action={`/subscription/${token}/unsubscribe`} class="inline">
        <Csrf c={c} />
        <p><button type="submit" class="link danger">Unsubscribe {sub.email}</button></p>
      </form>
    </section>
  ));
}

function unsubscribedPage(c: WebContext, email: string) {
  noStore(c);
  return renderPage(c, { title: 'Unsubscribed', noindex: true }, (
    <section aria-labelledby="unsub-h">
      <h1 id="unsub-h">You are unsubscribed</h1>
      <p role="status"><strong>{email}</strong> will receive no more digests.</p>
      <p>Changed your mind? Subscribe again (we will send a new confirmation link):</p>
      <SubscribeForm c={c} email={email} />
    </section>
  ));
}

/** Run a link handler; a bad/expired/forged link becomes a page that offers a new link. */
async function withLink(c: WebContext, fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LinkError) return linkProblemPage(c, e);
    throw e;
  }
}

const repeatable = z.union([z.string(), z.array(z.string())]).optional();
/** The subscribe form: the address is checked here; topics by the service (their own messages). */
const SubscribeFields = z.object({
  email: repeatable.transform((v) => firstOf(v) ?? '').pipe(emailField),
  cadence: repeatable.transform(firstOf),
  keywords: repeatable.transform(firstOf),
  categories: repeatable,
});

export function subscribeRoutes() {
  const app = new Hono<AppEnv>();
  const byIp = new Limiter(SUBSCRIBE_LIMITS.perIp);
  const byAddress = new Limiter(SUBSCRIBE_LIMITS.perAddress);

  app.get('/subscribe', (c) => subscribePage(c, { email: c.req.query('email')?.slice(0, 254) }));
  // "Digest" in the navigation: the address people guess from it.
  app.get('/digest', (c) => c.redirect('/subscribe', 302));

  const perIp: MiddlewareHandler<AppEnv> = async (c, next) => {
    await byIp.consume(clientIp(c), c);
    await next();
  };
  const subscribeForm = multiForm(SubscribeFields, (c, error, f) => subscribePage(c, { email: firstOf(f.email) ?? '', error, status: 400, cadence: firstOf(f.cadence) }));
  app.post('/subscribe', perIp, subscribeForm, async (c) => {
    const f = c.req.valid('form');
    const cadence = f.cadence;
    await byAddress.consume(f.email, c);
    try {
      const r = await subscribe(c.get('ctx'), { email: f.email, cadence, categories: f.categories, keywords: f.keywords, userId: c.get('user')?.id ?? null });
      c.get('ctx').logger.info({ outcome: r.outcome }, 'subscribe request');
    } catch (e) {
      if (e instanceof AppError && e.code === 'bad_request') return subscribePage(c, { email: firstOf((await multiFieldsOf(c)).email) ?? '', error: e.message, status: 400, cadence });
      throw e;
    }
    return renderPage(c, { title: 'Check your inbox', noindex: true }, (
      <section aria-labelledby="check-h">
        <h1 id="check-h">Check your inbox</h1>
        <p role="status">
          If <strong>{f.email}</strong> can receive email, a message from us is on its way. Click the link in it to confirm
          your subscription (or, if you are already subscribed, to change your preferences). We send at most one such email per hour.
        </p>
        <p class="muted">Nothing arrived? Check your spam folder, or try again in an hour.</p>
      </section>
    ));
  });

  // Signed-in users: the account page links here.
  app.get('/subscription/manage', async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect('/login?next=%2Fsubscription%2Fmanage', 302);
    const url = await manageUrlForEmail(c.get('ctx'), user.email);
    if (!url) return c.redirect(`/subscribe?email=${encodeURIComponent(user.email)}`, 302);
    noStore(c);
    return c.redirect(new URL(url).pathname, 302);
  });

  app.get('/subscription/:token', (c) =>
    withLink(c, async () => {
      const ctx = c.get('ctx');
      const token = c.req.param('token');
      const { sub, purpose } = await openLink(ctx, token, ['confirm', 'manage']);
      if (purpose === 'confirm') {
        noStore(c);
        if (sub.status === 'active') return c.redirect(new URL(linkFor(ctx, sub, 'manage')).pathname, 303);
        return renderPage(c, { title: 'Confirm your subscription', noindex: true }, (
          <section aria-labelledby="confirm-h">
            <h1 id="confirm-h">Confirm your subscription</h1>
            <p>Start sending trending papers to <strong>{sub.email}</strong>?</p>
            <form method="post" action={`/subscription/${token}/confirm`}>
              <Csrf c={c} />
              <button type="submit">Yes, confirm my subscription</button>
            </form>
          </section>
        ));
      }
      const notice = c.req.query('welcome') ? 'Your subscription is confirmed. Choose what the digest contains:' : undefined;
      return managePage(c, token, sub, preferencesOf(sub), { notice });
    }),
  );

  app.post('/subscription/:token/confirm', (c) =>
    withLink(c, async () => {
      const ctx = c.get('ctx');
      const sub = await confirmSubscription(ctx, c.req.param('token'));
      return c.redirect(`${new URL(linkFor(ctx, sub, 'manage')).pathname}?welcome=1`, 303);
    }),
  );

  app.post('/subscription/:token', (c) =>
    withLink(c, async () => {
      const ctx = c.get('ctx');
      const token = c.req.param('token');
      const { sub } = await openLink(ctx, token, ['manage']);
      const parsed = parsePreferences(await multiFieldsOf(c));
      if (!parsed.ok) return managePage(c, token, sub, preferencesOf(sub), { problems: parsed.problems, status: 400 });
      const updated = await updatePreferences(ctx, token, parsed.prefs);
      return managePage(c, token, updated, preferencesOf(updated), { notice: 'Saved. The next digest uses these preferences.' });
    }),
  );

  app.post('/subscription/:token/unsubscribe', (c) =>
    withLink(c, async () => {
      const sub = await unsubscribe(c.get('ctx'), c.req.param('token'));
      return unsubscribedPage(c, sub.email);
    }),
  );

  // The footer link of every digest: one button (a GET must not unsubscribe: mail scanners follow links).
  app.get('/unsubscribe/:token', (c) =>
    withLink(c, async () => {
      const token = c.req.param('token');
      const { sub } = await openLink(c.get('ctx'), token, ['unsubscribe']);
      noStore(c);
      if (sub.status === 'unsubscribed') return unsubscribedPage(c, sub.email);
      return renderPage(c, { title: 'Unsubscribe', noindex: true }, (
        <section aria-labelledby="unsub-h">
          <h1 id="unsub-h">Unsubscribe from the digest?</h1>
          <p><strong>{sub.email}</strong> will receive no more digests.</p>
          <form method="post" action={`/unsubscribe/${token}`}>
            <Csrf c={c} />
            <button type="submit">Unsubscribe</button>
          </form>
        </section>
      ));
    }),
  );

  // RFC 8058 one-click (List-Unsubscribe-Post: List-Unsubscribe=One-Click) and the button above.
  app.post('/unsubscribe/:token', (c) =>
    withLink(c, async () => {
      const sub = await unsubscribe(c.get('ctx'), c.req.param('token'));
      return unsubscribedPage(c, sub.email);
    }),
  );

  return app;
}
