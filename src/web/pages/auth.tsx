/**
 * Accounts: `/signup`, `/login`, `/logout`, `/verify`, `/forgot`, `/reset`.
 * Handlers: validate (zod) → authorize → call a service (src/users) → present. A user mistake
 * re-renders the form with a readable message and a 4xx status, never a 500.
 */
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { Hidden, FormError, Flash } from '../components/form.js';
import { emailField, fieldsOf, form } from '../validate.js';
import { safeRedirectPath } from '../../domain/safe-url.js';
import { rateLimit, Limiter, clientIp, type LimitSpec } from '../middleware/rate-limit.js';
import { clearSessionCookie, sessionHashOf, setSessionCookie } from '../middleware/session.js';
import { createSession, findUserByName, LOGIN_FAILED, login, logout, logoutEverywhere, PASSWORD_MAX, PASSWORD_MIN, requestPasswordReset, resendVerification, resetPassword, signup, verifyEmail } from '../../users/users.service.js';

/** Rate limits of the account forms (one budget per deployment; see rate-limit.ts). */
export const ACCOUNT_LIMITS = {
  signupPerIp: { name: 'sign-up', points: 10, duration: 3600 },
  loginPerIp: { name: 'login', points: 30, duration: 900 },
  /** Failed logins per address, whoever tries: slows password guessing on one account. */
  loginFailuresPerEmail: { name: 'failed login', points: 10, duration: 900 },
  forgotPerIp: { name: 'password reset', points: 5, duration: 3600 },
  // (a budget of its own: limits are counted by name across the deployment)
  resetPerIp: { name: 'new password', points: 5, duration: 3600 },
  resendPerUser: { name: 'verification email', points: 3, duration: 3600 },
} satisfies Record<string, LimitSpec>;

/** A same-site path to go back to after a form, or the fallback (rules: src/domain/safe-url.ts). */
export function safeNext(next: unknown, fallback = '/'): string {
  return safeRedirectPath(next, fallback);
}

// Re-exported so pages on branches not merged yet keep compiling; new code imports them from
// ../components/form.js and ../validate.js.
export { Hidden, FormError, Flash } from '../components/form.js';
export { firstIssue, formFields as formOf } from '../validate.js';

function page(c: WebContext, title: string, body: Child, status = 200) {
  return renderPage(c, { title, status, noindex: true }, body);
}

const passwordField = z.string().min(PASSWORD_MIN, `Choose a password of at least ${PASSWORD_MIN} characters.`).max(PASSWORD_MAX, `Passwords are limited to ${PASSWORD_MAX} characters.`);
const signupSchema = z.object({
  name: z.string().trim().min(2, 'Choose a user name of 2 to 30 characters.').max(30, 'Choose a user name of 2 to 30 characters.'),
  email: emailField,
  password: passwordField,
});
const loginSchema = z.object({ email: emailField, password: z.string().min(1, 'Enter your password.').max(PASSWORD_MAX, LOGIN_FAILED), next: z.string().optional() });
const tokenSchema = z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/);

function SignupForm({ c, values, error }: { c: WebContext; values?: Record<string, string>; error?: string }) {
  return (
    <section class="form-card" aria-labelledby="signup-h">
      <h1 id="signup-h">Create an account</h1>
      <p class="muted">Submit papers, upvote and comment. We send one email to confirm your address.</p>
      <FormError message={error} />
      <form method="post" action="/signup" aria-describedby={error ? 'form-error' : undefined}>
        <Hidden c={c} />
        <label for="name">User name</label>
        <input id="name" name="name" type="text" required minlength={2} maxlength={30} pattern="[A-Za-z0-9][A-Za-z0-9_\-]{1,29}" autocomplete="username" value={values?.name ?? ''} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" required maxlength={254} autocomplete="email" value={values?.email ?? ''} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" required minlength={PASSWORD_MIN} maxlength={PASSWORD_MAX} autocomplete="new-password" />
        <p class="muted small">At least {PASSWORD_MIN} characters.</p>
        <button type="submit">Sign up</button>
      </form>
      <p>
        Have an account? <a href="/login">Log in</a>.
      </p>
    </section>
  );
}

function LoginForm({ c, values, error, next }: { c: WebContext; values?: Record<string, string>; error?: string; next?: string }) {
  return (
    <section class="form-card" aria-labelledby="login-h">
      <h1 id="login-h">Log in</h1>
      <FormError message={error} />
      <form method="post" action="/login">
        <Hidden c={c} />
        <input type="hidden" name="next" value={safeNext(next, '/')} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" required maxlength={254} autocomplete="email" value={values?.email ?? ''} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" required maxlength={PASSWORD_MAX} autocomplete="current-password" />
        <p>
          <button type="submit">Log in</button>
        </p>
      </form>
      <p>
        <a href="/forgot">Forgot your password?</a> · No account yet? <a href="/signup">Sign up</a>.
      </p>
    </section>
  );
}

