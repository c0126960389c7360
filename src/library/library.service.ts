/**
 * The library use cases: save and unsave papers, private notes, collections (private, or public
 * with a shareable page and feed), export as BibTeX or RIS, and import from a .bib file or a list
 * of arXiv ids / URLs (ids the store lacks are fetched with the arXiv client, in one id_list
 * query per 50). Pages, feeds and the CLI call these; authorization lives here.
 */
import type { AppContext } from '../context.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';
import { AppError } from '../domain/errors.js';
import { bibtexFile, readImportText, type BibProblem, type CitablePaper } from '../domain/bibtex.js';
import { risFile } from '../domain/ris.js';
import { cleanAuthors, cleanCategories } from '../domain/clean-text.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { ingestApiQuery, ingestDeps, IngestError } from '../ingest/index.js';
import { entry as feedEntry, FEED_SIZE } from '../feeds/feeds.service.js';
import type { FeedDoc } from '../feeds/feed.render.js';
import * as repo from './library.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events'>;

export const NOTE_MAX = 10_000;
export const COLLECTION_NAME_MAX = 100;
export const COLLECTION_DESCRIPTION_MAX = 1_000;
export const COLLECTIONS_MAX = 200;
export const EXPORT_MAX = 5_000;
/** Import sizes: the text and the number of papers one import may add. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const IMPORT_MAX_PAPERS = 1_000;
/** Unknown ids fetched from arXiv per import (3 s apart per request of 50: keeps an import under a minute). */
export const IMPORT_MAX_FETCH = 500;
/** Problems listed in an import's report (the rest are counted). */
export const IMPORT_MAX_PROBLEMS = 1_000;

export type { SavedPaper, CollectionRow } from './library.repository.js';
export { savedAmong } from './library.repository.js';

const changed = (ctx: Ctx) => ctx.events.emit({ kind: 'data', what: 'library' });

/** Save (want true), unsave (false) or toggle (undefined). */
export async function setSaved(ctx: Ctx, user: Actor, paperId: string, want?: boolean): Promise<{ paperId: string; saved: boolean }> {
  await requireActiveUser(ctx, user, { verified: false });
  const now = ctx.clock.now().toISOString();
  const saved = await ctx.store.db.transaction().execute(async (trx) => {
    const isSaved = (await repo.getItem(trx, user.id, paperId)) !== null;
    const target = want ?? !isSaved;
    if (target && !isSaved) {
      const p = await trx.selectFrom('papers').select(['id', 'hidden']).where('id', '=', paperId).executeTakeFirst();
      if (!p || p.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here to save.`);
      await repo.saveItem(trx, user.id, paperId, now);
    } else if (!target && isSaved) await repo.unsaveItem(trx, user.id, paperId);
    return target;
  });
  await changed(ctx);
  return { paperId, saved };
}

export async function libraryItem(ctx: Ctx, user: Actor, paperId: string) {
  return repo.getItem(ctx.store.db, user.id, paperId);
}

/** The private note on a saved paper (saving it first if needed); an empty note clears it. */
export async function saveNote(ctx: Ctx, user: Actor, paperId: string, note: string): Promise<void> {
  await requireActiveUser(ctx, user, { verified: false });
  if (note.length > NOTE_MAX) throw new AppError('bad_request', `A note is limited to ${NOTE_MAX.toLocaleString('en')} characters (this one has ${note.length.toLocaleString('en')}).`);
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await repo.getItem(trx, user.id, paperId))) {
      const p = await trx.selectFrom('papers').select(['id', 'hidden']).where('id', '=', paperId).executeTakeFirst();
      if (!p || p.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here.`);
      await repo.saveItem(trx, user.id, paperId, now);
    }
    await repo.setNote(trx, user.id, paperId, note.replace(/\r\n?/g, '\n'), now);
  });
  await changed(ctx);
}

