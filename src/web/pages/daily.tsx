/** `/`, `/papers/date/…`, `/papers/week/…`, `/papers/month/…`: daily papers by upvotes. */
import { Hono } from 'hono';
import { z } from 'zod';
import { query } from '../validate.js';
import type { Child } from 'hono/jsx';
import { FragmentCache, cachedFragment, pageKey } from '../cache.js';
import type { AppEnv, WebContext } from '../types.js';
import { renderPage } from '../layout.js';
import { PaperCard } from '../components/paper-card.js';
import { VoteButton } from '../components/vote-button.js';
import { SaveButton, savedIn } from '../components/save-button.js';
import { votedAmong } from '../../votes/votes.service.js';
import { getDailyView, getHomeView, parsePeriod, type DailyView, type PeriodKind } from '../../daily/daily.service.js';
import { formatLongDate, formatMonth, weekRange, isoWeekOf } from '../../domain/dates.js';

const PATH: Record<PeriodKind, string> = { day: 'date', week: 'week', month: 'month' };

function periodTitle(kind: PeriodKind, key: string): string {
  if (kind === 'day') return formatLongDate(key);
  if (kind === 'month') return formatMonth(key);
  const r = weekRange(key)!;
  return `Week ${key.slice(6)} of ${key.slice(0, 4)} (${r.from} to ${r.to})`;
}

function PeriodNav({ view }: { view: DailyView }) {
  const { kind, key } = view.period;
  const day = kind === 'day' ? key : view.period.from;
  return (
    <nav class="period-nav" aria-label="Other dates">
      {view.prev ? <a rel="prev" href={`/papers/${PATH[kind]}/${view.prev}`}>← {view.prev}</a> : <span class="disabled">← earlier</span>}
      <span class="views">
        <a href={`/papers/date/${day}`} aria-current={kind === 'day' ? 'page' : undefined}>Day</a>
        <a href={`/papers/week/${isoWeekOf(day)}`} aria-current={kind === 'week' ? 'page' : undefined}>Week</a>
        <a href={`/papers/month/${day.slice(0, 7)}`} aria-current={kind === 'month' ? 'page' : undefined}>Month</a>
      </span>
      {view.next ? <a rel="next" href={`/papers/${PATH[kind]}/${view.next}`}>{view.next} →</a> : <span class="disabled">later →</span>}
    </nav>
  );
}

function DailyList({ c, voted, saved, view, heading, note }: { c: WebContext; voted: Set<string>; saved: Set<string>; view: DailyView; heading: string; note?: string }) {
  const here = c.req.path + (view.page ? `?p=${view.page}` : '');
  const pages = Math.ceil(view.total / view.pageSize);
  const base = `/papers/${PATH[view.period.kind]}/${view.period.key}`;
  const anyDemo = view.items.some((i) => i.paper.isDemo);
  return (
    <>
      <div class="page-head">
        <h1>{heading}</h1>
        <p class="muted">
          {view.total} {view.total === 1 ? 'paper' : 'papers'}, most upvoted first{note ? ` · ${note}` : ''}
        </p>
      </div>
      {anyDemo ? (
        <p class="notice" role="note">
          These are <strong>demo papers</strong> shipped with Papertide so a new install has something to show. Import real data with <code>papertide import FILE</code> or run the arXiv ingest; remove the demo with <code>papertide demo --remove</code>.
        </p>
      ) : null}
      <PeriodNav view={view} />
      {view.items.length === 0 ? (
        <p class="empty">No papers were featured in this period. Try the links above, or <a href="/submit">submit a paper</a>.</p>
      ) : (
        <ol class="paper-list" start={view.page * view.pageSize + 1}>
          {view.items.map((item, i) => (
            <li>
              <PaperCard paper={item.paper} rank={view.page * view.pageSize + i + 1} submitter={item.submitterName} date={view.period.kind === 'day' ? undefined : item.date} vote={<VoteButton c={c} paperId={item.paper.id} upvotes={item.paper.upvotes} voted={voted.has(item.paper.id)} back={here} compact />} save={<SaveButton c={c} paperId={item.paper.id} saved={saved.has(item.paper.id)} back={here} compact />} />
            </li>
          ))}
        </ol>
      )}
      {pages > 1 ? (
        <nav class="pager" aria-label="Pages">
          {view.page > 0 ? <a rel="prev" href={`${base}?p=${view.page - 1}`}>← Previous page</a> : null}
          <span>
            Page {view.page + 1} of {pages}
          </span>
          {view.page + 1 < pages ? <a rel="next" href={`${base}?p=${view.page + 1}`}>Next page →</a> : null}
        </nav>
      ) : null}
    </>
  );
}

