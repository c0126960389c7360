/**
 * Response headers of the web app: the Content-Security-Policy (script only from this origin or
 * with this response's nonce, no inline handlers), COOP, Permissions-Policy, HSTS only on an
 * https BASE_URL, no caching of pages rendered for a signed-in user, and `no-referrer` on
 * subscription links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { subscribe, linkFor } from '../../src/digests/subscriptions.service.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';

const P = '2506.00001';
const MATH = '2506.00002';

async function seeded(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await testApp({ now: '2025-06-05T12:00:00Z', env });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  await upsertPapers(app.ctx.store.db, [{ id: MATH, title: 'Bounds of $\\mathcal{O}(n \\log n)$ sorting', abstract: 'We show $$\\sum_{i=1}^n \\frac{1}{i^2} < \\sqrt{2}$$ and $x^2$.', authors: ['Ada Lovelace'], categories: ['cs.DS'], publishedAt: '2025-06-05T00:00:00Z', codeUrl: null, version: 1 }], { now: '2025-06-05T12:00:00Z' });
  return app;
}

/** The nonce in a CSP header's script-src. */
function nonceOf(csp: string): string {
  const m = /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(csp);
  assert.ok(m, `no nonce in ${csp}`);
  return m[1];
}

/** Every start tag with an inline event handler attribute (onclick=, onload=, …). */
const handlers = (html: string) => [...html.matchAll(/<[a-zA-Z][^>]*?\son[a-z]+\s*=/g)].map((m) => m[0]);
const scripts = (html: string) => [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);

test('CSP forbids inline script and javascript: URLs; every <script> carries the response nonce; no inline handlers', async () => {
  const app = await seeded();
  try {
    const { browser } = await signedIn(app, 'reader', 'moderator');
    const pages = ['/', `/papers/${P}`, `/papers/${MATH}`, '/papers/trending', '/papers/month/2025-06', '/search?q=study', '/search', '/login', '/signup', '/forgot', '/submit', '/subscribe', '/about/trending', '/api', '/feeds', '/no/such/page'];
    let checked = 0;
    for (const signed of [false, true]) {
      for (const p of pages) {
        const { res, html } = signed ? await browser.get(p) : await app.request(p, { redirect: 'manual' }).then(async (r) => ({ res: r, html: await r.text() }));
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /(^|; )script-src 'self' 'nonce-[^']+'(;|$)/, p);
        assert.doesNotMatch(csp, /unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe-inline/, `${p}: no unsafe-inline for scripts`);
        assert.match(csp, /script-src-attr 'none'/, p);
        assert.match(csp, /object-src 'none'/, p);
        assert.match(csp, /base-uri 'none'/, p);
        assert.match(csp, /frame-ancestors 'none'/, p);
        if (!signed) {
          const nonce = nonceOf(csp);
          const tags = scripts(html);
          if (res.status !== 303 && res.status !== 302) assert.ok(tags.length >= 1, `${p} (${res.status}) loads app.js`);
          for (const t of tags) assert.ok(t.includes(`nonce="${nonce}"`), `${p}: ${t} lacks the nonce ${nonce}`);
        } else {
          for (const t of scripts(html)) assert.match(t, /nonce="[A-Za-z0-9+/=]+"/, `${p}: ${t}`);
        }
        assert.deepEqual(handlers(html), [], `${p} has inline event handlers`);
        assert.doesNotMatch(html, /href\s*=\s*["']?\s*javascript:/i, p);
        checked++;
      }
    }
    assert.equal(checked, pages.length * 2);
    // A fresh nonce per response.
    const a = nonceOf((await app.request('/')).headers.get('content-security-policy')!);
    const b = nonceOf((await app.request('/')).headers.get('content-security-policy')!);
    assert.notEqual(a, b);
  } finally {
    await app.close();
  }
});

test('COOP, Permissions-Policy, nosniff and frame denial on pages, API and static files', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  for (const p of ['/', '/api/daily_papers', '/static/style.css', '/healthz']) {
    const h = (await app.request(p)).headers;
    assert.equal(h.get('cross-origin-opener-policy'), 'same-origin', p);
    assert.match(h.get('permissions-policy') ?? '', /camera=\(\), microphone=\(\), geolocation=\(\)/, p);
    assert.equal(h.get('x-content-type-options'), 'nosniff', p);
    assert.equal(h.get('x-frame-options'), 'DENY', p);
    assert.equal(h.get('referrer-policy'), 'strict-origin-when-cross-origin', p);
  }
});

test('HSTS only when BASE_URL is https', async () => {
  for (const [base, expected] of [
    ['https://papers.example.org', 'max-age=31536000; includeSubDomains'],
    ['http://papers.example.org', null],
  ] as const) {
    const app = await testApp({ env: { BASE_URL: base } });
    try {
      for (const p of ['/', '/static/app.js', '/api/daily_papers']) assert.equal((await app.request(p)).headers.get('strict-transport-security'), expected, `${base}${p}`);
    } finally {
      await app.close();
    }
  }
});

test('pages for a signed-in user: Cache-Control private, no-store and Vary: Cookie; anonymous pages not', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const { browser } = await signedIn(app, 'carol');
  for (const p of ['/', `/papers/${P}`, '/papers/trending', '/search?q=study', '/u/carol', '/no/such/page']) {
    const mine = (await browser.get(p)).res.headers;
    assert.equal(mine.get('cache-control'), 'private, no-store', p);
    assert.match(mine.get('vary') ?? '', /\bCookie\b/, p);
    const anon = (await app.request(p)).headers;
    assert.notEqual(anon.get('cache-control'), 'private, no-store', p);
    assert.doesNotMatch(anon.get('vary') ?? '', /\bCookie\b/, p);
  }
  // Not pages: the stylesheet stays publicly cacheable even for a signed-in browser.
  const css = (await browser.request('/static/style.css')).headers;
  assert.equal(css.get('cache-control'), 'public, max-age=3600');
});

test('subscription links keep Referrer-Policy: no-referrer (valid, bad and unsubscribe links); other pages do not', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  await subscribe(app.ctx, { email: 'dora@example.org' });
  const sub = await app.ctx.store.db.selectFrom('subscriptions').selectAll().executeTakeFirstOrThrow();
  const paths = [new URL(linkFor(app.ctx, sub, 'confirm')).pathname, new URL(linkFor(app.ctx, sub, 'unsubscribe')).pathname, '/subscription/not-a-token', '/unsubscribe/not-a-token'];
  for (const p of paths) {
    const res = await app.request(p, { redirect: 'manual' });
    assert.ok(res.status < 500, `${p}: ${res.status}`);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${p} (${res.status})`);
  }
  assert.equal((await app.request('/subscribe')).headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
});
