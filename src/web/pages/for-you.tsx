/**
 * For you: GET /for-you (papers of the past day, week or month ranked for the signed-in user,
 * each with one line saying why), POST /for-you/dismiss and /for-you/undismiss ("Not
 * interested" and its undo: a plain form that redirects back, or JSON for /static/for-you.js,
 * which removes the card in place). Anonymous visitors get a page with login and sign-up links.
 */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import { z } from 'zod';
import type { AppEnv, WebContext } from '../types.js';
import { AppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';
import { renderPage } from '../layout.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { renderMathText } from '../render/math.js';
import { PaperCard } from '../components/paper-card.js';
import { SaveButton, savedIn } from '../components/save-button.js';
import { Flash, Hidden } from '../components/form.js';
import { fieldsOf, firstIssue, multiFieldsOf, type MultiFields } from '../validate.js';
import { safeNext } from './auth.js';
import { LIBRARY_LIMITS } from './library.js';
import { dismiss, forYou, recentDismissals, undismiss, REC_WINDOWS, type ForYouItem, type RecWindow } from '../../recs/recs.service.js';
import type { Paper } from '../../domain/paper.js';
import { findPapers, onboard, onboardingChoices, ONBOARD_MAX } from '../../recs/onboarding.service.js';
import { authorsLine } from '../components/paper-card.js';

const WINDOW_LABEL: Record<RecWindow, string> = { day: 'Past day', week: 'Past week', month: 'Past month' };
const WINDOW_WORDS: Record<RecWindow, string> = { day: 'the past day', week: 'the past week', month: 'the past month' };

const dismissSchema = z.object({
  paper: z.string().min(1, 'Which paper? The form lacks its arXiv id.').max(60),
  back: z.string().optional(),
});

function paperIdOf(s: string): string {
  const id = parseArxivId(s.trim());
  if (!id) throw new AppError('bad_request', `“${s.slice(0, 40)}” is not an arXiv id.`);
  return id.id;
}

function windowOf(s: string | undefined): RecWindow {
  return (REC_WINDOWS as readonly string[]).includes(s ?? '') ? (s as RecWindow) : 'week';
}

const wantsJson = (c: WebContext) => (c.req.header('accept') ?? '').includes('application/json');

/** Back to the page the form was on (For you by default), with `key=value` added. */
function backWith(back: string | undefined, key: string, value: string): string {
  const u = new URL(safeNext(back, '/for-you'), 'http://x');
  u.searchParams.delete('dismissed');
  u.searchParams.delete('restored');
  u.searchParams.set(key, value);
  return `${u.pathname}${u.search}`;
}

function WindowTabs({ window }: { window: RecWindow }) {
  return (
    <nav class="period-nav" aria-label="For you window">
      <span class="views">
        {REC_WINDOWS.map((w) => (
          <a href={`/for-you?window=${w}`} aria-current={w === window ? 'page' : undefined}>
            {WINDOW_LABEL[w]}
          </a>
        ))}
      </span>
      <a href="/following">Following</a>
    </nav>
  );
}

/** The one line saying why a paper is here; the library paper it resembles links to its page. */
function Why({ item }: { item: ForYouItem }) {
  if (item.like) {
    return (
      <span class="why-text">
        like <a href={`/papers/${item.like.id}`}><em>{raw(renderMathText(item.like.title))}</em></a> in your library
      </span>
    );
  }
  return <span class="why-text">{item.reason === 'recent' ? 'new, and close to nothing you saved yet' : item.reason}</span>;
}

function DismissForm({ c, paper, back, undo }: { c: WebContext; paper: Pick<Paper, 'id'>; back: string; undo?: boolean }) {
  return (
    <form method="post" action={undo ? '/for-you/undismiss' : '/for-you/dismiss'} class="dismiss-form" data-dismiss={undo ? undefined : paper.id} data-undismiss={undo ? paper.id : undefined}>
      <Hidden c={c} />
      <input type="hidden" name="paper" value={paper.id} />
      <input type="hidden" name="back" value={back} />
      <button type="submit" class="link" title={undo ? 'Show this paper on For you again' : 'Hide this paper and rank papers like it lower'}>
        {undo ? 'Undo' : 'Not interested'}
      </button>
    </form>
  );
}

function AnonymousPage({ c }: { c: WebContext }) {
  return renderPage(
    c,
    { title: 'For you', noindex: true },
    <section class="form-card" aria-labelledby="fy-h">
      <h1 id="fy-h">For you</h1>
      <p>Recent papers picked for you from what you save, upvote and follow, each with a line saying why.</p>
      <p>
        <a class="button small" href="/login?next=%2Ffor-you">Log in</a> or <a href="/signup">create an account</a> to see yours.
      </p>
    </section>,
  );
}


const listOf = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);