export async function library(ctx: Ctx, user: Actor, opts: { limit: number; offset: number }) {
  const [items, total] = await Promise.all([repo.listItems(ctx.store.db, user.id, opts), repo.countItems(ctx.store.db, user.id)]);
  return { items, total };
}

// ------------------------------------------------------------------------------- collections

export interface CollectionInput {
  name: string;
  description?: string;
  isPublic: boolean;
}

function checkCollection(c: CollectionInput): Required<CollectionInput> {
  const name = c.name.replace(/\s+/g, ' ').trim();
  const description = (c.description ?? '').trim();
  if (!name) throw new AppError('bad_request', 'Give the collection a name.');
  if (name.length > COLLECTION_NAME_MAX) throw new AppError('bad_request', `A collection name is limited to ${COLLECTION_NAME_MAX} characters.`);
  if (description.length > COLLECTION_DESCRIPTION_MAX) throw new AppError('bad_request', `A description is limited to ${COLLECTION_DESCRIPTION_MAX.toLocaleString('en')} characters.`);
  return { name, description, isPublic: c.isPublic };
}

export async function createCollection(ctx: Ctx, user: Actor, input: CollectionInput): Promise<number> {
  const c = checkCollection(input);
  await requireActiveUser(ctx, user, { verified: c.isPublic });
  if ((await repo.listCollections(ctx.store.db, user.id)).length >= COLLECTIONS_MAX) throw new AppError('bad_request', `You have ${COLLECTIONS_MAX} collections, the most one account may have. Delete one first.`);
  const id = await repo.insertCollection(ctx.store.db, { userId: user.id, ...c, now: ctx.clock.now().toISOString() });
  await changed(ctx);
  return id;
}

/** The collection, when the user owns it; anyone else gets not found (its existence is private too). */
export async function ownCollection(ctx: Ctx, user: Actor, id: number): Promise<repo.CollectionRow> {
  const c = await repo.getCollection(ctx.store.db, id);
  if (!c || c.user_id !== user.id) throw new AppError('not_found', 'There is no such collection among yours.');
  return c;
}

/** A collection as a visitor may see it: its owner always, anyone else only when it is public. */
export async function viewCollection(ctx: Ctx, viewer: Actor | null, id: number): Promise<{ collection: repo.CollectionRow; owner: string; papers: { paper: Paper; addedAt: string }[]; mine: boolean }> {
  const c = await repo.getCollection(ctx.store.db, id);
  const mine = !!viewer && !!c && c.user_id === viewer.id;
  if (!c || (!c.is_public && !mine)) throw new AppError('not_found', 'There is no such collection, or it is private.');
  const owner = await ctx.store.db.selectFrom('users').select(['name', 'banned_at']).where('id', '=', c.user_id).executeTakeFirst();
  if (!owner || (owner.banned_at && !mine)) throw new AppError('not_found', 'There is no such collection, or it is private.');
  return { collection: c, owner: owner.name, papers: await repo.collectionPapers(ctx.store.db, c.id, EXPORT_MAX), mine };
}

export async function editCollection(ctx: Ctx, user: Actor, id: number, input: CollectionInput): Promise<void> {
  const c = checkCollection(input);
  await ownCollection(ctx, user, id);
  await requireActiveUser(ctx, user, { verified: c.isPublic });
  await repo.updateCollection(ctx.store.db, id, { ...c, now: ctx.clock.now().toISOString() });
  await changed(ctx);
}

export async function removeCollection(ctx: Ctx, user: Actor, id: number): Promise<void> {
  await ownCollection(ctx, user, id);
  await ctx.store.db.transaction().execute((trx) => repo.deleteCollection(trx, id));
  await changed(ctx);
}

/** A user's public collections, for their profile page. */
export async function publicCollections(ctx: Pick<AppContext, 'store'>, userId: number) {
  return (await repo.listCollections(ctx.store.db, userId)).filter((c) => c.is_public);
}

export async function myCollections(ctx: Ctx, user: Actor) {
  return repo.listCollections(ctx.store.db, user.id);
}

