/**
 * `/search?q=`: hybrid search, server-rendered, usable without JavaScript. Filters (date range,
 * category, has code), sort (relevance | newest | upvotes), pages, `?debug=1` for each hit's
 * lexical rank, vector rank, matched terms and fused score. An arXiv id or arXiv / Hugging Face
 * URL redirects to the paper. Invalid queries are shown as a message, never an error page.
 * `/search/suggest?q=` returns up to 8 title suggestions as JSON for src/web/static/suggest.js.
 */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { AppEnv } from '../types.js';
import { renderPage } from '../layout.js';
import { getSearchService, type SearchHit, type SearchResult } from '../../search/search.service.js';
import { highlight, snippet } from '../../search/snippet.js';
import { fallbackTerms, searchPapers } from '../../feeds/listings.service.js';
import { listingDeps } from '../api/deps.js';
import { parseDateBound } from '../../domain/search-query.js';
import { getPaper } from '../../papers/papers.repository.js';
import { ingestDeps, ingestOne } from '../../ingest/index.js';
import { Limiter, clientIp } from '../middleware/rate-limit.js';
import type { WebContext } from '../types.js';
import { SaveButton, savedIn } from '../components/save-button.js';
import { SearchFollows } from './following.js';
import { z } from 'zod';
import { query } from '../validate.js';

/** Pasted arXiv ids the store lacks are fetched from arXiv first: at most this long, this often per IP. */
const IMPORT_WAIT_MS = 8000;
// (its headers would overwrite the search limit's on the same response)
const importLimiter = new Limiter({ name: 'paper import', points: 10, duration: 3600 }, { headers: false });

/**
 * A pasted id or URL the store does not have yet: import it from arXiv when the network allows
 * (politely: the shared fetcher spaces requests 3 s apart), then go to its page. On any failure
 * (offline, unknown id, rate limit) the paper page says what to do; nothing is lost.
 */
async function importIfUnknown(c: WebContext, id: string): Promise<void> {
  const ctx = c.get('ctx');
  if (await getPaper(ctx.store.db, id)) return;
  try {
    await importLimiter.consume(clientIp(c), c);
    const fetching = ingestOne(ingestDeps(ctx), id);
    fetching.catch(() => {});
    await Promise.race([fetching, new Promise((resolve) => setTimeout(resolve, IMPORT_WAIT_MS).unref())]);
  } catch (e) {
    ctx.logger.info({ id, reason: (e as Error).message }, 'could not import a pasted arXiv id');
  }
}

const SORTS = ['relevance', 'newest', 'upvotes'] as const;
type Sort = (typeof SORTS)[number];
const PAGE_SIZE = 20;
/** Pages beyond this are not served (10,000 results); the count still says how many match. */
const MAX_PAGE = 500;
const AUTHORS_SHOWN = 5;

/**
 * The authors line of a hit: the first few, and the authors the query asked for even when they
 * come later (after a "…"), then "et al." for the rest.
 */
function HitAuthors({ authors, matched }: { authors: string[]; matched: string[] }) {
  const want = new Set(matched);
  const late = authors.filter((a, i) => i >= AUTHORS_SHOWN && want.has(a));
  const head = authors.slice(0, Math.max(2, AUTHORS_SHOWN - late.length));
  const shown = [...head, ...late];
  const parts = shown.map((a, i) => (
    <>
      {i > 0 ? (i === head.length ? ', …, ' : ', ') : ''}
      {want.has(a) ? <strong class="author-match">{a}</strong> : a}
    </>
  ));
  return (
    <span class="hit-authors">
      {parts}
      {authors.length > shown.length ? ' et al.' : ''}
    </span>
  );
}

/** A text parameter, absent = empty, cut at `max` characters. */
const text = (max: number) => z.string().optional().transform((v) => (v ?? '').slice(0, max));
const trimmed = z.string().optional().transform((v) => (v ?? '').trim());
const flag = z.string().optional().transform((v) => v === '1');

/**
 * The search page never answers 400 for its own parameters: an unknown sort or page falls back
 * to the default, and bad filter values are shown on the page as problems (below).
 */
const SearchPageQuery = z.object({
  q: text(1000),
  sort: z.enum(SORTS).catch('relevance'),
  page: z.string().optional().transform((v) => Math.min(MAX_PAGE, Math.max(1, Number.parseInt(v ?? '1', 10) || 1))),
  debug: flag,
  cat: trimmed,
  from: trimmed,
  to: trimmed,
  code: flag,
});

/**
 * The search page's answer while no index is ready: the listing module's fallback search (every
 * word in the title or abstract, most upvoted first), shaped as hits.
 */
