/**
 * `/papers/trending?window=day|week|month`: papers ranked by the trending score, each row with
 * how its score is made; and the paper page's upvote button and "trending score" section.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import type { Slots } from '../slots.js';
import { renderPage } from '../layout.js';
import { PaperCard } from '../components/paper-card.js';
import { VoteButton } from '../components/vote-button.js';
import { AppError } from '../../domain/errors.js';
import { TRENDING, type TrendingExplanation } from '../../domain/trending.js';
import { explainPaper, explainPapers, trendingPage, type TrendingView, type TrendingWindow } from '../../trending/trending.service.js';
import { votedAmong } from '../../votes/votes.service.js';
import { SaveButton, savedIn } from '../components/save-button.js';
import { firstIssue } from '../validate.js';

const PAGE_SIZE = 30;
const WINDOW_LABEL: Record<TrendingView, string> = { day: 'Today', week: 'This week', month: 'This month', all: 'All time' };

const querySchema = z.object({
  window: z.enum(['day', 'week', 'month', 'all'], { errorMap: () => ({ message: 'The window is day, week, month or all.' }) }).default('week'),
  page: z.coerce.number({ invalid_type_error: 'The page is a number.' }).int('The page is a whole number.').min(1, 'Pages start at 1.').max(1000, 'That page is too far.').default(1),
  cat: z
    .string()
    .max(200)
    .regex(/^[A-Za-z.\-, ]*$/, 'Categories look like cs.LG, separated by commas.')
    .optional(),
});

export function fmtScore(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function fmtAge(hours: number): string {
  return hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
}

/** One line: "12 points × 0.50 (48.0 hours old) = 6.00". */
export function ScoreLine({ e }: { e: TrendingExplanation }) {
  return (
    <span class="score-line">
      {fmtScore(e.points.total)} points × {e.decay.toFixed(2)} ({fmtAge(e.ageHours)} old) = <strong>{fmtScore(e.score)}</strong>
    </span>
  );
}

