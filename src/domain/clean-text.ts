/**
 * Cleaning what is clearly not data out of imported records (pure, no I/O).
 *
 * Sources put things in the wrong field: arXiv's metadata lists MSC classes ("68T50",
 * "68T01 (Primary), 68T50 (Secondary)") and ACM classes ("I.2.7", "I.2.0; I.2.7") among the
 * categories, and Hugging Face splits "NVIDIA: Alice, Bob" into the authors "NVIDIA", ":",
 * "Alice", "Bob". These are removed at import and again when a stored record is shown, so data
 * imported before this cleaning looks the same. Text (titles, abstracts) is kept as it came:
 * its LaTeX is data and is rendered (web/render/math.ts), not rewritten.
 */

/**
 * An arXiv category: archive ("cs", "hep-th", "q-bio", "cond-mat", "physics") optionally with a
 * subject class ("cs.LG", "math.AP", "astro-ph.CO", "cond-mat.mes-hall", "nlin.AO"). MSC
 * ("68T50") and ACM ("I.2.7") classes do not start with a lower-case archive name.
 */
const ARXIV_CATEGORY = /^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?$/;

export function isArxivCategory(s: string): boolean {
  return s.length <= 40 && ARXIV_CATEGORY.test(s);
}

/** Categories that are arXiv categories, in order, without duplicates. */
export function cleanCategories(categories: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of categories) {
    const c = raw.trim();
    if (isArxivCategory(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

/** A name needs at least one letter or digit: ":", ",", "-" and "" are separators, not authors. */
export function isAuthorName(s: string): boolean {
  return /[\p{L}\p{N}]/u.test(s);
}

export function cleanAuthors(authors: readonly string[]): string[] {
  return authors.map((a) => a.trim()).filter(isAuthorName);
}

/** Clean the list fields of a paper record; everything else is returned as it was. */
export function cleanPaperFields<T extends { authors: string[]; categories?: string[]; primaryCategory?: string | null }>(p: T): T {
  const out = { ...p, authors: cleanAuthors(p.authors) };
  if (p.categories) out.categories = cleanCategories(p.categories);
  if (p.primaryCategory !== undefined && p.primaryCategory !== null && !isArxivCategory(p.primaryCategory.trim())) out.primaryCategory = out.categories?.[0] ?? null;
  return out;
}

const PLAIN_ARG = /\\?(?<![A-Za-z])(?:textbf|textit|emph|texttt|textsc|underline|textrm|textsf|text|mbox|textsuperscript|textsubscript)\{([^{}]*)\}/g;
const PLAIN_ACCENT: Record<string, string> = { "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303' };

/**
 * Text-mode LaTeX as plain text, for places that cannot render it (email subjects and plain-text
 * parts): escapes as their character, formatting commands as their argument, accents composed,
 * references removed, \href as "text (url)". Math ($…$) is left as its source, which is how
 * plain-text readers of arXiv abstracts are used to seeing it.
 */
export function latexToPlainText(text: string): string {
  if (!/[\\{`]/.test(text)) return text;
  let s = text;
  for (let i = 0; i < 3 && PLAIN_ARG.test(s); i++) s = s.replace(PLAIN_ARG, '$1'); // nested, innermost first
  return s
    .replace(/\\href\{([^{}]*)\}\{([^{}]*)\}/g, '$2 ($1)')
    .replace(/\\url\{([^{}]*)\}/g, '$1')
    .replace(/\\(?:cite[pt]?|citealp|ref|eqref|label)\{[^{}]*\}/g, '')
    .replace(/(\p{L})\\'(s|t|d|m|re|ve|ll)(?!\p{L})/gu, "$1'$2")
    .replace(/\\(['`^"~])\{?(\p{L})\}?/gu, (_, a: string, c: string) => (c + PLAIN_ACCENT[a]).normalize('NFC'))
    .replace(/\\([%&_#${}])/g, '$1')
    .replace(/``/g, '“')
    .replace(/''/g, '”');
}
