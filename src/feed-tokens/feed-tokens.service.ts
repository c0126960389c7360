/**
 * Private feed URLs: `/feeds/private/{token}.atom|rss|json` for a user's Following, For you and
 * each of their collections (private ones included). The token is the only credential a feed
 * reader can send, so it is a 256-bit secret stored as its sha256 (as API tokens are), shown once
 * when it is made, and revocable; making a new URL for a feed (rotate) revokes the old one.
 *
 * A revoked, unknown or malformed token, a token whose collection was deleted, and a token of a
 * banned user all give the same 404 as a URL that never existed: nothing tells a guesser which
 * tokens are real or what they stand for.
 */
import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { requireActiveUser, type Actor } from '../users/users.service.js';
import { collectionFeed, ownCollection } from '../library/library.service.js';
import { following } from '../follows/follows.service.js';
import { forYou, type RecWindow } from '../recs/recs.service.js';
import { entry, FEED_SIZE } from '../feeds/feeds.service.js';
import { escapeFeedText, type FeedDoc, type FeedFormat } from '../feeds/feed.render.js';
import * as repo from './feed-tokens.repository.js';

type Ctx = Pick<AppContext, 'store' | 'clock' | 'events' | 'search'>;
export type { FeedTokenKind, FeedTokenRecord } from './feed-tokens.repository.js';

export const FEED_TOKEN_PREFIX = 'pf_';
const TOKEN_SHAPE = /^pf_[A-Za-z0-9_-]{43}$/;
const NOT_FOUND = 'No such feed. A private feed URL stops working when it is revoked or replaced; make a new one on /settings/feeds.';

export type FeedTarget = { kind: 'following' } | { kind: 'foryou' } | { kind: 'collection'; collectionId: number };

export function hashFeedToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function privateFeedPath(token: string, format: FeedFormat): string {
  return `/feeds/private/${token}.${format}`;
}

/**
 * A new secret URL for one of the user's feeds; the feed's previous URL (if any) stops working in
 * the same transaction. The plain token is in the result only.
 */
export async function makeFeedToken(ctx: Ctx, user: Actor, target: FeedTarget): Promise<{ token: string; record: repo.FeedTokenRecord }> {
  await requireActiveUser(ctx, user, { verified: false });
  const collectionId = target.kind === 'collection' ? target.collectionId : null;
  if (target.kind === 'collection') await ownCollection(ctx, user, target.collectionId);
  const token = FEED_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const now = ctx.clock.now().toISOString();
  const record = await ctx.store.db.transaction().execute(async (trx) => {
    await repo.revokeFeedTokensOf(trx, user.id, target.kind, collectionId, now);
    return repo.insertFeedToken(trx, { userId: user.id, kind: target.kind, collectionId, tokenHash: hashFeedToken(token), prefix: token.slice(0, 8), now });
  });
  return { token, record };
}

export async function revokeFeedToken(ctx: Ctx, user: Actor, id: number): Promise<void> {
  if (!(await repo.revokeFeedToken(ctx.store.db, user.id, id, ctx.clock.now().toISOString()))) throw new AppError('not_found', 'No such active feed URL of yours (it may be revoked already).');
}

export async function myFeedTokens(ctx: Pick<AppContext, 'store'>, user: Actor): Promise<repo.FeedTokenRecord[]> {
  return repo.activeFeedTokens(ctx.store.db, user.id);
}

/** The feed a token stands for, with its owner; not found (one message for every reason) otherwise. */
export async function openFeedToken(ctx: Pick<AppContext, 'store'>, token: string): Promise<{ record: repo.FeedTokenRecord; owner: Actor }> {
  if (!TOKEN_SHAPE.test(token)) throw new AppError('not_found', NOT_FOUND);
  const r = await repo.feedTokenByHash(ctx.store.db, hashFeedToken(token));
  if (!r || r.banned) throw new AppError('not_found', NOT_FOUND);
  return { record: r, owner: { id: r.userId, name: r.userName, role: 'user' } };
}

/** The feed document behind a private URL (src/feeds renders it). */
export async function privateFeed(ctx: Ctx, token: string, baseUrl: string, opts: { window?: RecWindow } = {}): Promise<FeedDoc> {
  const { record, owner } = await openFeedToken(ctx, token);
  const self = (f: FeedFormat) => `${baseUrl}${privateFeedPath(token, f)}`;
  if (record.kind === 'collection') {
    let doc: FeedDoc;
    try {
      doc = await collectionFeed(ctx, record.collectionId!, baseUrl, owner);
    } catch (e) {
      if (e instanceof AppError && e.code === 'not_found') throw new AppError('not_found', NOT_FOUND);
      throw e;
    }
    return { ...doc, key: `private/${record.id}`, selfUrl: self };
  }
  if (record.kind === 'following') {
    const { items } = await following(ctx, owner, FEED_SIZE);
    const entries = items.map((it) => {
      const e = entry(it.paper, baseUrl, new Date(it.paper.publishedAt ?? it.paper.storedAt));
      return { ...e, contentHtml: `<p><em>${escapeFeedText(it.reasons.map((r) => `You follow ${r}`).join(' · '))}</em></p>\n${e.contentHtml}` };
    });
    return {
      key: `private/${record.id}`,
      title: `Papertide · Following (${owner.name})`,
      description: `New papers by the authors, in the categories and matching the searches ${owner.name} follows.`,
      pageUrl: `${baseUrl}/following`,
      selfUrl: self,
      updated: new Date(Math.max(0, ...entries.map((e) => e.date.getTime()))),
      entries,
    };
  }
  if (record.kind === 'foryou') {
    // The feed reader polls: the week's recommendations (a day is often empty on weekends).
    const window = opts.window ?? 'week';
    const r = await forYou(ctx, owner.id, { window, limit: FEED_SIZE });
    const entries = r.items.map((it) => {
      const e = entry(it.paper, baseUrl, new Date(it.paper.publishedAt ?? it.paper.storedAt));
      return { ...e, contentHtml: `<p><em>${escapeFeedText(it.reason)}</em></p>\n${e.contentHtml}` };
    });
    return {
      key: `private/${record.id}`,
      title: `Papertide · For you (${owner.name})`,
      description: `Recent papers recommended to ${owner.name} from their library, upvotes and follows.`,
      pageUrl: `${baseUrl}/for-you`,
      selfUrl: self,
      updated: new Date(Math.max(0, ...entries.map((e) => e.date.getTime()))),
      entries,
    };
  }
  throw new AppError('not_found', NOT_FOUND);
}
