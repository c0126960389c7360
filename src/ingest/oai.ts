/**
 * OAI-PMH ListRecords pages from arXiv (https://info.arxiv.org/help/oa/index.html,
 * https://www.openarchives.org/OAI/openarchivesprotocol.html). Two metadata formats:
 * `arXiv` (created/updated dates, structured authors) and `arXivRaw` (full version history).
 * Deleted records (`<header status="deleted">`) are reported so the paper can be marked withdrawn.
 */
import { normalizeEntry, splitAuthors, stripIdPrefix } from '../domain/arxiv-entry.js';
import { parseArxivId } from '../domain/arxiv-id.js';
import type { PaperInput } from '../domain/paper.js';
import { IngestError, type SkippedRecord } from './errors.js';
import { arr, attr, child, parseXmlOrSalvage, text } from './xml.js';

export interface OaiPage {
  papers: PaperInput[];
  /** Ids whose header says status="deleted". */
  deleted: string[];
  skipped: SkippedRecord[];
  /** Token for the next page; null when this was the last page. */
  resumptionToken: string | null;
  cursor: number | null;
  completeListSize: number | null;
  /** Highest header datestamp on the page (YYYY-MM-DD…), for incremental `from=` and restarts. */
  maxDatestamp: string | null;
  records: number;
  responseDate: string | null;
  /** OAI-PMH noRecordsMatch: a valid, empty answer. */
  noRecordsMatch: boolean;
  /** Set when the XML was truncated/malformed: only complete records were kept, and the token is lost. */
  damaged: string | null;
}

function int(s: string | null): number | null {
  return s != null && /^\d+$/.test(s.trim()) ? Number(s.trim()) : null;
}

function authorsOf(meta: unknown): string[] {
  const authors = child(meta, 'authors');
  if (typeof authors === 'string') return splitAuthors(authors); // arXivRaw: one string
  return arr(child(authors, 'author')).map((a) => {
    const parts = [text(child(a, 'forenames')), text(child(a, 'keyname')), text(child(a, 'suffix'))];
    return parts.filter((p) => p && p.trim()).join(' ');
  });
}

export function parseOaiPage(xml: string, what = 'OAI-PMH page', opts: { fast?: boolean } = {}): OaiPage {
  const { doc, damaged } = parseXmlOrSalvage(xml, what, 'record', (inner) => `<OAI-PMH><ListRecords>${inner}</ListRecords></OAI-PMH>`, { fast: opts.fast ?? true });
  const root = child(doc, 'OAI-PMH');
  if (!root || typeof root !== 'object') {
    const name = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
    throw new IngestError('not_xml', `${what}: expected an <OAI-PMH> document, got <${name}>`);
  }
  const responseDate = text(child(root, 'responseDate'));
  const empty: OaiPage = {
    papers: [], deleted: [], skipped: [], resumptionToken: null, cursor: null, completeListSize: null,
    maxDatestamp: null, records: 0, responseDate, noRecordsMatch: false, damaged,
  };
  const error = child(root, 'error');
  if (error !== undefined) {
    const e = arr(error)[0];
    const code = attr(e, 'code') ?? 'unknown';
    const msg = (text(e) ?? '').trim();
    if (code === 'noRecordsMatch') return { ...empty, noRecordsMatch: true };
    if (code === 'badResumptionToken') throw new IngestError('bad_resumption_token', `OAI-PMH: resumption token rejected (expired or unknown)${msg ? `: ${msg}` : ''}`);
    throw new IngestError('arxiv_error', `OAI-PMH error ${code}${msg ? `: ${msg}` : ''}`, { oaiCode: code });
  }
  const list = child(root, 'ListRecords');
  if (list === undefined) throw new IngestError('arxiv_error', `${what}: no <ListRecords> in the response`);
  const page = { ...empty };
  for (const rec of arr(child(list, 'record'))) {
    page.records++;
    const header = child(rec, 'header');
    const datestamp = text(child(header, 'datestamp'))?.trim() ?? null;
    if (datestamp && /^\d{4}-\d{2}-\d{2}/.test(datestamp) && (!page.maxDatestamp || datestamp > page.maxDatestamp)) page.maxDatestamp = datestamp;
    const identifier = text(child(header, 'identifier')) ?? '';
    if (attr(header, 'status') === 'deleted') {
      const id = parseArxivId(stripIdPrefix(identifier));
      if (id) page.deleted.push(id.id);
      else page.skipped.push({ id: identifier.slice(0, 80) || null, reason: 'deleted record with an unreadable identifier' });
      continue;
    }
    const metadata = child(rec, 'metadata');
    const meta = child(metadata, 'arXiv') ?? child(metadata, 'arXivRaw');
    if (!meta || typeof meta !== 'object') {
      page.skipped.push({ id: stripIdPrefix(identifier).slice(0, 80) || null, reason: 'record without arXiv metadata' });
      continue;
    }
    const isRaw = child(metadata, 'arXivRaw') !== undefined;
    const cats = (text(child(meta, 'categories')) ?? '').split(/\s+/).filter(Boolean);
    const versions = isRaw
      ? arr(child(meta, 'version')).map((v) => ({
          version: Number((attr(v, 'version') ?? '').replace(/^v/, '')),
          date: text(child(v, 'date')),
        }))
      : null;
    const r = normalizeEntry({
      id: text(child(meta, 'id')) ?? identifier,
      title: text(child(meta, 'title')),
      abstract: text(child(meta, 'abstract')),
      authors: authorsOf(meta),
      categories: cats,
      primaryCategory: cats[0] ?? null,
      published: isRaw ? (versions?.find((v) => v.version === 1)?.date ?? null) : text(child(meta, 'created')),
      updated: isRaw ? (versions && versions.length ? versions[versions.length - 1].date : null) : text(child(meta, 'updated')),
      versions,
      comment: text(child(meta, 'comments')),
      journalRef: text(child(meta, 'journal-ref')),
      doi: text(child(meta, 'doi')),
      license: text(child(meta, 'license')),
    });
    if (r.ok) page.papers.push(r.paper);
    else page.skipped.push({ id: r.id, reason: r.reason });
  }
  const tok = child(list, 'resumptionToken');
  if (tok !== undefined) {
    const value = (text(tok) ?? '').trim();
    page.resumptionToken = value || null;
    page.cursor = int(attr(tok, 'cursor'));
    page.completeListSize = int(attr(tok, 'completeListSize'));
  }
  return page;
}
