/**
 * The one way a request is validated in src/web: zod schemas behind `hono/validator`.
 *
 *   app.get('/x', query(XQuery), (c) => { const q = c.req.valid('query'); ... })
 *   app.post('/y', form(YForm, (c, message, fields) => reRenderTheForm(...)), (c) => c.req.valid('form'))
 *
 * A mistake is a 400 with a readable sentence: `{"error": …}` or the error page (web/errors.tsx),
 * or, for a form given `onInvalid`, the form again with its message. Values read inside a
 * handler (a path's rest, a JSON body after the caller is authorised) go through `parse`.
 */
import type { Context } from 'hono';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { AppEnv, WebContext } from './types.js';
import { AppError } from '../domain/errors.js';
import { parseArxivId } from '../domain/arxiv-id.js';
import { checkEmailAddress } from '../domain/email-address.js';

/** Every zod issue as one readable line: `limit must be at most 100; sort must be one of …`. */
export function formatIssues(error: z.ZodError): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const i of error.issues) {
    const field = i.path.join('.');
    let msg = i.message;
    if (i.code === 'invalid_enum_value') msg = `${field} must be one of ${i.options.map((o) => JSON.stringify(o)).join(', ')}`;
    else if (i.code === 'invalid_type' && i.received === 'undefined') msg = /required/.test(msg) ? msg : `${field} is required`;
    else if (i.code === 'invalid_type') msg = `${field} must be a ${i.expected}`;
    else if (field && !msg.startsWith(field)) msg = `${field}: ${msg}`;
    if (!seen.has(msg)) {
      seen.add(msg);
      parts.push(msg);
    }
  }
  return parts.join('; ') || 'The request is not valid.';
}

/** The first issue as a sentence (forms, whose schemas carry their own messages). */
export function firstIssue(e: z.ZodError): string {
  return e.issues[0]?.message ?? 'Check the form and try again.';
}

/** Parse `data` with `schema` or throw AppError('bad_request') listing what was wrong. */
export function parse<S extends z.ZodTypeAny>(schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw new AppError('bad_request', formatIssues(r.error));
  return r.data;
}

/** `?x=a&x=b` keeps the first value; unknown parameters are ignored (as Hugging Face does). */
function firstValues(value: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

/** Query parameters (first value of each) through `schema`; a mistake is a 400 listing every issue. */
export function query<S extends z.ZodTypeAny>(schema: S, onInvalid?: (c: WebContext, message: string, raw: Record<string, string>) => Response | Promise<Response>) {
  return validator('query', async (value, c: Context<AppEnv>) => {
    const raw = firstValues(value as Record<string, string | string[]>);
    const r = schema.safeParse(raw);
    if (r.success) return r.data as z.output<S>;
    if (onInvalid) return onInvalid(c, formatIssues(r.error), raw);
    throw new AppError('bad_request', formatIssues(r.error));
  });
}

/**
 * Form fields as strings, from a urlencoded or multipart body, or a JSON object (scripts post
 * JSON to the same forms). Files are ignored; a repeated field keeps its last value.
 */
export async function formFields(c: WebContext): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) {
    const j = await c.req.json().catch(() => ({}));
    return Object.fromEntries(Object.entries(j ?? {}).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]));
  }
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A form through `schema`. With `onInvalid` a mistake re-renders the form (the first issue's
 * message, the fields as sent); without, it is a 400 error page. The handler reads
 * `c.req.valid('form')`; `fieldsOf(c)` gives the raw fields (to refill a form after a service
 * refused it).
 */
export function form<S extends z.ZodTypeAny>(schema: S, onInvalid?: (c: WebContext, message: string, fields: Record<string, string>, error: z.ZodError) => Response | Promise<Response>) {
  return validator('form', async (_value, c: Context<AppEnv>) => {
    const fields = await fieldsOf(c);
    const r = schema.safeParse(fields);
    if (r.success) return r.data as z.output<S>;
    if (onInvalid) return onInvalid(c, firstIssue(r.error), fields, r.error);
    throw new AppError('bad_request', firstIssue(r.error));
  });
}

/** Like `form`, for forms with repeated fields (checkboxes): each is a string or a list of them. */
export function multiForm<S extends z.ZodTypeAny>(schema: S, onInvalid?: (c: WebContext, message: string, fields: MultiFields, error: z.ZodError) => Response | Promise<Response>) {
  return validator('form', async (_value, c: Context<AppEnv>) => {
    const fields = await multiFieldsOf(c);
    const r = schema.safeParse(fields);
    if (r.success) return r.data as z.output<S>;
    if (onInvalid) return onInvalid(c, firstIssue(r.error), fields, r.error);
    throw new AppError('bad_request', firstIssue(r.error));
  });
}

const FIELDS = Symbol('form fields');
/** The request's form fields as strings (read once per request). */
export function fieldsOf(c: WebContext): Promise<Record<string, string>> {
  const req = c.req as unknown as { [FIELDS]?: Promise<Record<string, string>> };
  return (req[FIELDS] ??= formFields(c));
}

export type MultiFields = Record<string, string | string[] | undefined>;

/** Form fields with repeated ones kept as lists (files dropped). */
export async function multiFieldsOf(c: WebContext): Promise<MultiFields> {
  const body = await c.req.parseBody({ all: true }).catch(() => ({}) as Record<string, unknown>);
  const out: MultiFields = {};
  for (const [k, v] of Object.entries(body)) out[k] = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? v : undefined;
  return out;
}

/** The first value of a field that may repeat. */
export const firstOf = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** A JSON request body; anything else is a 400 saying what to send. */
export async function jsonBody(c: WebContext): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new AppError('bad_request', 'Send a JSON body with Content-Type: application/json.');
  try {
    return await c.req.json();
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  }
}

/**
 * A path id. A malformed one is a 404 like an unknown one (the caller checks those): Hugging
 * Face answers 404 for any id it does not have, and its client relies on that.
 */
export function pathArxivId(raw: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    s = raw;
  }
  const parsed = parseArxivId(s);
  if (!parsed) throw new AppError('not_found', `No paper with arXiv id “${s.slice(0, 80)}” here (arXiv ids look like 2401.12345 or hep-th/9901001).`);
  return parsed.id;
}

/** An email address field: the one check (domain/email-address.ts), its reason as the message; the value normalised. */
export const emailField = z.string().transform((s, ctx) => {
  const r = checkEmailAddress(s);
  if (r.ok) return r.email;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.reason });
  return z.NEVER;
});
