/** The "Similar papers" section of every paper page: nearest neighbours in the search index. */
import { raw } from 'hono/html';
import type { Slots } from '../slots.js';
import { getSearchService } from '../../search/search.service.js';
import { getPapers } from '../../papers/papers.repository.js';
import { renderMathText } from '../render/math.js';
import { authorsLine } from '../components/paper-card.js';

const HOW_MANY = 5;

export function registerSimilarPapers(slots: Slots) {
  slots.paperSections.push(async (c, paper) => {
    const ctx = c.get('ctx');
    let ids: string[] = [];
    try {
      const svc = await getSearchService(ctx);
      await svc.settle(); // a just-filled small store gets its vectors first (search.service.ts)
      ids = svc.similar(paper.id, HOW_MANY + 1).map((h) => h.id).filter((id) => id !== paper.id).slice(0, HOW_MANY);
    } catch (e) {
      ctx.logger.warn({ err: (e as Error).message }, 'similar papers unavailable');
      return null;
    }
    if (!ids.length) return null;
    const papers = await getPapers(ctx.store.db, ids);
    const rows = ids.map((id) => papers.get(id)).filter((p) => p && !p.hidden);
    if (!rows.length) return null;
    return (
      <section aria-labelledby="similar-h" class="similar">
        <h2 id="similar-h">Similar papers</h2>
        <ul class="plain similar-list">
          {rows.map((p) => (
            <li>
              <a href={`/papers/${p!.id}`}>{raw(renderMathText(p!.title))}</a>
              <span class="muted small"> · {authorsLine(JSON.stringify(p!.authors), 2)}{p!.publishedAt ? ` · ${p!.publishedAt.slice(0, 4)}` : ''}</span>
            </li>
          ))}
        </ul>
      </section>
    );
  });
}
