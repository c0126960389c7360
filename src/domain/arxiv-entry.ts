/**
 * Normalise one arXiv record, whichever interface it came from (API Atom entry, OAI-PMH
 * arXiv/arXivRaw record, RSS item), into the domain's `PaperInput`. Pure: no I/O.
 *
 * Outside data is hostile: every field is checked and bounded; a record that lacks what a
 * paper needs (id, title, abstract, authors) is rejected with a readable reason, never thrown.
 */
import { findGithubRepo, normalizeSpace, type PaperInput, type PaperVersion } from './paper.js';
import { parseArxivId } from './arxiv-id.js';

/** What a source parser extracts before validation; every field may be missing or junk. */
export interface RawArxivEntry {
  /** The id as the source wrote it: `2401.12345v2`, `http://arxiv.org/abs/2401.12345v2`, `oai:arXiv.org:…`. */
  id?: string | null;
  title?: string | null;
  abstract?: string | null;
  authors?: Array<string | null | undefined> | null;
  categories?: Array<string | null | undefined> | null;
  primaryCategory?: string | null;
  /** v1 submission date (ISO, YYYY-MM-DD or RFC 822). */
  published?: string | null;
  /** Date of the latest version. */
  updated?: string | null;
  /** Latest version number when the source says it separately (RSS description, arXivRaw). */
  version?: number | null;
  /** Full history when the source has it (arXivRaw). */
  versions?: Array<{ version: number; date: string | null }> | null;
  comment?: string | null;
  journalRef?: string | null;
  doi?: string | null;
  license?: string | null;
}

export type NormalizeResult = { ok: true; paper: PaperInput } | { ok: false; id: string | null; reason: string };

export const LIMITS = {
  title: 1_000,
  abstract: 20_000,
  authors: 3_000,
  authorName: 300,
  categories: 30,
  comment: 2_000,
  field: 500,
} as const;

const CATEGORY = /^[a-z-]+(?:\.[A-Za-z-]+)?$/;

/** `http://arxiv.org/abs/2401.12345v2`, `oai:arXiv.org:2401.12345`, `arXiv:2401.12345` → the id part. */
export function stripIdPrefix(s: string): string {
  return s
    .trim()
    .replace(/^https?:\/\/(?:export\.|www\.)?arxiv\.org\/abs\//i, '')
    .replace(/^oai:arXiv\.org:/i, '')
    .replace(/^arXiv:/i, '');
}

/** Any date the sources use → ISO 8601 UTC, or null when absent or not a date. */
export function toIsoDate(s: string | null | undefined): string | null {
  if (typeof s !== 'string') return null;
  const t = s.trim();
  if (!t || t.length > 64) return null;
  // Date-only values are calendar dates in arXiv's records; keep them at UTC midnight.
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const d = dateOnly ? new Date(`${t}T00:00:00Z`) : new Date(t);
  if (Number.isNaN(d.getTime())) return null;
  const y = d.getUTCFullYear();
  if (y < 1989 || y > 2200) return null;
  return d.toISOString();
}

function clean(s: string | null | undefined, max: number): string | null {
  if (typeof s !== 'string') return null;
  const t = normalizeSpace(s);
  if (!t) return null;
  return t.length > max ? t.slice(0, max) : t;
}

/**
 * GitHub repository named in a text: full URLs first (findGithubRepo), then bare
 * `github.com/owner/repo` as authors often write it in comments.
 */
export function findCodeRepo(...texts: Array<string | null | undefined>): string | null {
  for (const t of texts) {
    const r = findGithubRepo(t);
    if (r) return r;
  }
  for (const t of texts) {
    if (!t) continue;
    const m = /(?:^|[\s({\[<"'])(?:www\.)?github\.com\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)/.exec(t);
    if (m) {
      const r = findGithubRepo(`https://github.com/${m[1]}`);
      if (r) return r;
    }
  }
  return null;
}

/** Split an author string as RSS `dc:creator` writes it: "A, B and C". */
export function splitAuthors(s: string | null | undefined): string[] {
  if (typeof s !== 'string') return [];
  return normalizeSpace(s)
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

export function normalizeEntry(raw: RawArxivEntry): NormalizeResult {
  const rawId = typeof raw.id === 'string' ? stripIdPrefix(raw.id) : '';
  const parsed = rawId ? parseArxivId(rawId) : null;
  if (!parsed) return { ok: false, id: rawId ? rawId.slice(0, 80) : null, reason: rawId ? `not an arXiv id: ${JSON.stringify(rawId.slice(0, 80))}` : 'missing id' };
  const id = parsed.id;
  const fail = (reason: string): NormalizeResult => ({ ok: false, id, reason });

  const title = clean(raw.title, LIMITS.title);
  if (!title) return fail('missing title');
  const abstract = clean(raw.abstract, LIMITS.abstract);
  if (!abstract) return fail('missing abstract');
  const authors = (Array.isArray(raw.authors) ? raw.authors : [])
    .slice(0, LIMITS.authors)
    .map((a) => clean(a, LIMITS.authorName))
    .filter((a): a is string => a !== null);
  if (authors.length === 0) return fail('missing authors');

  const categories: string[] = [];
  const primary = clean(raw.primaryCategory, 40);
  for (const c of [primary, ...(Array.isArray(raw.categories) ? raw.categories : [])]) {
    const t = clean(c, 40);
    if (t && CATEGORY.test(t) && !categories.includes(t) && categories.length < LIMITS.categories) categories.push(t);
  }
  const primaryCategory = primary && CATEGORY.test(primary) ? primary : (categories[0] ?? null);

  const published = toIsoDate(raw.published);
  const updated = toIsoDate(raw.updated);

  // Versions: the id's suffix, the source's explicit number, or the history's last entry.
  const history: PaperVersion[] = [];
  if (Array.isArray(raw.versions)) {
    for (const v of raw.versions) {
      if (!v || !Number.isInteger(v.version) || v.version < 1 || v.version > 10_000) continue;
      if (history.some((h) => h.version === v.version)) continue;
      history.push({ version: v.version, date: toIsoDate(v.date) });
    }
    history.sort((a, b) => a.version - b.version);
  }
  const explicit = raw.version != null && Number.isInteger(raw.version) && raw.version >= 1 ? raw.version : null;
  let version = parsed.version ?? explicit ?? (history.length ? history[history.length - 1].version : null);
  // arXiv-format OAI records carry no number: no `updated` means there has only been v1.
  if (version === null && !updated && published && history.length === 0) version = 1;
  if (history.length === 0) {
    if (published) history.push({ version: 1, date: published });
    if (version !== null && version > 1) history.push({ version, date: updated });
  }

  const comment = clean(raw.comment, LIMITS.comment);
  const paper: PaperInput = {
    id,
    version,
    versions: history,
    title,
    abstract,
    authors,
    categories,
    primaryCategory,
    publishedAt: published ?? (history.find((h) => h.version === 1)?.date ?? null),
    updatedAt: updated ?? (history.length ? history[history.length - 1].date : null) ?? published,
    comment,
    journalRef: clean(raw.journalRef, LIMITS.field),
    doi: clean(raw.doi, LIMITS.field),
    license: clean(raw.license, LIMITS.field),
    codeUrl: findCodeRepo(abstract, comment),
  };
  return { ok: true, paper };
}
