/**
 * Text with LaTeX math → safe HTML. Everything outside math delimiters is HTML-escaped; math
 * ($…$, $$…$$, \(…\), \[…\]) is rendered by KaTeX on the server with untrusted-input settings
 * (no \href/\url, bounded macro expansion). A formula KaTeX cannot parse is shown as escaped source.
 */
import katex from 'katex';
import { BoundedCache, stringEntrySize } from '../cache.js';

const MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|(?<![\\$])\$((?:\\\$|[^$])+?)\$/g;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

function renderFormula(tex: string, displayMode: boolean): string {
  if (tex.length > 2000) return escapeHtml(displayMode ? `$$${tex}$$` : `$${tex}$`);
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: false, strict: 'ignore', trust: false, maxExpand: 200, maxSize: 20, output: 'htmlAndMathml' });
  } catch {
    return `<code class="tex">${escapeHtml(tex)}</code>`;
  }
}

/** Rendered text by source text, bounded in entries and bytes (KaTeX output is ~50x its source). */
export const mathCache = new BoundedCache<string>(20_000, 16 * 1024 * 1024, stringEntrySize);

/** Render text that may contain math. Cached: the same abstract renders once per process. */
export function renderMathText(text: string): string {
  if (!text.includes('$') && !text.includes('\\(') && !text.includes('\\[')) return escapeHtml(text);
  const hit = mathCache.get(text);
  if (hit !== undefined) return hit;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(MATH)) {
    out += escapeHtml(text.slice(last, m.index));
    const display = m[1] ?? m[2];
    out += display !== undefined ? renderFormula(display, true) : renderFormula((m[3] ?? m[4])!, false);
    last = m.index! + m[0].length;
  }
  out += escapeHtml(text.slice(last));
  mathCache.set(text, out);
  return out;
}

/** A short excerpt of an abstract that never cuts a formula in half. */
export function excerpt(text: string, max = 280): string {
  if (text.length <= max) return text;
  let cut = text.lastIndexOf(' ', max);
  if (cut < max * 0.6) cut = max;
  let s = text.slice(0, cut);
  // An odd number of unescaped $ means we are inside inline math: back up before it.
  const dollars = s.match(/(?<!\\)\$/g)?.length ?? 0;
  if (dollars % 2 === 1) s = s.slice(0, s.lastIndexOf('$')).trimEnd();
  return `${s.replace(/[\s,.;:]+$/, '')}…`;
}
