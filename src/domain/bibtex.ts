/**
 * BibTeX for arXiv papers: writing entries (stable citation keys, arXiv's `eprint` /
 * `archivePrefix` / `primaryClass`, title and authors escaped for LaTeX, Unicode kept as it is:
 * biber and BibTeX 8-bit read UTF-8) and reading a user's .bib file back into arXiv ids, entry by
 * entry, so one bad entry is reported with its line and the rest still imports.
 *
 * Titles from arXiv are LaTeX source: formulas (`$\mathcal{O}(n)$`) are kept as formulas (with
 * `%`, `#`, `&` escaped, which would break them), text-mode commands become their text (the same
 * rule as plain-text emails, `latexToPlainText`), and everything else is escaped as text.
 *   BibTeX format: https://www.bibtex.org/Format/ ; arXiv's advice: https://info.arxiv.org/help/faq/references.html
 */
import { extractArxivId, parseArxivId } from './arxiv-id.js';
import { latexToPlainText } from './clean-text.js';

export interface CitablePaper {
  id: string; // arXiv id without version
  title: string;
  authors: string[];
  primaryCategory: string | null;
  publishedAt: string | null;
  doi?: string | null;
  journalRef?: string | null;
  abstract?: string;
  categories?: string[];
}

const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '%': '\\%',
  '&': '\\&',
  $: '\\$',
  _: '\\_',
  '#': '\\#',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Plain text as LaTeX text: the ten special characters escaped, everything else (Unicode too) kept. */
