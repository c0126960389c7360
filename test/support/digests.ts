/** Shared by the digest tests: a cookie-keeping form client and seeded papers/subscribers. */
import type { TestApp } from './app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import type { PaperInput } from '../../src/domain/paper.js';

/** A minimal browser: keeps cookies, posts forms with the `_csrf` of the last page it read. */
export class FormClient {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly app: TestApp) {}

  private store(res: Response) {
    for (const line of res.headers.getSetCookie?.() ?? []) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
  }
  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string): Promise<{ res: Response; html: string }> {
    const res = await this.app.request(path, { headers: { cookie: this.cookieHeader() } });
    this.store(res);
    const html = await res.text();
    const m = /name="_csrf" value="([^"]*)"/.exec(html);
    if (m) this.csrf = m[1];
    return { res, html };
  }

  async post(path: string, fields: Record<string, string | string[]>): Promise<{ res: Response; html: string }> {
    const body = new URLSearchParams();
    body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.app.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader() } });
    this.store(res);
    const html = await res.text();
    const m = /name="_csrf" value="([^"]*)"/.exec(html);
    if (m) this.csrf = m[1];
    return { res, html };
  }
}

export function paper(id: string, o: Partial<PaperInput> = {}): PaperInput {
  return {
    id,
    title: `Paper ${id}`,
    abstract: `An abstract for ${id} about nothing in particular, with enough words to be a real abstract of a real paper.`,
    authors: ['Ada Lovelace', 'Alan Turing'],
    categories: ['cs.LG'],
    publishedAt: '2025-06-03T00:00:00Z',
    ...o,
  };
}

export async function seedPapers(app: TestApp, papers: (PaperInput & { score?: number; upvotes?: number })[], at: string) {
  const db = app.ctx.store.db;
  await upsertPapers(db, papers, { now: at });
  for (const p of papers) {
    // They entered trending when seeded, as papersChanged would record it.
    await db.updateTable('papers').set({ trending_score: p.score ?? 0, upvotes: p.upvotes ?? 0, trending_since: at }).where('id', '=', p.id).execute();
  }
}

export async function addActiveSubscriber(app: TestApp, email: string, o: { cadence?: string; topics?: object; maxPapers?: number; lastDigestAt?: string | null } = {}) {
  const now = app.clock.now().toISOString();
  const r = await app.ctx.store.db
    .insertInto('subscriptions')
    .values({ email, status: 'active', cadence: o.cadence ?? 'daily', topics: JSON.stringify({ categories: [], keywords: [], searches: [], ...o.topics }), max_papers: o.maxPapers ?? 10, confirmed_at: now, last_digest_at: o.lastDigestAt ?? null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id as number;
}

export const linkIn = (text: string, path: string) => {
  const m = new RegExp(`https?://[^\\s"<>]+${path}[A-Za-z0-9_.-]+`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return new URL(m[0]).pathname;
};
