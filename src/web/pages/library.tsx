/**
 * The library: POST /library/save (JSON for /static/library.js, a redirect back for the plain
 * form), /library (saved papers with notes, collections, import and export), notes, import,
 * BibTeX/RIS export, collections (/collections/{id}: the owner's page, or anyone's when public,
 * with an Atom/RSS/JSON feed), and the paper page's "Save", "Your library" and "Cite" slots.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import type { Slots } from '../slots.js';
import type { Paper } from '../../domain/paper.js';
import { AppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { bibtexEntry, citationKeys, type CitablePaper } from '../../domain/bibtex.js';
import { renderPage } from '../layout.js';
import { rateLimit, type LimitSpec } from '../middleware/rate-limit.js';
import { renderFeed, notModified, type FeedFormat } from '../../feeds/feed.render.js';
import { PaperCard } from '../components/paper-card.js';
import { SaveButton } from '../components/save-button.js';
import { firstIssue, formOf, safeNext, Hidden } from './auth.js';
import * as lib from '../../library/library.service.js';

export const LIBRARY_LIMITS = {
  perIp: { name: 'library', points: 600, duration: 60 },
  perUser: { name: 'library', points: 120, duration: 60 },
  importPerUser: { name: 'library import', points: 10, duration: 3600 },
} satisfies Record<string, LimitSpec>;

const PAGE_SIZE = 50;

function paperIdOf(s: string | undefined): string {
  const id = parseArxivId((s ?? '').trim());
  if (!id) throw new AppError('bad_request', `“${(s ?? '').slice(0, 40)}” is not an arXiv id.`);
  return id.id;
}

function collectionIdOf(s: string | undefined): number {
  if (!s || !/^\d{1,9}$/.test(s)) throw new AppError('not_found', 'There is no such collection.');
  return Number(s);
}

const wantsJson = (c: WebContext) => (c.req.header('accept') ?? '').includes('application/json');

function requireUser(c: WebContext, back: string) {
  const user = c.get('user');
  if (!user) return { user: null, redirect: c.redirect(`/login?next=${encodeURIComponent(back)}`, 303) };
  return { user, redirect: null };
}

function citableOf(p: Paper): CitablePaper {
  return { id: p.id, title: p.title, authors: p.authors, primaryCategory: p.primaryCategory, publishedAt: p.publishedAt, doi: p.doi, journalRef: p.journalRef };
}

function download(c: WebContext, body: string, format: lib.ExportFormat, name: string) {
  const file = `${name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'papertide'}.${format}`;
  return c.body(body, 200, {
    'Content-Type': format === 'bib' ? 'application/x-bibtex; charset=utf-8' : 'application/x-research-info-systems; charset=utf-8',
    'Content-Disposition': `attachment; filename="${file}"`,
    'Cache-Control': 'private, no-store',
  });
}

/** The paper page's slots: Save next to the title, the user's note and collections, and Cite. */
export function registerLibrarySlots(slots: Slots) {
  slots.paperActions.push(async (c, paper) => {
    const user = c.get('user');
    const saved = user ? (await lib.savedAmong(c.get('ctx').store.db, user.id, [paper.id])).has(paper.id) : false;
    return <SaveButton c={c} paperId={paper.id} saved={saved} />;
  });
  slots.paperSections.push(async (c, paper) => {
    const user = c.get('user');
    if (!user) return null;
    const ctx = c.get('ctx');
    const [item, collections, holding] = await Promise.all([lib.libraryItem(ctx, user, paper.id), lib.myCollections(ctx, user), lib.collectionsWithPaper(ctx, user, paper.id)]);
    const back = `/papers/${paper.id}`;
    return (
      <section class="library-panel" aria-labelledby="library-h">
        <h2 id="library-h">Your library</h2>
        <form method="post" action="/library/note" class="note-form">
          <Hidden c={c} />
          <input type="hidden" name="paper" value={paper.id} />
          <input type="hidden" name="back" value={back} />
          <label for="note">Private note {item ? null : <span class="muted">(saving a note saves the paper)</span>}</label>
          <textarea id="note" name="note" rows={3} maxlength={lib.NOTE_MAX}>{item?.note ?? ''}</textarea>
          <button type="submit">Save note</button>
        </form>
        {collections.length ? (
          <ul class="plain collection-toggles">
            {collections.map((col) => (
              <li>
                <form method="post" action={`/collections/${col.id}/papers`} class="inline">
                  <Hidden c={c} />
                  <input type="hidden" name="paper" value={paper.id} />
                  <input type="hidden" name="want" value={holding.has(col.id) ? 'off' : 'on'} />
                  <input type="hidden" name="back" value={back} />
                  <button type="submit" class="link" aria-pressed={holding.has(col.id) ? 'true' : 'false'}>
                    {holding.has(col.id) ? `✓ In “${col.name}”` : `+ Add to “${col.name}”`}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small">
            Organise saved papers into collections on <a href="/library">your library</a>.
          </p>
        )}
      </section>
    );
  });
  slots.paperSections.push((_c, paper) => {
    const bib = bibtexEntry(citableOf(paper));
    return (
      <section class="cite" aria-labelledby="cite-h">
        <h2 id="cite-h">Cite</h2>
        <label for="bibtex" class="visually-hidden">BibTeX</label>
        <textarea id="bibtex" class="bibtex" readonly rows={Math.min(12, bib.split('\n').length)}>
          {bib}
        </textarea>
        <p>
          <button type="button" class="copy-bibtex" data-copy="bibtex" hidden>
            Copy BibTeX
          </button>{' '}
          <a href={`/cite/${paper.id}.bib`}>Download .bib</a> · <a href={`/cite/${paper.id}.ris`}>RIS</a>
        </p>
      </section>
    );
  });
}

const saveSchema = z.object({
  paper: z.string().min(1, 'Which paper? The form lacks its arXiv id.').max(60),
  want: z.enum(['on', 'off']).optional(),
  back: z.string().optional(),
});

const collectionSchema = z.object({
  name: z.string().max(1000).default(''),
  description: z.string().max(10_000).optional(),
  public: z.string().optional(),
});

/**
 * The import's own body limit, larger than the site's 256 KiB for forms: app.tsx mounts it in
 * place of that one for /library/import, before the CSRF check reads the body.
 */
export function importBodyLimit() {
  return bodyLimit({
    maxSize: lib.IMPORT_MAX_BYTES + 64 * 1024,
    onError: () => {
      throw new AppError('payload_too_large', `The file is too large to import: ${lib.IMPORT_MAX_BYTES / 1024 / 1024} MB at most. Split it, or export only the entries you need.`);
    },
  });
}

export function libraryRoutes() {
  const app = new Hono<AppEnv>();
  const limit = rateLimit(LIBRARY_LIMITS.perIp, { perUser: LIBRARY_LIMITS.perUser });

  app.post('/library/save', limit, async (c) => {
    const parsed = saveSchema.safeParse(await formOf(c));
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const id = paperIdOf(parsed.data.paper);
    const user = c.get('user');
    if (!user) {
      if (wantsJson(c)) return c.json({ error: 'Log in to save papers.', login: `/login?next=/papers/${id}` }, 401);
      return c.redirect(`/login?next=${encodeURIComponent(`/papers/${id}`)}`, 303);
    }
    try {
      const r = await lib.setSaved(c.get('ctx'), user, id, parsed.data.want === undefined ? undefined : parsed.data.want === 'on');
      if (wantsJson(c)) return c.json(r);
      return c.redirect(safeNext(parsed.data.back, `/papers/${id}`), 303);
    } catch (e) {
      if (wantsJson(c) && e instanceof AppError) return c.json({ error: e.message }, e.status as any);
      throw e;
    }
  });

  app.post('/library/note', limit, async (c) => {
    const form = await formOf(c);
    const id = paperIdOf(form.paper);
    const { user, redirect } = requireUser(c, `/papers/${id}`);
    if (!user) return redirect;
    await lib.saveNote(c.get('ctx'), user, id, form.note ?? '');
    return c.redirect(safeNext(form.back, `/papers/${id}`), 303);
  });

  app.get('/library', async (c) => {
    const { user, redirect } = requireUser(c, '/library');
    if (!user) return redirect;
    const ctx = c.get('ctx');
    const p = Math.max(0, Math.min(10_000, Number(/^\d{1,5}$/.test(c.req.query('p') ?? '') ? c.req.query('p') : 0)));
    const [{ items, total }, collections] = await Promise.all([lib.library(ctx, user, { limit: PAGE_SIZE, offset: p * PAGE_SIZE }), lib.myCollections(ctx, user)]);
    const pages = Math.ceil(total / PAGE_SIZE);
    const here = p ? `/library?p=${p}` : '/library';
    return renderPage(
      c,
      { title: 'Your library', math: true, noindex: true },
      <>
        <div class="page-head">
          <h1>Your library</h1>
          <p class="muted">
            {total} saved {total === 1 ? 'paper' : 'papers'}, most recently saved first · export: <a href="/library/export.bib">BibTeX</a> · <a href="/library/export.ris">RIS</a> · <a href="/settings/feeds">private feeds</a>
          </p>
        </div>
        <LibrarySide c={c} collections={collections} />
        {items.length === 0 ? (
          <p class="empty">Nothing saved yet. Press “☆ Save” on any paper, or import a BibTeX file or a list of arXiv ids below.</p>
        ) : (
          <ol class="paper-list">
            {items.map((it) => (
              <li>
                <PaperCard
                  paper={it.paper}
                  save={<SaveButton c={c} paperId={it.paper.id} saved back={here} compact />}
                  extra={
                    it.note ? (
                      <p class="library-note">
                        <strong>Note:</strong> {it.note}
                      </p>
                    ) : null
                  }
                />
              </li>
            ))}
          </ol>
        )}
        {pages > 1 ? (
          <nav class="pager" aria-label="Pages">
            {p > 0 ? <a rel="prev" href={`/library?p=${p - 1}`}>← Previous page</a> : null}
            <span>
              Page {p + 1} of {pages}
            </span>
            {p + 1 < pages ? <a rel="next" href={`/library?p=${p + 1}`}>Next page →</a> : null}
          </nav>
        ) : null}
        <ImportForm c={c} collections={collections} />
      </>,
    );
  });

  for (const format of ['bib', 'ris'] as const) {
    app.get(`/library/export.${format}`, async (c) => {
      const { user, redirect } = requireUser(c, '/library');
      if (!user) return redirect;
      return download(c, await lib.exportLibrary(c.get('ctx'), user, format), format, `${user.name}-library`);
    });
    app.get(`/collections/:id/export.${format}`, async (c) => {
      const r = await lib.exportCollection(c.get('ctx'), c.get('user'), collectionIdOf(c.req.param('id')), format);
      return download(c, r.body, format, r.name);
    });
  }

  // One paper's citation: /cite/{arXiv id}.bib or .ris (old-style ids hold a slash).
  app.get('/cite/:file{.+}', async (c) => {
    const m = /^(.+)\.(bib|ris)$/.exec(c.req.param('file'));
    if (!m) throw new AppError('not_found', 'Citations are /cite/{arXiv id}.bib or .ris.');
    const id = paperIdOf(m[1]);
    const format = m[2] as lib.ExportFormat;
    const paper = await lib.visiblePaper(c.get('ctx'), id);
    return c.body(lib.renderExport([paper], format), 200, {
      'Content-Type': format === 'bib' ? 'application/x-bibtex; charset=utf-8' : 'application/x-research-info-systems; charset=utf-8',
      'Content-Disposition': `inline; filename="${citationKeys([lib.citable(paper)]).get(id)}.${format}"`,
    });
  });

  app.post('/library/import', rateLimit(LIBRARY_LIMITS.perIp, { perUser: LIBRARY_LIMITS.importPerUser }), async (c) => {
    const { user, redirect } = requireUser(c, '/library');
    if (!user) return redirect;
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const file = body.file;
    let text = typeof body.text === 'string' ? body.text : '';
    if (file && typeof file === 'object' && 'text' in file && (file as File).size > 0) text = `${await (file as File).text()}`;
    if (!text.trim()) throw new AppError('bad_request', 'Choose a .bib file, or paste arXiv ids or URLs (one a line).');
    const collection = typeof body.collection === 'string' && body.collection ? collectionIdOf(body.collection) : undefined;
    const report = await lib.importLibrary(c.get('ctx'), user, text, { collectionId: collection });
    if (wantsJson(c)) return c.json(report);
    return renderPage(
      c,
      { title: 'Import', noindex: true },
      <>
        <div class="page-head">
          <h1>Import</h1>
        </div>
        <p class="notice ok" role="status">
          Saved {report.saved} {report.saved === 1 ? 'paper' : 'papers'}
          {report.already ? ` (${report.already} already in your library)` : ''}
          {report.fetched ? `; ${report.fetched} fetched from arXiv first` : ''}.
        </p>
        {report.problems.length ? (
          <>
            <h2>{report.problems.length === 1 ? '1 entry was not imported' : `${report.problems.length} entries were not imported`}</h2>
            <ul class="import-problems">
              {report.problems.map((p) => (
                <li>
                  Line {p.line}
                  {p.key ? ` (${p.key})` : ''}: {p.reason}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          <a href={collection !== undefined ? `/collections/${collection}` : '/library'}>Back to your {collection !== undefined ? 'collection' : 'library'}</a>
        </p>
      </>,
    );
  });

  app.post('/collections', limit, async (c) => {
    const { user, redirect } = requireUser(c, '/library');
    if (!user) return redirect;
    const parsed = collectionSchema.safeParse(await formOf(c));
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const id = await lib.createCollection(c.get('ctx'), user, { name: parsed.data.name, description: parsed.data.description, isPublic: parsed.data.public === '1' });
    return c.redirect(`/collections/${id}`, 303);
  });

  app.post('/collections/:id/edit', limit, async (c) => {
    const id = collectionIdOf(c.req.param('id'));
    const { user, redirect } = requireUser(c, `/collections/${id}`);
    if (!user) return redirect;
    const parsed = collectionSchema.safeParse(await formOf(c));
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    await lib.editCollection(c.get('ctx'), user, id, { name: parsed.data.name, description: parsed.data.description, isPublic: parsed.data.public === '1' });
    return c.redirect(`/collections/${id}`, 303);
  });

  app.post('/collections/:id/delete', limit, async (c) => {
    const id = collectionIdOf(c.req.param('id'));
    const { user, redirect } = requireUser(c, `/collections/${id}`);
    if (!user) return redirect;
    await lib.removeCollection(c.get('ctx'), user, id);
    return c.redirect('/library', 303);
  });

  app.post('/collections/:id/papers', limit, async (c) => {
    const id = collectionIdOf(c.req.param('id'));
    const form = await formOf(c);
    const paper = paperIdOf(form.paper);
    const { user, redirect } = requireUser(c, `/papers/${paper}`);
    if (!user) return redirect;
    await lib.setInCollection(c.get('ctx'), user, id, paper, form.want !== 'off');
    return c.redirect(safeNext(form.back, `/collections/${id}`), 303);
  });

  app.get('/collections/:id/:file{feed\\.(?:rss|atom|json)}', async (c) => {
    const format = c.req.param('file').slice('feed.'.length) as FeedFormat;
    const ctx = c.get('ctx');
    const doc = await lib.collectionFeed(ctx, collectionIdOf(c.req.param('id')), ctx.config.baseUrl);
    const r = renderFeed(doc, format);
    c.header('ETag', r.etag);
    c.header('Last-Modified', r.lastModified.toUTCString());
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Access-Control-Allow-Origin', '*');
    if (notModified(r, c.req.header('if-none-match'), c.req.header('if-modified-since'))) return c.body(null, 304);
    return c.body(r.body, 200, { 'Content-Type': r.contentType });
  });

  app.get('/collections/:id', async (c) => {
    const id = collectionIdOf(c.req.param('id'));
    const ctx = c.get('ctx');
    const user = c.get('user');
    const v = await lib.viewCollection(ctx, user, id);
    const saved = user ? await lib.savedAmong(ctx.store.db, user.id, v.papers.map((p) => p.paper.id)) : new Set<string>();
    const here = `/collections/${id}`;
    const col = v.collection;
    return renderPage(
      c,
      {
        title: col.name,
        description: col.description || `Papers collected by ${v.owner}.`,
        math: true,
        noindex: !col.is_public,
        alternates: col.is_public ? [{ type: 'application/atom+xml', title: `${col.name} (Atom)`, href: `${here}/feed.atom` }, { type: 'application/rss+xml', title: `${col.name} (RSS)`, href: `${here}/feed.rss` }] : [],
      },
      <>
        <div class="page-head">
          <h1>{col.name}</h1>
          <p class="muted">
            {col.is_public ? 'Public collection' : 'Private collection (only you can see it)'} by <a href={`/u/${encodeURIComponent(v.owner)}`}>{v.owner}</a> · {v.papers.length} {v.papers.length === 1 ? 'paper' : 'papers'} · <a href={`${here}/export.bib`}>BibTeX</a> · <a href={`${here}/export.ris`}>RIS</a>
            {col.is_public ? (
              <>
                {' '}
                · <a href={`${here}/feed.atom`}>Atom feed</a>
              </>
            ) : null}
            {v.mine ? (
              <>
                {' '}
                · <a href="/settings/feeds">private feed URL</a>
              </>
            ) : null}
          </p>
          {col.description ? <p>{col.description}</p> : null}
        </div>
        {v.papers.length === 0 ? (
          <p class="empty">No papers in this collection yet.{v.mine ? ' Add papers from their pages (“Your library” section), or import a list below.' : ''}</p>
        ) : (
          <ol class="paper-list">
            {v.papers.map((p) => (
              <li>
                <PaperCard
                  paper={p.paper}
                  save={<SaveButton c={c} paperId={p.paper.id} saved={saved.has(p.paper.id)} back={here} compact />}
                  extra={
                    v.mine ? (
                      <form method="post" action={`${here}/papers`} class="inline">
                        <Hidden c={c} />
                        <input type="hidden" name="paper" value={p.paper.id} />
                        <input type="hidden" name="want" value="off" />
                        <input type="hidden" name="back" value={here} />
                        <button type="submit" class="link">Remove from this collection</button>
                      </form>
                    ) : null
                  }
                />
              </li>
            ))}
          </ol>
        )}
        {v.mine ? (
          <>
            <section aria-labelledby="edit-h" class="collection-edit">
              <h2 id="edit-h">Edit</h2>
              <CollectionForm c={c} action={`${here}/edit`} name={col.name} description={col.description} isPublic={!!col.is_public} submit="Save changes" />
              <form method="post" action={`${here}/delete`}>
                <Hidden c={c} />
                <button type="submit" class="link danger">Delete this collection (the papers stay in your library)</button>
              </form>
            </section>
            <ImportForm c={c} collections={[{ id: col.id, name: col.name }]} only />
          </>
        ) : null}
      </>,
    );
  });

  return app;
}

function CollectionForm({ c, action, name, description, isPublic, submit }: { c: WebContext; action: string; name?: string; description?: string; isPublic?: boolean; submit: string }) {
  return (
    <form method="post" action={action} class="collection-form stack">
      <Hidden c={c} />
      <label>
        Name <input type="text" name="name" value={name ?? ''} required maxlength={lib.COLLECTION_NAME_MAX} />
      </label>
      <label>
        Description <textarea name="description" rows={2} maxlength={lib.COLLECTION_DESCRIPTION_MAX}>{description ?? ''}</textarea>
      </label>
      <label>
        <input type="checkbox" name="public" value="1" checked={!!isPublic} /> Public: anyone with the link can see it and follow its feed
      </label>
      <button type="submit">{submit}</button>
    </form>
  );
}

function LibrarySide({ c, collections }: { c: WebContext; collections: (lib.CollectionRow & { papers: number })[] }) {
  return (
    <section aria-labelledby="collections-h" class="collections">
      <h2 id="collections-h">Collections</h2>
      {collections.length ? (
        <ul class="plain">
          {collections.map((col) => (
            <li>
              <a href={`/collections/${col.id}`}>{col.name}</a> <span class="muted">· {col.papers} {col.papers === 1 ? 'paper' : 'papers'} · {col.is_public ? 'public' : 'private'}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No collections yet.</p>
      )}
      <details>
        <summary>New collection</summary>
        <CollectionForm c={c} action="/collections" submit="Create collection" />
      </details>
    </section>
  );
}

function ImportForm({ c, collections, only }: { c: WebContext; collections: { id: number; name: string }[]; only?: boolean }) {
  return (
    <section aria-labelledby="import-h" class="library-import">
      <h2 id="import-h">Import</h2>
      <p class="muted small">
        A BibTeX file (entries with an arXiv eprint, URL or DOI) or a list of arXiv ids and URLs, one a line. Papers Papertide does not have yet are fetched from arXiv. At most {lib.IMPORT_MAX_BYTES / 1024 / 1024} MB.
      </p>
      <form method="post" action="/library/import" enctype="multipart/form-data" class="stack">
        <Hidden c={c} />
        <label>
          BibTeX file <input type="file" name="file" accept=".bib,.txt,text/plain,application/x-bibtex" />
        </label>
        <label>
          or paste <textarea name="text" rows={4} placeholder={'2401.12345\nhttps://arxiv.org/abs/2402.00001'}></textarea>
        </label>
        {only ? (
          <input type="hidden" name="collection" value={String(collections[0].id)} />
        ) : collections.length ? (
          <label>
            Also add to{' '}
            <select name="collection">
              <option value="">(no collection)</option>
              {collections.map((col) => (
                <option value={String(col.id)}>{col.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit">Import</button>
      </form>
    </section>
  );
}

