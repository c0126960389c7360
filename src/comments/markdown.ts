/**
 * Comment Markdown → safe HTML: `marked` renders, `sanitize-html` keeps a small allow-list
 * (no images, no raw HTML, no inline styles), every link is http(s) or loses its href, and gets
 * rel="nofollow ugc noopener".
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { safeHttpUrl } from '../domain/safe-url.js';

const marked = new Marked({ gfm: true, breaks: true, async: false });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr'],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // A link is http(s) or plain text (src/domain/safe-url.ts): anything else loses its href.
    a: (tagName, attribs) => {
      const { href, ...rest } = attribs;
      const safe = safeHttpUrl(href);
      return { tagName, attribs: safe ? { ...rest, href: safe, rel: 'nofollow ugc noopener' } : rest };
    },
    h1: 'p',
    h2: 'p',
    h3: 'p',
    h4: 'p',
    h5: 'p',
    h6: 'p',
  },
};

export function renderCommentMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return sanitizeHtml(html, OPTIONS).trim();
}
