/**
 * Follows: authors, arXiv categories and saved searches (any query of the search language, run
 * through the search service). The Following list is the newest papers matching any follow,
 * each with the follows that put it there.
 */
import type { AppContext } from '../context.js';
import type { Paper } from '../domain/paper.js';
import { AppError } from '../domain/errors.js';
import { parseSearchQuery } from '../domain/search-query.js';
import { authorKey } from '../papers/papers.repository.js';
import { CATEGORY_PATTERN, QUERY_MAX, AUTHOR_MAX } from '../feeds/feeds.service.js';
import { newestMatching } from '../feeds/listings.service.js';
import { papersByIds } from '../feeds/listings.repository.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import * as repo from './follows.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events' | 'search'>;

/** The store, and the search index while it is ready (else saved searches use plain SQL). */
const searchDeps = (ctx: Ctx) => ({ db: ctx.store.db, search: ctx.search?.ready ? ctx.search : null });
export type { FollowKind, FollowRow } from './follows.repository.js';

export const FOLLOWS_MAX = 200;
export const FOLLOWING_SIZE = 50;

/** A follow as stored: its key (`value`) and how it is shown (`label`). A bad one is a readable 400. */
export function normalizeFollow(kind: string, raw: string): { kind: repo.FollowKind; value: string; label: string } {
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text.includes('\u0000')) throw new AppError('bad_request', 'The request contains a NUL character (U+0000), which Papertide does not accept in any text.');
  switch (kind) {
    case 'author':
      if (!text) throw new AppError('bad_request', 'Which author? Give a name.');
      if (text.length > AUTHOR_MAX) throw new AppError('bad_request', `Author names are limited to ${AUTHOR_MAX} characters.`);
      return { kind, value: authorKey(text), label: text };
    case 'category':
      if (!CATEGORY_PATTERN.test(text)) throw new AppError('bad_request', `“${text.slice(0, 40)}” is not an arXiv category: use e.g. cs.LG, math.AG or hep-th.`);
      return { kind, value: text, label: text };
    case 'query': {
      if (!text) throw new AppError('bad_request', 'Which search? The query is empty.');
      if (text.length > QUERY_MAX) throw new AppError('bad_request', `A saved search is limited to ${QUERY_MAX} characters.`);
      const parsed = parseSearchQuery(text);
      if (!parsed.ok) throw new AppError('bad_request', parsed.error);
      return { kind, value: text, label: text };
    }
    default:
      throw new AppError('bad_request', 'Follow an author, a category or a search.');
  }
}

/** How a follow reads in "you follow …". */
export function followText(f: { kind: repo.FollowKind; label: string }): string {
  if (f.kind === 'author') return `author:${/\s/.test(f.label) ? `"${f.label}"` : f.label}`;
  if (f.kind === 'category') return `cat:${f.label}`;
  return `the search “${f.label}”`;
}

export async function setFollow(ctx: Ctx, user: Actor, kind: string, raw: string, want: boolean): Promise<{ following: boolean; label: string }> {
  const f = normalizeFollow(kind, raw);
  await requireActiveUser(ctx, user, { verified: false });
  if (want) {
    if (!(await repo.hasFollow(ctx.store.db, user.id, f.kind, f.value)) && (await repo.countFollows(ctx.store.db, user.id)) >= FOLLOWS_MAX) {
      throw new AppError('bad_request', `You follow ${FOLLOWS_MAX} things, the most one account may. Unfollow one first.`);
    }
    await repo.insertFollow(ctx.store.db, user.id, { ...f, now: ctx.clock.now().toISOString() });
  } else await repo.deleteFollow(ctx.store.db, user.id, f);
  await ctx.events.emit({ kind: 'data', what: 'follow' });
  return { following: want, label: f.label };
}

export async function isFollowing(ctx: Pick<AppContext, 'store'>, user: Actor, kind: string, raw: string): Promise<boolean> {
  try {
    const f = normalizeFollow(kind, raw);
    return repo.hasFollow(ctx.store.db, user.id, f.kind, f.value);
  } catch {
    return false;
  }
}

export async function myFollows(ctx: Pick<AppContext, 'store'>, user: Actor): Promise<repo.FollowRow[]> {
  return repo.listFollows(ctx.store.db, user.id);
}

export interface FollowedPaper {
  paper: Paper;
  /** "author:…", "cat:cs.CL", "the search “…”": every follow that matched. */
  reasons: string[];
}

/** The newest papers matching any of the user's follows, newest first, each saying why. */
export async function following(ctx: Ctx, user: Actor, limit = FOLLOWING_SIZE): Promise<{ follows: repo.FollowRow[]; items: FollowedPaper[] }> {
  const follows = await repo.listFollows(ctx.store.db, user.id);
  const byId = new Map<string, FollowedPaper>();
  const add = (paper: Paper, reason: string) => {
    const cur = byId.get(paper.id) ?? { paper, reasons: [] };
    if (!cur.reasons.includes(reason)) cur.reasons.push(reason);
    byId.set(paper.id, cur);
  };
  const authors = follows.filter((f) => f.kind === 'author');
  const labelOfAuthor = new Map(authors.map((f) => [f.value, f]));
  for (const r of await repo.newestByAuthors(ctx.store.db, [...labelOfAuthor.keys()], limit)) add(r.paper, followText(labelOfAuthor.get(r.key)!));
  const cats = follows.filter((f) => f.kind === 'category');
  const labelOfCat = new Map(cats.map((f) => [f.value, f]));
  for (const r of await repo.newestInCategories(ctx.store.db, [...labelOfCat.keys()], limit)) add(r.paper, followText(labelOfCat.get(r.key)!));
  for (const f of follows.filter((x) => x.kind === 'query')) {
    const ids = await newestMatching(searchDeps(ctx), f.value, limit);
    for (const p of await papersByIds(ctx.store.db, ids)) if (!p.withdrawn) add(p, followText(f));
  }
  const items = [...byId.values()].sort((a, b) => cmpDesc(a.paper.publishedAt, b.paper.publishedAt) || (a.paper.id < b.paper.id ? 1 : -1));
  return { follows, items: items.slice(0, limit) };
}

function cmpDesc(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? 1 : -1;
}
