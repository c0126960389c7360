/**
 * Signed, expiring links for subscriptions (no login needed): HMAC-SHA256 over
 * `purpose:subscriptionId:tokenVersion:expiresAtSeconds` with the app secret (ctx.secret).
 * Bumping a subscription's token_version revokes every confirm/manage link sent before.
 * Token: base64url(payload) "." base64url(first 16 bytes of the MAC) — 128-bit tags.
 */
import crypto from 'node:crypto';

export type TokenPurpose = 'confirm' | 'manage' | 'unsubscribe';

/** How long each kind of link works. Unsubscribe links must keep working long after the email. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  confirm: 48 * 3600_000,
  manage: 180 * 24 * 3600_000,
  unsubscribe: 365 * 24 * 3600_000,
};

export interface TokenClaims {
  purpose: TokenPurpose;
  subscriptionId: number;
  version: number;
  expiresAt: Date;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired'; claims?: TokenClaims };

const PURPOSES = new Set<string>(['confirm', 'manage', 'unsubscribe']);

function mac(secret: string, payload: string): Buffer {
  return crypto.createHmac('sha256', secret).update(`papertide-subscription:${payload}`).digest().subarray(0, 16);
}

export function signToken(secret: string, claims: { purpose: TokenPurpose; subscriptionId: number; version: number }, now: Date, ttlMs = TOKEN_TTL_MS[claims.purpose]): string {
  const exp = Math.floor((now.getTime() + ttlMs) / 1000);
  const payload = Buffer.from(`${claims.purpose}:${claims.subscriptionId}:${claims.version}:${exp}`).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyToken(secret: string, token: string, now: Date): TokenCheck {
  if (typeof token !== 'string' || token.length > 200) return { ok: false, reason: 'malformed' };
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(m[2], 'base64url');
  const expected = mac(secret, m[1]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  const parts = Buffer.from(m[1], 'base64url').toString('utf8').split(':');
  if (parts.length !== 4 || !PURPOSES.has(parts[0])) return { ok: false, reason: 'malformed' };
  const [purpose, id, version, exp] = parts;
  const claims: TokenClaims = { purpose: purpose as TokenPurpose, subscriptionId: Number(id), version: Number(version), expiresAt: new Date(Number(exp) * 1000) };
  if (!Number.isSafeInteger(claims.subscriptionId) || !Number.isSafeInteger(claims.version) || Number.isNaN(claims.expiresAt.getTime())) return { ok: false, reason: 'malformed' };
  if (claims.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
