/**
 * Onboarding for For you: a new user picks arXiv categories, authors and a few papers, which
 * become follows and library saves (nothing of its own is stored), so For you has something to
 * rank with from the first visit. Each pick is applied on its own: a bad one is reported with
 * its reason and the others still count.
 */
import type { AppContext } from '../context.js';
import type { Paper } from '../domain/paper.js';
import { AppError, isAppError } from '../domain/errors.js';
import { extractArxivId } from '../domain/arxiv-id.js';
import { isArxivCategory } from '../domain/clean-text.js';
import { searchPapers } from '../feeds/listings.service.js';
import { listFollows } from '../follows/follows.repository.js';
import { setFollow } from '../follows/follows.service.js';
import { savedAmong, setSaved } from '../library/library.service.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { categoryCounts } from './recs.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events' | 'search'>;

/** Picks per submission (the follows' own limit of 200 applies too). */
export const ONBOARD_MAX = { categories: 60, authors: 30, papers: 30 } as const;
export const CATEGORY_CHOICES = 40;

export interface OnboardingChoices {
  categories: { category: string; n: number; following: boolean }[];
  authors: string[];
}

/** The store's categories, most papers first, and which the user already follows. */
export async function onboardingChoices(ctx: Pick<AppContext, 'store'>, user: Actor): Promise<OnboardingChoices> {
  const [counts, follows] = await Promise.all([categoryCounts(ctx.store.db, CATEGORY_CHOICES * 2), listFollows(ctx.store.db, user.id)]);
  const followed = new Set(follows.filter((f) => f.kind === 'category').map((f) => f.value));
  const categories = counts
    .filter((c) => isArxivCategory(c.category))
    .slice(0, CATEGORY_CHOICES)
    .map((c) => ({ ...c, following: followed.has(c.category) }));
  // A followed category the store holds few papers of stays checkable.
  for (const f of followed) if (!categories.some((c) => c.category === f)) categories.push({ category: f, n: 0, following: true });
  return { categories, authors: follows.filter((f) => f.kind === 'author').map((f) => f.label) };
}

/** Papers for the onboarding search box: an id or URL is that paper; else the search engine (or its SQL fallback). */
export async function findPapers(ctx: Ctx, user: Actor, q: string, limit = 10): Promise<{ paper: Paper; saved: boolean }[]> {
  const text = q.replace(/\s+/g, ' ').trim().slice(0, 250);
  if (!text) return [];
  const r = await searchPapers({ db: ctx.store.db, now: () => ctx.clock.now(), search: ctx.search?.ready ? ctx.search : null }, text, limit);
  const rows = r.items.map((i) => i.paper).filter((p) => !p.hidden);
  const saved = await savedAmong(ctx.store.db, user.id, rows.map((p) => p.id));
  return rows.map((paper) => ({ paper, saved: saved.has(paper.id) }));
}

export interface OnboardingInput {
  categories: string[];
  /** Names, one per line or comma-separated. */
  authors: string;
  /** Ids or arXiv URLs: checked search results and pasted text. */
  papers: string[];
}

export interface OnboardingResult {
  followed: string[];
  saved: string[];
  problems: string[];
}

const unique = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter(Boolean))];

export async function onboard(ctx: Ctx, user: Actor, input: OnboardingInput): Promise<OnboardingResult> {
  await requireActiveUser(ctx, user, { verified: false });
  const categories = unique(input.categories);
  const authors = unique(input.authors.split(/[\n;]|,(?![^()]*\))/));
  const paperTexts = unique(input.papers.flatMap((p) => p.split(/[\s,]+/)));
  if (categories.length > ONBOARD_MAX.categories) throw new AppError('bad_request', `Pick at most ${ONBOARD_MAX.categories} categories at once.`);
  if (authors.length > ONBOARD_MAX.authors) throw new AppError('bad_request', `Give at most ${ONBOARD_MAX.authors} authors at once.`);
  if (paperTexts.length > ONBOARD_MAX.papers) throw new AppError('bad_request', `Give at most ${ONBOARD_MAX.papers} papers at once; import a longer list or a BibTeX file from your library.`);
  const out: OnboardingResult = { followed: [], saved: [], problems: [] };
  const attempt = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      if (!isAppError(e) || e.status >= 500 || e.code === 'unauthorized' || e.code === 'forbidden') throw e;
      out.problems.push(`${what}: ${e.message}`);
    }
  };
  for (const c of categories) await attempt(c, async () => void out.followed.push(`cat:${(await setFollow(ctx, user, 'category', c, true)).label}`));
  for (const a of authors) await attempt(a, async () => void out.followed.push(`author:${(await setFollow(ctx, user, 'author', a, true)).label}`));
  for (const t of paperTexts) {
    const id = extractArxivId(t);
    if (!id) {
      out.problems.push(`“${t.slice(0, 60)}” is not an arXiv id or URL.`);
      continue;
    }
    await attempt(`arXiv:${id.id}`, async () => {
      try {
        await setSaved(ctx, user, id.id, true);
        out.saved.push(id.id);
      } catch (e) {
        if (isAppError(e) && e.code === 'not_found') throw new AppError('not_found', 'not here yet; your library’s import fetches it from arXiv.');
        throw e;
      }
    });
  }
  return out;
}
