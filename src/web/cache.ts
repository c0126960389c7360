/**
 * A small cache of rendered page fragments (the <main> content of list and paper pages), so a
 * busy hub renders each page once per change instead of once per request. Entries are keyed by
 * URL and valid while the app's data version is unchanged (every write in this process bumps it:
 * imports, votes, comments, submissions) and for at most `ttlMs`, which bounds staleness when
 * another process (a CLI import, a second instance) writes to the same store.
 * Only fragments that are the same for every visitor are cached: the header, footer and their
 * forms (CSRF tokens, the signed-in user) are rendered for each request.
 */
export class FragmentCache {
  private entries = new Map<string, { version: number; at: number; html: string }>();
  constructor(
    private readonly max = 2000,
    private readonly ttlMs = 5000,
  ) {}

  async get(key: string, version: number, now: number, render: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version && now - hit.at < this.ttlMs) return hit.html;
    const html = await render();
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.delete(key);
    this.entries.set(key, { version, at: now, html });
    return html;
  }
}

import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { WebContext } from './types.js';

/**
 * Render `build()` once per data version for anonymous visitors; signed-in users (whose pages may
 * show their own votes, or hidden content to moderators) always get a fresh render.
 */
export async function cachedFragment(cache: FragmentCache, c: WebContext, key: string, build: () => Promise<Child> | Child): Promise<Child> {
  if (c.get('user')) return build();
  const html = await cache.get(key, c.get('ctx').dataVersion, Date.now(), async () => {
    const node = await build();
    if (node === null || node === undefined || node === false) return '';
    return String(await (node as any).toString());
  });
  return html ? raw(html) : null;
}
