/**
 * Typed application errors (architecture.md rule 5). Services throw AppError with a code;
 * one table maps codes to HTTP status and CLI exit codes. Expected user mistakes carry a
 * readable message that is shown as it is.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unavailable'
  | 'config'
  | 'internal';

export const ERROR_TABLE: Record<ErrorCode, { http: number; exit: number }> = {
  bad_request: { http: 400, exit: 2 },
  unauthorized: { http: 401, exit: 3 },
  forbidden: { http: 403, exit: 3 },
  not_found: { http: 404, exit: 4 },
  conflict: { http: 409, exit: 5 },
  rate_limited: { http: 429, exit: 6 },
  payload_too_large: { http: 413, exit: 2 },
  unavailable: { http: 503, exit: 7 },
  config: { http: 500, exit: 78 },
  internal: { http: 500, exit: 1 },
};

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return ERROR_TABLE[this.code].http;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/**
 * Errors of a feature that keep codes of their own (IngestError's `bad_xml`, ...) join the table
 * by naming their row: `appCode`. Their rows:
 *
 * | error                                    | code                         |
 * |------------------------------------------|------------------------------|
 * | IngestError network/http/too_large/not_xml/bad_xml/bad_resumption_token | unavailable |
 * | IngestError arxiv_error, bad_input       | bad_request                  |
 * | IngestError not_found                    | not_found                    |
 * | EmbedderError (endpoint down, bad model) | unavailable                  |
 * | IndexMismatchError, IndexMissingError    | unavailable (`papertide reindex`) |
 */
export interface TabledError extends Error {
  readonly appCode: ErrorCode;
  readonly details?: Record<string, unknown>;
}

const isTabled = (e: unknown): e is TabledError =>
  e instanceof Error && typeof (e as { appCode?: unknown }).appCode === 'string' && Object.hasOwn(ERROR_TABLE, (e as TabledError).appCode);

/** The error as an AppError (its row of the table), or null for an unexpected error. */
export function toAppError(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (!isTabled(e)) return null;
  const out = new AppError(e.appCode, e.message, e.details);
  out.cause = e;
  return out;
}
