/**
 * Account use cases: sign-up with email verification, login and logout with sessions kept in
 * the store, password reset by an emailed link, roles and the CLI's `user create`.
 *
 * Security choices (why):
 * - Passwords: argon2id (the `argon2` package's defaults: 64 MiB, 3 passes), never logged.
 * - Session cookies and emailed tokens are 256-bit random values; only their sha256 is stored,
 *   so a copy of the database does not let anyone sign in or reset a password.
 * - Login failures say the same thing whether or not the address has an account, and take
 *   the same time (an unknown address is checked against a dummy hash). Sign-up with a taken
 *   address answers like a fresh sign-up and mails the owner instead, so sign-up does not
 *   reveal accounts either.
 * - Emails are enqueued in the transaction that creates the token (src/mail/outbox.repository.ts).
 */
import crypto from 'node:crypto';
import argon2 from 'argon2';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { enqueueMail } from '../mail/outbox.repository.js';
import type { UserRow } from '../db/schema.js';
import {
  consumeToken,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  expireTokens,
  insertSession,
  insertToken,
  insertUser,
  revokeApiTokensOfUser,
  sessionWithUser,
  setSessionExpiry,
  setUserFields,
  userByEmail,
  userById,
  userByName,
  type Role,
} from './users.repository.js';
import { accountExistsMail, resetMail, verifyMail } from './emails.js';

export type { Role };

type Ctx = Pick<AppContext, 'store' | 'clock' | 'config' | 'logger'>;

/** Who acts: what the web session, an API token or the CLI knows about a user. */
export interface Actor {
  id: number;
  name: string;
  role: Role;
}

/** A session ends this long after login, however active (absolute timeout). */
export const SESSION_DAYS = 30;
/** ... and earlier when unused for this long (idle timeout): each use pushes its expiry forward. */
export const SESSION_IDLE_DAYS = 7;
/** How stale the stored expiry may get before a use writes the new one (reads stay reads). */
const SESSION_TOUCH_MS = 3_600_000;
export const VERIFY_TOKEN_HOURS = 48;
export const RESET_TOKEN_MINUTES = 60;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,29}$/;
const RESERVED_NAMES = new Set(['admin', 'administrator', 'moderator', 'papertide', 'root', 'system', 'api', 'login', 'logout', 'signup', 'submit', 'trending']);

const HOUR = 3_600_000;

export function newSecretToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

let dummyHash: Promise<string> | null = null;
async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    // Same work as a real check, so timing does not tell whether the account exists.
    dummyHash ??= hashPassword('papertide-dummy-password');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN) throw new AppError('bad_request', `Choose a password of at least ${PASSWORD_MIN} characters.`);
  if (password.length > PASSWORD_MAX) throw new AppError('bad_request', `Passwords are limited to ${PASSWORD_MAX} characters.`);
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new AppError('bad_request', 'A user name has 2 to 30 letters, digits, “-” or “_”, and starts with a letter or digit.');
  if (RESERVED_NAMES.has(name.toLowerCase())) throw new AppError('bad_request', `“${name}” is reserved. Choose another user name.`);
}

export interface SessionUser {
  id: number;
  name: string;
  email: string;
  role: Role;
  emailVerified: boolean;
  banned: boolean;
  sessionHash: string;
}

/** Sign up. Returns the same outcome whether or not the address is taken (see above). */
export async function signup(ctx: Ctx, input: { name: string; email: string; password: string }): Promise<{ email: string }> {
  const email = normalizeEmail(input.email);
  const name = input.name.trim();
  checkName(name);
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    if (await userByName(trx, name)) throw new AppError('conflict', `The user name “${name}” is taken. Choose another one.`);
    const existing = await userByEmail(trx, email);
    if (existing) {
      // Tell the owner, not the visitor. One such mail per address per hour at most.
      const hourKey = now.toISOString().slice(0, 13);
      await enqueueMail(trx, accountExistsMail(ctx.config.baseUrl, existing, `account-exists:${existing.id}:${hourKey}`), now);
      return;
    }
    const id = await insertUser(trx, { name, email, passwordHash, role: 'user', verifiedAt: null, now: now.toISOString() });
    const token = newSecretToken();
    await insertToken(trx, { idHash: hashToken(token), userId: id, purpose: 'verify', now: now.toISOString(), expiresAt: new Date(now.getTime() + VERIFY_TOKEN_HOURS * HOUR).toISOString() });
    await enqueueMail(trx, verifyMail(ctx.config.baseUrl, { id, name, email }, token), now);
  });
  return { email };
}