/** The breakdown table: every input, constant and step. */
export function ScoreTable({ e }: { e: TrendingExplanation }) {
  return (
    <table class="score-table">
      <thead>
        <tr>
          <th scope="col">Part</th>
          <th scope="col">Input</th>
          <th scope="col">Rule</th>
          <th scope="col">Points</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>Base</td>
          <td>—</td>
          <td>every paper starts with {TRENDING.BASE_POINTS}</td>
          <td>{fmtScore(e.points.base)}</td>
        </tr>
        <tr>
          <td>Upvotes</td>
          <td>{e.inputs.upvotes}</td>
          <td>× {TRENDING.UPVOTE_POINTS}</td>
          <td>{fmtScore(e.points.upvotes)}</td>
        </tr>
        <tr>
          <td>Comments</td>
          <td>{e.inputs.comments}</td>
          <td>× {TRENDING.COMMENT_POINTS}</td>
          <td>{fmtScore(e.points.comments)}</td>
        </tr>
        <tr>
          <td>GitHub stars</td>
          <td>
            +{e.inputs.starsGained} in {TRENDING.STAR_WINDOW_DAYS} days
            {e.stars.from && e.stars.to && e.stars.from !== e.stars.to ? ` (${e.stars.from.stars} → ${e.stars.to.stars})` : ''}
          </td>
          <td>{TRENDING.STAR_POINTS} × log₂(1 + stars gained)</td>
          <td>{fmtScore(e.points.stars)}</td>
        </tr>
        <tr>
          <th scope="row" colspan={3}>
            Points
          </th>
          <td>
            <strong>{fmtScore(e.points.total)}</strong>
          </td>
        </tr>
        <tr>
          <td>Age</td>
          <td>
            {fmtAge(e.ageHours)} since <time datetime={e.inputs.since}>{e.inputs.since.slice(0, 16).replace('T', ' ')} UTC</time>
          </td>
          <td>× 2^(−age ÷ {TRENDING.HALF_LIFE_HOURS} h)</td>
          <td>× {e.decay.toFixed(4)}</td>
        </tr>
        <tr>
          <th scope="row" colspan={3}>
            Trending score now
          </th>
          <td>
            <strong>{e.score.toFixed(4)}</strong>
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function WindowNav({ window, cat }: { window: TrendingView; cat?: string }) {
  const q = (w: string) => `/papers/trending?window=${w}${cat ? `&cat=${encodeURIComponent(cat)}` : ''}`;
  return (
    <nav class="period-nav" aria-label="Trending window">
      <span class="views">
        {(['day', 'week', 'month', 'all'] as const).map((w) => (
          <a href={q(w)} aria-current={w === window ? 'page' : undefined}>
            {WINDOW_LABEL[w]}
          </a>
        ))}
      </span>
      <a href="/about/trending">How trending works</a>
    </nav>
  );
}

async function votedSet(c: WebContext, ids: string[]): Promise<Set<string>> {
  const user = c.get('user');
  return user ? votedAmong(c.get('ctx').store.db, user.id, ids) : new Set();
}

export function trendingRoutes(slots: Slots) {
  const app = new Hono<AppEnv>();

  app.get('/papers/trending', async (c) => {
    const parsed = querySchema.safeParse({ window: c.req.query('window') || undefined, page: c.req.query('page') || undefined, cat: c.req.query('cat') || undefined });
    if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
    const { window, page, cat } = parsed.data;
    const categories = cat ? cat.split(/[,\s]+/).filter(Boolean).slice(0, 10) : undefined;
    const ctx = c.get('ctx');
    const now = ctx.clock.now();
    const list = await trendingPage(ctx.store.db, { view: window, now, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, categories });
    const ids = list.items.map((i) => i.paper.id);
    // A fallback window is explained as of its end: scores at that time, not decayed to ~0 since.
    const [why, voted, saved] = await Promise.all([explainPapers(ctx.store.db, ids, list.asOf), votedSet(c, ids), savedIn(c, ids)]);
    const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    const here = `/papers/trending?window=${window}${cat ? `&cat=${encodeURIComponent(cat)}` : ''}`;
    const ranking =
      window === 'all'
        ? 'ranked by points without time decay: upvotes, then comments'
        : `ranked by upvotes, comments and GitHub star growth, halving every ${TRENDING.HALF_LIFE_HOURS} hours`;
    return renderPage(
      c,
      { title: `Trending papers · ${WINDOW_LABEL[window]}`, description: 'Papers ranked by upvotes, comments and GitHub star growth, with time decay.', math: true },
      <>
        <div class="page-head">
          <h1>{list.headline.title}</h1>
          <p class="muted">
            {list.fallback ? `Latest ${window} with papers` : WINDOW_LABEL[window]}: {list.total.toLocaleString('en')} {list.total === 1 ? 'paper' : 'papers'}
            {categories ? ` in ${categories.join(', ')}` : ''}, {ranking}.
          </p>
        </div>
        {list.headline.note ? (
          <p class="notice" role="note" id="trending-fallback">
            {list.headline.note} Scores are shown as of <time datetime={list.asOf.toISOString()}>{list.asOf.toISOString().slice(0, 10)}</time>.
          </p>
        ) : null}
        <WindowNav window={window} cat={cat} />
        {list.items.length === 0 ? (
          <p class="empty">
            No papers entered trending in this window yet. Try a longer window, or <a href="/submit">submit a paper</a>.
          </p>
        ) : (
          <ol class="paper-list" start={list.items[0].rank}>
            {list.items.map((item) => {
              const e = why.get(item.paper.id);
              return (
                <li>
                  <PaperCard
                    paper={item.paper}
                    rank={item.rank}
                    vote={<VoteButton c={c} paperId={item.paper.id} upvotes={item.paper.upvotes} voted={voted.has(item.paper.id)} back={here} compact />}
                    save={<SaveButton c={c} paperId={item.paper.id} saved={saved.has(item.paper.id)} back={here} compact />}
                    extra={
                      e ? (
                        <details class="why">
                          <summary>
                            Score <ScoreLine e={e} />
                          </summary>
                          <ScoreTable e={e} />
                          <p class="small">
                            <a href={`/papers/${item.paper.id}#trending`}>Full explanation</a>
                          </p>
                        </details>
                      ) : null
                    }
                  />
                </li>
              );
            })}
          </ol>
        )}
        {pages > 1 ? (
          <nav class="pager" aria-label="Pages">
            {page > 1 ? <a rel="prev" href={`${here}&page=${page - 1}`}>← Previous</a> : null}
            <span>
              Page {page} of {pages}
            </span>
            {page < pages ? <a rel="next" href={`${here}&page=${page + 1}`}>Next →</a> : null}
          </nav>
        ) : null}
      </>,
    );
  });

  // The paper page: upvote button next to the title, and the score explanation below.
  slots.paperActions.push(async (c, paper) => {
    const user = c.get('user');
    const voted = user ? (await votedAmong(c.get('ctx').store.db, user.id, [paper.id])).has(paper.id) : false;
    return <VoteButton c={c} paperId={paper.id} upvotes={paper.upvotes} voted={voted} />;
  });
  slots.paperSections.push(async (c, paper) => {
    const ctx = c.get('ctx');
    const t = await explainPaper(ctx.store.db, paper.id, ctx.clock.now());
    if (!t) return null;
    const ranks = (['day', 'week', 'month'] as const).filter((w) => t.ranks[w] !== null);
    return (
      <section id="trending" aria-labelledby="trending-h" class="trending-explain">
        <h2 id="trending-h">Trending score</h2>
        <p>
          <ScoreLine e={t.explanation} />.{' '}
          {ranks.length ? (
            <>
              Rank{' '}
              {ranks.map((w, i) => (
                <>
                  {i > 0 ? ', ' : ''}
                  <a href={`/papers/trending?window=${w}`}>
                    #{t.ranks[w]} {WINDOW_LABEL[w].toLowerCase()}
                  </a>
                </>
              ))}
              .
            </>
          ) : (
            'Outside the trending windows (older than a month).'
          )}
        </p>
        <details>
          <summary>How this score is made</summary>
          <ScoreTable e={t.explanation} />
          <p class="muted small">
            Stored rank key {t.storedKey === null ? '(not computed yet)' : `${t.storedKey.toFixed(6)} half-lives, computed ${t.storedAt}`}. <a href="/about/trending">About the formula</a>.
          </p>
        </details>
      </section>
    );
  });

  return app;
}
