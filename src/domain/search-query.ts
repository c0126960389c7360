/**
 * The search query language, parsed into a tree. Pure; never throws for user input: a bad
 * query comes back as `{ ok: false, error }` with a sentence a person can act on.
 *
 *   words                 ranked by relevance (any may match)
 *   "quoted phrase"       the words must appear together, in this order
 *   -word  -"phrase"      exclude papers containing it
 *   author:hinton  author:"Geoffrey Hinton"
 *   cat:cs.CL             arXiv category (prefix cat:cs matches every cs.* category)
 *   year:2024  year:2023..2025
 *   before:2024-06-01  after:2024  (dates are inclusive bounds on the publication date)
 *   has:code              only papers with a code repository
 */

export type QueryNode =
  | { type: 'term'; text: string }
  | { type: 'phrase'; text: string }
  | { type: 'not'; child: { type: 'term' | 'phrase'; text: string } }
  | { type: 'author'; name: string }
  | { type: 'cat'; value: string }
  | { type: 'date'; field: 'year' | 'before' | 'after'; from: string | null; to: string | null; raw: string }
  | { type: 'has'; what: 'code' };

export interface QueryFilters {
  authors: string[];
  categories: string[];
  from: string | null; // YYYY-MM-DD inclusive
  to: string | null; // YYYY-MM-DD inclusive
  hasCode: boolean;
}

export interface ParsedQuery {
  nodes: QueryNode[];
  /** Text to rank by: the words and phrases (not exclusions, not filters). */
  text: string;
  phrases: string[];
  excluded: string[];
  filters: QueryFilters;
}

export type ParseResult = { ok: true; query: ParsedQuery } | { ok: false; error: string };

export const MAX_QUERY_LENGTH = 1000;
const FIELDS = new Set(['author', 'cat', 'year', 'before', 'after', 'has']);

function pad(n: number) {
  return String(n).padStart(2, '0');
}
function validDay(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}
/** Parse YYYY, YYYY-MM or YYYY-MM-DD into the first and last day it covers. */
export function parseDateBound(s: string): { first: string; last: string } | null {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  if (y < 1900 || y > 2200) return null;
  if (!m[2]) return { first: `${y}-01-01`, last: `${y}-12-31` };
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  if (!m[3]) {
    const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return { first: `${y}-${pad(mo)}-01`, last: `${y}-${pad(mo)}-${pad(lastDay)}` };
  }
  const d = Number(m[3]);
  if (!validDay(y, mo, d)) return null;
  const iso = `${y}-${pad(mo)}-${pad(d)}`;
  return { first: iso, last: iso };
}
function dayBefore(iso: string): string {
  const t = Date.parse(iso + 'T00:00:00Z') - 86400000;
  return new Date(t).toISOString().slice(0, 10);
}
function dayAfter(iso: string): string {
  const t = Date.parse(iso + 'T00:00:00Z') + 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

interface Lexeme {
  neg: boolean;
  field: string | null;
  value: string;
  quoted: boolean;
}

function lex(input: string): Lexeme[] | string {
  const out: Lexeme[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i])) i++;
    if (i >= n) break;
    let neg = false;
    if (input[i] === '-' && i + 1 < n && !/\s/.test(input[i + 1])) {
      neg = true;
      i++;
    }
    let field: string | null = null;
    const fm = /^([A-Za-z]+):/.exec(input.slice(i, i + 20));
    if (fm && FIELDS.has(fm[1].toLowerCase())) {
      field = fm[1].toLowerCase();
      i += fm[0].length;
    }
    if (input[i] === '"') {
      const close = input.indexOf('"', i + 1);
      if (close < 0) return `A quotation mark is not closed (at character ${i + 1}). Add the closing " or remove it.`;
      out.push({ neg, field, value: input.slice(i + 1, close), quoted: true });
      i = close + 1;
    } else {
      let j = i;
      while (j < n && !/\s/.test(input[j]) && input[j] !== '"') j++;
      out.push({ neg, field, value: input.slice(i, j), quoted: false });
      i = j;
    }
  }
  return out;
}