/** Send a new verification link (the old ones stop working). */
export async function resendVerification(ctx: Ctx, actor: Actor): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    const u = await userById(trx, actor.id);
    if (!u) throw new AppError('not_found', 'No such user.');
    if (u.email_verified_at) throw new AppError('bad_request', 'Your email address is already verified.');
    await expireTokens(trx, u.id, 'verify', now.toISOString());
    const token = newSecretToken();
    await insertToken(trx, { idHash: hashToken(token), userId: u.id, purpose: 'verify', now: now.toISOString(), expiresAt: new Date(now.getTime() + VERIFY_TOKEN_HOURS * HOUR).toISOString() });
    await enqueueMail(trx, verifyMail(ctx.config.baseUrl, u, token), now);
  });
}

export async function verifyEmail(ctx: Ctx, token: string): Promise<{ name: string }> {
  const now = ctx.clock.now().toISOString();
  return ctx.store.db.transaction().execute(async (trx) => {
    const userId = await consumeToken(trx, hashToken(token), 'verify', now);
    if (userId === null) throw new AppError('bad_request', 'This verification link is invalid, already used or expired. Log in and ask for a new one.');
    const u = await userById(trx, userId);
    if (!u) throw new AppError('bad_request', 'This verification link is invalid.');
    if (!u.email_verified_at) await setUserFields(trx, userId, { email_verified_at: now });
    return { name: u.name };
  });
}

export const LOGIN_FAILED = 'That email and password do not match an account. Check both, or reset your password.';

/** Check credentials and open a session. Returns the cookie value (only its hash is stored). */
export async function login(ctx: Ctx, input: { email: string; password: string; userAgent?: string | null }): Promise<{ token: string; user: UserRow }> {
  const u = await userByEmail(ctx.store.db, normalizeEmail(input.email));
  const ok = await verifyPassword(u?.password_hash ?? null, input.password);
  if (!u || !ok) throw new AppError('unauthorized', LOGIN_FAILED);
  if (u.banned_at) throw new AppError('forbidden', `This account is suspended${u.ban_reason ? `: ${u.ban_reason}` : ''}.`);
  const token = await createSession(ctx, u.id, input.userAgent ?? null);
  return { token, user: u };
}

/** Delete the sessions past their expiry (the hourly `sessions-purge` job); returns how many. */
export function purgeExpiredSessions(ctx: Ctx): Promise<number> {
  return deleteExpiredSessions(ctx.store.db, ctx.clock.now().toISOString());
}

/** Open a session for a user (login, tests, the CLI). */
export async function createSession(ctx: Ctx, userId: number, userAgent: string | null = null): Promise<string> {
  const now = ctx.clock.now();
  const token = newSecretToken();
  // Expired sessions are purged here: logins are rate-limited and far rarer than requests, and
  // each one leaves at most one row behind, so the table stays as small as the live sessions.
  await deleteExpiredSessions(ctx.store.db, now.toISOString());
  await insertSession(ctx.store.db, {
    idHash: hashToken(token),
    userId,
    now: now.toISOString(),
    expiresAt: sessionExpiry(now, now).toISOString(),
    userAgent: userAgent ? userAgent.slice(0, 300) : null,
  });
  return token;
}

/** When a session used at `now` expires: the idle deadline, capped by the absolute one. */
export function sessionExpiry(createdAt: Date, now: Date): Date {
  return new Date(Math.min(now.getTime() + SESSION_IDLE_DAYS * 24 * HOUR, createdAt.getTime() + SESSION_DAYS * 24 * HOUR));
}

/** End a session, given its stored hash (what the session middleware knows). */
export async function logout(ctx: Ctx, sessionHash: string): Promise<void> {
  await deleteSession(ctx.store.db, sessionHash);
}

/** The user behind a session cookie, or null. Banned users have no session. */
export async function sessionUser(ctx: Ctx, token: string): Promise<SessionUser | null> {
  if (!token || token.length > 100) return null;
  const idHash = hashToken(token);
  const now = ctx.clock.now();
  const r = await sessionWithUser(ctx.store.db, idHash, now.toISOString());
  if (!r || r.banned_at) return null;
  const next = sessionExpiry(new Date(r.session_created_at), now);
  if (Math.abs(next.getTime() - Date.parse(r.expires_at)) > SESSION_TOUCH_MS) await setSessionExpiry(ctx.store.db, idHash, next.toISOString());
  return { id: Number(r.id), name: r.name, email: r.email, role: r.role as Role, emailVerified: !!r.email_verified_at, banned: false, sessionHash: idHash };
}