export function authRoutes() {
  const app = new Hono<AppEnv>();
  const loginFailures = new Limiter(ACCOUNT_LIMITS.loginFailuresPerEmail);
  const resendLimit = new Limiter(ACCOUNT_LIMITS.resendPerUser);

  app.get('/signup', (c) => (c.get('user') ? c.redirect('/', 303) : page(c, 'Sign up', <SignupForm c={c} />)));

  const signupForm = form(signupSchema, (c, error, fields) => page(c, 'Sign up', <SignupForm c={c} values={fields} error={error} />, 400));
  app.post('/signup', rateLimit(ACCOUNT_LIMITS.signupPerIp), signupForm, async (c) => {
    try {
      const r = await signup(c.get('ctx'), c.req.valid('form'));
      return page(
        c,
        'Check your email',
        <section class="form-card" aria-labelledby="check-h">
          <h1 id="check-h">Check your email</h1>
          <p>
            We sent a link to <strong>{r.email}</strong>. Open it to confirm your address, then <a href="/login">log in</a>.
          </p>
          <p class="muted small">Nothing after a few minutes? Check the spam folder. The link works for 48 hours.</p>
        </section>,
      );
    } catch (e) {
      if (isAppError(e) && (e.code === 'bad_request' || e.code === 'conflict')) return page(c, 'Sign up', <SignupForm c={c} values={await fieldsOf(c)} error={e.message} />, e.status);
      throw e;
    }
  });

  app.get('/login', (c) => page(c, 'Log in', <LoginForm c={c} next={c.req.query('next')} />));

  const loginForm = form(loginSchema, (c, error, fields) => page(c, 'Log in', <LoginForm c={c} values={{ email: fields.email ?? '' }} next={fields.next} error={error} />, 400));
  app.post('/login', rateLimit(ACCOUNT_LIMITS.loginPerIp), loginForm, async (c) => {
    const f = c.req.valid('form');
    const key = f.email; // emailField gives it normalised
    // Counted before the password is checked, and given back only by a success: once an address
    // has too many failures every attempt gets the same 429, so a guesser cannot tell a right
    // password from a wrong one, and parallel guesses cannot all be checked before one counts.
    await loginFailures.consume(key, c);
    try {
      const { token } = await login(c.get('ctx'), { ...f, userAgent: c.req.header('user-agent') ?? null });
      await loginFailures.reset(key, c);
      setSessionCookie(c, token);
      return c.redirect(safeNext(f.next), 303);
    } catch (e) {
      if (isAppError(e) && e.code === 'unauthorized') {
        return page(c, 'Log in', <LoginForm c={c} values={{ email: f.email }} next={f.next} error={e.message} />, 401);
      }
      if (isAppError(e) && e.code === 'forbidden') return page(c, 'Log in', <LoginForm c={c} values={{ email: f.email }} error={e.message} />, 403);
      throw e;
    }
  });

  app.post('/logout', async (c) => {
    const session = sessionHashOf(c); // null for Bearer requests: they never touch the cookie session
    if (session) await logout(c.get('ctx'), session);
    clearSessionCookie(c);
    return c.redirect('/', 303);
  });

  // "Log out everywhere" (form on /settings/tokens): ends every session of the user, this one
  // included, and with `revoke_tokens` revokes every personal API token too.
  app.post('/logout/everywhere', async (c) => {
    const user = c.get('user');
    const session = sessionHashOf(c);
    if (!user || !session) return c.redirect('/login?next=/settings/tokens', 303); // Bearer requests cannot use it either
    const fields = await fieldsOf(c);
    const r = await logoutEverywhere(c.get('ctx'), user.id, { revokeApiTokens: fields.revoke_tokens === '1' });
    clearSessionCookie(c);
    c.set('user', null);
    return page(
      c,
      'Logged out everywhere',
      <section class="form-card" aria-labelledby="everywhere-h">
        <h1 id="everywhere-h">You are logged out everywhere</h1>
        <p>
          {r.sessions === 1 ? 'Your one session has ended.' : `All ${r.sessions} sessions of your account have ended, on every browser and device.`}{' '}
          {r.revokedTokens ? `${r.revokedTokens} API ${r.revokedTokens === 1 ? 'token was' : 'tokens were'} revoked.` : 'Your API tokens still work: revoke them on the API tokens page if they may be known to someone else.'}
        </p>
        <p>
          <a href="/login?next=/settings/tokens">Log in again</a>
        </p>
      </section>,
    );
  });

  app.get('/verify', async (c) => {
    const token = tokenSchema.safeParse(c.req.query('token') ?? '');
    if (!token.success) throw new AppError('bad_request', 'This verification link is incomplete. Copy the whole link from the email, or ask for a new one.');
    const r = await verifyEmail(c.get('ctx'), token.data);
    const user = c.get('user');
    if (user && user.name === r.name) user.emailVerified = true;
    // The link proves the address: log its owner in (a fresh session) unless someone is signed in here.
    const owner = user ? null : await findUserByName(c.get('ctx'), r.name);
    const loggedIn = !!owner && !owner.banned_at;
    if (loggedIn) setSessionCookie(c, await createSession(c.get('ctx'), owner.id, c.req.header('user-agent') ?? null));
    return page(
      c,
      'Email confirmed',
      <section class="form-card" aria-labelledby="verified-h">
        <h1 id="verified-h">Your email address is confirmed</h1>
        <p>Thanks, {r.name}. {loggedIn ? 'You are logged in: you' : 'You'} can now submit papers, upvote and comment.</p>
        <p>{user || loggedIn ? <a class="button small" href="/submit">Submit a paper</a> : <a class="button small" href="/login">Log in</a>}</p>
        {user || loggedIn ? (
          <p>
            Next: <a href="/for-you/start">pick the categories, authors and papers you read</a>, and For you lists recent papers like them.
          </p>
        ) : null}
      </section>,
    );
  });

  app.post('/verify/resend', async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect('/login?next=/verify/resend', 303);
    await resendLimit.consume(String(user.id), c);
    await resendVerification(c.get('ctx'), user as any);
    return page(c, 'Check your email', <Flash message={`We sent a new confirmation link to ${user.email}.`} />);
  });

  const forgotForm = (c: WebContext, error?: string, email?: string) => (
    <section class="form-card" aria-labelledby="forgot-h">
      <h1 id="forgot-h">Reset your password</h1>
      <p class="muted">Enter the address of your account; we email you a link to choose a new password.</p>
      <FormError message={error} />
      <form method="post" action="/forgot">
        <Hidden c={c} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" required maxlength={254} autocomplete="email" value={email ?? ''} />
        <p>
          <button type="submit">Email me a link</button>
        </p>
      </form>
    </section>
  );

  app.get('/forgot', (c) => page(c, 'Reset your password', forgotForm(c)));

  const forgotFields = form(z.object({ email: emailField }), (c, error, fields) => page(c, 'Reset your password', forgotForm(c, error, fields.email), 400));
  app.post('/forgot', rateLimit(ACCOUNT_LIMITS.forgotPerIp), forgotFields, async (c) => {
    const f = c.req.valid('form');
    await requestPasswordReset(c.get('ctx'), f.email);
    // The same answer whether or not the address has an account.
    return page(
      c,
      'Check your email',
      <section class="form-card">
        <h1>Check your email</h1>
        <p>If an account uses {f.email}, we sent it a link to choose a new password. The link works for one hour.</p>
      </section>,
    );
  });

  const resetForm = (c: WebContext, token: string, error?: string) => (
    <section class="form-card" aria-labelledby="reset-h">
      <h1 id="reset-h">Choose a new password</h1>
      <FormError message={error} />
      <form method="post" action="/reset">
        <Hidden c={c} />
        <input type="hidden" name="token" value={token} />
        <label for="password">New password</label>
        <input id="password" name="password" type="password" required minlength={PASSWORD_MIN} maxlength={PASSWORD_MAX} autocomplete="new-password" />
        <p>
          <label class="check">
            <input type="checkbox" name="revoke_tokens" value="1" checked /> Also revoke all my API tokens (scripts using them stop working until you create new ones)
          </label>
        </p>
        <p>
          <button type="submit">Save the new password</button>
        </p>
      </form>
    </section>
  );

  app.get('/reset', (c) => {
    const token = tokenSchema.safeParse(c.req.query('token') ?? '');
    if (!token.success) throw new AppError('bad_request', 'This password reset link is incomplete. Copy the whole link from the email, or ask for a new one at /forgot.');
    return page(c, 'Choose a new password', resetForm(c, token.data));
  });

  const resetFields = form(z.object({ token: tokenSchema, password: passwordField, revoke_tokens: z.string().optional() }), (c, error, fields, issues) => {
    if (issues.issues.some((i) => i.path[0] === 'token')) throw new AppError('bad_request', 'This password reset link is invalid. Ask for a new one at /forgot.');
    return page(c, 'Choose a new password', resetForm(c, fields.token ?? '', error), 400);
  });
  app.post('/reset', rateLimit(ACCOUNT_LIMITS.resetPerIp), resetFields, async (c) => {
    const f = c.req.valid('form');
    const r = await resetPassword(c.get('ctx'), f.token, f.password, { revokeApiTokens: f.revoke_tokens === '1' });
    clearSessionCookie(c);
    c.set('user', null);
    return page(
      c,
      'Password changed',
      <section class="form-card">
        <h1>Your password is changed</h1>
        <p>
          Every session of your account has been closed. <a href="/login">Log in</a> with the new password.
        </p>
        <p>
          {r.revokedTokens
            ? `${r.revokedTokens} API ${r.revokedTokens === 1 ? 'token was' : 'tokens were'} revoked.`
            : 'Your API tokens still work. If someone else may know one, revoke it on the API tokens page after logging in.'}
        </p>
      </section>,
    );
  });

  return app;
}

export { clientIp };
