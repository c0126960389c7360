/**
 * arXiv identifiers. New style: YYMM.NNNN (0704–1412) or YYMM.NNNNN (1501–);
 * old style: archive(.SC)/YYMMNNN (9108–0703), e.g. hep-th/9901001, math.GT/0309136.
 * See https://info.arxiv.org/help/arxiv_identifier.html
 *
 * Pure functions, no I/O. Anything that does not parse is `null`, never an exception:
 * ids come from users and from hostile XML.
 */
export interface ArxivId {
  id: string; // without version
  version: number | null;
}

const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d{1,4}))?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*)(\.[A-Z]{2})?\/(\d{2})(\d{2})(\d{3})(?:v(\d{1,4}))?$/;

/** Longest input we look at: ids and URLs are short; anything longer is not one. */
const MAX_INPUT = 300;

function parseVersion(v: string | undefined): number | null | undefined {
  if (v === undefined) return null;
  if (/^0/.test(v)) return undefined; // v0, v01: not a version
  return Number(v);
}

/** Parse a bare arXiv id (optionally with version). Returns null when it is not one. */
export function parseArxivId(input: string): ArxivId | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return null;
  const s = input.trim();
  let m = NEW_STYLE.exec(s);
  if (m) {
    const yy = Number(m[1]);
    const month = Number(m[2]);
    if (month < 1 || month > 12) return null;
    // New-style ids start in April 2007 (0704).
    if (yy < 7 || (yy === 7 && month < 4)) return null;
    // 4-digit numbers were used until 1412, 5-digit from 1501 on.
    if (m[3].length === 4 && yy >= 15) return null;
    if (m[3].length === 5 && yy < 15) return null;
    const version = parseVersion(m[4]);
    if (version === undefined) return null;
    return { id: `${m[1]}${m[2]}.${m[3]}`, version };
  }
  m = OLD_STYLE.exec(s);
  if (m) {
    const yy = Number(m[3]);
    const month = Number(m[4]);
    if (month < 1 || month > 12) return null;
    // Old-style ids run from 9108 (August 1991) to 0703 (March 2007).
    const ok = (yy >= 92 && yy <= 99) || (yy === 91 && month >= 8) || (yy <= 6) || (yy === 7 && month <= 3);
    if (!ok) return null;
    const version = parseVersion(m[6]);
    if (version === undefined) return null;
    return { id: `${m[1]}${m[2] ?? ''}/${m[3]}${m[4]}${m[5]}`, version };
  }
  return null;
}

/** `2401.12345` + 2 → `2401.12345v2`; without a version the bare id. */
export function formatArxivId(id: ArxivId | string, version?: number | null): string {
  const base = typeof id === 'string' ? id : id.id;
  const v = typeof id === 'string' ? version : (version ?? id.version);
  return v ? `${base}v${v}` : base;
}

/**
 * Accept what users paste: a bare id, `arXiv:2401.12345`, `arXiv:2401.12345v2 [cs.LG]`,
 * arxiv.org/abs|pdf|html URLs (with version and .pdf suffix), export.arxiv.org, and
 * huggingface.co/papers/ID URLs. Returns null for anything else.
 */
export function extractArxivId(input: string): ArxivId | null {
  if (typeof input !== 'string') return null;
  let s = input.trim();
  if (s.length === 0 || s.length > MAX_INPUT) return null;
  s = s.replace(/^arxiv:\s*/i, '');
  const direct = parseArxivId(s);
  if (direct) return direct;
  // "2401.12345v2 [cs.LG]" as copied from an arXiv listing.
  const firstToken = /^(\S+)\s+\[[A-Za-z.-]+\]$/.exec(s);
  if (firstToken) return parseArxivId(firstToken[1]);
  if (/\s/.test(s)) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(s) ? s : `https://${s}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname).replace(/\/+$/, '');
  } catch {
    return null;
  }
  if (host === 'arxiv.org' || host === 'export.arxiv.org') {
    const m = /^\/(?:abs|pdf|html|format)\/(.+?)(?:\.pdf)?$/.exec(path);
    return m ? parseArxivId(m[1]) : null;
  }
  if (host === 'huggingface.co' || host === 'hf.co') {
    const m = /^\/papers\/(.+)$/.exec(path);
    return m ? parseArxivId(m[1]) : null;
  }
  return null;
}

/** `oai:arXiv.org:2401.12345` (OAI-PMH identifiers and RSS guids) → id, or null. */
export function parseOaiIdentifier(identifier: string): ArxivId | null {
  if (typeof identifier !== 'string') return null;
  const m = /^oai:arXiv\.org:(.+)$/i.exec(identifier.trim());
  return m ? parseArxivId(m[1]) : null;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}
export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}