export function escapeLatexText(s: string): string {
  return s.replace(/[\\{}%&$_#~^]/g, (ch) => TEXT_ESCAPES[ch]);
}

function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++; // an escaped brace does not count
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * A title (or any arXiv text) as a BibTeX field value. `$…$` spans whose braces balance stay
 * formulas; in them an unescaped `%` (a LaTeX comment, which would swallow the closing brace),
 * `#` or `&` gets its backslash. The text around them loses its text-mode commands and is escaped.
 */
export function latexField(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  let out = '';
  let i = 0;
  const re = /(?<!\\)\$([^$]+)(?<!\\)\$/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const math = m[1];
    if (!balanced(math)) continue;
    out += escapeLatexText(latexToPlainText(s.slice(i, m.index)));
    out += `$${math.replace(/(?<!\\)([%#&])/g, '\\$1')}$`;
    i = m.index + m[0].length;
  }
  return out + escapeLatexText(latexToPlainText(s.slice(i)));
}

/** One author for the `author` field: a name holding a comma or the word "and" is braced whole. */
export function authorField(name: string): string {
  const n = escapeLatexText(name.replace(/\s+/g, ' ').trim());
  return /,|(^|\s)and(\s|$)/i.test(name) ? `{${n}}` : n;
}

function asciiWord(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

const STOP = new Set(['a', 'an', 'the', 'on', 'of', 'in', 'for', 'to', 'and', 'with', 'from', 'towards', 'toward', 'via', 'is', 'are', 'do', 'does', 'how', 'what', 'why', 'when', 'at', 'by']);

/**
 * The base citation key: first author's family name, year, first significant title word, all
 * ASCII (`vaswani2017attention`). It depends only on the paper, so it is the same in every export.
 */
export function baseCitationKey(p: CitablePaper): string {
  const first = p.authors[0] ?? '';
  const parts = first.split(/\s+/).filter(Boolean);
  const family = asciiWord(parts[parts.length - 1] ?? '') || 'anon';
  const year = /^\d{4}/.exec(p.publishedAt ?? '')?.[0] ?? arxivYear(p.id) ?? '';
  const words = latexToPlainText(p.title.replace(/\$[^$]*\$/g, ' ')).split(/[\s\-:–—/]+/).map(asciiWord).filter(Boolean);
  const word = words.find((w) => !STOP.has(w)) ?? words[0] ?? '';
  return `${family}${year}${word}`;
}

function arxivYear(id: string): string | null {
  const m = /^(\d{2})\d{2}\.\d{4,5}$/.exec(id) ?? /\/(\d{2})\d{5}$/.exec(id);
  if (!m) return null;
  const yy = Number(m[1]);
  return String(yy >= 91 ? 1900 + yy : 2000 + yy);
}

/**
 * Keys for a set of papers: the base key, and for papers sharing a base key every one but the
 * oldest arXiv id gets `-<id>` appended — still a function of the paper, never of its position.
 */
export function citationKeys(papers: CitablePaper[]): Map<string, string> {
  const byBase = new Map<string, CitablePaper[]>();
  for (const p of papers) {
    const b = baseCitationKey(p);
    byBase.set(b, [...(byBase.get(b) ?? []), p]);
  }
  const keys = new Map<string, string>();
  for (const [b, ps] of byBase) {
    const sorted = [...ps].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    sorted.forEach((p, i) => keys.set(p.id, i === 0 ? b : `${b}-${p.id.replace(/\//g, '-')}`));
  }
  return keys;
}

/** One `@misc` entry, as arXiv recommends for preprints (biblatex reads eprint fields natively). */
export function bibtexEntry(p: CitablePaper, key = baseCitationKey(p)): string {
  const year = /^\d{4}/.exec(p.publishedAt ?? '')?.[0] ?? arxivYear(p.id);
  const fields: [string, string][] = [
    ['title', `{${latexField(p.title)}}`],
    ['author', p.authors.map(authorField).join(' and ')],
  ];
  if (year) fields.push(['year', year]);
  fields.push(['eprint', p.id], ['archivePrefix', 'arXiv']);
  if (p.primaryCategory) fields.push(['primaryClass', escapeLatexText(p.primaryCategory)]);
  // biblatex reads doi (like url and eprint) verbatim: a backslash escape would become part of
  // the DOI (`10.1000/x\_y`). Only braces and backslashes, which cannot stand inside a braced
  // value as themselves, are percent-encoded, as in a DOI URL (found by an independent parser).
  if (p.doi && /^10\.\S+$/.test(p.doi)) fields.push(['doi', p.doi.replace(/[{}\\]/g, (ch) => encodeURIComponent(ch))]);
  if (p.journalRef) fields.push(['journal', latexField(p.journalRef)]);
  fields.push(['url', `https://arxiv.org/abs/${p.id}`]);
  return `@misc{${key},\n${fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n')}\n}\n`;
}

/** A whole .bib file: entries in the given order, keys unique within the file. */
export function bibtexFile(papers: CitablePaper[]): string {
  const keys = citationKeys(papers);
  return papers.map((p) => bibtexEntry(p, keys.get(p.id))).join('\n');
}

// ------------------------------------------------------------------------------------ reading

export interface BibEntry {
  type: string; // lower-cased: article, misc...
  key: string;
  line: number; // 1-based line of the `@`
  fields: Record<string, string>; // lower-cased names, values with outer braces/quotes removed
}

export interface BibProblem {
  line: number;
  key?: string;
  reason: string;
}

/**
 * Parse a .bib file into entries. A malformed entry becomes a problem with its line, and reading
 * resumes at the next `@` that starts a line, so one bad entry loses nothing else. `@string`
 * macros are expanded, `@comment` and `@preamble` skipped; text outside entries is a comment,
 * as it is for BibTeX.
 */
/** The longest field value read (after `#` concatenation and macro expansion), in characters. */
export const VALUE_MAX = 100_000;

export function parseBibtex(text: string): { entries: BibEntry[]; problems: BibProblem[] } {
  const entries: BibEntry[] = [];
  const problems: BibProblem[] = [];
  const macros: Record<string, string> = { jan: 'January', feb: 'February', mar: 'March', apr: 'April', may: 'May', jun: 'June', jul: 'July', aug: 'August', sep: 'September', oct: 'October', nov: 'November', dec: 'December' };
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  class Bad extends Error {
    constructor(
      public pos: number,
      message: string,
    ) {
      super(message);
    }
  }

  let pos = 0;
  // How far an unclosed value was scanned: reading resumes past it, so every character is
  // scanned a bounded number of times however many entries are broken (no quadratic blow-up).
  let furthest = 0;
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const ident = (what: string) => {
    const m = /^[^\s"#%'(),={}@]+/.exec(text.slice(pos, pos + 1000));
    if (!m) throw new Bad(pos, `expected ${what}, found ${describe(pos)}`);
    pos += m[0].length;
    return m[0];
  };
  const describe = (p: number) => (p >= text.length ? 'the end of the file' : `“${text.slice(p, p + 12).split('\n')[0]}”`);
  const braced = (): string => {
    const start = pos;
    let depth = 0;
    for (; pos < text.length; pos++) {
      const ch = text[pos];
      if (ch === '\\') {
        pos++;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) {
          pos++;
          return text.slice(start + 1, pos - 1);
        }
      } else if (ch === '@' && text[pos - 1] === '\n') break; // a new entry: this one lost its closing brace
    }
    furthest = pos;
    throw new Bad(start, 'a value opened with “{” is never closed');
  };
  const quoted = (): string => {
    const start = pos;
    pos++;
    let depth = 0;
    for (; pos < text.length; pos++) {
      const ch = text[pos];
      if (ch === '\\') {
        pos++;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (ch === '"' && depth === 0) {
        pos++;
        return text.slice(start + 1, pos - 1);
      } else if (ch === '@' && text[pos - 1] === '\n') break;
    }
    furthest = pos;
    throw new Bad(start, 'a value opened with “"” is never closed');
  };
  const value = (): string => {
    let out = '';
    let viaMacro = false;
    for (;;) {
      skipSpace();
      const ch = text[pos];
      if (ch === '{') out += braced();
      else if (ch === '"') out += quoted();
      else if (ch !== undefined && /[0-9]/.test(ch)) out += ident('a number');
      else if (ch !== undefined && /[A-Za-z_]/.test(ch)) {
        const name = ident('a macro name').toLowerCase();
        if (!(name in macros)) throw new Bad(pos - name.length, `unknown @string macro “${name}”`);
        out += macros[name];
        viaMacro = true;
      } else throw new Bad(pos, `expected a value, found ${describe(pos)}`);
      // `@string` macros concatenated with `#` can double a value per line (a "billion laughs"
      // file of 30 lines would ask for gigabytes): a value is bounded, the entry refused.
      if (out.length > VALUE_MAX) throw new Bad(pos, `a value longer than ${VALUE_MAX.toLocaleString('en')} characters${viaMacro ? ' (@string macros expanding without end?)' : ''}`);
      skipSpace();
      if (text[pos] !== '#') return out;
      pos++;
    }
  };

  while (pos < text.length) {
    const at = text.indexOf('@', pos);
    if (at < 0) break;
    pos = at + 1;
    const line = lineOf(at);
    let key: string | undefined;
    try {
      skipSpace();
      const type = ident('an entry type after “@”').toLowerCase();
      skipSpace();
      if (type === 'comment') {
        if (text[pos] === '{') braced();
        continue;
      }
      const open = text[pos];
      if (open !== '{' && open !== '(') throw new Bad(pos, `expected “{” after @${type}, found ${describe(pos)}`);
      const close = open === '{' ? '}' : ')';
      pos++;
      skipSpace();
      if (type === 'preamble') {
        value();
        skipSpace();
        if (text[pos] !== close) throw new Bad(pos, `expected “${close}” to end @preamble`);
        pos++;
        continue;
      }
      if (type === 'string') {
        const name = ident('a macro name').toLowerCase();
        skipSpace();
        if (text[pos] !== '=') throw new Bad(pos, `expected “=” after @string name “${name}”`);
        pos++;
        macros[name] = value();
        skipSpace();
        if (text[pos] !== close) throw new Bad(pos, `expected “${close}” to end @string`);
        pos++;
        continue;
      }
      key = ident('a citation key');
      skipSpace();
      const fields: Record<string, string> = {};
      for (;;) {
        if (text[pos] === close) {
          pos++;
          break;
        }
        if (text[pos] !== ',') throw new Bad(pos, `expected “,” or “${close}” after a field, found ${describe(pos)}`);
        pos++;
        skipSpace();
        if (text[pos] === close) {
          pos++;
          break;
        }
        const name = ident('a field name').toLowerCase();
        skipSpace();
        if (text[pos] !== '=') throw new Bad(pos, `expected “=” after the field name “${name}”, found ${describe(pos)}`);
        pos++;
        fields[name] = value().replace(/\s+/g, ' ').trim();
        skipSpace();
      }
      entries.push({ type, key, line, fields });
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      const errLine = lineOf(Math.min(e.pos, text.length));
      problems.push({ line, ...(key ? { key } : {}), reason: errLine === line ? e.message : `${e.message} (line ${errLine})` });
      // Resume at the next line that starts an entry.
      const resume = /\n[ \t\r]*@/g;
      resume.lastIndex = Math.max(e.pos, furthest - 1, at + 1);
      const next = resume.exec(text);
      pos = next ? next.index + 1 : text.length;
    }
  }
  return { entries, problems };
}

/**
 * The arXiv id an entry cites: `eprint` (with archivePrefix arXiv, or shaped like an arXiv id),
 * an `arxiv`/`arxivid` field, a DOI 10.48550/arXiv.ID, an arxiv.org URL, or "arXiv:ID" in
 * journal/note/howpublished. Null when none.
 */
export function arxivIdOfEntry(e: BibEntry): string | null {
  const f = e.fields;
  const strip = (s: string | undefined) => (s ?? '').replace(/[{}]/g, '').trim();
  const tries: string[] = [];
  const prefix = strip(f.archiveprefix ?? f.eprinttype).toLowerCase();
  if (f.eprint && (prefix === '' || prefix === 'arxiv')) tries.push(strip(f.eprint));
  for (const k of ['arxiv', 'arxivid']) if (f[k]) tries.push(strip(f[k]));
  const doi = /^(?:https?:\/\/(?:dx\.)?doi\.org\/)?10\.48550\/arxiv\.(.+)$/i.exec(strip(f.doi));
  if (doi) tries.push(doi[1]);
  for (const k of ['url', 'howpublished', 'note', 'journal', 'eprint']) {
    const v = strip(f[k]).replace(/\\url/g, '');
    const url = /https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\/[^\s,}]+/i.exec(v);
    if (url) tries.push(url[0]);
    const tag = /arxiv:\s*([a-z-]+(?:\.[A-Z]{2})?\/\d{7}|\d{4}\.\d{4,5})(v\d+)?/i.exec(v);
    if (tag) tries.push(tag[1]);
  }
  for (const t of tries) {
    const id = extractArxivId(t) ?? parseArxivId(t);
    if (id) return id.id;
  }
  return null;
}

/** What an import reads: arXiv ids in order of appearance, each with its line, and the problems. */
export interface ImportList {
  items: { id: string; line: number }[];
  problems: BibProblem[];
}

/** A pasted or uploaded text: a .bib file when an entry starts a line, else one id or URL a line. */
export function readImportText(text: string): ImportList {
  const items: { id: string; line: number }[] = [];
  const problems: BibProblem[] = [];
  const seen = new Set<string>();
  const add = (id: string, line: number) => {
    if (seen.has(id)) return;
    seen.add(id);
    items.push({ id, line });
  };
  if (/(^|\n)\s*@\s*[A-Za-z]+\s*[{(]/.test(text)) {
    const parsed = parseBibtex(text);
    problems.push(...parsed.problems);
    for (const e of parsed.entries) {
      const id = arxivIdOfEntry(e);
      if (id) add(id, e.line);
      else problems.push({ line: e.line, key: e.key, reason: `@${e.type}{${e.key}} names no arXiv paper (no eprint, arXiv URL or arXiv DOI)` });
    }
  } else {
    text.split('\n').forEach((raw, i) => {
      const s = raw.trim();
      if (!s || s.startsWith('#') || s.startsWith('%')) return; // comment lines

      for (const token of s.split(/[\s,;]+/).filter(Boolean)) {
        const id = extractArxivId(token);
        if (id) add(id.id, i + 1);
        else problems.push({ line: i + 1, reason: `“${token.slice(0, 60)}” is not an arXiv id or URL` });
      }
    });
  }
  problems.sort((a, b) => a.line - b.line);
  return { items, problems };
}
