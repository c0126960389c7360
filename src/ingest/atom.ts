/**
 * The arXiv API's Atom feed (https://info.arxiv.org/help/api/user-manual.html#_details_of_atom_results_returned).
 * An error is reported as a feed with one entry whose id is http://arxiv.org/api/errors#…
 */
import { normalizeEntry } from '../domain/arxiv-entry.js';
import type { PaperInput } from '../domain/paper.js';
import { IngestError, type SkippedRecord } from './errors.js';
import { arr, attr, child, parseXmlOrSalvage, text } from './xml.js';

export interface AtomPage {
  papers: PaperInput[];
  skipped: SkippedRecord[];
  totalResults: number | null;
  startIndex: number | null;
  itemsPerPage: number | null;
  /** Entries in the feed (valid or not): paging advances by this. */
  entryCount: number;
  /** Set when the XML was truncated/malformed and only its complete entries were kept. */
  damaged: string | null;
}

function int(s: string | null): number | null {
  if (s == null || !/^\s*\d+\s*$/.test(s)) return null;
  return Number(s);
}

export function parseAtomFeed(xml: string, what = 'arXiv API feed'): AtomPage {
  const { doc, damaged } = parseXmlOrSalvage(xml, what, 'entry', (inner) => `<feed>${inner}</feed>`);
  const feed = child(doc, 'feed');
  if (!feed || typeof feed !== 'object') {
    const root = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
    throw new IngestError('not_xml', `${what}: expected an Atom <feed>, got <${root}>`);
  }
  const entries = arr(child(feed, 'entry'));
  // arXiv's error feed: https://info.arxiv.org/help/api/user-manual.html#_errors
  for (const e of entries) {
    const id = text(child(e, 'id')) ?? '';
    if (id.includes('arxiv.org/api/errors')) {
      const summary = text(child(e, 'summary'))?.trim() || id.replace(/^.*#/, '');
      throw new IngestError('arxiv_error', `arXiv API error: ${summary}`, { errorId: id });
    }
  }
  const papers: PaperInput[] = [];
  const skipped: SkippedRecord[] = [];
  for (const e of entries) {
    const authors = arr(child(e, 'author')).map((a) => text(child(a, 'name')));
    const categories = arr(child(e, 'category')).map((c) => attr(c, 'term'));
    const doiLink = arr(child(e, 'link')).find((l) => attr(l, 'title') === 'doi');
    const r = normalizeEntry({
      id: text(child(e, 'id')),
      title: text(child(e, 'title')),
      abstract: text(child(e, 'summary')),
      authors,
      categories,
      primaryCategory: attr(child(e, 'primary_category'), 'term'),
      published: text(child(e, 'published')),
      updated: text(child(e, 'updated')),
      comment: text(child(e, 'comment')),
      journalRef: text(child(e, 'journal_ref')),
      doi: text(child(e, 'doi')) ?? (doiLink ? attr(doiLink, 'href')?.replace(/^https?:\/\/(dx\.)?doi\.org\//, '') : null),
    });
    if (r.ok) papers.push(r.paper);
    else skipped.push({ id: r.id, reason: r.reason });
  }
  return {
    papers,
    skipped,
    totalResults: int(text(child(feed, 'totalResults'))),
    startIndex: int(text(child(feed, 'startIndex'))),
    itemsPerPage: int(text(child(feed, 'itemsPerPage'))),
    entryCount: entries.length,
    damaged,
  };
}
