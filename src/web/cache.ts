/**
 * Bounded caches. Every cache in the web process has a ceiling in entries AND in bytes, so no
 * request pattern (unique paths, unique query strings, huge pages) can grow memory without
 * limit: past either ceiling the least recently used entries go.
 */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { WebContext } from './types.js';

/**
 * A least-recently-used map bounded by entry count and by total size. The size of an entry is
 * `sizeOf(key, value)` in bytes; strings count two bytes per UTF-16 unit, the most V8 spends on
 * them (one-byte strings use half), so the budget is an upper bound. An entry larger than an
 * eighth of the byte budget is not kept at all: one huge value must not flush the whole cache.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private total = 0;
  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly sizeOf: (key: string, value: V) => number,
  ) {}

  get size(): number {
    return this.map.size;
  }
  /** Total size of the entries held, in the unit of `sizeOf` (bytes). */
  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const size = this.sizeOf(key, value);
    if (size > this.maxBytes / 8) return;
    this.map.set(key, { value, size });
    this.total += size;
    while (this.map.size > this.maxEntries || this.total > this.maxBytes) this.delete(this.map.keys().next().value!);
  }

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.size;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}

/** Bytes of a string (upper bound: two per UTF-16 unit). */
export const stringBytes = (s: string) => 2 * s.length;
/** Size of a string-keyed string entry: both strings plus the entry's bookkeeping. */
export const stringEntrySize = (key: string, value: string) => stringBytes(key) + stringBytes(value) + 64;

/**
 * A small cache of rendered page fragments (the <main> content of list and paper pages), so a
 * busy hub renders each page once per change instead of once per request. Entries are keyed by
 * URL and valid while the app's data version is unchanged. The version moves for every write
 * this process makes and, through the store's change log (src/changes/follower.ts), for every
 * write another process makes (the CLI, another worker, another box): no time bound is needed
 * for them. `ttlMs` (default: none) only bounds staleness for an app that does not follow the
 * store.
 */
export class FragmentCache {
  private readonly entries: BoundedCache<{ version: number; at: number; html: string }>;
  constructor(
    max = 2000,
    private readonly ttlMs = Infinity,
    maxBytes = 32 * 1024 * 1024,
  ) {
    this.entries = new BoundedCache(max, maxBytes, (key, e) => stringBytes(key) + stringBytes(e.html) + 96);
  }

  get size(): number {
    return this.entries.size;
  }
  get bytes(): number {
    return this.entries.bytes;
  }

  async get(key: string, version: number, now: number, render: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version && now - hit.at < this.ttlMs) return hit.html;
    const html = await render();
    this.entries.set(key, { version, at: now, html });
    return html;
  }
}

/**
 * A cache key for a page: its path plus the query values the page reads, already parsed and
 * normalised by the page (`{ p: 2 }`, not the raw `?p=0002`). Any other parameter (`?utm=…`,
 * `?x=<random>`) maps to the same entry, so unique query strings can neither bypass the cache
 * nor fill it.
 */
export function pageKey(c: WebContext, values: Record<string, string | number> = {}): string {
  const parts = Object.keys(values)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(String(values[k]))}`);
  return parts.length ? `${c.req.path}?${parts.join('&')}` : c.req.path;
}

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
