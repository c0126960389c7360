/** The page frame every HTML page shares: landmarks, navigation, search, subscribe, feeds. */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { WebContext, WebUser } from './types.js';

export interface PageMeta {
  title: string;
  description?: string;
  canonical?: string;
  alternates?: { type: string; title: string; href: string }[];
  /** Extra <head> content, e.g. the KaTeX stylesheet. */
  math?: boolean;
  query?: string;
  status?: number;
  noindex?: boolean;
  /** More <head> elements (meta tags of one page: OpenGraph, citation_*). */
  head?: Child;
}

function Header({ user, csrf, query }: { user: WebUser | null; csrf: string; query?: string }) {
  return (
    <header class="site-header">
      <div class="wrap header-row">
        <a class="brand" href="/" aria-label="Papertide home">
          <svg aria-hidden="true" width="26" height="26" viewBox="0 0 32 32"><path d="M4 22c4-6 8-6 12 0s8 6 12 0" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"/><path d="M4 14c4-6 8-6 12 0s8 6 12 0" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" opacity=".55"/></svg>
          <span>Papertide</span>
        </a>
        <nav aria-label="Main" class="main-nav">
          <a href="/">Daily</a>
          <a href="/papers/trending">Trending</a>
          <a href="/submit">Submit</a>
          <a href="/subscribe">Digest</a>
        </nav>
        <form class="search-form" role="search" action="/search" method="get">
          <label for="site-search" class="visually-hidden">Search papers</label>
          <input id="site-search" name="q" type="search" placeholder="Search papers, authors, arXiv ids…" value={query ?? ''} autocomplete="off" maxlength={250} />
          <button type="submit">Search</button>
        </form>
        <div class="account">
          {user ? (
            <>
              <a href="/for-you">For you</a>
              <a href="/library">Library</a>
              <a href="/following">Following</a>
              <a href={`/u/${encodeURIComponent(user.name)}`}>{user.name}</a>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={csrf} />
                <button type="submit" class="link">Log out</button>
              </form>
            </>
          ) : (
            <>
              <a href="/login">Log in</a>
              <a href="/signup" class="button small">Sign up</a>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

function Footer({ csrf }: { csrf: string }) {
  return (
    <footer class="site-footer">
      <div class="wrap footer-grid">
        <section aria-labelledby="footer-subscribe">
          <h2 id="footer-subscribe">Trending papers in your inbox</h2>
          <form method="post" action="/subscribe" class="subscribe-form">
            <input type="hidden" name="_csrf" value={csrf} />
            <label for="footer-email" class="visually-hidden">Email address</label>
            <input id="footer-email" type="email" name="email" required placeholder="you@example.org" autocomplete="email" />
            <button type="submit">Subscribe</button>
          </form>
          <p class="muted small">Daily or weekly, filtered by your topics. Unsubscribe in one click.</p>
        </section>
        <section aria-labelledby="footer-more">
          <h2 id="footer-more">More</h2>
          <ul class="plain">
            <li><a href="/about/trending">How trending works</a></li>
            <li><a href="/api">JSON API</a> · <a href="/openapi.json">OpenAPI</a></li>
            <li><a href="/feeds">RSS, Atom and JSON feeds</a></li>
          </ul>
        </section>
        <p class="muted small colophon">Metadata from <a href="https://arxiv.org">arXiv</a>. Papertide is open source and self-hostable.</p>
      </div>
    </footer>
  );
}

export function Layout(props: PageMeta & { user: WebUser | null; csrf: string; nonce?: string; children?: Child }) {
  const alternates = props.alternates ?? [];
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title>{props.title === 'Papertide' ? 'Papertide' : `${props.title} · Papertide`}</title>
          {props.description ? <meta name="description" content={props.description} /> : null}
          {props.noindex ? <meta name="robots" content="noindex" /> : null}
          {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
          {props.head ?? null}
          {alternates.map((a) => (
            <link rel="alternate" type={a.type} title={a.title} href={a.href} />
          ))}
          <link rel="stylesheet" href="/static/style.css" />
          {props.math ? <link rel="stylesheet" href="/static/katex/katex.min.css" /> : null}
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          <script src="/static/app.js" defer nonce={props.nonce}></script>
        </head>
        <body>
          <a class="skip-link" href="#main">Skip to content</a>
          <Header user={props.user} csrf={props.csrf} query={props.query} />
          <main id="main" class="wrap" tabindex={-1}>
            {props.children}
          </main>
          <Footer csrf={props.csrf} />
        </body>
      </html>
    </>
  );
}

/** Render a page inside the layout with the request's user and CSRF token. */
export function renderPage(c: WebContext, meta: PageMeta, body: Child) {
  const alternates = [...(c.get('alternates') ?? []), ...(meta.alternates ?? [])];
  c.header('Content-Type', 'text/html; charset=utf-8');
  return c.html(
    <Layout {...meta} alternates={alternates} user={c.get('user') ?? null} csrf={c.get('csrf') ?? ''} nonce={c.get('secureHeadersNonce')}>
      {body}
    </Layout>,
    (meta.status ?? 200) as any,
  );
}