/** Which listed papers the signed-in user has upvoted (anonymous visitors: none, so lists cache). */
async function votedIn(c: WebContext, view: DailyView): Promise<Set<string>> {
  const user = c.get('user');
  return user ? votedAmong(c.get('ctx').store.db, user.id, view.items.map((i) => i.paper.id)) : new Set();
}

/** `?p=`: a page number from 0 to 10,000; anything else is the first page (never a 400). */
const DailyPageQuery = z.object({
  p: z
    .string()
    .optional()
    .transform((v) => {
      const p = Number(v ?? 0);
      return Number.isInteger(p) && p >= 0 && p <= 10_000 ? p : 0;
    }),
});

const dailyFeeds = [
  { type: 'application/rss+xml', title: 'Daily papers (RSS)', href: '/feeds/daily.rss' },
  { type: 'application/atom+xml', title: 'Daily papers (Atom)', href: '/feeds/daily.atom' },
  { type: 'application/feed+json', title: 'Daily papers (JSON Feed)', href: '/feeds/daily.json' },
];

export function dailyRoutes() {
  const app = new Hono<AppEnv>();
  const cache = new FragmentCache();

  /** The list is the same for every anonymous visitor: render it once per data version, keyed by
   * the path and the query values the page reads (`read`), nothing else. */
  const fragment = (c: WebContext, read: Record<string, number>, build: () => Promise<Child>) => cachedFragment(cache, c, pageKey(c, read), build);

  app.get('/', async (c) => {
    const ctx = c.get('ctx');
    const body = await fragment(c, {}, async () => {
      const view = await getHomeView(ctx.store.db, ctx.clock.now());
      const heading = view.isToday ? 'Daily papers' : `Daily papers of ${formatLongDate(view.period.key)}`;
      return <DailyList c={c} voted={await votedIn(c, view)} saved={await savedIn(c, view.items.map((i) => i.paper.id))} view={view} heading={heading} note={view.isToday ? formatLongDate(view.period.key) : 'no papers yet today, showing the latest day'} />;
    });
    return renderPage(c, { title: 'Papertide', description: 'Daily research papers curated by the community, trending papers and search.', alternates: dailyFeeds, math: true }, body);
  });

  // Hugging Face's daily papers live at /papers: the address its users type first.
  app.get('/papers', (c) => c.redirect('/', 302));
  app.get('/papers/', (c) => c.redirect('/', 302));

  for (const kind of ['day', 'week', 'month'] as PeriodKind[]) {
    app.get(`/papers/${PATH[kind]}/:key`, query(DailyPageQuery), async (c) => {
      const ctx = c.get('ctx');
      const period = parsePeriod(kind, c.req.param('key'));
      const { p } = c.req.valid('query');
      const body = await fragment(c, { p }, async () => {
        const view = await getDailyView(ctx.store.db, period, p);
        return <DailyList c={c} voted={await votedIn(c, view)} saved={await savedIn(c, view.items.map((i) => i.paper.id))} view={view} heading={periodTitle(kind, period.key)} />;
      });
      return renderPage(c, { title: `Daily papers · ${periodTitle(kind, period.key)}`, alternates: dailyFeeds, math: true }, body);
    });
  }
  return app;
}
