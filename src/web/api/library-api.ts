/**
 * The personal JSON API, with a personal API token (`Authorization: Bearer pt_…`) on every
 * request, reads included (they are private): the library (list, save, unsave, note, export,
 * import), collections (list, create, read, add/remove a paper, export), follows (list, add,
 * remove) and For you recommendations. The same services as the pages, so the same rules: a
 * private collection of someone else is a 404 (its existence does not leak), a bad input a 400
 * with a sentence, no token a 401. Responses are `Cache-Control: private, no-store`.
 */
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv, WebContext } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { Limiter } from '../middleware/rate-limit.js';
import { requireTokenUser } from '../middleware/bearer.js';
import { jsonBody, parse, pathArxivId } from '../validate.js';
import { presentPaper } from '../presenters/paper.presenter.js';
import { extractArxivId } from '../../domain/arxiv-id.js';
import * as lib from '../../library/library.service.js';
import { myFollows, setFollow } from '../../follows/follows.service.js';
import { forYou } from '../../recs/recs.service.js';
import { CollectionBody, ExportQuery, FollowBody, ImportBody, LibraryQuery, NoteBody, RecommendationsQuery, SaveBody } from './schemas.js';

const actor = (u: { id: number; name: string; role: 'user' | 'moderator' | 'admin' }) => ({ id: u.id, name: u.name, role: u.role });

function paperIdOf(raw: string): string {
  const id = extractArxivId(raw.trim());
  if (!id) throw new AppError('bad_request', `id “${raw.slice(0, 40)}” is not an arXiv id or URL.`);
  return id.id;
}

function collectionIdOf(s: string): number {
  if (!/^\d{1,9}$/.test(s)) throw new AppError('not_found', 'There is no such collection.');
  return Number(s);
}

function privateJson(c: WebContext, body: unknown, status: 200 | 201 = 200) {
  c.header('Cache-Control', 'private, no-store');
  return c.json(body, status);
}

function presentCollection(col: lib.CollectionRow & { papers?: number }, papers: number, baseUrl: string) {
  return { id: col.id, name: col.name, description: col.description, public: !!col.is_public, papers, createdAt: col.created_at, updatedAt: col.updated_at, url: `${baseUrl}/collections/${col.id}` };
}

function exportResponse(c: WebContext, body: string, format: lib.ExportFormat) {
  return c.body(body, 200, {
    'Content-Type': format === 'bib' ? 'application/x-bibtex; charset=utf-8' : 'application/x-research-info-systems; charset=utf-8',
    'Cache-Control': 'private, no-store',
  });
}

/** A raw BibTeX / id-list body (text/plain, application/x-bibtex) or a JSON object. */
async function importInput(c: WebContext): Promise<{ text: string; collection?: number; fetchMissing?: boolean }> {
  const type = c.req.header('content-type') ?? '';
  if (/^(text\/plain|application\/x-bibtex|text\/x-bibtex)\b/i.test(type)) {
    const text = await c.req.text();
    if (!text.trim()) throw new AppError('bad_request', 'The body is empty: send a BibTeX file or arXiv ids, one a line.');
    return { text };
  }
  return parse(ImportBody, await jsonBody(c));
}

