/**
 * Hugging Face's user and organization objects, as its API sends them (`submittedOnDailyBy`,
 * `submittedBy`, `organization`, an author's `user`), made safe to keep and to send on: only
 * the fields below, handles that can go into a URL path, http(s) images. Used at import (only
 * these are stored) and when presenting (stored JSON is read back through the same checks).
 * Pure: no I/O.
 *
 * Hugging Face sends some avatars as site-relative paths ("/avatars/….svg"); those are made
 * absolute against https://huggingface.co, since they would not resolve on our host.
 */
import { safeHttpUrl, wellFormedText } from './safe-url.js';

export const HF_ORIGIN = 'https://huggingface.co';

export interface HfUser {
  _id?: string;
  name: string;
  fullname: string;
  avatarUrl?: string;
  type: string;
  isPro: boolean;
  /** Kept from Hugging Face's archive where it sent them (its staff and moderator flags, the follower count then); absent for local users. */
  isHf?: boolean;
  isHfAdmin?: boolean;
  isMod?: boolean;
  followerCount?: number;
  /** Hugging Face's login name (equal to name); sent as Hugging Face's paper objects do. */
  user?: string;
}

export interface HfOrganization {
  _id?: string;
  name: string;
  fullname: string;
  avatar?: string;
}

/** Hugging Face's id of an author of a paper and the user who claimed that author name. */
export interface HfAuthorLink {
  name: string;
  _id?: string;
  user?: HfUser;
}

/** A Hugging Face handle: what goes into https://huggingface.co/{handle}. */
const HANDLE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
const OBJECT_ID = /^[A-Za-z0-9]{1,64}$/;

export function isHfHandle(s: unknown): s is string {
  return typeof s === 'string' && HANDLE.test(s) && !s.includes('..');
}

function text(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return null;
  const s = wellFormedText(v).replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return s && s.length <= max ? s : null;
}

function flag(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

function objectId(v: unknown): string | undefined {
  return typeof v === 'string' && OBJECT_ID.test(v) ? v : undefined;
}

/** An avatar or logo URL: http(s), or a site-relative path on huggingface.co; else absent. */
export function hfImageUrl(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\/[A-Za-z0-9_]/.test(s)) return safeHttpUrl(HF_ORIGIN + s) ?? undefined;
  return safeHttpUrl(s) ?? undefined;
}

/**
 * A user object from Hugging Face's JSON (any of its shapes: `name` or only `user`, `_id` or
 * `id`), or null when it has no usable handle.
 */
export function hfUser(raw: unknown, fallback?: unknown): HfUser | null {
  const merged = { ...(isObject(fallback) ? fallback : {}), ...(isObject(raw) ? raw : {}) } as Record<string, unknown>;
  const handle = isHfHandle(merged.name) ? merged.name : isHfHandle(merged.user) ? merged.user : null;
  if (!handle) return null;
  const out: HfUser = {
    _id: objectId(merged._id) ?? objectId(merged.id),
    name: handle,
    fullname: text(merged.fullname, 200) ?? handle,
    avatarUrl: hfImageUrl(merged.avatarUrl),
    type: typeof merged.type === 'string' && /^[a-z]{1,20}$/.test(merged.type) ? merged.type : 'user',
    isPro: merged.isPro === true,
    isHf: flag(merged.isHf),
    isHfAdmin: flag(merged.isHfAdmin),
    isMod: flag(merged.isMod),
    followerCount: typeof merged.followerCount === 'number' && Number.isSafeInteger(merged.followerCount) && merged.followerCount >= 0 ? merged.followerCount : undefined,
    user: handle,
  };
  return dropUndefined(out);
}

export function hfOrganization(raw: unknown): HfOrganization | null {
  if (!isObject(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (!isHfHandle(o.name)) return null;
  return dropUndefined({ _id: objectId(o._id), name: o.name, fullname: text(o.fullname, 200) ?? o.name, avatar: hfImageUrl(o.avatar) });
}

/** The authors' ids and claimed users, for the authors that have either. */
export function hfAuthorLinks(raw: unknown): HfAuthorLink[] {
  if (!Array.isArray(raw)) return [];
  const out: HfAuthorLink[] = [];
  for (const a of raw.slice(0, 5000)) {
    if (!isObject(a) || (a as any).hidden) continue;
    const name = text((a as any).name, 500);
    if (!name) continue;
    const link = dropUndefined({ name, _id: objectId((a as any)._id), user: hfUser((a as any).user) ?? undefined });
    if (link._id || link.user) out.push(link);
  }
  return out;
}

/** Parse stored JSON back through the same checks (values written by an older or other path stay safe). */
export function storedHfUser(json: string | null | undefined): HfUser | null {
  return hfUser(parse(json));
}

export function storedHfOrganization(json: string | null | undefined): HfOrganization | null {
  return hfOrganization(parse(json));
}

export function storedHfAuthorLinks(json: string | null | undefined): HfAuthorLink[] {
  return hfAuthorLinks(parse(json));
}

/** A discussion id as Hugging Face writes them, else null. */
export function hfDiscussionId(v: unknown): string | null {
  return objectId(v) ?? null;
}

function parse(json: string | null | undefined): unknown {
  if (!json) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is object {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
