/** Accounts over HTTP: sign-up, verification, login/logout, reset, CSRF, enumeration, rate limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.js';
import { Browser, linkFromMail, pathOf, signedIn } from './browser.js';
import { mailTo } from '../../src/mail/outbox.repository.js';

test('sign up → verification email (in the outbox) → verify → log in → log out', async () => {
  const app = await testApp();
  try {
    const b = new Browser(app);
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
  } finally {
    await app.close();
  }
});

test('session cookie is httpOnly, SameSite=Lax, and Secure only behind https', async () => {
  for (const [base, secure] of [['http://localhost:3000', false], ['https://papers.example.org', true]] as const) {
    const app = await testApp({ env: { BASE_URL: base } });
    try {
      await signedIn(app, 'carol'); // seeds a user; now log in over HTTP to see the cookie
      const b = new Browser(app);
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
      const anon = new Browser(app);
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

test('login failures read the same whether or not the address has an account', async () => {
  const app = await testApp();
  try {
    const b = new Browser(app);
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
    const other = new Browser(app);
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
    assert.equal(f1.html.replace(/dora@example\.org/g, 'X').replace(/value="[^"]*"/g, ''), f2.html.replace(/nobody@example\.org/g, 'X').replace(/value="[^"]*"/g, ''));
  } finally {
    await app.close();
  }
});

test('sign-up refusals: bad input and a taken name are readable 4xx, never 500', async () => {
  const app = await testApp();
  try {
    const b = new Browser(app);
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
  } finally {
    await app.close();
  }
});

test('password reset by emailed link: new password works, old one and old sessions do not', async () => {
  const app = await testApp();
  try {
    const b = new Browser(app);
    await b.signup('gina', 'gina@example.org');
    await b.login('gina@example.org');
    const anon = new Browser(app);
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
  } finally {
    await app.close();
  }
});

test('CSRF: missing, forged and other-session tokens are refused with 403; header token accepted', async () => {
  const app = await testApp();
  try {
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
    const anon = new Browser(app);
    await anon.get('/login');
    const token = anon.csrf;
    anon.cookies.clear();
    const noCookie = await anon.post('/login', { _csrf: token, email: 'a@example.org', password: 'whatever123' });
    assert.equal(noCookie.status, 403);
    // Bearer requests are exempt from CSRF (API tokens), and never use the session cookie.
    const bearer = await alice.request('/logout', { method: 'POST', headers: { authorization: 'Bearer abc' } });
    assert.notEqual(bearer.status, 403);
  } finally {
    await app.close();
  }
});

test('rate limits: too many logins and sign-ups → 429 with Retry-After', async () => {
  const app = await testApp();
  try {
    const b = new Browser(app);
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
  } finally {
    await app.close();
  }
});

test('open redirects are refused after login', async () => {
  const app = await testApp();
  try {
    const b = new Browser(app);
    await b.signup('hugo', 'hugo@example.org');
    await b.get('/login');
    const r = await b.post('/login', { email: 'hugo@example.org', password: 'correct horse battery', next: '//evil.example/' });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/');
  } finally {
    await app.close();
  }
});