/**
 * Onboarding: categories of the store (most papers first) as checkboxes, authors as text, and
 * papers found with a search box (its own GET form, `form="find"`, so it works inside the page
 * without nesting forms) or pasted as ids. Saving makes follows and library saves.
 */
async function StartPage({ c, q, problems, partial, values, status }: { c: WebContext; q: string; problems?: string[]; partial?: boolean; values?: MultiFields; status?: number }) {
  const user = c.get('user')!;
  const ctx = c.get('ctx');
  const [choices, found] = await Promise.all([onboardingChoices(ctx, user), findPapers(ctx, user, q)]);
  const picked = new Set(listOf(values?.categories));
  const pickedPapers = new Set(listOf(values?.papers));
  return renderPage(
    c,
    { title: 'Set up For you', math: true, noindex: true, status },
    <>
      <form id="find" method="get" action="/for-you/start"></form>
      <div class="page-head">
        <h1>Set up For you</h1>
        <p class="muted">
          Pick what you read: the categories and authors become follows, the papers are saved to your library. For you ranks recent papers like them. Change any of it later on <a href="/following">Following</a> and in <a href="/library">your library</a>.
        </p>
      </div>
      {choices.categories.some((k) => k.following) || choices.authors.length ? (
        <p class="notice ok" role="status">
          You follow {choices.categories.filter((k) => k.following).length + choices.authors.length} {choices.categories.filter((k) => k.following).length + choices.authors.length === 1 ? 'thing' : 'things'} already. <a href="/for-you">See For you</a>
        </p>
      ) : null}
      {problems?.length ? (
        <div class="notice" role="alert">
          {partial ? <p>Everything else was saved, but not these:</p> : null}
          <ul class="import-problems">
            {problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" action="/for-you/start" class="form-card onboarding">
        <Hidden c={c} />
        <input type="hidden" name="q" value={q} />
        <fieldset>
          <legend>arXiv categories</legend>
          {choices.categories.length ? (
            <ul class="plain category-choices">
              {choices.categories.map((k) => (
                <li>
                  <label class="inline-label">
                    {k.following ? (
                      <input type="checkbox" checked disabled />
                    ) : (
                      <input type="checkbox" name="categories" value={k.category} checked={picked.has(k.category)} />
                    )}
                    {k.category} <span class="muted small">{k.following ? 'following' : `${k.n.toLocaleString('en')} ${k.n === 1 ? 'paper' : 'papers'}`}</span>
                  </label>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted small">There are no papers here yet.</p>
          )}
        </fieldset>
        <fieldset>
          <legend>Authors</legend>
          <label for="onb-authors" class="small">Names, one a line or separated by commas</label>
          <textarea id="onb-authors" name="authors" rows={3} placeholder={'Yoshua Bengio\nFei-Fei Li'}>{typeof values?.authors === 'string' ? values.authors : ''}</textarea>
          {choices.authors.length ? <p class="muted small">You follow {choices.authors.join(', ')}.</p> : null}
        </fieldset>
        <fieldset>
          <legend>A few papers you liked</legend>
          <label for="onb-q" class="small">Find papers</label>
          <span class="find-row">
            <input id="onb-q" type="search" name="q" form="find" value={q} maxlength={250} placeholder="Title words, author:…, an arXiv id" />
            <button type="submit" form="find" class="button">Find</button>
          </span>
          {q ? (
            found.length ? (
              <ul class="plain paper-choices">
                {found.map((f) => (
                  <li>
                    <label class="inline-label">
                      {f.saved ? <input type="checkbox" checked disabled /> : <input type="checkbox" name="papers" value={f.paper.id} checked={pickedPapers.has(f.paper.id)} />}
                      <span class="choice-title">{raw(renderMathText(f.paper.title))}</span> <span class="muted small">{authorsLine(f.paper.authors, 2)} · arXiv:{f.paper.id}{f.saved ? ' · saved' : ''}</span>
                    </label>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted small">No paper here matches “{q}”.</p>
            )
          ) : null}
          <label for="onb-ids" class="small">or paste arXiv ids or links</label>
          <textarea id="onb-ids" name="papers" rows={2} placeholder={'2401.12345\nhttps://arxiv.org/abs/2402.00001'}></textarea>
          <p class="muted small">
            Have a bibliography? <a href="/library#import-h">Import a BibTeX file</a> into your library (papers not here yet are fetched from arXiv).
          </p>
        </fieldset>
        <p class="actions">
          <button type="submit">Save and see For you</button>{' '}
          <button type="submit" name="then" value="stay" class="button">
            Save and keep picking
          </button>
        </p>
        <p class="muted small">
          At most {ONBOARD_MAX.categories} categories, {ONBOARD_MAX.authors} authors and {ONBOARD_MAX.papers} papers at once. <a href="/for-you">Skip</a>
        </p>
      </form>
    </>,
  );
}

export function forYouRoutes() {
  const app = new Hono<AppEnv>();
  const limit = rateLimit(LIBRARY_LIMITS.perIp, { perUser: LIBRARY_LIMITS.perUser });

  app.get('/for-you', async (c) => {
    const user = c.get('user');
    if (!user) return AnonymousPage({ c });
    const ctx = c.get('ctx');
    const window = windowOf(c.req.query('window'));
    const here = `/for-you?window=${window}`;
    const [r, dismissed] = await Promise.all([forYou(ctx, user.id, { window }), recentDismissals(ctx, user, 10)]);
    const saved = await savedIn(c, r.items.map((i) => i.paper.id));
    // After a plain-form dismissal: say so, with an undo right there.
    const justId = parseArxivId(c.req.query('dismissed') ?? '')?.id;
    const just = justId ? dismissed.find((d) => d.paper.id === justId) : undefined;
    const restored = parseArxivId(c.req.query('restored') ?? '')?.id;
    const nonce = c.get('secureHeadersNonce');
    return renderPage(
      c,
      { title: 'For you', math: true, noindex: true },
      <>
        <div class="page-head">
          <h1>For you</h1>
          <p class="muted">Papers of {WINDOW_WORDS[window]} ranked by what you saved, upvoted and follow. Saved papers and those you are not interested in are left out.</p>
        </div>
        <WindowTabs window={window} />
        {just ? (
          <div class="notice ok" role="status">
            Not interested in <em>{raw(renderMathText(just.paper.title))}</em>: hidden from For you. <DismissForm c={c} paper={just.paper} back={here} undo />
          </div>
        ) : null}
        {restored ? <Flash message={`arXiv:${restored} is back on For you.`} /> : null}
        {r.state === 'no-signal' ? (
          <div class="empty for-you-start">
            <p>
              <strong>Tell Papertide what you read.</strong> Pick a few arXiv categories, authors or papers and this page fills with recent papers like them.
            </p>
            <p>
              <a class="button small" href="/for-you/start">Pick topics and papers</a> or <a href="/library#import-h">import a BibTeX file</a>
            </p>
          </div>
        ) : (
          <>
            {r.state === 'index-not-ready' ? (
              <p class="notice" role="status">
                The search index is being built: until it is ready, this lists the papers matching what you follow, newest first.
              </p>
            ) : null}
            {r.fallback ? (
              <p class="notice" role="status">
                No papers were published in {WINDOW_WORDS[window]}: these are picked from the newest papers here instead.
              </p>
            ) : null}
            {r.items.length ? (
              <ol class="paper-list for-you-list">
                {r.items.map((it) => (
                  <li data-paper={it.paper.id}>
                    <PaperCard
                      paper={it.paper}
                      date={it.paper.publishedAt?.slice(0, 10)}
                      save={<SaveButton c={c} paperId={it.paper.id} saved={saved.has(it.paper.id)} back={here} compact />}
                      extra={
                        <div class="why-here small">
                          <Why item={it} /> <span aria-hidden="true">·</span> <DismissForm c={c} paper={it.paper} back={here} />
                        </div>
                      }
                    />
                  </li>
                ))}
              </ol>
            ) : (
              <p class="empty">
                Nothing new for you in {WINDOW_WORDS[window]}.{' '}
                {window === 'month' ? null : (
                  <>
                    Try <a href={`/for-you?window=${window === 'day' ? 'week' : 'month'}`}>{WINDOW_WORDS[window === 'day' ? 'week' : 'month']}</a>.
                  </>
                )}
              </p>
            )}
            <p class="muted small">
              Based on {r.signals.saved} saved, {r.signals.upvoted} upvoted and {r.signals.follows} followed · <a href="/for-you/start">add topics and papers</a> · <a href="/library">your library</a>
            </p>
          </>
        )}
        {dismissed.length ? (
          <section aria-labelledby="dismissed-h" class="dismissed">
            <h2 id="dismissed-h">Not interested</h2>
            <p class="muted small">The latest papers you hid from For you. Undo to see one again.</p>
            <ul class="plain dismissed-list">
              {dismissed.map((d) => (
                <li>
                  <a href={`/papers/${d.paper.id}`}>{raw(renderMathText(d.paper.title))}</a> <DismissForm c={c} paper={d.paper} back={here} undo />
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <script src="/static/for-you.js" defer nonce={nonce}></script>
      </>,
    );
  });


  app.get('/for-you/start', async (c) => {
    if (!c.get('user')) return c.redirect(`/login?next=${encodeURIComponent('/for-you/start')}`, 303);
    return StartPage({ c, q: (c.req.query('q') ?? '').slice(0, 250) });
  });

  app.post('/for-you/start', limit, async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect(`/login?next=${encodeURIComponent('/for-you/start')}`, 303);
    const f = await multiFieldsOf(c);
    const q = (listOf(f.q)[0] ?? '').slice(0, 250);
    const input = { categories: listOf(f.categories), authors: listOf(f.authors).join('\n'), papers: listOf(f.papers) };
    if (!input.categories.length && !input.authors.trim() && !input.papers.join('').trim()) {
      return StartPage({ c, q, values: f, problems: ['Nothing was picked: check a category, give an author or pick a paper.'], status: 400 });
    }
    let r;
    try {
      r = await onboard(c.get('ctx'), user, input);
    } catch (e) {
      if (e instanceof AppError && e.code === 'bad_request') return StartPage({ c, q, values: f, problems: [e.message], status: 400 });
      throw e;
    }
    if (r.problems.length) return StartPage({ c, q, problems: r.problems, partial: true });
    const stay = listOf(f.then)[0] === 'stay';
    return c.redirect(stay ? (q ? `/for-you/start?q=${encodeURIComponent(q)}` : '/for-you/start') : '/for-you', 303);
  });

  const action = (want: boolean) =>
    async (c: WebContext) => {
      const parsed = dismissSchema.safeParse(await fieldsOf(c));
      if (!parsed.success) throw new AppError('bad_request', firstIssue(parsed.error));
      const id = paperIdOf(parsed.data.paper);
      const user = c.get('user');
      if (!user) {
        if (wantsJson(c)) return c.json({ error: 'Log in first.', login: '/login?next=%2Ffor-you' }, 401);
        return c.redirect(`/login?next=${encodeURIComponent('/for-you')}`, 303);
      }
      try {
        const r = want ? await dismiss(c.get('ctx'), user, id) : await undismiss(c.get('ctx'), user, id);
        if (wantsJson(c)) return c.json(r);
        return c.redirect(backWith(parsed.data.back, want ? 'dismissed' : 'restored', id), 303);
      } catch (e) {
        if (wantsJson(c) && e instanceof AppError) return c.json({ error: e.message }, e.status as any);
        throw e;
      }
    };
  app.post('/for-you/dismiss', limit, action(true));
  app.post('/for-you/undismiss', limit, action(false));
  return app;
}