async function buildingFallback(c: WebContext, q: string): Promise<SearchResult> {
  const t0 = performance.now();
  const { items } = await searchPapers({ ...listingDeps(c.get('ctx')), search: null }, q, PAGE_SIZE);
  const terms = fallbackTerms(q).map((t) => t.toLowerCase());
  const hits: SearchHit[] = items.map(({ paper: p }) => ({
    id: p.id,
    title: p.title,
    titleHtml: highlight(p.title, terms),
    snippet: snippet(p.abstract, terms),
    score: 0,
    lexicalScore: 0,
    vectorScore: null,
    lexicalRank: null,
    vectorRank: null,
    matchedTerms: terms,
    publishedAt: p.publishedAt,
    authors: p.authors,
    categories: p.categories,
    codeUrl: p.codeUrl,
    upvotes: p.upvotes,
    matchedAuthors: [],
  }));
  return { hits, total: hits.length, totalExact: hits.length < PAGE_SIZE, page: 1, limit: PAGE_SIZE, tookMs: performance.now() - t0 };
}

export function searchRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/search/suggest', query(z.object({ q: text(200) })), async (c) => {
    const { q } = c.req.valid('query');
    if (q.trim().length < 3) return c.json([]);
    const svc = await getSearchService(c.get('ctx'));
    const r = await svc.search(q, { suggest: true });
    return c.json(r.suggestions ?? []);
  });

  app.get('/search', query(SearchPageQuery), async (c) => {
    const { q, sort, page, debug, cat, from, to, code } = c.req.valid('query');
    const problems: string[] = [];
    const fromB = from ? parseDateBound(from) : null;
    const toB = to ? parseDateBound(to) : null;
    if (from && !fromB) problems.push(`"From" should be a date like 2024-06-01 (got "${from}").`);
    if (to && !toB) problems.push(`"To" should be a date like 2024-06-30 (got "${to}").`);
    if (cat && !/^[A-Za-z-]+(\.[A-Za-z-]+)?$/.test(cat)) problems.push(`"${cat}" is not an arXiv category (e.g. cs.CL).`);
    const svc = await getSearchService(c.get('ctx'));
    const hasQuery = q.trim() !== '' || !!cat || code || !!fromB || !!toB;
    let result = hasQuery && problems.length === 0
      ? await svc.search(q, { sort, page, limit: PAGE_SIZE, debug, filters: { categories: cat ? [cat] : [], from: fromB?.first ?? null, to: toB?.last ?? null, hasCode: code } })
      : null;
    // While the index is being built: the plain-SQL matches the API and feeds give meanwhile
    // (listings.searchPapers), for a plain query's first page, saying what they are.
    let building: string | null = null;
    if (result?.error && !svc.ready && svc.state.kind === 'building' && q.trim() && !cat && !code && !fromB && !toB && page === 1) {
      building = `${result.error} Meanwhile: papers with every word in the title or abstract, most upvoted first.`;
      result = await buildingFallback(c, q);
    }
    if (result?.redirect) {
      await importIfUnknown(c, result.redirect);
      return c.redirect(`/papers/${result.redirect}`, 302);
    }
    const error = problems.join(' ') || result?.error;
    const saved = await savedIn(c, result?.hits.map((h) => h.id) ?? []);
    const link = (p: number, s: Sort = sort) => {
      const u = new URLSearchParams();
      if (q) u.set('q', q);
      if (cat) u.set('cat', cat);
      if (from) u.set('from', from);
      if (to) u.set('to', to);
      if (code) u.set('code', '1');
      if (s !== 'relevance') u.set('sort', s);
      if (p > 1) u.set('page', String(p));
      if (debug) u.set('debug', '1');
      return `/search?${u.toString()}`;
    };
    const pages = result ? Math.min(MAX_PAGE, Math.max(1, Math.ceil(result.total / PAGE_SIZE))) : 1;
    const count = result ? `${result.totalExact ? '' : 'about '}${result.total.toLocaleString('en')} ${result.total === 1 && result.totalExact ? 'result' : 'results'}` : '';
    return renderPage(
      c,
      { title: q ? `${q} · Search` : 'Search', description: 'Search papers by words, phrases, authors, categories and dates.', math: true, query: q },
      <>
        <div class="page-head">
          <h1>Search</h1>
        </div>
        <form class="search-page-form" method="get" action="/search" role="search">
          <div class="search-query">
            <input id="q" type="search" name="q" value={q} placeholder='e.g. diffusion "video generation" author:ho -survey year:2024' list="q-suggest" autocomplete="off" aria-label="Search query" />
            <datalist id="q-suggest"></datalist>
            <button type="submit" aria-label="Search">
              <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16"><circle cx="6.5" cy="6.5" r="4.75" fill="none" stroke="currentColor" stroke-width="2" /><path d="M10 10l4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" /></svg>
              <span class="search-button-label">Search</span>
            </button>
          </div>
          <div class="search-filters">
            <label>
              From <input type="date" name="from" value={from} />
            </label>
            <label>
              To <input type="date" name="to" value={to} />
            </label>
            <label>
              Category <input type="text" name="cat" value={cat} placeholder="cs.CL" size={8} />
            </label>
            <label>
              <input type="checkbox" name="code" value="1" checked={code} /> has code
            </label>
            <label>
              Sort{' '}
              <select name="sort">
                {SORTS.map((s) => (
                  <option value={s} selected={s === sort}>
                    {s === 'relevance' ? 'relevance' : s === 'newest' ? 'newest' : 'most upvoted'}
                  </option>
                ))}
              </select>
            </label>
            {debug ? <input type="hidden" name="debug" value="1" /> : null}
          </div>
        </form>
        <details class="muted search-help">
          <summary>Query syntax</summary>
          <p>
            words · "exact phrase" · -exclude · author:name · cat:cs.CL · year:2024 or year:2023..2025 · before:2024-06-01 · after:2024 · has:code · an arXiv id or URL opens the paper.
          </p>
        </details>
        {error ? (
          <p class="notice error" role="alert">
            {error}
          </p>
        ) : null}
        {q.trim() && !error ? <SearchFollows c={c} q={[q.trim(), cat ? `cat:${cat}` : '', code ? 'has:code' : ''].filter(Boolean).join(' ')} back={link(page)} /> : null}
        {result?.degraded ? <p class="notice muted">Showing keyword results only ({result.degraded}).</p> : null}
        {building ? <p class="notice muted">{building}</p> : null}
        {result && !error ? (
          result.hits.length === 0 ? (
            result.total > 0 ? (
              <p class="empty">
                Page {page} is past the last page of results. <a href={link(pages)}>Go to page {pages}</a>.
              </p>
            ) : (
              <p class="empty">No papers match. Try fewer words or remove a filter.</p>
            )
          ) : (
            <>
              <p class="muted search-count">
                {count} · page {result.page} of {pages}
                {result.total > MAX_PAGE * PAGE_SIZE ? ` (the first ${(MAX_PAGE * PAGE_SIZE).toLocaleString('en')} can be paged through)` : ''} · {result.tookMs.toFixed(1)} ms
              </p>
              <ol class="search-results" start={(result.page - 1) * PAGE_SIZE + 1}>
                {result.hits.map((h) => (
                  <li class="search-hit">
                    <h2 class="hit-title">
                      <a href={`/papers/${encodeURIComponent(h.id)}`}>{raw(h.titleHtml)}</a>
                    </h2>
                    <p class="hit-meta muted">
                      {[
                        h.authors.length ? <HitAuthors authors={h.authors} matched={h.matchedAuthors} /> : null,
                        h.publishedAt ? h.publishedAt.slice(0, 10) : null,
                        h.categories.length ? h.categories.slice(0, 3).join(' ') : null,
                        h.codeUrl ? 'code' : null,
                        `▲ ${h.upvotes}`,
                      ]
                        .filter((x) => x !== null)
                        .map((x, i) => (
                          <>
                            {i > 0 ? ' · ' : ''}
                            {x}
                          </>
                        ))}
                    </p>
                    <p class="hit-snippet">{raw(h.snippet)}</p>
                    <SaveButton c={c} paperId={h.id} saved={saved.has(h.id)} back={link(result.page)} compact />
                  </li>
                ))}
              </ol>
              {debug && result.ranking ? <p class="search-debug-note muted small">Ranking: {result.ranking}.</p> : null}
              {debug ? (
                <table class="search-debug">
                  <thead>
                    <tr>
                      <th>paper</th>
                      <th>lexical rank</th>
                      <th>vector rank</th>
                      <th>lexical score</th>
                      <th>vector score</th>
                      <th>fused score</th>
                      <th>matched terms</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.hits.map((h) => (
                      <tr>
                        <td>{h.id}</td>
                        <td>{h.lexicalRank ?? '—'}</td>
                        <td>{h.vectorRank ?? '—'}</td>
                        <td>{h.lexicalScore.toFixed(3)}</td>
                        <td>{h.vectorScore === null ? '—' : h.vectorScore.toFixed(3)}</td>
                        <td>{h.score.toFixed(3)}</td>
                        <td>{h.matchedTerms.join(' ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              <nav class="pager">
                {result.page > 1 ? <a href={link(result.page - 1)} rel="prev">← Previous</a> : null}
                {result.page < pages ? <a href={link(result.page + 1)} rel="next">Next →</a> : null}
              </nav>
            </>
          )
        ) : null}
      </>,
    );
  });
  return app;
}
