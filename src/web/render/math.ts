/**
 * Text with LaTeX math → safe HTML. Math ($…$, $$…$$, \(…\), \[…\]) is rendered by KaTeX on the
 * server with untrusted-input settings (no \href/\url, bounded macro expansion); a formula KaTeX
 * cannot parse is shown as escaped source. Outside math, the LaTeX that arXiv abstracts use in
 * text mode is rendered too (renderTextMode): escapes (\% \& \_ \$ \# \{ \}) as the character,
 * \textbf/\emph/\textit/\texttt/\underline… as HTML emphasis, accents, ``quotes'', \href and \url
 * as links when they are http(s). Hugging Face's copies of abstracts lost some backslashes
 * ("textbf{x}"); those commands are recognised too. Everything else is HTML-escaped.
 */
import katex from 'katex';
import { BoundedCache, stringEntrySize } from '../cache.js';
import { escapeHtml } from '../../domain/html.js';

/** A formula starting exactly here (sticky). Bounded: a formula longer than that is not one. */
const MATH_AT = /\$\$([\s\S]{1,4000}?)\$\$|\\\[([\s\S]{1,4000}?)\\\]|\\\(([\s\S]{1,4000}?)\\\)|\$((?:\\\$|[^$]){1,4000}?)\$/y;

function renderFormula(tex: string, displayMode: boolean): string {
  if (tex.length > 2000) return escapeHtml(displayMode ? `$$${tex}$$` : `$${tex}$`);
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: false, strict: 'ignore', trust: false, maxExpand: 200, maxSize: 20, output: 'htmlAndMathml' });
  } catch {
    return `<code class="tex">${escapeHtml(tex)}</code>`;
  }
}

// ---------------------------------------------------------------- text-mode LaTeX

type Tag = readonly [string, string];
const STRONG: Tag = ['<strong>', '</strong>'];
const EM: Tag = ['<em>', '</em>'];
const CODE: Tag = ['<code>', '</code>'];
const SC: Tag = ['<span class="smallcaps">', '</span>'];
const PLAIN: Tag = ['', ''];