export function parseSearchQuery(input: string): ParseResult {
  if (typeof input !== 'string') return { ok: false, error: 'The query must be text.' };
  const raw = input.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (raw.length > MAX_QUERY_LENGTH) return { ok: false, error: `The query is too long (${raw.length} characters; at most ${MAX_QUERY_LENGTH}).` };
  const lexed = lex(raw);
  if (typeof lexed === 'string') return { ok: false, error: lexed };
  const nodes: QueryNode[] = [];
  const filters: QueryFilters = { authors: [], categories: [], from: null, to: null, hasCode: false };
  const text: string[] = [];
  const phrases: string[] = [];
  const excluded: string[] = [];
  const narrowFrom = (d: string) => {
    if (!filters.from || d > filters.from) filters.from = d;
  };
  const narrowTo = (d: string) => {
    if (!filters.to || d < filters.to) filters.to = d;
  };
  for (const l of lexed) {
    const value = l.value.trim().replace(/\s+/g, ' ');
    if (l.field) {
      if (l.neg) return { ok: false, error: `"-${l.field}:" is not supported; filters cannot be negated.` };
      if (!value) return { ok: false, error: `"${l.field}:" needs a value, e.g. ${example(l.field)}.` };
      switch (l.field) {
        case 'author':
          nodes.push({ type: 'author', name: value });
          filters.authors.push(value);
          break;
        case 'cat': {
          if (!/^[A-Za-z-]+(\.[A-Za-z-]+)?$/.test(value)) return { ok: false, error: `"${value}" is not an arXiv category; use e.g. cat:cs.CL or cat:cs.` };
          nodes.push({ type: 'cat', value });
          filters.categories.push(value);
          break;
        }
        case 'year': {
          const m = /^(\d{4})(?:\.\.(\d{4}))?$/.exec(value);
          if (!m) return { ok: false, error: `"year:${value}" is not a year; use year:2024 or year:2023..2025.` };
          const a = parseDateBound(m[1]);
          const b = parseDateBound(m[2] ?? m[1]);
          if (!a || !b) return { ok: false, error: `"year:${value}" is out of range.` };
          if (b.last < a.first) return { ok: false, error: `"year:${value}": the range ends before it starts.` };
          nodes.push({ type: 'date', field: 'year', from: a.first, to: b.last, raw: value });
          narrowFrom(a.first);
          narrowTo(b.last);
          break;
        }
        case 'before':
        case 'after': {
          const d = parseDateBound(value);
          if (!d) return { ok: false, error: `"${l.field}:${value}" is not a date; use YYYY, YYYY-MM or YYYY-MM-DD.` };
          if (l.field === 'before') {
            const to = dayBefore(d.first);
            nodes.push({ type: 'date', field: 'before', from: null, to, raw: value });
            narrowTo(to);
          } else {
            const from = dayAfter(d.last);
            nodes.push({ type: 'date', field: 'after', from, to: null, raw: value });
            narrowFrom(from);
          }
          break;
        }
        case 'has':
          if (value.toLowerCase() !== 'code') return { ok: false, error: `"has:${value}" is not known; the only one is has:code.` };
          nodes.push({ type: 'has', what: 'code' });
          filters.hasCode = true;
          break;
      }
      continue;
    }
    if (!value) continue;
    if (l.neg) {
      nodes.push({ type: 'not', child: { type: l.quoted ? 'phrase' : 'term', text: value } });
      excluded.push(value);
    } else if (l.quoted) {
      nodes.push({ type: 'phrase', text: value });
      phrases.push(value);
      text.push(value);
    } else {
      nodes.push({ type: 'term', text: value });
      text.push(value);
    }
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    return { ok: false, error: `The date filters exclude everything (from ${filters.from} to ${filters.to}).` };
  }
  if (text.length === 0 && excluded.length > 0 && nodes.every((n) => n.type === 'not')) {
    return { ok: false, error: 'A query cannot only exclude words; add something to search for.' };
  }
  return { ok: true, query: { nodes, text: text.join(' '), phrases, excluded, filters } };
}

function example(field: string): string {
  switch (field) {
    case 'author':
      return 'author:hinton or author:"Geoffrey Hinton"';
    case 'cat':
      return 'cat:cs.CL';
    case 'year':
      return 'year:2024';
    case 'has':
      return 'has:code';
    default:
      return `${field}:2024-06-01`;
  }
}

/** Render a tree back to a canonical query string (for links and feeds). */
export function formatSearchQuery(q: ParsedQuery): string {
  const quote = (s: string) => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '')}"` : s);
  return q.nodes
    .map((n) => {
      switch (n.type) {
        case 'term':
          return n.text;
        case 'phrase':
          return `"${n.text}"`;
        case 'not':
          return '-' + (n.child.type === 'phrase' ? `"${n.child.text}"` : n.child.text);
        case 'author':
          return `author:${quote(n.name)}`;
        case 'cat':
          return `cat:${n.value}`;
        case 'date':
          return `${n.field}:${n.raw}`;
        case 'has':
          return 'has:code';
      }
    })
    .join(' ');
}
