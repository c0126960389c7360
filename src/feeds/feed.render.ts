/**
 * Render one feed document as RSS 2.0 or Atom 1.0 (with the `feed` package) or JSON Feed 1.1
 * (by hand: `feed` 4 writes JSON Feed 1.0, without `authors` and `language`).
 *
 * Text from arXiv and users is hostile: control characters XML forbids are removed, the HTML
 * bodies are built from escaped text only, titles are HTML-escaped (Atom's `type="html"`, and RSS's, which readers often render as HTML), and
 * every link is absolute (built from BASE_URL). The output depends only on the document, so the
 * same data always gives the same bytes and the same ETag.
 *   RSS 2.0: https://www.rssboard.org/rss-specification
 *   Atom:    https://www.rfc-editor.org/rfc/rfc4287
 *   JSON:    https://www.jsonfeed.org/version/1.1/
 */
import crypto from 'node:crypto';
import { Feed } from 'feed';
import { escapeHtml } from '../domain/html.js';

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export interface FeedEntry {
  id: string; // arXiv id
  title: string;
  url: string; // absolute
  date: Date; // when it entered this feed (featured) or was last updated
  published: Date | null;
  authors: string[];
  summary: string; // plain text
  contentHtml: string; // already escaped HTML
  categories: string[];
}

export interface FeedDoc {
  key: string; // stable id, e.g. "daily" or "category/cs.LG"
  title: string;
  description: string;
  pageUrl: string; // absolute: the HTML page this feed mirrors
  selfUrl: (format: FeedFormat) => string; // absolute
  updated: Date;
  entries: FeedEntry[];
}

// XML 1.0 allows \t \n \r and U+0020 and above (minus surrogates and U+FFFE/FFFF).
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanText(s: string): string {
  return s.replace(XML_INVALID, '');
}

/** Text for a feed's HTML: characters XML cannot carry dropped, then HTML-escaped. */
export function escapeFeedText(s: string): string {
  return escapeHtml(cleanText(s));
}

function feedObject(doc: FeedDoc, format: 'rss' | 'atom'): Feed {
  const f = new Feed({
    id: doc.selfUrl(format),
    title: cleanText(doc.title),
    description: cleanText(doc.description),
    link: doc.pageUrl,
    language: 'en',
    updated: doc.updated,
    generator: 'Papertide',
    feedLinks: { [format]: doc.selfUrl(format) },
    copyright: 'Metadata from arXiv.org; abstracts under their authors’ licences.',
  });
  for (const e of doc.entries) {
    f.addItem({
      // Atom titles are type="html": escape them. RSS 2.0 does not say whether a title is text or
      // HTML and many readers render it as HTML, so RSS titles are escaped too: a title reading
      // `<img onerror=…>` must show as text, never run, in every reader.
      title: escapeFeedText(e.title),
      id: e.url,
      guid: e.url,
      link: e.url,
      date: e.date,
      published: e.published ?? undefined,
      description: escapeFeedText(e.summary),
      content: cleanText(e.contentHtml),
      author: e.authors.slice(0, 50).map((name) => ({ name: cleanText(name) })),
      category: e.categories.map((c) => ({ name: c, term: c })),
    });
  }
  return f;
}

function jsonFeed(doc: FeedDoc): string {
  const body = {
    version: 'https://jsonfeed.org/version/1.1',
    title: doc.title,
    home_page_url: doc.pageUrl,
    feed_url: doc.selfUrl('json'),
    description: doc.description,
    language: 'en',
    items: doc.entries.map((e) => ({
      id: e.url,
      url: e.url,
      title: e.title,
      summary: e.summary,
      content_html: e.contentHtml,
      date_published: (e.published ?? e.date).toISOString(),
      date_modified: e.date.toISOString(),
      authors: e.authors.slice(0, 50).map((name) => ({ name })),
      tags: e.categories,
      external_url: `https://arxiv.org/abs/${e.id}`,
    })),
  };
  // Control characters are legal in JSON (escaped) but never meaningful here: drop them too.
  return JSON.stringify(body, (_k, v) => (typeof v === 'string' ? cleanText(v) : v), 1);
}

export interface RenderedFeed {
  body: string;
  contentType: string;
  etag: string;
  lastModified: Date;
}

export function renderFeed(doc: FeedDoc, format: FeedFormat): RenderedFeed {
  const body = format === 'json' ? jsonFeed(doc) : format === 'rss' ? feedObject(doc, 'rss').rss2() : feedObject(doc, 'atom').atom1();
  const etag = `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType: FEED_TYPES[format], etag, lastModified: doc.updated };
}

/**
 * Conditional GET (RFC 9110 §13.1): If-None-Match wins when present; otherwise
 * If-Modified-Since with one-second resolution.
 */
export function notModified(r: RenderedFeed, ifNoneMatch: string | undefined, ifModifiedSince: string | undefined): boolean {
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(r.etag);
  }
  if (ifModifiedSince) {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since)) return Math.floor(r.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