/** Commands with one argument, rendered as HTML around it. */
const ARG_TAGS: Record<string, Tag> = {
  textbf: STRONG, mathbf: STRONG, boldsymbol: STRONG, bm: STRONG,
  textit: EM, emph: EM, textsl: EM, mathit: EM,
  texttt: CODE, mathtt: CODE,
  textsc: SC,
  underline: ['<u>', '</u>'],
  textsuperscript: ['<sup>', '</sup>'],
  textsubscript: ['<sub>', '</sub>'],
  text: PLAIN, textrm: PLAIN, textsf: PLAIN, textnormal: PLAIN, textup: PLAIN, textmd: PLAIN, mbox: PLAIN, mathrm: PLAIN, mathsf: PLAIN,
};
/** `{\bf x}`-style declarations at the start of a group. */
const DECLS: Record<string, Tag> = { bf: STRONG, bfseries: STRONG, em: EM, it: EM, itshape: EM, sl: EM, tt: CODE, ttfamily: CODE, sc: SC, scshape: SC, rm: PLAIN };
/** Hugging Face's copies lost the backslash of these; with a brace after them they are still commands. */
const STRIPPED = /(?<![A-Za-z\\])(?:textbf|textit|emph|texttt|textsc|underline)(?=\{)/g;
/** The same inside math, where more commands lost their backslash. */
const STRIPPED_IN_MATH = /(?<![A-Za-z\\])(textbf|textit|emph|texttt|textsc|underline|text|textrm|mathbf|mathcal|mathrm|mathbb|mathit|frac|sqrt)(?=\{)/g;
/** References and labels: nothing a reader can follow, removed with their argument. */
const DROPPED = new Set(['cite', 'citep', 'citet', 'citealp', 'label', 'ref', 'eqref', 'footnotemark', 'vspace', 'hspace']);
/** Argument-less commands shown as a character (outside math too, where authors sometimes use them). */
const SYMBOLS: Record<string, string> = {
  times: '×', pm: '±', mp: '∓', sim: '∼', approx: '≈', simeq: '≃', neq: '≠', ne: '≠', leq: '≤', le: '≤', geq: '≥', ge: '≥', ll: '≪', gg: '≫',
  to: '→', rightarrow: '→', leftarrow: '←', Rightarrow: '⇒', leftrightarrow: '↔', uparrow: '↑', downarrow: '↓',
  infty: '∞', cdot: '·', ldots: '…', dots: '…', cdots: '⋯', textellipsis: '…', star: '⋆', dagger: '†', dag: '†', ddagger: '‡', ddag: '‡', checkmark: '✓',
  textasciitilde: '~', textasciicircum: '^', textbackslash: '\\', textbar: '|', textless: '<', textgreater: '>', textbullet: '•', textdegree: '°', degree: '°',
  textendash: '–', textemdash: '—', S: '§', P: '¶', copyright: '©', textregistered: '®', texttrademark: '™', euro: '€', pounds: '£',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', rho: 'ρ', sigma: 'σ', tau: 'τ', phi: 'φ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω', ell: 'ℓ',
  i: 'ı', j: 'ȷ', o: 'ø', O: 'Ø', ss: 'ß', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', l: 'ł', L: 'Ł',
  ie: 'i.e.', eg: 'e.g.', etal: 'et al.', etc: 'etc.', vs: 'vs.', LaTeX: 'LaTeX', TeX: 'TeX', quad: ' ', qquad: ' ', newline: ' ', par: ' ', noindent: '', centering: '',
};
/** Accent commands → Unicode combining marks (composed with NFC). */
const ACCENTS: Record<string, string> = { "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307', c: '\u0327', v: '\u030C', u: '\u0306', H: '\u030B', r: '\u030A', k: '\u0328', d: '\u0323', b: '\u0331' };
const ESCAPED = '%&_$#{}';
const MAX_DEPTH = 12;

/** For every `{`, the index of its matching `}` (or -1), skipping backslash-escaped characters. One pass. */
function matchBraces(s: string): Int32Array {
  const close = new Int32Array(s.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 123 /* { */) stack.push(i);
    else if (c === 125 /* } */ && stack.length) close[stack.pop()!] = i;
  }
  return close;
}

function safeUrl(u: string): string | null {
  const url = u.trim().replace(/\\([%&_#$~])/g, '$1');
  return /^https?:\/\/[^\s"<>]+$/i.test(url) ? url : null;
}

class TextRenderer {
  private readonly close: Int32Array;
  private readonly stripped: Set<number>;

  constructor(private readonly s: string) {
    this.close = matchBraces(s);
    this.stripped = new Set();
    for (const m of s.matchAll(STRIPPED)) this.stripped.add(m.index!);
  }

  /** The argument `{…}` at `j` (after optional spaces), within [.., to): [start, end) of its content. */
  private arg(j: number, to: number): [number, number] | null {
    while (j < to && this.s[j] === ' ') j++;
    if (this.s[j] !== '{') return null;
    const e = this.close[j];
    return e > j && e < to ? [j + 1, e] : null;
  }

  /** The formula starting at `i` when it ends by `to`, else null. */
  private formulaAt(i: number, to: number): RegExpExecArray | null {
    MATH_AT.lastIndex = i;
    const m = MATH_AT.exec(this.s);
    return m && i + m[0].length <= to ? m : null;
  }

  private formula(m: RegExpExecArray, depth: number): string {
    const display = m[1] ?? m[2];
    const tex = (display ?? m[3] ?? m[4])!;
    const repaired = tex.replace(STRIPPED_IN_MATH, '\\$1');
    // "$textbf{a} and textbf{b}$": words that lost their backslashes and were wrapped in $ by
    // mistake. Rendered as math they are italic letters without spaces; they are text.
    if (repaired !== tex && /^[\p{L}\p{N}\s,.;:!?'()\-]*$/u.test(repaired.replace(/\\(?:textbf|textit|emph|texttt|textsc|underline|text|textrm|mathrm|mathbf)\{[^{}$\\^_]*\}/g, ''))) {
      return new TextRenderer(repaired).render(0, repaired.length, depth + 1);
    }
    return renderFormula(repaired, display !== undefined);
  }

  render(from: number, to: number, depth = 0): string {
    const s = this.s;
    let out = '';
    let i = from;
    while (i < to) {
      const ch = s[i];
      if (ch === '\\') {
        const next = s[i + 1];
        if (next === undefined || i + 1 >= to) {
          out += '\\';
          i++;
        } else if (ESCAPED.includes(next)) {
          out += escapeHtml(next);
          i += 2;
        } else if (next === '(' || next === '[') {
          const m = this.formulaAt(i, to);
          if (m) {
            out += this.formula(m, depth);
            i += m[0].length;
          } else {
            out += escapeHtml(s.slice(i, i + 2));
            i += 2;
          }
        } else if (next === '\\') {
          out += ' ';
          i += 2;
        } else if (" ,;:!-/@".includes(next)) {
          out += next === ',' ? '\u2009' : next === ' ' || next === ';' || next === ':' ? ' ' : '';
          i += 2;
        } else if (/[A-Za-z]/.test(next)) {
          let j = i + 1;
          while (j < to && /[A-Za-z]/.test(s[j])) j++;
          const name = s.slice(i + 1, j);
          const r = this.command(name, i, j, to, depth);
          out += r.html;
          i = r.end;
        } else if (ACCENTS[next] !== undefined) {
          const r = this.accent(next, i + 2, to, s[i - 1]);
          out += r.html;
          i = r.end;
        } else {
          out += escapeHtml(s.slice(i, i + 2));
          i += 2;
        }
      } else if (ch === '$') {
        const m = this.formulaAt(i, to);
        if (m) {
          out += this.formula(m, depth);
          i += m[0].length;
        } else {
          out += '$';
          i++;
        }
      } else if (ch === '{') {
        // {\bf text}, {\em text}: a declaration at the start of a group.
        const d = /^\\([a-z]+)(?![A-Za-z])\s*/.exec(s.slice(i + 1, i + 14));
        const e = this.close[i];
        if (d && DECLS[d[1]] && e > i && e < to && depth < MAX_DEPTH) {
          const t = DECLS[d[1]];
          out += t[0] + this.render(i + 1 + d[0].length, e, depth + 1) + t[1];
          i = e + 1;
        } else {
          out += '{';
          i++;
        }
      } else if (this.stripped.has(i)) {
        let j = i;
        while (/[a-z]/.test(s[j])) j++;
        const r = this.command(s.slice(i, j), i, j, to, depth);
        out += r.html;
        i = r.end;
      } else if (ch === '`' && s[i + 1] === '`') {
        out += '“';
        i += 2;
      } else if (ch === "'" && s[i + 1] === "'") {
        out += '”';
        i += 2;
      } else {
        // A run of ordinary characters up to the next one that may start something.
        let j = i + 1;
        while (j < to && !'\\${`\''.includes(s[j]) && !this.stripped.has(j)) j++;
        out += escapeHtml(s.slice(i, j));
        i = j;
      }
    }
    return out;
  }

  /** `\name` at [at, j); returns the HTML and where to continue. */
  private command(name: string, at: number, j: number, to: number, depth: number): { html: string; end: number } {
    const s = this.s;
    const literal = { html: escapeHtml(s.slice(at, j)), end: j };
    if (depth >= MAX_DEPTH) return literal;
    const tag = ARG_TAGS[name];
    if (tag) {
      const a = this.arg(j, to);
      return a ? { html: tag[0] + this.render(a[0], a[1], depth + 1) + tag[1], end: a[1] + 1 } : literal;
    }
    if (name === 'href' || name === 'url') {
      const a = this.arg(j, to);
      if (!a) return literal;
      const url = safeUrl(s.slice(a[0], a[1]));
      const b = name === 'href' ? this.arg(a[1] + 1, to) : null;
      const label = b ? this.render(b[0], b[1], depth + 1) : escapeHtml(s.slice(a[0], a[1]).replace(/\\([%&_#$~])/g, '$1'));
      const end = (b ? b[1] : a[1]) + 1;
      return { html: url ? `<a href="${escapeHtml(url)}" rel="nofollow noopener">${label}</a>` : label, end };
    }
    if (name === 'textcolor' || name === 'colorbox') {
      const a = this.arg(j, to);
      const b = a ? this.arg(a[1] + 1, to) : null;
      return b ? { html: this.render(b[0], b[1], depth + 1), end: b[1] + 1 } : literal;
    }
    if (name === 'footnote') {
      const a = this.arg(j, to);
      return a ? { html: ` (${this.render(a[0], a[1], depth + 1)})`, end: a[1] + 1 } : literal;
    }
    if (DROPPED.has(name)) {
      let end = j;
      for (let a = this.arg(j, to); a; a = this.arg(end, to)) end = a[1] + 1;
      return { html: '', end };
    }
    if (name.length === 1 && ACCENTS[name] !== undefined && s[j] === '{') return this.accent(name, j, to, undefined);
    const sym = SYMBOLS[name];
    if (sym !== undefined) return { html: escapeHtml(sym), end: s.startsWith('{}', j) ? j + 2 : j };
    return literal;
  }

  /** An accent command whose argument starts at `j`: `\'e`, `\'{e}`, `\c{c}`. */
  private accent(mark: string, j: number, to: number, before: string | undefined): { html: string; end: number } {
    const s = this.s;
    // "query\'s", "don\'t": an escaped apostrophe, not an accent over s or t.
    if (mark === "'" && before && /\p{L}/u.test(before) && /^(?:s|t|d|m|re|ve|ll)(?![\p{L}])/u.test(s.slice(j, j + 3))) return { html: '&#39;', end: j };
    let base: string;
    let end: number;
    const a = this.arg(j, to);
    if (a && a[1] - a[0] <= 2) {
      base = s.slice(a[0], a[1]).replace(/^\\([ij])$/, (_, c) => (c === 'i' ? 'ı' : 'ȷ'));
      end = a[1] + 1;
    } else if (j < to && /\p{L}/u.test(s[j])) {
      base = s[j];
      end = j + 1;
    } else {
      return { html: escapeHtml(s.slice(j - 2, j)), end: j };
    }
    return { html: escapeHtml((base.replace('ı', 'i') + ACCENTS[mark]).normalize('NFC')), end };
  }
}

/** Text-mode LaTeX (and the math inside it) → safe HTML. Linear in the input length. */
export function renderLatexText(text: string): string {
  return new TextRenderer(text).render(0, text.length);
}

/**
 * Hugging Face's copies sometimes lost the braces as well as the backslash: "\\textbf{2.15\\%}"
 * arrives as "textbf2.15%", "\\textbf{RE}asoning" as "textbfREasoning". What was emphasised can no
 * longer be known, so the command's name is dropped and the text kept. Only a command name glued
 * to a capital or a digit qualifies: no English word starts that way.
 */
const BARE_COMMAND = /(?<![A-Za-z\\])(?:textbf|textit|emph|texttt|textsc|underline)(?=[A-Z0-9])/g;
export function dropBareCommands(text: string): string {
  return text.includes('text') || text.includes('emph') || text.includes('underline') ? text.replace(BARE_COMMAND, '') : text;
}

/** Only text with one of these characters can hold LaTeX. */
const MAY_HOLD_LATEX = /[$\\{`]|''/;

/** Rendered text by source text, bounded in entries and bytes (KaTeX output is ~50x its source). */
export const mathCache = new BoundedCache<string>(20_000, 16 * 1024 * 1024, stringEntrySize);

/** Render text that may contain math. Cached: the same abstract renders once per process. */
export function renderMathText(text: string): string {
  text = dropBareCommands(text);
  if (!MAY_HOLD_LATEX.test(text)) return escapeHtml(text);
  const hit = mathCache.get(text);
  if (hit !== undefined) return hit;
  const out = renderLatexText(text);
  mathCache.set(text, out);
  return out;
}

/** A short excerpt of an abstract that never cuts a formula or a command's argument in half. */
export function excerpt(text: string, max = 280): string {
  if (text.length <= max) return text;
  let cut = text.lastIndexOf(' ', max);
  if (cut < max * 0.6) cut = max;
  let s = text.slice(0, cut);
  // An odd number of unescaped $ means we are inside inline math: back up before it.
  const dollars = s.match(/(?<!\\)\$/g)?.length ?? 0;
  if (dollars % 2 === 1) s = s.slice(0, s.lastIndexOf('$')).trimEnd();
  // An argument left open ("\textbf{Foo bar" cut before its "}"): back up before its command.
  const close = matchBraces(s);
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{' && close[i] < 0 && s[i - 1] !== '\\') {
      const cmd = /\\?[A-Za-z]*$/.exec(s.slice(Math.max(0, i - 30), i));
      s = s.slice(0, i - (cmd ? cmd[0].length : 0)).trimEnd();
      break;
    }
  }
  return `${s.replace(/[\s,.;:]+$/, '')}…`;
}

const INLINE_MATH = /\$\$([^$<>]{1,2000}?)\$\$|\\\[([\s\S]{1,2000}?)\\\]|\\\(([\s\S]{1,2000}?)\\\)|(?<![\\$\w])\$([^$\s](?:[^$]{0,1998}[^$\s])?)\$(?![\w$])/g;
const decodeEntities = (s: string) => s.replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", amp: '&' })[e as 'lt']!);

/**
 * Math in already-sanitised HTML (comments: Markdown → sanitize-html): $…$, $$…$$, \(…\) and \[…\]
 * in text outside <code>, <pre> and <a> are rendered by KaTeX (untrusted settings). Only text
 * between tags is touched, so the sanitiser's guarantees hold; the formula's source is decoded
 * from the sanitiser's entities before KaTeX sees it, and KaTeX escapes its own output. Inline
 * `$` needs a non-space right after it and right before the closing one ("costs $5 and $6"
 * stays text).
 */
export function renderMathInHtml(html: string): string {
  if (!html.includes('$') && !html.includes('\\(') && !html.includes('\\[')) return html;
  let out = '';
  let skip = 0; // depth inside <code>, <pre>, <a>
  for (const part of html.split(/(<[^>]*>)/)) {
    if (part.startsWith('<')) {
      const m = /^<(\/?)(code|pre|a)\b/i.exec(part);
      if (m) skip = Math.max(0, skip + (m[1] ? -1 : 1));
      out += part;
    } else if (skip > 0 || !part) {
      out += part;
    } else {
      out += part.replace(INLINE_MATH, (_m, d1, d2, i1, i2) => {
        const display = d1 ?? d2;
        return renderFormula(decodeEntities(display ?? i1 ?? i2), display !== undefined);
      });
    }
  }
  return out;
}
