/**
 * `/settings/tokens`: a signed-in user's personal API tokens. A new token is shown once, on the
 * page that created it (never again: only its sha256 is stored); tokens can be revoked.
 * The forms carry the CSRF token; the session middleware sets c.get('user').
 */
import { Hono } from 'hono';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { AppError } from '../../domain/errors.js';
import { createApiToken, listTokens, revokeToken, MAX_ACTIVE_TOKENS, TOKEN_NAME_MAX, type ApiTokenRecord } from '../../api-tokens/api-tokens.service.js';

function fmt(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'never';
}

async function page(c: WebContext, opts: { created?: { token: string; name: string }; error?: string; status?: number } = {}) {
  const user = c.get('user')!;
  const ctx = c.get('ctx');
  const tokens = await listTokens(ctx.store.db, user.id);
  const active = tokens.filter((t) => !t.revokedAt);
  const revoked = tokens.filter((t) => t.revokedAt);
  const csrf = c.get('csrf') ?? '';
  c.header('Cache-Control', 'no-store');
  return renderPage(c, { title: 'API tokens', noindex: true, status: opts.status }, (
    <section class="settings-tokens" aria-labelledby="tokens-h">
      <h1 id="tokens-h">API tokens</h1>
      <p>
        Personal API tokens let scripts submit papers, upvote and comment as you through the <a href="/api">JSON API</a>, with <code>Authorization: Bearer &lt;token&gt;</code>. Treat a token like a password. Reading the API needs no token.
      </p>
      {opts.created ? (
        <div class="notice success" role="status">
          <p>
            <strong>Your new token “{opts.created.name}”.</strong> Copy it now: it will not be shown again.
          </p>
          <p>
            <label for="new-token">Token</label>
            <input id="new-token" class="token" type="text" readonly value={opts.created.token} size={60} />
          </p>
          <pre>
            <code>curl -X POST -H 'Authorization: Bearer {opts.created.token}' {ctx.config.baseUrl}/api/papers/2401.12345/upvote</code>
          </pre>
        </div>
      ) : null}
      {opts.error ? (
        <p class="notice error" role="alert">
          {opts.error}
        </p>
      ) : null}
      <h2>Create a token</h2>
      <form method="post" action="/settings/tokens" class="token-form">
        <input type="hidden" name="_csrf" value={csrf} />
        <label for="token-name">Name (to recognise it later)</label>
        <input id="token-name" name="name" type="text" required maxlength={TOKEN_NAME_MAX} placeholder="e.g. reading-group bot" />
        <button type="submit">Create token</button>
      </form>
      <p class="muted small">Up to {MAX_ACTIVE_TOKENS} active tokens.</p>
      <h2>Active tokens</h2>
      {active.length ? <TokenTable tokens={active} csrf={csrf} /> : <p class="muted">No active tokens.</p>}
      {revoked.length ? (
        <>
          <h2>Revoked</h2>
          <TokenTable tokens={revoked} csrf={csrf} />
        </>
      ) : null}
      <h2 id="sessions-h">Sessions</h2>
      <p>Lost a device, or used a shared computer? End every session of your account, on every browser, this one included.</p>
      <form method="post" action="/logout/everywhere" class="logout-everywhere" aria-labelledby="sessions-h">
        <input type="hidden" name="_csrf" value={csrf} />
        <p>
          <label class="check">
            <input type="checkbox" name="revoke_tokens" value="1" /> Also revoke all API tokens
          </label>
        </p>
        <button type="submit" class="danger">
          Log out everywhere
        </button>
      </form>
    </section>
  ));
}

function TokenTable({ tokens, csrf }: { tokens: ApiTokenRecord[]; csrf: string }) {
  return (
    <table class="tokens">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Starts with</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span class="visually-hidden">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr>
            <td>{t.name}</td>
            <td>
              <code>{t.prefix}…</code>
            </td>
            <td>{fmt(t.createdAt)}</td>
            <td>{fmt(t.lastUsedAt)}</td>
            <td>
              {t.revokedAt ? (
                <span class="muted">revoked {fmt(t.revokedAt)}</span>
              ) : (
                <form method="post" action={`/settings/tokens/${t.id}/revoke`} class="inline">
                  <input type="hidden" name="_csrf" value={csrf} />
                  <button type="submit" class="danger" aria-label={`Revoke token ${t.name}`}>
                    Revoke
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function signedIn(c: WebContext) {
  const user = c.get('user');
  if (!user) return null;
  return user;
}

export function apiTokenRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/settings/tokens', async (c) => {
    if (!signedIn(c)) return c.redirect(`/login?next=${encodeURIComponent('/settings/tokens')}`, 303);
    return page(c);
  });

  app.post('/settings/tokens', async (c) => {
    const user = signedIn(c);
    if (!user) return c.redirect(`/login?next=${encodeURIComponent('/settings/tokens')}`, 303);
    const body = await c.req.parseBody();
    const name = typeof body.name === 'string' ? body.name : '';
    const ctx = c.get('ctx');
    try {
      const { token, record } = await createApiToken(ctx.store.db, user.id, name, ctx.clock.now());
      return page(c, { created: { token, name: record.name }, status: 201 });
    } catch (e) {
      if (e instanceof AppError && (e.code === 'bad_request' || e.code === 'conflict')) return page(c, { error: e.message, status: e.status });
      throw e;
    }
  });

  app.post('/settings/tokens/:id/revoke', async (c) => {
    const user = signedIn(c);
    if (!user) return c.redirect(`/login?next=${encodeURIComponent('/settings/tokens')}`, 303);
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'No such token.'); // ids are 32-bit on PostgreSQL
    const ctx = c.get('ctx');
    await revokeToken(ctx.store.db, user.id, id, ctx.clock.now());
    return c.redirect('/settings/tokens', 303);
  });

  return app;
}
