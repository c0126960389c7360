/**
 * The "Similar papers" section of every paper page: the listing use case the API's
 * /api/papers/{id}/similar serves (feeds/listings.service.ts similarPapers), with its fallback:
 * nearest neighbours in the search index when it is ready, else papers sharing authors, then the
 * primary category.
 */
import { raw } from 'hono/html';
import type { Slots } from '../slots.js';
import { similarPapers } from '../../feeds/listings.service.js';
import { listingDeps } from '../api/deps.js';
import { renderMathText } from '../render/math.js';
import { authorsLine } from '../components/paper-card.js';

const HOW_MANY = 5;

export function registerSimilarPapers(slots: Slots) {
  slots.paperSections.push(async (c, paper) => {
    const ctx = c.get('ctx');
    let listed;
    try {
      listed = await similarPapers(listingDeps(ctx), paper, HOW_MANY);
    } catch (e) {
      ctx.logger.warn({ err: (e as Error).message }, 'similar papers unavailable');
      return null;
    }
    if (!listed.length) return null;
    return (
      <section aria-labelledby="similar-h" class="similar">
        <h2 id="similar-h">Similar papers</h2>
        <ul class="plain similar-list">
          {listed.map(({ paper: p }) => (
            <li>
              <a href={`/papers/${p.id}`}>{raw(renderMathText(p.title))}</a>
              <span class="muted small"> · {authorsLine(p.authors, 2)}{p.publishedAt ? ` · ${p.publishedAt.slice(0, 4)}` : ''}</span>
            </li>
          ))}
        </ul>
      </section>
    );
  });
}
