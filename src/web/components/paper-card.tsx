import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Paper } from '../../domain/paper.js';
import { excerpt, renderMathText } from '../render/math.js';
import { safeHttpUrl } from '../../domain/safe-url.js';
import { cleanAuthors, isArxivCategory } from '../../domain/clean-text.js';
import type { HfOrganization } from '../../domain/hf-profile.js';

export function authorsLine(names: readonly string[], max = 4): string {
  // Cleaned again when shown: records imported before the cleaning still hold ":" authors.
  const authors = cleanAuthors(names);
  if (authors.length <= max) return authors.join(', ');
  return `${authors.slice(0, max).join(', ')} and ${authors.length - max} more`;
}

export function repoName(url: string): string {
  return url.replace(/^https?:\/\/(www\.)?github\.com\//, '');
}

/** Where a paper's Hugging Face discussion is (its imported comments live there, not here). */
export function hfDiscussionUrl(paperId: string): string {
  return `https://huggingface.co/papers/${encodeURIComponent(paperId).replace(/%2F/g, '/')}#community`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * The two comment counts for what they are, the same on cards and on the paper page: comments
 * imported from Hugging Face (a count only: the text stays there, so it links there) and
 * comments written here. "3 comments on Hugging Face · 1 here", or "1 comment" without imports.
 */
export function CommentCounts({ paperId, local, external, here }: { paperId: string; local: number; external: number; here?: string }) {
  const localHref = here ?? `/papers/${paperId}#comments`;
  if (external <= 0) return <a class="comment-count" href={localHref}>{plural(local, 'comment', 'comments')}</a>;
  return (
    <span class="comment-count">
      <a href={hfDiscussionUrl(paperId)} rel="noopener nofollow">{plural(external, 'comment', 'comments')} on Hugging Face</a> · <a href={localHref}>{local.toLocaleString('en')} here</a>
    </span>
  );
}

/** The organization a paper is listed under, linked to its page here. */
function OrganizationChip({ org }: { org: HfOrganization | null }) {
  return org ? <a class="chip org" href={`/organizations/${encodeURIComponent(org.name)}`}>{org.fullname}</a> : null;
}

/** One paper in a list: rank, upvotes, title with math, authors, excerpt, code and comments. */
export function PaperCard({ paper, rank, submitter, date, vote, save, extra }: { paper: Paper; rank?: number; submitter?: string | null; date?: string; vote?: Child; save?: Child; extra?: Child }) {
  const href = `/papers/${paper.id}`;
  return (
    <article class="paper-card" aria-labelledby={`t-${paper.id}`}>
      {vote ?? (
        <div class="votes" aria-label={`${paper.upvotes} upvotes`} data-paper={paper.id}>
          <span aria-hidden="true">▲</span>
          <strong>{paper.upvotes}</strong>
        </div>
      )}
      <div class="card-body">
        <h3 id={`t-${paper.id}`}>
          {rank !== undefined ? <span class="rank">{rank}.</span> : null}
          <a href={href}>{raw(renderMathText(paper.title))}</a>
        </h3>
        <p class="authors">{authorsLine(paper.authors)}</p>
        <p class="excerpt">{raw(renderMathText(excerpt(paper.abstract)))}</p>
        {/* A div: it holds forms (Save), which a <p> cannot contain (the parser would close it). */}
        <div class="meta">
          <span class="arxiv-id">arXiv:{paper.id}</span>
          {paper.primaryCategory && isArxivCategory(paper.primaryCategory) ? <span class="chip">{paper.primaryCategory}</span> : null}
          {safeHttpUrl(paper.codeUrl) ? (
            <a class="code" href={safeHttpUrl(paper.codeUrl)!} rel="noopener nofollow">
              Code{paper.githubStars != null ? ` · ★ ${paper.githubStars.toLocaleString('en')}` : ''}
            </a>
          ) : null}
          <CommentCounts paperId={paper.id} local={Math.max(0, paper.numComments - paper.externalComments)} external={paper.externalComments} />
          <OrganizationChip org={paper.organization} />
          {submitter ? <span class="muted">submitted by {submitter}</span> : null}
          {date ? <span class="muted">{date}</span> : null}
          {paper.isDemo ? <span class="chip demo" title="Demo data: remove with papertide demo --remove">demo</span> : null}
          {save ?? null}
        </div>
        {extra ?? null}
      </div>
    </article>
  );
}
