/** `/papers/{arxivId}`: one paper with its abstract (math rendered), links, dates and sections. */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { AppEnv } from '../types.js';
import type { Slots } from '../slots.js';
import { renderPage } from '../layout.js';
import { renderMathText, escapeHtml } from '../render/math.js';
import { repoName } from '../components/paper-card.js';
import { parseArxivId, arxivAbsUrl, arxivPdfUrl } from '../../domain/arxiv-id.js';
import { getPaper } from '../../papers/papers.repository.js';
import { entriesForPaper } from '../../daily/daily.repository.js';
import { AppError } from '../../domain/errors.js';
import { FragmentCache, cachedFragment } from '../cache.js';
import type { Paper } from '../../domain/paper.js';
import { safeHttpUrl, wellFormedText } from '../../domain/safe-url.js';
import { cleanPaperFields } from '../../domain/clean-text.js';

function fmt(iso: string | null): string | null {
  return iso ? iso.slice(0, 10) : null;
}

type Featured = Awaited<ReturnType<typeof entriesForPaper>>;

function PaperHead({ paper }: { paper: Paper }) {
  return (
    <header class="paper-head">
      <p class="eyebrow">
        <a href={arxivAbsUrl(paper.id)}>arXiv:{paper.id}</a>
        {(paper.version ?? 1) > 1 ? <span> · v{paper.version}</span> : null}
        {paper.primaryCategory ? <span> · {paper.primaryCategory}</span> : null}
        {paper.isDemo ? <span class="chip demo">demo</span> : null}
        {paper.withdrawn ? <span class="chip warn">withdrawn</span> : null}
        {paper.hidden ? <span class="chip warn">hidden by a moderator</span> : null}
      </p>
      <h1 id="paper-title">{raw(renderMathText(paper.title))}</h1>
      <p class="paper-authors">
        {paper.authors.map((a, i) => (
          <>
            {i > 0 ? ', ' : ''}
            <a href={`/search?q=${encodeURIComponent(wellFormedText(`author:"${a}"`))}`}>{a}</a>
          </>
        ))}
      </p>
    </header>
  );
}

function PaperAbstract({ paper }: { paper: Paper }) {
  return (
    <>
      <section aria-labelledby="abstract-h" class="abstract">
        <h2 id="abstract-h">Abstract</h2>
        <p>{raw(renderMathText(paper.abstract))}</p>
      </section>
      {paper.aiSummary ? (
        <section class="ai-summary" aria-labelledby="summary-h">
          <h2 id="summary-h">Summary</h2>
          <p>{paper.aiSummary}</p>
        </section>
      ) : null}
    </>
  );
}

function PaperDetails({ paper, featured }: { paper: Paper; featured: Featured }) {
  const versions = paper.versions.length ? paper.versions : [{ version: paper.version ?? 1, date: paper.updatedAt ?? paper.publishedAt }];
  return (
    <>
      <section aria-labelledby="details-h" class="details">
        <h2 id="details-h">Details</h2>
        <dl>
          {paper.publishedAt ? (
            <>
              <dt>Published</dt>
              <dd><time datetime={paper.publishedAt}>{fmt(paper.publishedAt)}</time></dd>
            </>
          ) : null}
          <dt>Versions</dt>
          <dd>
            {versions.map((v, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={`${arxivAbsUrl(paper.id)}v${v.version}`}>v{v.version}</a>
                {v.date ? ` (${fmt(v.date)})` : ''}
              </>
            ))}
          </dd>
          {paper.categories.length ? (
            <>
              <dt>Categories</dt>
              <dd class="chips">
                {paper.categories.map((cat) => (
                  <a class="chip" href={`/search?q=${encodeURIComponent(`cat:${cat}`)}`}>{cat}</a>
                ))}
              </dd>
            </>
          ) : null}
          {paper.comment ? (
            <>
              <dt>Comment</dt>
              <dd>{paper.comment}</dd>
            </>
          ) : null}
          {paper.journalRef ? (
            <>
              <dt>Journal</dt>
              <dd>{paper.journalRef}</dd>
            </>
          ) : null}
          {paper.doi ? (
            <>
              <dt>DOI</dt>
              <dd><a href={`https://doi.org/${paper.doi}`}>{paper.doi}</a></dd>
            </>
          ) : null}
          {featured.length ? (
            <>
              <dt>Featured</dt>
              <dd>
                {featured.map((f, i) => (
                  <>
                    {i > 0 ? ', ' : ''}
                    <a href={`/papers/date/${f.date}`}>{f.date}</a>
                    {f.user_name ?? f.submitter_name ? ` by ${f.user_name ?? f.submitter_name}` : ''}
                  </>
                ))}
              </dd>
            </>
          ) : null}
          <dt>Upvotes</dt>
          <dd>{paper.upvotes}</dd>
        </dl>
      </section>
    </>
  );
}

/**
 * Link previews (OpenGraph) and the Highwire `citation_*` tags that Google Scholar, Zotero and
 * other reference managers read. Values are plain text; JSX escapes every attribute.
 */