export async function collectionsWithPaper(ctx: Ctx, user: Actor, paperId: string) {
  return repo.collectionsHolding(ctx.store.db, user.id, paperId);
}

/** Put a paper in (or take it out of) one of the user's collections; putting it in saves it. */
export async function setInCollection(ctx: Ctx, user: Actor, id: number, paperId: string, want: boolean): Promise<void> {
  await requireActiveUser(ctx, user, { verified: false });
  await ownCollection(ctx, user, id);
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    if (want) {
      const p = await trx.selectFrom('papers').select(['id', 'hidden']).where('id', '=', paperId).executeTakeFirst();
      if (!p || p.hidden) throw new AppError('not_found', `There is no paper arXiv:${paperId} here.`);
      await repo.saveItem(trx, user.id, paperId, now);
      await repo.addToCollection(trx, id, paperId, now);
    } else await repo.removeFromCollection(trx, id, paperId);
  });
  await changed(ctx);
}

// ------------------------------------------------------------------------------ export, import

export function citable(p: Paper): CitablePaper {
  return {
    id: p.id,
    title: p.title,
    authors: cleanAuthors(p.authors),
    primaryCategory: p.primaryCategory,
    publishedAt: p.publishedAt,
    doi: p.doi,
    journalRef: p.journalRef,
    abstract: p.abstract,
    categories: cleanCategories(p.categories),
  };
}

export type ExportFormat = 'bib' | 'ris';

/** A paper anyone may cite: stored and not hidden. */
export async function visiblePaper(ctx: Pick<AppContext, 'store'>, id: string): Promise<Paper> {
  const row = await ctx.store.db.selectFrom('papers').selectAll().where('id', '=', id).where('hidden', '=', 0).executeTakeFirst();
  if (!row) throw new AppError('not_found', `Papertide does not have arXiv:${id}.`, { arxivId: id });
  return toPaper(row);
}

export function renderExport(papers: Paper[], format: ExportFormat): string {
  const list = papers.map(citable);
  return format === 'bib' ? bibtexFile(list) : risFile(list);
}

/** The whole library (oldest saved first, so a file's order does not move as papers are added). */
export async function exportLibrary(ctx: Ctx, user: Actor, format: ExportFormat): Promise<string> {
  const items = await repo.listItems(ctx.store.db, user.id, { limit: EXPORT_MAX, offset: 0 });
  return renderExport(items.map((i) => i.paper).reverse(), format);
}

export async function exportCollection(ctx: Ctx, viewer: Actor | null, id: number, format: ExportFormat): Promise<{ name: string; body: string }> {
  const v = await viewCollection(ctx, viewer, id);
  return { name: v.collection.name, body: renderExport(v.papers.map((p) => p.paper).reverse(), format) };
}

export interface ImportReport {
  saved: number; // newly saved
  already: number; // were saved before
  fetched: number; // imported from arXiv first
  problems: BibProblem[];
}

/**
 * Import a .bib file or a list of ids/URLs into the library (and a collection, when given).
 * Every problem is reported with its line; everything else is saved.
 */
