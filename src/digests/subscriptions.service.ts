/**
 * Subscriptions with double opt-in, managed by signed links (no login needed).
 *
 * subscribe → status `pending` + a confirmation email (at most one link email per address per
 * hour, enforced in the store so it holds across instances) → confirm (POST from the link's page)
 * → `active`. Preferences and unsubscribe work with the signed links every digest carries.
 * Unsubscribing bumps token_version, so older confirm/manage links stop working; unsubscribe
 * links keep answering "you are unsubscribed" (RFC 8058 clients may retry them).
 */
import type { AppContext } from '../context.js';
import type { SubscriptionRow } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { enqueueMail } from '../mail/outbox.repository.js';
import { checkEmailAddress } from '../domain/email-address.js';
import { confirmEmail, manageLinkEmail } from './emails.js';
import { signToken, verifyToken, TOKEN_TTL_MS, type TokenPurpose } from './tokens.js';
import { emptyTopics, normalizeTopics, parseTopicsJson, type Topics } from './topics.js';
import * as repo from './subscriptions.repository.js';

export const LINK_EMAIL_INTERVAL_MS = 3600_000;
export const MAX_PAPERS_LIMIT = 50;
export const DEFAULT_MAX_PAPERS = 10;

export type Cadence = 'daily' | 'weekly';

export interface SubscribeInput {
  email: unknown;
  cadence?: unknown;
  categories?: string[] | string;
  keywords?: string[] | string;
  userId?: number | null;
}

export interface SubscribeResult {
  email: string;
  /** What happened, for logs and tests; the page says the same thing whatever it is (no address probing). */
  outcome: 'confirmation-sent' | 'manage-link-sent' | 'throttled';
}

export function linkFor(ctx: AppContext, sub: Pick<SubscriptionRow, 'id' | 'token_version'>, purpose: TokenPurpose, now = ctx.clock.now()): string {
  const token = signToken(ctx.secret, { purpose, subscriptionId: sub.id, version: sub.token_version }, now);
  const path = purpose === 'unsubscribe' ? '/unsubscribe/' : '/subscription/';
  return `${ctx.config.baseUrl}${path}${token}`;
}

export async function subscribe(ctx: AppContext, input: SubscribeInput): Promise<SubscribeResult> {
  const addr = checkEmailAddress(input.email);
  if (!addr.ok) throw new AppError('bad_request', addr.reason, { field: 'email' });
  const cadence: Cadence = input.cadence === 'weekly' ? 'weekly' : 'daily';
  const t = normalizeTopics({ categories: input.categories, keywords: input.keywords });
  if (!t.ok) throw new AppError('bad_request', t.problems.join(' '), { field: 'topics' });
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  const since = new Date(now.getTime() - LINK_EMAIL_INTERVAL_MS).toISOString();

  return ctx.store.db.transaction().execute(async (trx) => {
    let sub = await repo.findSubscriptionByEmail(trx, addr.email);
    if (!sub) {
      sub = await repo.insertPendingSubscription(trx, { email: addr.email, userId: input.userId ?? null, cadence, topics: t.topics, maxPapers: DEFAULT_MAX_PAPERS }, nowIso);
    } else if (sub.status !== 'active') {
      // Pending, unsubscribed or bouncing: start a new opt-in with what the form says now.
      await repo.updateSubscription(trx, sub.id, { status: 'pending', cadence, topics: JSON.stringify(t.topics), paused: 0, updated_at: nowIso, ...(sub.status === 'bouncing' ? { bounce_count: 0 } : {}) });
      sub = (await repo.findSubscription(trx, sub.id))!;
    }
    // An active subscription is never changed by this unauthenticated form: it gets its manage link.
    if (!(await repo.claimLinkEmail(trx, sub.id, nowIso, since))) return { email: addr.email, outcome: 'throttled' as const };
    if (sub.status === 'active') {
      const m = manageLinkEmail({ manageUrl: linkFor(ctx, sub, 'manage', now), baseUrl: ctx.config.baseUrl });
      await enqueueMail(trx, { kind: 'manage-link', dedupeKey: `manage-link:${sub.id}:${nowIso}`, to: sub.email, ...m, subscriptionId: sub.id }, now);
      return { email: addr.email, outcome: 'manage-link-sent' as const };
    }
    const m = confirmEmail({ confirmUrl: linkFor(ctx, sub, 'confirm', now), baseUrl: ctx.config.baseUrl, expiresHours: TOKEN_TTL_MS.confirm / 3600_000 });
    await enqueueMail(trx, { kind: 'confirm', dedupeKey: `confirm:${sub.id}:${nowIso}`, to: sub.email, ...m, subscriptionId: sub.id }, now);
    return { email: addr.email, outcome: 'confirmation-sent' as const };
  });
}

export type LinkProblem = 'malformed' | 'forged' | 'expired' | 'revoked' | 'unknown';

export class LinkError extends AppError {
  constructor(public readonly problem: LinkProblem) {
    super('bad_request', LINK_MESSAGES[problem]);
  }
}

export const LINK_MESSAGES: Record<LinkProblem, string> = {
  malformed: 'This link is incomplete. Copy the whole link from the email, or ask for a new one below.',
  forged: 'This link is not valid: it may have been mistyped or altered. Ask for a new one below.',
  expired: 'This link has expired. Ask for a new one below: it arrives in a minute.',
  revoked: 'This link is no longer valid because the subscription changed since it was sent. Ask for a new one below.',
  unknown: 'This subscription no longer exists. You can subscribe again below.',
};

