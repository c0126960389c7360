/**
 * Typed ingest errors. `code` is stable (logs, CLI exit codes, tests); `message` is what a
 * person reads: it names the URL or the page and what was wrong, never a stack trace.
 */
import type { ErrorCode, TabledError } from '../domain/errors.js';

export type IngestErrorCode =
  | 'network' // connection refused, DNS, reset, time-out (after retries)
  | 'http' // non-2xx status (after retries for 5xx/429)
  | 'too_large' // body over the configured limit
  | 'not_xml' // a 200 whose body is HTML or something else
  | 'bad_xml' // truncated or malformed XML
  | 'arxiv_error' // arXiv's own error feed / OAI-PMH <error>
  | 'bad_resumption_token' // OAI-PMH badResumptionToken: expired or unknown
  | 'not_found' // id_list for an id arXiv does not know
  | 'bad_input'; // an id/URL the user gave that is not an arXiv id

/** Each ingest code's row of the app's error table (domain/errors.ts): HTTP status, CLI exit code. */
const APP_CODE: Record<IngestErrorCode, ErrorCode> = {
  network: 'unavailable',
  http: 'unavailable',
  too_large: 'unavailable',
  not_xml: 'unavailable',
  bad_xml: 'unavailable',
  arxiv_error: 'bad_request',
  bad_resumption_token: 'unavailable',
  not_found: 'not_found',
  bad_input: 'bad_request',
};

export class IngestError extends Error implements TabledError {
  constructor(
    public readonly code: IngestErrorCode,
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'IngestError';
  }
  get appCode(): ErrorCode {
    return APP_CODE[this.code];
  }
}

/** A record that was skipped, with why: logged, counted, never fatal for the page. */
export interface SkippedRecord {
  id: string | null;
  reason: string;
}
