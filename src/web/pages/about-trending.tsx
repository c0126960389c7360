/** `/about/trending`: the trending formula, its constants and units, and why (docs/trending.md). */
import { Hono } from 'hono';
import type { AppEnv } from '../types.js';
import { renderPage } from '../layout.js';
import { TRENDING, WINDOW_DAYS } from '../../domain/trending.js';

export function aboutTrendingRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/about/trending', (c) =>
    renderPage(
      c,
      { title: 'How trending works', description: 'The trending formula: upvotes, comments and GitHub star growth with a half-life.' },
      <article class="prose" aria-labelledby="about-h">
        <h1 id="about-h">How trending works</h1>
        <p>
          Trending is a formula anyone can check. Every paper page shows its own numbers under “Trending score”, and every row of{' '}
          <a href="/papers/trending">the trending list</a> opens to show how its score is made.
        </p>
        <h2>The formula</h2>
        <pre>
          <code>
            {`points = ${TRENDING.BASE_POINTS}
       + ${TRENDING.UPVOTE_POINTS} × upvotes
       + ${TRENDING.COMMENT_POINTS} × comments
       + ${TRENDING.STAR_POINTS} × log2(1 + GitHub stars gained in the last ${TRENDING.STAR_WINDOW_DAYS} days)

score  = points × 2^(−age / ${TRENDING.HALF_LIFE_HOURS} hours)`}
          </code>
        </pre>
        <dl>
          <dt>Base point ({TRENDING.BASE_POINTS})</dt>
          <dd>Every paper starts with one point, so among papers nobody has reacted to yet the newest comes first.</dd>
          <dt>Upvotes ({TRENDING.UPVOTE_POINTS} point each)</dt>
          <dd>One per signed-in, verified account per paper, plus upvotes imported from Hugging Face daily papers.</dd>
          <dt>Comments ({TRENDING.COMMENT_POINTS} point each)</dt>
          <dd>Visible comments and replies. Discussion is a signal, but cheaper to inflate than votes, so a comment counts half. Hidden and deleted comments do not count.</dd>
          <dt>GitHub stars ({TRENDING.STAR_POINTS} points per doubling)</dt>
          <dd>
            Stars the paper's code repository gained in the last {TRENDING.STAR_WINDOW_DAYS} days, on a logarithmic scale: gaining 1, 3, 7 or 15 stars adds 2, 4, 6 or 8 points. A famous repository's total does not count, only its recent growth, and a
            repository with thousands of new stars cannot drown out every vote.
          </dd>
          <dt>Age and half-life ({TRENDING.HALF_LIFE_HOURS} hours)</dt>
          <dd>
            Age counts from when the paper was first featured on a daily list (else its arXiv v1 date). Every {TRENDING.HALF_LIFE_HOURS} hours its points count half: a two-day-old paper needs twice the points of a new one to rank beside it.
          </dd>
        </dl>
        <h2>Windows</h2>
        <p>
          Today, this week and this month list the papers that entered trending in the last {WINDOW_DAYS.day}, {WINDOW_DAYS.week} and {WINDOW_DAYS.month} days, ranked by the same score.
        </p>
        <h2>How it is kept</h2>
        <p>
          The score is stored with the paper as a rank key, log₂(points) + age-origin in half-lives, which orders papers exactly as their scores do at any moment. It is recomputed in the same transaction as every vote, comment and submission,
          and by a job every few minutes for star growth and imported counts.
        </p>
      </article>,
    ),
  );
  return app;
}
