/**
 * A subscriber's topics and how a paper matches them. Pure code.
 *
 * Topics are a union: a paper is in a digest when it is in one of the chosen arXiv categories,
 * OR its title/abstract contains one of the keywords, OR it matches one of the saved searches.
 * No topics at all means "everything trending".
 *
 * Keywords match case-insensitively at word starts in the title and abstract ("diffusion"
 * matches "Diffusion models" and "diffusion-based", not "confusion").
 * Saved searches use the site's query syntax, evaluated here without the search index so the
 * digest never depends on it: words and "quoted phrases" must all appear, -word must not,
 * cat:cs.CL restricts to a category (several cat: are alternatives).
 */
export interface Topics {
  categories: string[];
  keywords: string[];
  searches: string[];
}

export const LIMITS = { categories: 30, keywords: 30, keywordLength: 60, searches: 10, searchLength: 250 };

/** Categories offered as checkboxes (any valid arXiv category can be typed in as well). */
export const COMMON_CATEGORIES: { id: string; name: string }[] = [
  { id: 'cs.AI', name: 'Artificial Intelligence' },
  { id: 'cs.CL', name: 'Computation and Language' },
  { id: 'cs.CV', name: 'Computer Vision' },
  { id: 'cs.LG', name: 'Machine Learning' },
  { id: 'cs.RO', name: 'Robotics' },
  { id: 'cs.IR', name: 'Information Retrieval' },
  { id: 'cs.NE', name: 'Neural and Evolutionary Computing' },
  { id: 'cs.HC', name: 'Human-Computer Interaction' },
  { id: 'cs.SD', name: 'Sound' },
  { id: 'stat.ML', name: 'Machine Learning (stat)' },
  { id: 'eess.IV', name: 'Image and Video Processing' },
  { id: 'eess.AS', name: 'Audio and Speech Processing' },
];

const CATEGORY = /^[a-z-]{2,12}(\.[A-Za-z-]{1,8})?$/;

export function emptyTopics(): Topics {
  return { categories: [], keywords: [], searches: [] };
}

export function parseTopicsJson(json: string | null | undefined): Topics {
  try {
    const o = JSON.parse(json || '{}');
    return {
      categories: Array.isArray(o.categories) ? o.categories.map(String) : [],
      keywords: Array.isArray(o.keywords) ? o.keywords.map(String) : [],
      searches: Array.isArray(o.searches) ? o.searches.map(String) : [],
    };
  } catch {
    return emptyTopics();
  }
}

export type TopicsCheck = { ok: true; topics: Topics } | { ok: false; problems: string[] };

/** Validate topics from a form: lists or comma/newline-separated text. Returns every problem at once. */
export function normalizeTopics(input: { categories?: string[] | string; keywords?: string[] | string; searches?: string[] | string }): TopicsCheck {
  const split = (v: string[] | string | undefined, sep: RegExp) => (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => String(s).split(sep)).map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const uniq = (xs: string[], key = (s: string) => s.toLowerCase()) => {
    const seen = new Set<string>();
    return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
  };
  const problems: string[] = [];
  const categories = uniq(split(input.categories, /[,\s]+/), (s) => s);
  for (const c of categories) if (!CATEGORY.test(c)) problems.push(`"${c}" is not an arXiv category (like cs.CL or stat.ML).`);
  if (categories.length > LIMITS.categories) problems.push(`At most ${LIMITS.categories} categories.`);
  const keywords = uniq(split(input.keywords, /[,\n]+/));
  for (const k of keywords) if (k.length > LIMITS.keywordLength) problems.push(`The keyword "${k.slice(0, 30)}…" is too long (${LIMITS.keywordLength} characters at most).`);
  if (keywords.length > LIMITS.keywords) problems.push(`At most ${LIMITS.keywords} keywords.`);
  const searches = uniq(split(input.searches, /\n+/));
  for (const q of searches) {
    if (q.length > LIMITS.searchLength) problems.push(`A saved search is too long (${LIMITS.searchLength} characters at most).`);
    else if (!compileSearch(q)) problems.push(`The saved search "${q}" has nothing to look for.`);
  }
  if (searches.length > LIMITS.searches) problems.push(`At most ${LIMITS.searches} saved searches.`);
  return problems.length ? { ok: false, problems } : { ok: true, topics: { categories, keywords, searches } };
}

export function describeTopics(t: Topics): string {
  const parts = [...t.categories, ...t.keywords.map((k) => `“${k}”`), ...t.searches.map((s) => `search: ${s}`)];
  return parts.length ? parts.join(', ') : 'all topics';
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword or phrase as a case-insensitive matcher at word starts. */
export function keywordMatcher(keyword: string): RegExp {
  const words = keyword.toLowerCase().split(/\s+/).filter(Boolean).map(escapeRe);
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${words.join('[\\s-]+')}`, 'u');
}

export interface CompiledSearch {
  categories: string[];
  must: RegExp[];
  not: RegExp[];
}

/** Compile a saved search (subset of the site's syntax, see the module comment); null if empty. */
export function compileSearch(q: string): CompiledSearch | null {
  const out: CompiledSearch = { categories: [], must: [], not: [] };
  const re = /(-?)(?:cat:(\S+)|"([^"]+)"|(\S+))/g;
  for (let m; (m = re.exec(q)); ) {
    const neg = m[1] === '-';
    if (m[2]) {
      if (!neg) out.categories.push(m[2]);
      continue;
    }
    const text = (m[3] ?? m[4]).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!text || /^(and|or)$/i.test(text)) continue;
    (neg ? out.not : out.must).push(keywordMatcher(text));
  }
  return out.categories.length || out.must.length ? out : null;
}

/** Lower-cased text a paper is matched on. */
export function matchText(p: { title: string; abstract: string }): string {
  return `${p.title}\n${p.abstract}`.toLowerCase();
}

export function searchMatches(s: CompiledSearch, p: { categories: string[] }, text: string): boolean {
  if (s.categories.length && !s.categories.some((c) => p.categories.includes(c))) return false;
  return s.must.every((r) => r.test(text)) && !s.not.some((r) => r.test(text));
}