/** Check a link's token for one of the allowed purposes and load its subscription. */
export async function openLink(ctx: AppContext, token: string, purposes: TokenPurpose[]): Promise<{ sub: SubscriptionRow; purpose: TokenPurpose }> {
  const v = verifyToken(ctx.secret, token, ctx.clock.now());
  if (!v.ok) throw new LinkError(v.reason);
  if (!purposes.includes(v.claims.purpose)) throw new LinkError('malformed');
  const sub = await repo.findSubscription(ctx.store.db, v.claims.subscriptionId);
  if (!sub) throw new LinkError('unknown');
  // Unsubscribe links survive version bumps: unsubscribing again is always harmless.
  if (v.claims.purpose !== 'unsubscribe' && v.claims.version !== sub.token_version) throw new LinkError('revoked');
  return { sub, purpose: v.claims.purpose };
}

export async function confirmSubscription(ctx: AppContext, token: string): Promise<SubscriptionRow> {
  const { sub } = await openLink(ctx, token, ['confirm']);
  if (sub.status === 'active') return sub;
  const now = ctx.clock.now().toISOString();
  await repo.updateSubscription(ctx.store.db, sub.id, { status: 'active', confirmed_at: now, updated_at: now, bounce_count: 0 });
  ctx.logger.info({ subscription: sub.id }, 'digest subscription confirmed');
  return (await repo.findSubscription(ctx.store.db, sub.id))!;
}

export interface Preferences {
  cadence: Cadence;
  topics: Topics;
  maxPapers: number;
  paused: boolean;
  /** The personal sections (they need an account with the subscription's address). */
  following: boolean;
  forYou: boolean;
}

export function preferencesOf(sub: SubscriptionRow): Preferences {
  return { cadence: sub.cadence === 'weekly' ? 'weekly' : 'daily', topics: parseTopicsJson(sub.topics), maxPapers: sub.max_papers, paused: !!sub.paused, following: !!sub.digest_following, forYou: !!sub.digest_foryou };
}

/** Parse the preferences form. Returns every problem at once, as readable sentences. */
export function parsePreferences(form: Record<string, string | string[] | undefined>): { ok: true; prefs: Preferences } | { ok: false; problems: string[] } {
  const one = (k: string) => (Array.isArray(form[k]) ? (form[k] as string[])[0] : (form[k] as string | undefined));
  const on = (k: string) => one(k) === 'on' || one(k) === '1';
  const problems: string[] = [];
  const cadence = one('cadence');
  if (cadence !== 'daily' && cadence !== 'weekly') problems.push('Choose daily (on weekdays) or weekly.');
  const n = Number(one('max_papers'));
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAPERS_LIMIT) problems.push(`Number of papers must be a whole number from 1 to ${MAX_PAPERS_LIMIT}.`);
  const extra = one('categories_other') ?? '';
  const cats = [...(Array.isArray(form.categories) ? form.categories : form.categories ? [form.categories] : []), extra];
  const t = normalizeTopics({ categories: cats, keywords: one('keywords') ?? '', searches: one('searches') ?? '' });
  if (!t.ok) problems.push(...t.problems);
  if (problems.length || !t.ok) return { ok: false, problems };
  return { ok: true, prefs: { cadence: cadence as Cadence, topics: t.topics, maxPapers: n, paused: one('paused') === 'on' || one('paused') === '1', following: on('section_following'), forYou: on('section_foryou') } };
}

export async function updatePreferences(ctx: AppContext, token: string, prefs: Preferences): Promise<SubscriptionRow> {
  const { sub } = await openLink(ctx, token, ['manage']);
  if (sub.status === 'unsubscribed') throw new AppError('conflict', 'This address is unsubscribed. Subscribe again to receive digests.');
  await repo.updateSubscription(ctx.store.db, sub.id, {
    cadence: prefs.cadence,
    topics: JSON.stringify(prefs.topics),
    max_papers: prefs.maxPapers,
    paused: prefs.paused ? 1 : 0,
    digest_following: prefs.following ? 1 : 0,
    digest_foryou: prefs.forYou ? 1 : 0,
    updated_at: ctx.clock.now().toISOString(),
  });
  return (await repo.findSubscription(ctx.store.db, sub.id))!;
}

/** Unsubscribe by a manage or unsubscribe link. Idempotent. */
export async function unsubscribe(ctx: AppContext, token: string): Promise<SubscriptionRow> {
  const { sub } = await openLink(ctx, token, ['unsubscribe', 'manage']);
  if (sub.status === 'unsubscribed') return sub;
  const now = ctx.clock.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    await repo.updateSubscription(trx, sub.id, { status: 'unsubscribed', unsubscribed_at: now, updated_at: now });
    await repo.bumpTokenVersion(trx, sub.id);
    await repo.cancelQueuedDigests(trx, sub.id, 'unsubscribed');
  });
  ctx.logger.info({ subscription: sub.id }, 'digest subscription ended by unsubscribe link');
  return (await repo.findSubscription(ctx.store.db, sub.id))!;
}

/**
 * For signed-in users (the account page links to /subscription/manage): the manage link of the
 * subscription with the user's email, or null when there is none.
 */
export async function manageUrlForEmail(ctx: AppContext, email: string): Promise<string | null> {
  const sub = await repo.findSubscriptionByEmail(ctx.store.db, email);
  if (!sub || sub.status === 'unsubscribed') return null;
  return linkFor(ctx, sub, 'manage');
}

export { emptyTopics };