function PaperMeta({ paper, url }: { paper: Paper; url: string }) {
  const date = paper.publishedAt ? paper.publishedAt.slice(0, 10).replace(/-/g, '/') : null;
  const description = paper.abstract.length > 300 ? `${paper.abstract.slice(0, 297).trimEnd()}…` : paper.abstract;
  return (
    <>
      <meta property="og:type" content="article" />
      <meta property="og:site_name" content="Papertide" />
      <meta property="og:title" content={paper.title} />
      <meta property="og:description" content={description} />
      <meta property="og:url" content={url} />
      <meta name="twitter:card" content="summary" />
      <meta name="citation_title" content={paper.title} />
      {paper.authors.map((a) => (
        <meta name="citation_author" content={a} />
      ))}
      {date ? <meta name="citation_publication_date" content={date} /> : null}
      {date ? <meta name="citation_online_date" content={date} /> : null}
      <meta name="citation_arxiv_id" content={paper.id} />
      <meta name="citation_pdf_url" content={arxivPdfUrl(paper.id)} />
      <meta name="citation_abstract_html_url" content={arxivAbsUrl(paper.id)} />
      {paper.doi ? <meta name="citation_doi" content={paper.doi} /> : null}
    </>
  );
}

export function paperRoutes(slots: Slots) {
  const app = new Hono<AppEnv>();
  const cache = new FragmentCache();
  // arXiv ids contain a slash for old-style ids (hep-th/9901001): match the rest of the path.
  app.get('/papers/:id{.+}', async (c, next) => {
    const rawId = c.req.param('id'); // already decoded by the router: decoding twice turns %25zz into a URIError
    if (['trending'].includes(rawId) || /^(date|week|month)\//.test(rawId)) return next();
    const parsed = parseArxivId(rawId);
    if (!parsed) throw new AppError('not_found', `“${rawId}” is not an arXiv id. arXiv ids look like 2401.12345 or hep-th/9901001.`);
    if (parsed.version !== null || parsed.id !== rawId) return c.redirect(`/papers/${parsed.id}`, 301);
    const ctx = c.get('ctx');
    const stored = await getPaper(ctx.store.db, parsed.id);
    // Records imported before import-time cleaning still hold ":" authors and MSC classes.
    const paper = stored && cleanPaperFields(stored);
    if (!paper || (paper.hidden && c.get('user')?.role !== 'moderator' && c.get('user')?.role !== 'admin')) {
      throw new AppError('not_found', `Papertide does not have arXiv:${parsed.id} yet. Submit it to import it from arXiv, or open it on arXiv.`, { arxivId: parsed.id });
    }
    // Slots render per request for signed-in users; for anonymous visitors their output is the
    // same for everyone (slots.ts), so it is cached per data version like the rest of the page.
    const actions = await Promise.all(slots.paperActions.map((s, i) => cachedFragment(cache, c, `action${i}:${paper.id}`, () => s(c, paper))));
    const sections = await Promise.all(slots.paperSections.map((s, i) => cachedFragment(cache, c, `section${i}:${paper.id}`, () => s(c, paper))));
    // After /submit redirects here: confirm it, if the paper really is featured on that day.
    const asked = c.req.query('submitted');
    const submittedOn = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) && (await entriesForPaper(ctx.store.db, paper.id)).some((f) => f.date === asked) ? asked : null;
    const head = await cachedFragment(cache, c, `head:${paper.id}`, () => <PaperHead paper={paper} />);
    const abstract = await cachedFragment(cache, c, `abstract:${paper.id}`, () => <PaperAbstract paper={paper} />);
    const details = await cachedFragment(cache, c, `details:${paper.id}`, async () => <PaperDetails paper={paper} featured={await entriesForPaper(ctx.store.db, paper.id)} />);
    return renderPage(
      c,
      {
        title: paper.title,
        description: paper.abstract.slice(0, 300),
        canonical: `${ctx.config.baseUrl}/papers/${paper.id}`,
        math: true,
        alternates: [],
        head: <PaperMeta paper={paper} url={`${ctx.config.baseUrl}/papers/${paper.id}`} />,
      },
      <article class="paper" aria-labelledby="paper-title">
        {submittedOn ? (
          <p class="notice ok" role="status" id="submitted">
            Submitted — thank you. This paper is on the daily papers of <a href={`/papers/date/${submittedOn}`}>{submittedOn}</a>.
          </p>
        ) : null}
        {head}
        <div class="paper-actions">
          {actions}
          <a class="button" href={arxivAbsUrl(paper.id)}>arXiv page</a>
          <a class="button" href={arxivPdfUrl(paper.id)}>PDF</a>
          {safeHttpUrl(paper.codeUrl) ? (
            <a class="button code" href={safeHttpUrl(paper.codeUrl)!} rel="noopener nofollow">
              <span>GitHub: {repoName(paper.codeUrl!)}</span>
              {paper.githubStars != null ? <span class="stars"> ★ {paper.githubStars.toLocaleString('en')}</span> : null}
            </a>
          ) : null}
          {safeHttpUrl(paper.projectPage) ? <a class="button" href={safeHttpUrl(paper.projectPage)!} rel="noopener nofollow">Project page</a> : null}
        </div>
        {/* Wide screens: the abstract and the sections in a readable column, the details beside them. */}
        <div class="paper-layout">
          <div class="paper-abstract">{abstract}</div>
          <aside class="paper-side" aria-label="Details">
            {details}
          </aside>
          <div class="paper-sections">{sections}</div>
        </div>
      </article>,
    );
  });
  return app;
}

export { escapeHtml };