export async function importLibrary(ctx: Ctx & Pick<AppContext, 'config' | 'logger' | 'fetch' | 'arxiv'>, user: Actor, text: string, opts: { collectionId?: number; fetchMissing?: boolean } = {}): Promise<ImportReport> {
  await requireActiveUser(ctx, user, { verified: false });
  if (Buffer.byteLength(text, 'utf8') > IMPORT_MAX_BYTES) throw new AppError('payload_too_large', `The file is too large to import: ${IMPORT_MAX_BYTES / 1024 / 1024} MB at most. Split it, or export only the entries you need.`);
  if (opts.collectionId !== undefined) await ownCollection(ctx, user, opts.collectionId);
  const read = readImportText(text);
  const problems = [...read.problems];
  let items = read.items;
  if (items.length > IMPORT_MAX_PAPERS) {
    for (const it of items.slice(IMPORT_MAX_PAPERS)) problems.push({ line: it.line, reason: `arXiv:${it.id} not imported: one import adds at most ${IMPORT_MAX_PAPERS.toLocaleString('en')} papers` });
    items = items.slice(0, IMPORT_MAX_PAPERS);
  }
  let known = await repo.knownPaperIds(ctx.store.db, items.map((i) => i.id));
  let fetched = 0;
  const missing = items.filter((i) => !known.has(i.id));
  if (missing.length && opts.fetchMissing !== false) {
    const toFetch = missing.slice(0, IMPORT_MAX_FETCH);
    try {
      const deps = ingestDeps(ctx);
      for (let i = 0; i < toFetch.length; i += 50) {
        const ids = toFetch.slice(i, i + 50).map((m) => m.id);
        await ingestApiQuery(deps, { idList: ids, limit: ids.length, pageSize: ids.length });
      }
    } catch (e) {
      if (!(e instanceof IngestError)) throw e;
      ctx.logger.warn({ error: e.message }, `library import: arXiv fetch failed: ${e.message}`);
      problems.push({ line: missing[0].line, reason: `arXiv could not be reached (${e.message}); papers not already here were not imported` });
    }
    known = await repo.knownPaperIds(ctx.store.db, items.map((i) => i.id));
    fetched = missing.filter((m) => known.has(m.id)).length;
  }
  const hidden = new Set(
    (await ctx.store.db.selectFrom('papers').select('id').where('hidden', '=', 1).where('id', 'in', items.length ? items.map((i) => i.id) : ['']).execute()).map((r) => r.id),
  );
  const now = ctx.clock.now().toISOString();
  let saved = 0;
  let already = 0;
  await ctx.store.db.transaction().execute(async (trx) => {
    for (const it of items) {
      if (!known.has(it.id) || hidden.has(it.id)) {
        problems.push({ line: it.line, reason: `arXiv:${it.id} is not a paper Papertide has${opts.fetchMissing === false ? '' : ' or could fetch from arXiv'}` });
        continue;
      }
      if (await repo.saveItem(trx, user.id, it.id, now)) saved++;
      else already++;
      if (opts.collectionId !== undefined) await repo.addToCollection(trx, opts.collectionId, it.id, now);
    }
  });
  problems.sort((a, b) => a.line - b.line);
  await changed(ctx);
  // A hostile file can hold a problem per line (a million of them in 2 MB): the report lists
  // the first ones and counts the rest, so the page and the JSON stay small.
  if (problems.length > IMPORT_MAX_PROBLEMS) {
    const more = problems.length - IMPORT_MAX_PROBLEMS;
    const last = problems[IMPORT_MAX_PROBLEMS - 1].line;
    problems.length = IMPORT_MAX_PROBLEMS;
    problems.push({ line: last, reason: `and ${more.toLocaleString('en')} more problems after this line, not listed` });
  }
  return { saved, already, fetched, problems };
}

/**
 * A collection as a feed document (src/feeds renders it as RSS, Atom or JSON Feed): a public one
 * for anyone; any of the owner's own when `viewer` is the owner (the private feed URLs of
 * src/feed-tokens, whose token stands for the owner).
 */
export async function collectionFeed(ctx: Ctx, id: number, baseUrl: string, viewer: Actor | null = null): Promise<FeedDoc> {
  const v = await viewCollection(ctx, viewer, id);
  const papers = v.papers.slice(0, FEED_SIZE);
  const when = (s: string) => new Date(s);
  return {
    key: `collection/${id}`,
    title: `Papertide · ${v.collection.name} (a collection by ${v.owner})`,
    description: v.collection.description || `Papers collected by ${v.owner}.`,
    pageUrl: `${baseUrl}/collections/${id}`,
    selfUrl: (f) => `${baseUrl}/collections/${id}/feed.${f}`,
    updated: papers.length ? when(papers[0].addedAt) : when(v.collection.updated_at),
    entries: papers.map((p) => feedEntry(p.paper, baseUrl, when(p.addedAt))),
  };
}
