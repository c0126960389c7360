/**
 * The digest's personal sections, each a preference of the subscription (migration 009):
 * "Following" (new papers matching the account's follows, src/follows) and "For you" (the
 * recommendations of src/recs). Both need an account: the subscription's own user, else the
 * verified account with the subscription's address. Only papers that arrived here since the
 * subscriber's last digest are listed (as in the trending section), so no paper is sent twice,
 * and a paper already in an earlier section of the same digest is not repeated. A build reads
 * both for a page of subscribers at once (prepareSections: recs' forYouMany, the window's
 * candidates read once per build), so a section costs no query per subscriber.
 */
import type { AppContext } from '../context.js';
import type { SubscriptionRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { listFollows, listFollowsMany } from '../follows/follows.repository.js';
import type { FollowRow } from '../follows/follows.service.js';
import { forYou, forYouMany, ForYouBatch, type ForYou, type RecWindow } from '../recs/recs.service.js';
import type { Actor } from '../users/users.service.js';
import { digestPaperOf, type DigestPaper } from './emails.js';

export interface SectionItem {
  paper: DigestPaper;
  /** One line: "you follow cat:cs.CL", "like “X” in your library". */
  why: string;
}

export interface DigestSection {
  key: 'following' | 'foryou';
  title: string;
  items: SectionItem[];
}

/** Picks the Following section: the top candidates (trending order) arrived since `sinceMs` matching any follow, with why. */
export type FollowPicker = (follows: FollowRow[], sinceMs: number, n: number, exclude: Set<string>) => Promise<SectionItem[]>;

type Sub = Pick<SubscriptionRow, 'id' | 'email' | 'user_id' | 'cadence' | 'max_papers' | 'digest_following' | 'digest_foryou'>;

export const wantsSections = (s: Pick<SubscriptionRow, 'digest_following' | 'digest_foryou'>) => !!s.digest_following || !!s.digest_foryou;

/** The accounts of these subscriptions (own user, else a verified, unbanned user with the address). */
export async function accountsOf(ctx: Pick<AppContext, 'store'>, subs: Sub[]): Promise<Map<number, Actor>> {
  const out = new Map<number, Actor>();
  const want = subs.filter(wantsSections);
  if (!want.length) return out;
  const ids = [...new Set(want.flatMap((s) => (s.user_id ? [s.user_id] : [])))];
  const emails = [...new Set(want.filter((s) => !s.user_id).map((s) => s.email.toLowerCase()))];
  const rows = [
    ...(ids.length ? await ctx.store.db.selectFrom('users').select(['id', 'name', 'role', 'email', 'banned_at', 'email_verified_at']).where('id', 'in', ids).execute() : []),
    ...(emails.length ? await ctx.store.db.selectFrom('users').select(['id', 'name', 'role', 'email', 'banned_at', 'email_verified_at']).where('email', 'in', emails).where('email_verified_at', 'is not', null).execute() : []),
  ];
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const byEmail = new Map(rows.filter((r) => r.email_verified_at).map((r) => [r.email.toLowerCase(), r]));
  for (const s of want) {
    const u = s.user_id ? byId.get(s.user_id) : byEmail.get(s.email.toLowerCase());
    if (u && !u.banned_at) out.set(s.id, { id: Number(u.id), name: u.name, role: u.role as Actor['role'] });
  }
  return out;
}

/** What a page of subscriptions' sections need, read for the page at once (`prepareSections`). */
export interface PreparedSections {
  follows: Map<number, FollowRow[]>; // user → follows
  forYou: Map<number, ForYou>; // subscription → For you
}

const forYouWindow = (sub: Pick<Sub, 'cadence'>): RecWindow => (sub.cadence === 'weekly' ? 'month' : 'week');
const forYouLimit = (sub: Pick<Sub, 'max_papers'>) => Math.min(100, Math.max(1, sub.max_papers) * 3);

/**
 * The follows and For you lists of a page of subscriptions in a few queries (not per
 * subscriber); `batch` keeps each window's candidates for the whole build.
 */
export async function prepareSections(ctx: AppContext, subs: Sub[], accounts: Map<number, Actor>, batch: ForYouBatch): Promise<PreparedSections> {
  const out: PreparedSections = { follows: new Map(), forYou: new Map() };
  const withUser = subs.filter((s) => accounts.has(s.id) && wantsSections(s));
  const following = withUser.filter((s) => s.digest_following);
  if (following.length) out.follows = await listFollowsMany(ctx.store.db, following.map((s) => accounts.get(s.id)!.id));
  // One forYouMany per window and list length (a user may have two subscriptions).
  const groups = new Map<string, Sub[]>();
  for (const s of withUser.filter((x) => x.digest_foryou)) {
    const k = `${forYouWindow(s)}:${forYouLimit(s)}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  for (const group of groups.values()) {
    const r = await forYouMany(ctx, group.map((s) => accounts.get(s.id)!.id), { window: forYouWindow(group[0]), limit: forYouLimit(group[0]), batch });
    for (const s of group) out.forYou.set(s.id, r.get(accounts.get(s.id)!.id)!);
  }
  return out;
}

/**
 * The subscription's sections for a digest covering papers arrived since `sinceMs`; with
 * `pre` (from prepareSections), no query per subscriber.
 */
export async function personalSections(ctx: AppContext, sub: Sub, user: Actor | undefined, sinceMs: number, shown: Set<string>, pickFollowed: FollowPicker, pre?: PreparedSections): Promise<DigestSection[]> {
  if (!user || !wantsSections(sub)) return [];
  const n = Math.max(1, sub.max_papers);
  const arrived = (p: Paper) => Date.parse(p.storedAt) >= sinceMs && !shown.has(p.id);
  const out: DigestSection[] = [];
  if (sub.digest_following) {
    const follows = pre ? (pre.follows.get(user.id) ?? []) : await listFollows(ctx.store.db, user.id);
    const picked = follows.length ? await pickFollowed(follows, sinceMs, n, shown) : [];
    for (const it of picked) shown.add(it.paper.id);
    out.push({ key: 'following', title: 'Following', items: picked });
  }
  if (sub.digest_foryou) {
    // A wider window than the cadence: arXiv dates a paper by submission, often days before it
    // arrives here; the arrival filter keeps only what is new to the subscriber.
    const r = pre?.forYou.get(sub.id) ?? (await forYou(ctx, user.id, { window: forYouWindow(sub), limit: forYouLimit(sub) }));
    const picked = r.items.filter((it) => arrived(it.paper)).slice(0, n);
    for (const it of picked) shown.add(it.paper.id);
    out.push({ key: 'foryou', title: 'For you', items: picked.map((it) => ({ paper: digestPaperOf(it.paper), why: it.reason })) });
  }
  return out.filter((s) => s.items.length);
}
