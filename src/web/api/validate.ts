/** Turn zod failures into readable 400s: `{"error": "limit must be at most 100"}`, never a 500. */
import type { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { parseArxivId } from '../../domain/arxiv-id.js';

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

/** Parse `data` with `schema` or throw AppError('bad_request') listing what was wrong. */
export function parseOr400<S extends z.ZodTypeAny>(schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw new AppError('bad_request', formatIssues(r.error));
  return r.data;
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

