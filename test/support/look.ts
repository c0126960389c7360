/**
 * What a person checks on a page, measured in Chromium: form controls that are neither stretched
 * nor squashed, a query box that holds the query and is wide enough to read it, the counts a card
 * and a paper page show, the text of an abstract as it is seen (without the hidden MathML copy of
 * rendered formulas). Selectors go by role, name and visible text, not by the CSS classes a
 * redesign may change.
 */
import type { Page, Locator } from 'playwright-core';

/**
 * Problems with the visible form controls of the page (one line each, naming the control):
 * - a radio button or checkbox larger than 32 px, or not on the line of its label's text and
 *   right beside it (at most 48 px away);
 * - a text-like input whose typing area is narrower than 8 characters (a date input: narrower
 *   than a date), a textarea narrower than 30 characters, any of them lower than one line;
 * - a button (or a link drawn as one) whose text does not fit in it, that is lower than its
 *   text or narrower than 24 px;
 * - a button or input much higher (× 1.4) than the one right beside it on the same line;
 * - links or buttons that touch on a line (less than 2 px apart), so that they read as one word.
 * In-page code is a string: tsx's helpers for named functions do not exist inside the page.
 */
export async function formControlProblems(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    const canvas = document.createElement('canvas').getContext('2d');
    const textWidth = (el, s) => {
      const cs = getComputedStyle(el);
      canvas.font = cs.font || (cs.fontStyle + ' ' + cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily);
      return canvas.measureText(s).width;
    };
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (r.width === 0 && r.height === 0) return false;
      if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) return false;
      if (el.closest('.visually-hidden, [hidden]')) return false;
      const d = el.closest('details');
      if (d && !d.open && !el.closest('summary')) return false;
      return true;
    };
    const describe = (el) => {
      const label = (el.labels && el.labels[0] ? el.labels[0].innerText : el.getAttribute('aria-label') || el.innerText || el.value || el.getAttribute('placeholder') || el.getAttribute('href') || '')
        .trim().replace(/\\s+/g, ' ').slice(0, 40);
      const type = el.tagName === 'INPUT' ? '[type=' + el.type + ']' : el.tagName === 'A' && looksLikeButton(el) ? ' (drawn as a button)' : '';
      const name = el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '';
      return el.tagName.toLowerCase() + type + name + ' "' + label + '"';
    };
    const px = (n) => Math.round(n) + ' px';
    const rowed = [];
    // Links drawn as buttons (a border or a filled background, not inline text) count as buttons.
    const looksLikeButton = (a) => {
      const cs = getComputedStyle(a);
      if (cs.display === 'inline' && a.tagName === 'A') return false;
      const bordered = parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== 'none';
      const filled = cs.backgroundColor !== 'rgba(0, 0, 0, 0)' && cs.backgroundColor !== 'transparent';
      return bordered || filled;
    };
    const controls = [...document.querySelectorAll('input, select, textarea, button'), ...[...document.querySelectorAll('a[href]')].filter(looksLikeButton)];
    for (const el of controls) {
      if (el.type === 'hidden' || !visible(el)) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      const fontPx = parseFloat(cs.fontSize) || 16;
      const size = px(r.width) + ' × ' + px(r.height);
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (r.width > 32 || r.height > 32) out.push(describe(el) + ' is ' + size + ': stretched (a ' + el.type + ' is about 16 px)');
        const label = el.labels && el.labels[0];
        if (!label) continue;
        let text = null;
        const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (!n.textContent.trim() || (n.parentElement && n.parentElement.closest('input, select, textarea, button'))) continue;
          range.selectNodeContents(n);
          const rects = range.getClientRects();
          if (rects.length) { text = rects[0]; break; }
        }
        if (!text) continue;
        const cy = r.top + r.height / 2;
        if (cy < text.top - 2 || cy > text.bottom + 2) out.push(describe(el) + ' is not on the line of its label (control centre at y ' + px(cy) + ', label text from ' + px(text.top) + ' to ' + px(text.bottom) + ')');
        else {
          const gap = text.left >= r.right - 1 ? text.left - r.right : r.left >= text.right - 1 ? r.left - text.right : -1;
          if (gap < 0 || gap > 48) out.push(describe(el) + ' is not beside its label text (' + (gap < 0 ? 'they overlap' : 'gap ' + px(gap)) + ')');
        }
        continue;
      }
      const inner = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (el.tagName === 'BUTTON' || el.tagName === 'A' || ['submit', 'button', 'reset'].includes(el.type)) {
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) out.push(describe(el) + ' is ' + size + ' and does not fit its text (' + px(el.scrollWidth) + ' × ' + px(el.scrollHeight) + ' needed)');
        else if (r.height < fontPx * 1.15) out.push(describe(el) + ' is ' + size + ': squashed, lower than its text');
        else if (r.width < 24) out.push(describe(el) + ' is ' + size + ': squashed, narrower than the 24 px a finger or pointer needs');
        rowed.push(el);
        continue;
      }
      if (el.tagName === 'SELECT') {
        if (r.height < fontPx * 1.15) out.push(describe(el) + ' is ' + size + ': lower than its text');
        rowed.push(el);
        continue;
      }
      if (['text', 'search', 'email', 'password', 'url', 'tel', 'number', 'date'].includes(el.type) || el.tagName === 'TEXTAREA') {
        const need = el.tagName === 'TEXTAREA' ? textWidth(el, '0'.repeat(30)) : el.type === 'date' ? textWidth(el, '00/00/0000') : textWidth(el, '0'.repeat(8));
        if (inner + 0.5 < need) out.push(describe(el) + ' is ' + size + ': squashed, its typing area (' + px(inner) + ') is narrower than ' + (el.type === 'date' ? 'a date' : el.tagName === 'TEXTAREA' ? '30 characters' : '8 characters') + ' (' + px(need) + ')');
        if (r.height < fontPx * 1.15) out.push(describe(el) + ' is ' + size + ': lower than its text');
        if (el.tagName !== 'TEXTAREA') rowed.push(el);
      }
    }
    // Side by side on one line (overlapping vertically, at most 24 px apart), buttons and inputs
    // share a height: one much taller than its neighbour stands out of the row (a squashed pill).
    const seen = new Set();
    for (const a of rowed) {
      for (const b of rowed) {
        if (a === b || a.contains(b) || b.contains(a)) continue;
        const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
        if (ra.bottom <= rb.top || rb.bottom <= ra.top) continue;
        const gap = Math.max(rb.left - ra.right, ra.left - rb.right);
        if (gap < 0 || gap > 24) continue;
        if (ra.height > rb.height * 1.4 && !seen.has(a)) {
          seen.add(a);
          out.push(describe(a) + ' is ' + px(ra.width) + ' × ' + px(ra.height) + ', much higher than ' + describe(b) + ' beside it (' + px(rb.height) + '): squashed out of its row');
        }
      }
    }
    // The words of links and buttons next to each other on a line need some room between them,
    // or they read as one word ("EditDelete"). Measured on the text, not the boxes: padding counts.
    const textBox = (el) => { const rg = document.createRange(); rg.selectNodeContents(el); return rg.getBoundingClientRect(); };
    const clickable = [...document.querySelectorAll('a[href], button')].filter((el) => visible(el) && (el.innerText || '').trim() && !el.closest('.katex'));
    for (let i = 0; i < clickable.length; i++) {
      const a = clickable[i];
      const ra = textBox(a);
      for (let j = i + 1; j < Math.min(clickable.length, i + 4); j++) {
        const b = clickable[j];
        if (a.contains(b) || b.contains(a)) continue;
        const rb = textBox(b);
        if (ra.bottom <= rb.top + 2 || rb.bottom <= ra.top + 2) continue;
        const gap = rb.left - ra.right;
        if (gap > -1 && gap < 2) out.push(describe(a) + ' and ' + describe(b) + ' run together (their words are ' + px(gap) + ' apart)');
      }
    }
    return out;
  })()`);
}

/** How much wider than the window the page is (it scrolls sideways), or 0. */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate('Math.max(0, document.documentElement.scrollWidth - window.innerWidth)');
}

/**
 * The query box of the search page (the `q` input inside the main content): the problems a
 * person sees with it, i.e. it does not hold the query, or its typing area cannot show 30
 * characters. Any other visible search box on the page must hold the query too (two boxes
 * with different text are confusing).
 */
export async function queryBoxProblems(page: Page, query: string): Promise<string[]> {
  return page.evaluate(`((query) => {
    const out = [];
    const box = document.querySelector('main input[name=q]');
    if (!box) return ['no query box (input name=q) in the main content'];
    const r = box.getBoundingClientRect();
    const cs = getComputedStyle(box);
    const canvas = document.createElement('canvas').getContext('2d');
    canvas.font = cs.font || (cs.fontStyle + ' ' + cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily);
    const sample = 'author:hinton diffusion models';
    const need = canvas.measureText(sample).width;
    const inner = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (r.width === 0 || cs.visibility === 'hidden' || cs.display === 'none') out.push('the query box is not visible');
    else if (inner + 0.5 < need) out.push('the query box is ' + Math.round(r.width) + ' px wide: its typing area (' + Math.round(inner) + ' px) cannot show 30 characters ("' + sample + '" needs ' + Math.round(need) + ' px)');
    if (box.value !== query) out.push('the query box holds "' + box.value + '", not the query "' + query + '"');
    for (const other of document.querySelectorAll('input[name=q]')) {
      if (other === box) continue;
      const o = other.getBoundingClientRect();
      if (o.width === 0 || getComputedStyle(other).visibility === 'hidden') continue;
      if (other.value !== query) out.push('another visible search box (' + (other.id || other.getAttribute('aria-label') || 'input') + ') holds "' + other.value + '", not the query');
    }
    return out;
  })(${JSON.stringify(query)})`);
}

/**
 * Run a function, given as source text, on the element: functions compiled by tsx carry name-keeping
 * helpers that do not exist inside the page, and a string passed to `locator.evaluate` is only
 * evaluated, not called.
 */
export async function evalOn<T>(loc: Locator, fnSource: string): Promise<T> {
  return loc.evaluate((el, src) => (0, eval)(src)(el), fnSource) as Promise<T>;
}

/** The visible text of an element, without the MathML copy KaTeX keeps for screen readers. */
export async function seenText(loc: Locator): Promise<string> {
  return evalOn(loc, `(el) => {
    const copy = el.cloneNode(true);
    for (const m of copy.querySelectorAll('math, annotation, .katex-mathml, script, style')) m.remove();
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  }`);
}

/** The upvote count shown in this part of the page (from the accessible "N upvotes", else "▲ N"). */
export async function upvotesShown(loc: Locator): Promise<number | null> {
  const s: string | null = await evalOn(loc, `(root) => {
    for (const el of [root, ...root.querySelectorAll('[aria-label]')]) {
      const m = /(\\d[\\d,]*)\\s+upvotes?\\b/i.exec(el.getAttribute('aria-label') || '');
      if (m) return m[1];
    }
    const t = /▲\\s*(\\d[\\d,]*)/.exec(root.innerText);
    return t ? t[1] : null;
  }`);
  return s === null ? null : Number(s.replace(/,/g, ''));
}

/** Numbers a text ties to comments: "3 comments", "1 comment", "Comments (2)". */
export function commentNumbers(text: string): number[] {
  const out = new Set<number>();
  for (const m of text.matchAll(/(\d[\d,]*)\s+comments?\b/gi)) out.add(Number(m[1].replace(/,/g, '')));
  for (const m of text.matchAll(/comments?\s*\((\d[\d,]*)\)/gi)) out.add(Number(m[1].replace(/,/g, '')));
  return [...out];
}

/**
 * Does the text show this number with the word "comment": before it on the same line ("3 comments",
 * "3 Hugging Face comments"), or after it on the same or the next line ("Comments (0) · 3 on
 * Hugging Face"). Dates and times ("2026-12-03 11:43") are not counts.
 */
export function showsCommentCount(text: string, n: number): boolean {
  const num = `(?<![\\d,.]|\\d[-:/])${n.toLocaleString('en').replace(/,/g, ',?')}(?![\\d,.]*\\d)(?![-:/]\\d)`;
  return new RegExp(`${num}[^\\n]{0,30}?comment|comment[^\\n]{0,40}?${num}|comment[^\\n]{0,40}\\n[^\\n]{0,40}?${num}`, 'i').test(text);
}

/** "196 results · page 1 of 10" → the count as written ("196", "about 3,400") and the number of pages. */
export function resultCount(text: string): { count: string; pages: number | null } | null {
  const m = /((?:about|around|over|more than|~)\s*)?(\d[\d,]*)\+?\s+(?:results?|papers?|matches)/i.exec(text);
  if (!m) return null;
  const p = /page\s+\d+\s+of\s+(\d[\d,]*)/i.exec(text);
  return { count: `${m[1] ?? ''}${m[2]}`.trim(), pages: p ? Number(p[1].replace(/,/g, '')) : null };
}
