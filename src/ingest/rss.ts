/**
 * arXiv's RSS 2.0 feeds (https://info.arxiv.org/help/rss.html), e.g. rss.arxiv.org/rss/cs.LG+cs.CL.
 * Each item carries `arxiv:announce_type` (new, cross, replace, replace-cross) and a description
 * "arXiv:2403.00001v2 Announce Type: replace \nAbstract: …". Feeds are empty on days without an
 * announcement (weekends, holidays): that is a normal, empty result.
 */
import { normalizeEntry, splitAuthors } from '../domain/arxiv-entry.js';
import { parseArxivId } from '../domain/arxiv-id.js';
import type { PaperInput } from '../domain/paper.js';
import { IngestError, type SkippedRecord } from './errors.js';
import { arr, child, parseXmlOrSalvage, text } from './xml.js';

export const ANNOUNCE_TYPES = ['new', 'cross', 'replace', 'replace-cross'] as const;
export type AnnounceType = (typeof ANNOUNCE_TYPES)[number];

export interface RssItem {
  paper: PaperInput;
  announceType: AnnounceType;
}

export interface RssFeed {
  items: RssItem[];
  skipped: SkippedRecord[];
  /** Channel pubDate (the announcement), ISO, or null. */
  announcedAt: string | null;
  title: string | null;
  /** Set when the XML was truncated/malformed and only its complete items were kept. */
  damaged: string | null;
}

export function parseRssFeed(xml: string, what = 'arXiv RSS feed'): RssFeed {
  const { doc, damaged } = parseXmlOrSalvage(xml, what, 'item', (inner) => `<rss><channel>${inner}</channel></rss>`);
  const channel = child(child(doc, 'rss'), 'channel');
  if (!channel || typeof channel !== 'object') {
    const name = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
    throw new IngestError('not_xml', `${what}: expected an RSS <rss><channel>, got <${name}>`);
  }
  const channelDate = text(child(channel, 'pubDate')) ?? text(child(channel, 'lastBuildDate'));
  const announcedAt = channelDate && !Number.isNaN(Date.parse(channelDate)) ? new Date(channelDate).toISOString() : null;
  const items: RssItem[] = [];
  const skipped: SkippedRecord[] = [];
  for (const it of arr(child(channel, 'item'))) {
    const description = text(child(it, 'description')) ?? '';
    const head = /^\s*arXiv:(\S+)\s+Announce Type:\s*([a-z-]+)\s*/i.exec(description);
    const at = description.indexOf('Abstract:');
    const abstract = at >= 0 ? description.slice(at + 'Abstract:'.length) : description.slice(head ? head[0].length : 0);
    const guid = text(child(it, 'guid')) ?? '';
    const fromGuid = /^oai:arXiv\.org:(.+)$/i.exec(guid.trim())?.[1];
    const link = text(child(it, 'link')) ?? '';
    const idText = head?.[1] ?? fromGuid ?? link;
    const rawType = (text(child(it, 'announce_type')) ?? head?.[2] ?? '').trim().toLowerCase();
    const announceType = (ANNOUNCE_TYPES as readonly string[]).includes(rawType) ? (rawType as AnnounceType) : null;
    if (!announceType) {
      skipped.push({ id: parseArxivId(idText.replace(/^.*\/abs\//, ''))?.id ?? null, reason: `unknown announce type ${JSON.stringify(rawType.slice(0, 30))}` });
      continue;
    }
    const pubDate = text(child(it, 'pubDate')) ?? channelDate;
    const creators = arr(child(it, 'creator')).map((c) => text(c) ?? '').join(', ');
    const isNew = announceType === 'new' || announceType === 'cross';
    const r = normalizeEntry({
      id: idText.replace(/^https?:\/\/arxiv\.org\/abs\//i, ''),
      title: text(child(it, 'title')),
      abstract,
      authors: splitAuthors(creators),
      categories: arr(child(it, 'category')).map((c) => text(c)),
      // For new/cross items the announcement is v1's; for replacements we only know this version's.
      published: isNew ? pubDate : null,
      updated: pubDate,
      license: text(child(it, 'rights')),
    });
    if (r.ok) items.push({ paper: r.paper, announceType });
    else skipped.push({ id: r.id, reason: r.reason });
  }
  return { items, skipped, announcedAt, title: text(child(channel, 'title')), damaged };
}