/** Always succeeds from the visitor's point of view; mails a link only when the account exists. */
export async function requestPasswordReset(ctx: Ctx, rawEmail: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const now = ctx.clock.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    const u = await userByEmail(trx, email);
    if (!u || u.banned_at) return;
    await expireTokens(trx, u.id, 'reset', now.toISOString());
    const token = newSecretToken();
    await insertToken(trx, { idHash: hashToken(token), userId: u.id, purpose: 'reset', now: now.toISOString(), expiresAt: new Date(now.getTime() + RESET_TOKEN_MINUTES * 60_000).toISOString() });
    await enqueueMail(trx, resetMail(ctx.config.baseUrl, u, token), now);
  });
}

/**
 * Set a new password with a reset token; every session of the user ends, and with
 * `revokeApiTokens` every personal API token too (a reset often follows a compromise).
 */
export async function resetPassword(ctx: Ctx, token: string, password: string, opts: { revokeApiTokens?: boolean } = {}): Promise<{ name: string; revokedTokens: number }> {
  checkPassword(password);
  const hash = await hashPassword(password);
  const now = ctx.clock.now().toISOString();
  return ctx.store.db.transaction().execute(async (trx) => {
    const userId = await consumeToken(trx, hashToken(token), 'reset', now);
    if (userId === null) throw new AppError('bad_request', 'This password reset link is invalid, already used or expired. Ask for a new one.');
    const u = (await userById(trx, userId))!;
    // Following the link proves the address, so it counts as verified too.
    await setUserFields(trx, userId, { password_hash: hash, email_verified_at: u.email_verified_at ?? now });
    await deleteSessionsOfUser(trx, userId);
    const revokedTokens = opts.revokeApiTokens ? await revokeApiTokensOfUser(trx, userId, now) : 0;
    return { name: u.name, revokedTokens };
  });
}

/** "Log out everywhere": end every session of the user (this one too), optionally revoke API tokens. */
export async function logoutEverywhere(ctx: Ctx, userId: number, opts: { revokeApiTokens?: boolean } = {}): Promise<{ sessions: number; revokedTokens: number }> {
  const now = ctx.clock.now().toISOString();
  return ctx.store.db.transaction().execute(async (trx) => {
    const sessions = await deleteSessionsOfUser(trx, userId);
    const revokedTokens = opts.revokeApiTokens ? await revokeApiTokensOfUser(trx, userId, now) : 0;
    return { sessions, revokedTokens };
  });
}

/** Create a user directly (CLI, tests): verified, with a role. Returns a generated password when none was given. */
export async function createUserDirect(ctx: Ctx, input: { email: string; name: string; password?: string | null; role?: Role; verified?: boolean }): Promise<{ id: number; password: string | null }> {
  const email = normalizeEmail(input.email);
  const name = input.name.trim();
  if (!NAME_PATTERN.test(name)) throw new AppError('bad_request', 'A user name has 2 to 30 letters, digits, “-” or “_”, and starts with a letter or digit.');
  let generated: string | null = null;
  let password = input.password ?? null;
  if (password === null) password = generated = crypto.randomBytes(12).toString('base64url');
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now().toISOString();
  const id = await ctx.store.db.transaction().execute(async (trx) => {
    if (await userByName(trx, name)) throw new AppError('conflict', `The user name “${name}” is taken.`);
    if (await userByEmail(trx, email)) throw new AppError('conflict', `An account with ${email} exists already.`);
    return insertUser(trx, { name, email, passwordHash, role: input.role ?? 'user', verifiedAt: input.verified === false ? null : now, now });
  });
  return { id, password: generated };
}

/**
 * The acting user as the store knows it now, for every state-changing use case: refuses a
 * banned account (bans apply at once, even to API tokens) and, unless allowed, an unverified one.
 */
export async function requireActiveUser(ctx: Pick<AppContext, 'store'>, actor: Actor, opts: { verified?: boolean } = { verified: true }): Promise<UserRow> {
  const u = await userById(ctx.store.db, actor.id);
  if (!u) throw new AppError('unauthorized', 'Log in first.');
  if (u.banned_at) throw new AppError('forbidden', `Your account is suspended${u.ban_reason ? `: ${u.ban_reason}` : ''}.`);
  if (opts.verified !== false && !u.email_verified_at) throw new AppError('forbidden', `Verify your email address first: open the link we sent to ${u.email}. You can ask for a new link on your account page.`);
  return u;
}

export function isModerator(actor: Pick<Actor, 'role'> | null | undefined): boolean {
  return actor?.role === 'moderator' || actor?.role === 'admin';
}

export async function findUserByName(ctx: Pick<AppContext, 'store'>, name: string): Promise<UserRow | undefined> {
  return userByName(ctx.store.db, name);
}

export async function setRole(ctx: Ctx, name: string, role: Role): Promise<void> {
  const u = await userByName(ctx.store.db, name);
  if (!u) throw new AppError('not_found', `There is no user named “${name}”.`);
  await setUserFields(ctx.store.db, u.id, { role });
}