export function libraryApiRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  const writes = new Limiter({ name: 'API library write', points: 120, duration: 60 });
  const imports = new Limiter({ name: 'API library import', points: 10, duration: 3600 });
  const write = async (c: WebContext) => {
    const user = requireTokenUser(c);
    await writes.consume(`u${user.id}`, c);
    return actor(user);
  };

  // ------------------------------------------------------------------ library
  app.get('/api/library', async (c) => {
    const user = actor(requireTokenUser(c));
    const q = parse(LibraryQuery, c.req.query());
    const { items, total } = await lib.library(ctx, user, { limit: q.limit ?? 50, offset: q.offset ?? 0 });
    return privateJson(c, { total, items: items.map((i) => ({ paper: presentPaper(i.paper), note: i.note, savedAt: i.savedAt })) });
  });

  app.get('/api/library/export', async (c) => {
    const user = actor(requireTokenUser(c));
    const format = parse(ExportQuery, c.req.query()).format ?? 'bib';
    return exportResponse(c, await lib.exportLibrary(ctx, user, format), format);
  });

  app.post('/api/library', async (c) => {
    const user = requireTokenUser(c);
    const body = parse(SaveBody, await jsonBody(c));
    const id = paperIdOf(body.id);
    await writes.consume(`u${user.id}`, c);
    return privateJson(c, await lib.setSaved(ctx, actor(user), id, true), 201);
  });

  app.post('/api/library/import', async (c) => {
    const user = requireTokenUser(c);
    const input = await importInput(c);
    await imports.consume(`u${user.id}`, c);
    return privateJson(c, await lib.importLibrary(ctx, actor(user), input.text, { collectionId: input.collection, fetchMissing: input.fetchMissing }));
  });

  // arXiv ids may hold a slash (hep-th/9901001): the rest of the path, then its suffix.
  app.on(['POST', 'PUT'], '/api/library/:rest{.+/note}', async (c) => {
    const user = requireTokenUser(c);
    const id = pathArxivId(c.req.param('rest').slice(0, -'/note'.length));
    const body = parse(NoteBody, await jsonBody(c));
    await writes.consume(`u${user.id}`, c);
    await lib.saveNote(ctx, actor(user), id, body.note);
    return privateJson(c, { paperId: id, note: body.note.replace(/\r\n?/g, '\n') });
  });

  app.delete('/api/library/:rest{.+}', async (c) => {
    const user = await write(c);
    const id = pathArxivId(c.req.param('rest'));
    return privateJson(c, await lib.setSaved(ctx, user, id, false));
  });

  // ------------------------------------------------------------------ collections
  app.get('/api/collections', async (c) => {
    const user = actor(requireTokenUser(c));
    const cols = await lib.myCollections(ctx, user);
    return privateJson(c, cols.map((col) => presentCollection(col, col.papers, ctx.config.baseUrl)));
  });

  app.post('/api/collections', async (c) => {
    const user = requireTokenUser(c);
    const body = parse(CollectionBody, await jsonBody(c));
    await writes.consume(`u${user.id}`, c);
    const id = await lib.createCollection(ctx, actor(user), { name: body.name, description: body.description, isPublic: body.public ?? false });
    const col = await lib.ownCollection(ctx, actor(user), id);
    return privateJson(c, presentCollection(col, 0, ctx.config.baseUrl), 201);
  });

  app.get('/api/collections/:id/export', async (c) => {
    const user = actor(requireTokenUser(c));
    const format = parse(ExportQuery, c.req.query()).format ?? 'bib';
    const r = await lib.exportCollection(ctx, user, collectionIdOf(c.req.param('id')), format);
    return exportResponse(c, r.body, format);
  });

  app.get('/api/collections/:id', async (c) => {
    const user = actor(requireTokenUser(c));
    const v = await lib.viewCollection(ctx, user, collectionIdOf(c.req.param('id')));
    return privateJson(c, {
      collection: presentCollection(v.collection, v.papers.length, ctx.config.baseUrl),
      owner: v.owner,
      items: v.papers.map((p) => ({ paper: presentPaper(p.paper), addedAt: p.addedAt })),
    });
  });

  app.post('/api/collections/:id/papers', async (c) => {
    const user = requireTokenUser(c);
    const col = collectionIdOf(c.req.param('id'));
    const body = parse(SaveBody, await jsonBody(c));
    const id = paperIdOf(body.id);
    await writes.consume(`u${user.id}`, c);
    await lib.setInCollection(ctx, actor(user), col, id, true);
    return privateJson(c, { collectionId: col, paperId: id, inCollection: true }, 201);
  });

  app.delete('/api/collections/:id/papers/:rest{.+}', async (c) => {
    const user = await write(c);
    const col = collectionIdOf(c.req.param('id'));
    const id = pathArxivId(c.req.param('rest'));
    await lib.setInCollection(ctx, user, col, id, false);
    return privateJson(c, { collectionId: col, paperId: id, inCollection: false });
  });

  // ------------------------------------------------------------------ follows
  app.get('/api/follows', async (c) => {
    const user = actor(requireTokenUser(c));
    const rows = await myFollows(ctx, user);
    return privateJson(c, rows.map((f) => ({ id: f.id, kind: f.kind, label: f.label, createdAt: f.created_at })));
  });

  app.post('/api/follows', async (c) => {
    const user = requireTokenUser(c);
    const body = parse(FollowBody, await jsonBody(c));
    await writes.consume(`u${user.id}`, c);
    const r = await setFollow(ctx, actor(user), body.kind, body.value, true);
    const f = (await myFollows(ctx, actor(user))).find((x) => x.kind === body.kind && x.label === r.label);
    return privateJson(c, f ? { id: f.id, kind: f.kind, label: f.label, createdAt: f.created_at } : { kind: body.kind, label: r.label }, 201);
  });

  app.delete('/api/follows/:id', async (c) => {
    const user = await write(c);
    const id = c.req.param('id');
    const f = /^\d{1,9}$/.test(id) ? (await myFollows(ctx, user)).find((x) => x.id === Number(id)) : undefined;
    if (!f) throw new AppError('not_found', 'You do not follow that (no such follow of yours).');
    await setFollow(ctx, user, f.kind, f.label, false);
    return privateJson(c, { id: f.id, following: false });
  });

  // ------------------------------------------------------------------ recommendations
  app.get('/api/recommendations', async (c) => {
    const user = requireTokenUser(c);
    const q = parse(RecommendationsQuery, c.req.query());
    const r = await forYou(ctx, user.id, { window: q.window ?? 'week', limit: q.limit ?? 30 });
    return privateJson(c, { state: r.state, window: r.window, items: r.items.map((it) => ({ paper: presentPaper(it.paper), score: Math.round(it.score * 1e4) / 1e4, reason: it.reason })) });
  });

  return app;
}
