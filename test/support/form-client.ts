/**
 * The one cookie-and-CSRF client of the tests: it talks to the in-process app, keeps cookies as a
 * browser does (an expired or emptied cookie is dropped), reads the `_csrf` token of the last page
 * it read (a GET, or the page a POST answered with) the way a browser's form would, and posts
 * forms (a field given as an array is sent once per value, like checkboxes).
 */
import type { TestApp } from './app.js';
import { mailTo } from '../../src/mail/outbox.repository.js';
import { createSession, type Role } from '../../src/users/users.service.js';
import { insertUser } from '../../src/users/users.repository.js';

export interface Page {
  status: number;
  html: string;
  res: Response;
  location: string | null;
}

export class FormClient {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(public app: TestApp) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    const set = (res.headers as any).getSetCookie?.() as string[] | undefined;
    for (const line of set ?? []) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const res = await this.app.request(path, { ...init, headers, redirect: 'manual' });
    this.keep(res);
    return res;
  }

  private remember(html: string) {
    const m = /name="_csrf" value="([^"]*)"/.exec(html);
    if (m && m[1]) this.csrf = m[1];
  }

  /** GET a page, remember its CSRF token; returns status and HTML. */
  async get(path: string): Promise<Page> {
    const res = await this.request(path);
    const html = await res.text();
    this.remember(html);
    return { status: res.status, html, res, location: res.headers.get('location') };
  }

  /**
   * POST a form with the CSRF token of the last page read (unless `_csrf` is given; with none read
   * yet, the login page's); remembers the token of the page it answered with.
   */
  async post(path: string, fields: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<Page> {
    if (!this.csrf) await this.get('/login');
    const body = new URLSearchParams();
    if (!('_csrf' in fields)) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    const html = await res.text();
    this.remember(html);
    return { status: res.status, html, res, location: res.headers.get('location') };
  }

  async signup(name: string, email: string, password = 'correct horse battery'): Promise<void> {
    await this.get('/signup');
    const r = await this.post('/signup', { name, email, password });
    if (r.status !== 200) throw new Error(`signup failed ${r.status}: ${r.html.slice(0, 500)}`);
  }

  async login(email: string, password = 'correct horse battery'): Promise<void> {
    await this.get('/login');
    const r = await this.post('/login', { email, password });
    if (r.status !== 303) throw new Error(`login failed ${r.status}`);
    await this.get('/'); // pick up the session's CSRF token
  }
}

/** The link in the newest email of a kind to an address. */
export async function linkFromMail(app: TestApp, to: string, kind: string): Promise<string> {
  const mails = (await mailTo(app.ctx.store.db, to)).filter((m) => m.kind === kind);
  if (!mails.length) throw new Error(`no ${kind} mail to ${to}`);
  const m = /(https?:\/\/\S+)/.exec(mails[0].text_body);
  if (!m) throw new Error('no link in the mail');
  return m[1];
}

/** A verified user with a session, logged into a new FormClient (no HTTP sign-up, no rate limits). */
export async function signedIn(app: TestApp, name: string, role: Role = 'user', opts: { verified?: boolean } = {}): Promise<{ browser: FormClient; id: number }> {
  const now = app.clock.now().toISOString();
  // No password (no argon2 work): tests with many users stay fast; they sign in by session.
  const id = await insertUser(app.ctx.store.db, { name, email: `${name.toLowerCase()}@example.org`, passwordHash: null, role, verifiedAt: opts.verified === false ? null : now, now });
  const token = await createSession(app.ctx, id);
  const browser = new FormClient(app);
  browser.cookies.set('pt_session', token);
  await browser.get('/');
  return { browser, id };
}

export function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}
