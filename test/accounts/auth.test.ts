/** Accounts over HTTP: sign-up, verification, login/logout, reset, CSRF, enumeration, rate limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { FormClient, linkFromMail, pathOf, signedIn } from '../support/form-client.js';
import { mailTo } from '../../src/mail/outbox.repository.js';

test('sign up → verification email (in the outbox) → verify → log in → log out', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('alice', 'Alice@Example.org');
  const mails = await mailTo(app.ctx.store.db, 'alice@example.org');
  assert.equal(mails.length, 1);
  assert.equal(mails[0].kind, 'verify');
  assert.match(mails[0].subject, /Confirm your email/);
  const link = await linkFromMail(app, 'alice@example.org', 'verify');
  assert.ok(link.startsWith(app.ctx.config.baseUrl + '/verify?token='));
  const v = await b.get(pathOf(link));
  assert.equal(v.status, 200);
  assert.match(v.html, /Your email address is confirmed/);
  // A link works once.
  const again = await b.get(pathOf(link));
  assert.equal(again.status, 400);
  assert.match(again.html, /invalid, already used or expired/);

  await b.login('alice@example.org');
  const home = await b.get('/');
  assert.match(home.html, /href="\/u\/alice"/);
  const cookie = (await b.request('/')).headers;
  void cookie;
  const out = await b.post('/logout');
  assert.equal(out.status, 303);
  assert.equal(b.cookies.has('pt_session'), false);
  const after = await b.get('/');
  assert.doesNotMatch(after.html, /href="\/u\/alice"/);
});

test('session cookie is httpOnly, SameSite=Lax, and Secure only behind https', async () => {
  for (const [base, secure] of [['http://localhost:3000', false], ['https://papers.example.org', true]] as const) {
    const app = await testApp({ env: { BASE_URL: base } });
    try {
      await signedIn(app, 'carol'); // seeds a user; now log in over HTTP to see the cookie
      const b = new FormClient(app);
      await b.get('/login');
      // carol has no password (made by signedIn): sign up bob properly instead
      await b.signup('bob', 'bob@example.org');
      await b.get(pathOf(await linkFromMail(app, 'bob@example.org', 'verify')));
      await b.get('/login');
      const r = await b.post('/login', { email: 'bob@example.org', password: 'correct horse battery' });
      assert.equal(r.status, 303);
      const set = (r.res.headers as any).getSetCookie() as string[];
      // Behind https the names carry the __Host- prefix (Secure, Path=/, no Domain: not settable by a subdomain).
      const session = set.find((s) => s.startsWith(secure ? '__Host-pt_session=' : 'pt_session='))!;
      assert.ok(session, 'a session cookie is set');
      assert.match(session, /HttpOnly/i);
      assert.match(session, /SameSite=Lax/i);
      assert.equal(/;\s*Secure/i.test(session), secure);
      assert.match(session, /;\s*Path=\//i);
      assert.doesNotMatch(session, /Domain=/i);
      if (secure) assert.equal(set.some((s) => s.startsWith('pt_session=')), false, 'no unprefixed session cookie behind https');
      // The CSRF cookie too.
      const anon = new FormClient(app);
      const page = await anon.request('/login');
      const csrfCookie = ((page.headers as any).getSetCookie() as string[]).find((s) => /pt_csrf=/.test(s))!;
      assert.equal(csrfCookie.startsWith('__Host-pt_csrf='), secure);
      // The cookie works under its name: a signed-in page shows the user.
      assert.match((await b.get('/')).html, /href="\/u\/bob"/);
    } finally {
      await app.close();
    }
  }
});

test('login failures read the same whether or not the address has an account', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('dora', 'dora@example.org');
  await b.get('/login');
  const wrongPassword = await b.post('/login', { email: 'dora@example.org', password: 'not the password' });
  const noAccount = await b.post('/login', { email: 'nobody@example.org', password: 'not the password' });
  assert.equal(wrongPassword.status, 401);
  assert.equal(noAccount.status, 401);
  const msg = (html: string) => /<p class="error-text"[^>]*>([^<]*)<\/p>/.exec(html)?.[1];
  assert.ok(msg(wrongPassword.html));
  assert.equal(msg(wrongPassword.html), msg(noAccount.html));
  assert.doesNotMatch(msg(noAccount.html)!, /no account|not found|unknown|exist/i);
  // Sign-up with a taken address answers like a new sign-up, and mails the owner instead.
  const other = new FormClient(app);
  await other.get('/signup');
  const dup = await other.post('/signup', { name: 'dora2', email: 'DORA@example.org', password: 'another password' });
  assert.equal(dup.status, 200);
  assert.match(dup.html, /Check your email/);
  const kinds = (await mailTo(app.ctx.store.db, 'dora@example.org')).map((m) => m.kind).sort();
  assert.deepEqual(kinds, ['account-exists', 'verify']);
  // Password reset does not tell either.
  await other.get('/forgot');
  const f1 = await other.post('/forgot', { email: 'dora@example.org' });
  const f2 = await other.post('/forgot', { email: 'nobody@example.org' });
  assert.equal(f1.status, 200);
  assert.equal(f2.status, 200);
  // Per-response values (form tokens, the CSP nonce) aside, the two pages are the same.
  const same = (html: string, email: RegExp) => html.replace(email, 'X').replace(/(value|nonce)="[^"]*"/g, '');
  assert.equal(same(f1.html, /dora@example\.org/g), same(f2.html, /nobody@example\.org/g));
});

test('sign-up refusals: bad input and a taken name are readable 4xx, never 500', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('erin', 'erin@example.org');
  await b.get('/signup');
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ name: 'erin', email: 'other@example.org', password: 'long enough pw' }, 409, /is taken/],
    [{ name: 'x', email: 'x@example.org', password: 'long enough pw' }, 400, /2 to 30/],
    [{ name: 'frank', email: 'not-an-email', password: 'long enough pw' }, 400, /valid email/],
    [{ name: 'frank', email: 'frank@example.org', password: 'short' }, 400, /at least 8/],
    [{ name: '<script>', email: 'frank@example.org', password: 'long enough pw' }, 400, /letters, digits/],
  ];
  for (const [fields, status, re] of cases) {
    const r = await b.post('/signup', fields);
    assert.equal(r.status, status, JSON.stringify(fields));
    assert.match(r.html, re);
    assert.doesNotMatch(r.html, /<script>/);
  }
});

test('password reset by emailed link: new password works, old one and old sessions do not', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('gina', 'gina@example.org');
  await b.login('gina@example.org');
  const anon = new FormClient(app);
  await anon.get('/forgot');
  await anon.post('/forgot', { email: 'gina@example.org' });
  const link = await linkFromMail(app, 'gina@example.org', 'reset');
  const form = await anon.get(pathOf(link));
  assert.equal(form.status, 200);
  const token = new URL(link).searchParams.get('token')!;
  const short = await anon.post('/reset', { token, password: 'short' });
  assert.equal(short.status, 400);
  const ok = await anon.post('/reset', { token, password: 'a brand new password' });
  assert.equal(ok.status, 200);
  assert.match(ok.html, /password is changed/);
  const reused = await anon.post('/reset', { token, password: 'yet another password' });
  assert.equal(reused.status, 400);
  // The old session ended.
  const home = await b.get('/');
  assert.doesNotMatch(home.html, /href="\/u\/gina"/);
  await anon.get('/login');
  assert.equal((await anon.post('/login', { email: 'gina@example.org', password: 'correct horse battery' })).status, 401);
  assert.equal((await anon.post('/login', { email: 'gina@example.org', password: 'a brand new password' })).status, 303);
  // An expired link is refused. (Signed in now: the page's token is the session's.)
  await anon.get('/forgot');
  await anon.post('/forgot', { email: 'gina@example.org' });
  const link2 = await linkFromMail(app, 'gina@example.org', 'reset');
  app.clock.advance(61 * 60_000);
  const late = await anon.post('/reset', { token: new URL(link2).searchParams.get('token')!, password: 'too late password' });
  assert.equal(late.status, 400);
  assert.match(late.html, /expired/);
});

test('CSRF: missing, forged and other-session tokens are refused with 403; header token accepted', async (t) => {
  const app = await useApp(t);
  const { browser: alice } = await signedIn(app, 'alice');
  const { browser: mallory } = await signedIn(app, 'mallory');
  // No token at all.
  const none = await alice.request('/logout', { method: 'POST', body: new URLSearchParams({}), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(none.status, 403);
  assert.match(await none.text(), /did not come from a Papertide page/);
  // A forged token.
  const forged = await alice.post('/logout', { _csrf: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
  assert.equal(forged.status, 403);
  // Another user's valid token.
  const stolen = await alice.post('/logout', { _csrf: mallory.csrf });
  assert.equal(stolen.status, 403);
  // Still logged in after all three.
  assert.match((await alice.get('/')).html, /href="\/u\/alice"/);
  // The header works for fetch().
  const viaHeader = await alice.request('/logout', { method: 'POST', headers: { 'X-CSRF-Token': alice.csrf } });
  assert.equal(viaHeader.status, 303);
  // Anonymous forms: a signed double-submit cookie. Without the cookie the token is useless.
  const anon = new FormClient(app);
  await anon.get('/login');
  const token = anon.csrf;
  anon.cookies.clear();
  const noCookie = await anon.post('/login', { _csrf: token, email: 'a@example.org', password: 'whatever123' });
  assert.equal(noCookie.status, 403);
  // Bearer requests are exempt from CSRF (API tokens), and never use the session cookie.
  const bearer = await alice.request('/logout', { method: 'POST', headers: { authorization: 'Bearer abc' } });
  assert.notEqual(bearer.status, 403);
});

test('rate limits: too many logins and sign-ups → 429 with Retry-After', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.get('/login');
  let last: Response | null = null;
  for (let i = 0; i < 11; i++) {
    const r = await b.post('/login', { email: 'target@example.org', password: `guess number ${i}` });
    last = r.res;
    if (r.status === 429) break;
    assert.equal(r.status, 401);
  }
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
  // Sign-ups per IP.
  await b.get('/signup');
  let status = 0;
  let retry: string | null = null;
  for (let i = 0; i < 12 && status !== 429; i++) {
    const r = await b.post('/signup', { name: `user${i}`, email: `u${i}@example.org`, password: 'x' }); // short: cheap 400s still count
    status = r.status;
    retry = r.res.headers.get('retry-after');
  }
  assert.equal(status, 429);
  assert.ok(Number(retry) > 0);
});

test('open redirects are refused after login', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('hugo', 'hugo@example.org');
  await b.get('/login');
  const r = await b.post('/login', { email: 'hugo@example.org', password: 'correct horse battery', next: '//evil.example/' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/');
});

test('after login, `next` is only ever a same-site path; hostile values fall back to / and never 500', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('ivan', 'ivan@example.org');
  await b.get(pathOf(await linkFromMail(app, 'ivan@example.org', 'verify')));
  // The login page carries `next` into its form only when it is safe.
  for (const [raw, want] of [
    ['/settings/tokens', '/settings/tokens'],
    ['/papers/2401.12345#comments', '/papers/2401.12345#comments'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['/\t/evil.example/', '/'],
    ['https://evil.example/', '/'],
    ['\n', '/'],
    ['\u000b', '/'],
    ['\u000c', '/'],
  ]) {
    const page = await b.request(`/login?next=${encodeURIComponent(raw)}`);
    assert.equal(page.status, 200, JSON.stringify(raw));
    const html = await page.text();
    const value = /name="next" value="([^"]*)"/.exec(html)![1];
    assert.equal(value.replace(/&amp;/g, '&').replace(/&#39;/g, "'"), want, JSON.stringify(raw));
  }
  // Raw query strings as the issue sent them.
  for (const q of ['%0A', '%0B', '%0C', '/%09/evil.example/', '%2F%2Fevil.example']) {
    const r = await b.request(`/login?next=${q}`);
    assert.equal(r.status, 200, q);
    assert.doesNotMatch(await r.text(), /name="next" value="\/\//);
  }
  // And the redirect itself, including values posted directly.
  const cases: [string, string][] = [
    ['/settings/tokens', '/settings/tokens'],
    ['/search?q=a b', '/search?q=a%20b'],
    ['//evil.example/', '/'],
    ['/\\evil.example/', '/'],
    ['/\t/evil.example/', '/'],
    ['/%09/evil.example/', '/'],
    ['/\n/evil', '/'],
    ['/\u000b', '/'],
    ['/\u000c', '/'],
    ['/%0a', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
  ];
  for (const [next, want] of cases) {
    await b.get('/login');
    const r = await b.post('/login', { email: 'ivan@example.org', password: 'correct horse battery', next });
    assert.equal(r.status, 303, JSON.stringify(next));
    assert.equal(r.location, want, JSON.stringify(next));
    await b.get('/');
    await b.post('/logout');
  }
});

test('login guessing: the failure limit is checked before the password, so once limited even the right password gets the same 429', async (t) => {
  const app = await useApp(t);
  const setup = new FormClient(app);
  await setup.signup('judy', 'judy@example.org');
  await setup.signup('kim', 'kim@example.org');
  const LIMIT = 10; // ACCOUNT_LIMITS.loginFailuresPerEmail.points
  // Below the limit: LIMIT - 1 wrong guesses, then the right password still works.
  const k = new FormClient(app);
  await k.get('/login');
  for (let i = 0; i < LIMIT - 1; i++) assert.equal((await k.post('/login', { email: 'kim@example.org', password: `wrong guess ${i}` })).status, 401);
  const kimOk = await k.post('/login', { email: 'kim@example.org', password: 'correct horse battery' });
  assert.equal(kimOk.status, 303, 'below the limit the right password logs in');
  // At the limit: LIMIT wrong guesses, each from a fresh browser (as from many addresses)...
  for (let i = 0; i < LIMIT; i++) {
    const g = new FormClient(app);
    await g.get('/login');
    assert.equal((await g.post('/login', { email: 'judy@example.org', password: `wrong guess ${i}` })).status, 401);
  }
  // ...then the right password is refused exactly like a wrong one.
  const a = new FormClient(app);
  await a.get('/login');
  const right = await a.post('/login', { email: 'JUDY@example.org', password: 'correct horse battery' });
  const wrong = await a.post('/login', { email: 'judy@example.org', password: 'yet another guess' });
  assert.equal(right.status, 429);
  assert.equal(wrong.status, 429);
  assert.ok(Number(right.res.headers.get('retry-after')) > 0);
  // (the CSP nonce differs per response by design)
  const norm = (s: string) => s.replace(/\d+ seconds/g, 'N seconds').replace(/nonce="[^"]*"/g, 'nonce=""');
  assert.equal(norm(right.html), norm(wrong.html), 'the same body whether or not the password was right');
  assert.equal(a.cookies.has('pt_session'), false, 'no session was opened');
  assert.equal(right.location, null);
  // The other account is not affected.
  const other = new FormClient(app);
  await other.get('/');
  await other.post('/logout');
  await other.login('kim@example.org');
});

test('CSRF: an anonymous token (with its planted cookie) is refused for a signed-in request, accepted for an anonymous one', async (t) => {
  const app = await useApp(t);
  const { browser: alice } = await signedIn(app, 'alice');
  // The attacker fetches an anonymous form: a pt_csrf cookie value and its token.
  const mallory = new FormClient(app);
  await mallory.get('/login');
  const plantedCookie = mallory.cookies.get('pt_csrf')!;
  const anonToken = mallory.csrf;
  assert.ok(plantedCookie && anonToken);
  // ...plants the cookie in the victim's browser and submits with the anonymous token.
  alice.cookies.set('pt_csrf', plantedCookie);
  const forged = await alice.post('/settings/tokens', { _csrf: anonToken, name: 'attacker' });
  assert.equal(forged.status, 403);
  assert.match(forged.html, /did not come from a Papertide page/);
  const viaHeader = await alice.request('/settings/tokens', { method: 'POST', headers: { 'X-CSRF-Token': anonToken, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=attacker' });
  assert.equal(viaHeader.status, 403);
  assert.equal((await alice.get('/settings/tokens')).html.includes('attacker'), false, 'no token was created');
  // The session's own token works.
  const page = await alice.get('/settings/tokens');
  assert.equal(page.status, 200);
  const ok = await alice.post('/settings/tokens', { name: 'mine' });
  assert.equal(ok.status, 201);
  // The anonymous token still works where there is no session.
  const anonOk = await mallory.post('/forgot', { email: 'someone@example.org' });
  assert.equal(anonOk.status, 200);
});

test('password reset ends every session and, when asked (the default), revokes API tokens; unticked, tokens keep working', async (t) => {
  const app = await useApp(t);
  const { createApiToken, authenticateToken } = await import('../../src/api-tokens/api-tokens.service.js');
  for (const [name, revoke] of [['lena', true], ['milo', false]] as const) {
    const b = new FormClient(app);
    await b.signup(name, `${name}@example.org`);
    await b.get(pathOf(await linkFromMail(app, `${name}@example.org`, 'verify')));
    await b.login(`${name}@example.org`);
    const user = (await app.ctx.store.db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
    const { token } = await createApiToken(app.ctx.store.db, Number(user), 'script', app.clock.now());
    const anon = new FormClient(app);
    await anon.get('/forgot');
    await anon.post('/forgot', { email: `${name}@example.org` });
    const link = await linkFromMail(app, `${name}@example.org`, 'reset');
    const form = await anon.get(pathOf(link));
    assert.match(form.html, /name="revoke_tokens" value="1" checked/, 'the form offers it, ticked');
    const fields: Record<string, string> = { token: new URL(link).searchParams.get('token')!, password: 'a brand new password' };
    if (revoke) fields.revoke_tokens = '1';
    const done = await anon.post('/reset', fields);
    assert.equal(done.status, 200);
    assert.doesNotMatch((await b.get('/')).html, new RegExp(`href="/u/${name}"`), 'the old session ended');
    const still = await authenticateToken(app.ctx.store.db, token, app.clock.now());
    if (revoke) {
      assert.equal(still, null, 'the API token is revoked');
      assert.match(done.html, /1 API token was revoked/);
    } else {
      assert.ok(still, 'unticked: the API token still works');
      assert.match(done.html, /Your API tokens still work/);
    }
  }
});

test('log out everywhere ends every session of the user (not of others), and revokes API tokens only when asked', async (t) => {
  const app = await useApp(t);
  const { createApiToken, authenticateToken } = await import('../../src/api-tokens/api-tokens.service.js');
  const { createSession } = await import('../../src/users/users.service.js');
  const { browser: laptop, id } = await signedIn(app, 'nina');
  const phone = new FormClient(app);
  phone.cookies.set('pt_session', await createSession(app.ctx, id));
  const { browser: other } = await signedIn(app, 'oscar');
  const { token } = await createApiToken(app.ctx.store.db, id, 'bot', app.clock.now());
  const page = await laptop.get('/settings/tokens');
  assert.match(page.html, /action="\/logout\/everywhere"/);
  assert.match(page.html, /Log out everywhere/);
  const r = await laptop.post('/logout/everywhere', {});
  assert.equal(r.status, 200);
  assert.match(r.html, /All 2 sessions of your account have ended/);
  assert.match(r.html, /Your API tokens still work/);
  assert.doesNotMatch((await laptop.get('/')).html, /href="\/u\/nina"/);
  assert.doesNotMatch((await phone.get('/')).html, /href="\/u\/nina"/);
  assert.match((await other.get('/')).html, /href="\/u\/oscar"/, 'another user stays signed in');
  assert.ok(await authenticateToken(app.ctx.store.db, token, app.clock.now()), 'unticked: the token works');
  // Again, ticking "also revoke all API tokens".
  const again = new FormClient(app);
  again.cookies.set('pt_session', await createSession(app.ctx, id));
  await again.get('/settings/tokens');
  const r2 = await again.post('/logout/everywhere', { revoke_tokens: '1' });
  assert.match(r2.html, /1 API token was revoked/);
  assert.equal(await authenticateToken(app.ctx.store.db, token, app.clock.now()), null);
  // Anonymous: nothing to end, sent to log in.
  const anon = new FormClient(app);
  await anon.get('/login');
  const r3 = await anon.post('/logout/everywhere', {});
  assert.equal(r3.status, 303);
  assert.match(r3.location!, /^\/login/);
});

test('sessions end after 7 idle days or 30 days after login, whichever first; expired sessions are purged', async (t) => {
  const app = await useApp(t);
  const { SESSION_DAYS, SESSION_IDLE_DAYS, createSession } = await import('../../src/users/users.service.js');
  assert.equal(SESSION_IDLE_DAYS, 7);
  assert.equal(SESSION_DAYS, 30);
  const DAY = 86_400_000;
  const isIn = async (b: FormClient, name: string) => new RegExp(`href="/u/${name}"`).test((await b.get('/')).html);
  // Idle: used every 6 days, the session lives on; 7 days unused plus a minute, it is gone.
  const { browser: pat } = await signedIn(app, 'pat');
  const { browser: quinn } = await signedIn(app, 'quinn');
  app.clock.advance(6 * DAY);
  assert.equal(await isIn(pat, 'pat'), true, 'after 6 idle days');
  app.clock.advance(6 * DAY);
  assert.equal(await isIn(pat, 'pat'), true, '12 days after login, 6 idle');
  assert.equal(await isIn(quinn, 'quinn'), false, '12 idle days: expired');
  app.clock.advance(SESSION_IDLE_DAYS * DAY - 60_000);
  assert.equal(await isIn(pat, 'pat'), true, 'one minute before the idle limit');
  app.clock.advance(SESSION_IDLE_DAYS * DAY + 60_000);
  assert.equal(await isIn(pat, 'pat'), false, 'one minute after the idle limit');
  // Absolute: even when used every 5 days, a session ends 30 days after login.
  const { browser: rae } = await signedIn(app, 'rae');
  for (let d = 5; d < SESSION_DAYS; d += 5) {
    app.clock.advance(5 * DAY);
    assert.equal(await isIn(rae, 'rae'), true, `day ${d}`);
  }
  app.clock.advance(5 * DAY);
  assert.equal(await isIn(rae, 'rae'), false, 'day 30: over the absolute limit');
  // Purge: the expired rows are deleted when a new session is created.
  const count = async () => Number((await app.ctx.store.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  // (Creating rae's session above purged pat's and quinn's.) Rae's expired row is still there.
  assert.equal(await count(), 1, 'the expired row is still there');
  const sam = (await signedIn(app, 'sam')).id;
  assert.equal(await count(), 1, 'only the new session is left');
  await createSession(app.ctx, sam);
  assert.equal(await count(), 2, 'live sessions are kept');
});
