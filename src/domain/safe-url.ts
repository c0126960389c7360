/**
 * The one rule for URLs that come from data or users (imported project pages, code
 * repositories, thumbnails, links in comments, anything a later feature adds): a URL is an
 * absolute http(s) URL with a host, or it is not a link at all.
 *
 * Applied three times on purpose: at import (bad values are never stored), at render (values
 * stored before the rule existed, or written by another path, still never become an `href` or
 * `src`), and in the JSON presenters (API clients render our values too).
 *
 * Why so strict: browsers strip tabs and newlines inside URLs (`java\tscript:` is
 * `javascript:`), ignore leading C0 controls and spaces, and compare schemes case-insensitively,
 * so a deny-list of bad schemes always misses a variant. Instead the value must *start* with
 * `http://` or `https://` (any case), contain no whitespace, control or other invisible
 * formatting character anywhere, be well-formed Unicode, and parse as a URL with a host.
 * Pure: no I/O.
 */

/** Longest URL we keep (the import limit; longer values are dropped, not cut). */
export const MAX_URL_LENGTH = 2000;

// C0 controls, space, DEL, C1 controls, and the invisible formatting characters (soft hyphen,
// zero-width and bidi controls, line/paragraph separators, BOM) that hide what a link says.
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]/;
const HTTP_PREFIX = /^https?:\/\//i;

/**
 * The value as a safe http(s) URL, or null. Surrounding whitespace is trimmed (a normalisation);
 * anything else wrong drops the value. The string is kept as written otherwise, so an
 * imported `https://x.org` stays `https://x.org` (no trailing slash added).
 */
export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s || s.length > MAX_URL_LENGTH) return null;
  if (!HTTP_PREFIX.test(s) || FORBIDDEN.test(s) || s.includes('\\')) return null;
  if (!isWellFormed(s)) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!u.hostname) return null;
  // user:password@host is a phishing device (https://paypal.com@evil.example/), never a project page.
  if (u.username || u.password) return null;
  return s;
}

/**
 * The text with every lone surrogate replaced by U+FFFD. Imported data can hold them (JSON
 * escapes like "\ud800"); they cannot be percent-encoded into a link (encodeURIComponent
 * throws) and PostgreSQL silently rewrites them, so text is made well-formed once, on the way in.
 */
export function wellFormedText(s: string): string {
  const f = (s as any).toWellFormed;
  if (typeof f === 'function') return f.call(s);
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function isWellFormed(s: string): boolean {
  const f = (s as any).isWellFormed;
  if (typeof f === 'function') return f.call(s);
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing. */
export function tryDecodeURIComponent(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * A same-site path to send the browser to after a form (`/login?next=`), or the fallback.
 * Accepts only `/` followed by a path that cannot be read as another origin: no `//`, no `/\`
 * (browsers treat `\` as `/`), no control or invisible characters anywhere (browsers strip
 * tabs/newlines, so `/\t/evil.example` is `//evil.example`), no scheme, at most 500 characters.
 * The result is re-serialised by the URL parser (spaces percent-encoded, dot segments resolved).
 */
export function safeRedirectPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 500) return fallback;
  if (next[0] !== '/' || next[1] === '/' || next[1] === '\\') return fallback;
  if (FORBIDDEN.test(next.replace(/ /g, '')) || next.includes('\\')) return fallback;
  if (!isWellFormed(next)) return fallback;
  // Percent-encoded controls or slashes decode to the same tricks in some servers and proxies.
  if (/%(?:0[0-9a-f]|1[0-9a-f]|7f|5c)/i.test(next) || /^\/%2f/i.test(next)) return fallback;
  let u: URL;
  try {
    u = new URL(next, 'http://same.invalid');
  } catch {
    return fallback;
  }
  if (u.origin !== 'http://same.invalid') return fallback;
  // Dot segments can collapse into a leading "//" ("/.//evil.example" → "//evil.example"),
  // which a browser reads as another host.
  const path = u.pathname + u.search + u.hash;
  return path.startsWith('//') ? fallback : path;
}
