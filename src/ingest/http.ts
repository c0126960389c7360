/**
 * The polite HTTP fetcher all arXiv sources share (https://info.arxiv.org/help/api/tou.html):
 * one request at a time, at least `minIntervalMs` between the end of one request and the start
 * of the next (never below 3 s against arxiv.org, whatever the configuration says), a
 * User-Agent naming Papertide and a contact address, retries with exponential backoff on 5xx,
 * 429, network errors and time-outs, and Retry-After honoured.
 *
 * Clock, sleep and fetch are injected so tests run fast against 127.0.0.1 with a tiny interval.
 */
import { IngestError } from './errors.js';
import { silentLog, type IngestLog } from './log.js';

export const ARXIV_MIN_INTERVAL_FLOOR_MS = 3000;
const ARXIV_HOST = /(^|\.)arxiv\.org$/i;

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  url: string;
}

export interface PoliteFetcherOptions {
  minIntervalMs: number;
  userAgent: string;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: IngestLog;
  /** Retries after the first attempt, for 5xx/429/network/time-out. */
  maxRetries?: number;
  /** First backoff; doubles each retry, capped by maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A Retry-After longer than this is not waited for: the request fails saying so. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Called before every wait (progress: "next request at …"). */
  onWait?: (info: { url: string; untilMs: number; reason: 'interval' | 'retry' }) => void;
  /** Extra request headers (e.g. GitHub's Authorization). */
  headers?: Record<string, string>;
}

export function papertideUserAgent(contact: string, version = '0.1'): string {
  return `Papertide/${version} (self-hosted research-paper hub; mailto:${contact})`;
}

/** Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - nowMs);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Largest body buffer kept between requests. */
const SCRATCH_MAX = 32 * 1024 * 1024;

export class PoliteFetcher {
  private readonly o: Required<Omit<PoliteFetcherOptions, 'onWait' | 'headers'>> & Pick<PoliteFetcherOptions, 'onWait' | 'headers'>;
  private queue: Promise<unknown> = Promise.resolve();
  private lastEndMs = -Infinity;
  private lastIntervalMs = 0;
  /** The body buffer of the last response, reused by the next one (see once()). */
  private scratch: Buffer | null = null;
  /** Requests actually sent (including retries): for progress and tests. */
  requests = 0;

  constructor(opts: PoliteFetcherOptions) {
    this.o = {
      fetch: globalThis.fetch.bind(globalThis),
      now: () => Date.now(),
      sleep: defaultSleep,
      log: silentLog,
      maxRetries: 4,
      backoffMs: 5_000,
      maxBackoffMs: 5 * 60_000,
      maxRetryAfterMs: 15 * 60_000,
      timeoutMs: 60_000,
      maxBodyBytes: 200 * 1024 * 1024,
      ...opts,
    } as typeof this.o;
    if (!Number.isFinite(this.o.minIntervalMs) || this.o.minIntervalMs < 0) throw new Error('minIntervalMs must be a non-negative number');
  }

  /** Progress before every wait (a CLI command's bar); replaces the one given at construction. */
  set onWait(fn: PoliteFetcherOptions['onWait']) {
    this.o.onWait = fn;
  }

  /** The interval that applies to a URL: the configured one, never below 3 s for arxiv.org. */
  intervalFor(url: string): number {
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      /* the request will fail on its own */
    }
    return ARXIV_HOST.test(host) ? Math.max(this.o.minIntervalMs, ARXIV_MIN_INTERVAL_FLOOR_MS) : this.o.minIntervalMs;
  }

  /** Earliest time (ms since epoch, by the injected clock) the next request may start. */
  nextRequestAt(url?: string): number {
    return this.lastEndMs + (url ? this.intervalFor(url) : this.lastIntervalMs);
  }

  /** GET with politeness and retries. Resolves with a 2xx/3xx/4xx response; throws IngestError otherwise. */
  get(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const run = this.queue.then(() => this.getNow(url, headers));
    this.queue = run.catch(() => undefined); // one at a time, whatever the outcome
    return run;
  }

  private async waitTurn(url: string, extraUntil = 0): Promise<void> {
    const until = Math.max(this.nextRequestAt(url), extraUntil);
    const now = this.o.now();
    if (until > now) {
      this.o.onWait?.({ url, untilMs: until, reason: extraUntil > this.nextRequestAt(url) ? 'retry' : 'interval' });
      await this.o.sleep(until - now);
    }
  }

  private async getNow(url: string, headers: Record<string, string>): Promise<HttpResponse> {
    let attempt = 0;
    let retryUntil = 0;
    for (;;) {
      await this.waitTurn(url, retryUntil);
      let outcome: { res?: HttpResponse; error?: IngestError; retryAfterMs?: number | null };
      try {
        const res = await this.once(url, headers);
        if (res.status >= 500 || res.status === 429) {
          outcome = {
            res,
            error: new IngestError('http', `${url}: HTTP ${res.status}${res.status === 503 ? ' (service unavailable)' : res.status === 429 ? ' (too many requests)' : ''}`, { status: res.status }),
            retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.o.now()),
          };
        } else {
          return res;
        }
      } catch (e) {
        if (e instanceof IngestError && e.code !== 'network') throw e;
        outcome = { error: e instanceof IngestError ? e : new IngestError('network', `${url}: ${(e as Error).message}`) };
      }
      if (attempt >= this.o.maxRetries) {
        throw new IngestError(outcome.error!.code, `${outcome.error!.message}; gave up after ${attempt + 1} attempts`, outcome.error!.details);
      }
      const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** attempt);
      const ra = outcome.retryAfterMs ?? null;
      if (ra !== null && ra > this.o.maxRetryAfterMs) {
        throw new IngestError('http', `${outcome.error!.message}; Retry-After ${Math.round(ra / 1000)} s is longer than we wait (${Math.round(this.o.maxRetryAfterMs / 1000)} s)`, outcome.error!.details);
      }
      const waitMs = Math.max(backoff, ra ?? 0);
      attempt++;
      // A server that answered (503, 429) is worth a warning; an unreachable one is reported once, by the caller.
      const level = outcome.res ? 'warn' : 'debug';
      this.o.log[level]({ url, attempt, waitMs, status: outcome.res?.status, retryAfterMs: ra }, `${outcome.error!.message}; retry ${attempt}/${this.o.maxRetries} in ${(waitMs / 1000).toFixed(1)} s`);
      retryUntil = this.o.now() + waitMs;
    }
  }

  private async once(url: string, headers: Record<string, string>): Promise<HttpResponse> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.o.timeoutMs);
    this.requests++;
    this.lastIntervalMs = this.intervalFor(url);
    try {
      const res = await this.o.fetch(url, {
        headers: { 'User-Agent': this.o.userAgent, Accept: 'application/xml, text/xml, application/atom+xml, application/rss+xml, */*;q=0.5', ...this.o.headers, ...headers },
        signal: ctrl.signal,
        redirect: 'follow',
      });
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > this.o.maxBodyBytes) {
        await res.body?.cancel().catch(() => {});
        throw new IngestError('too_large', `${url}: response of ${declared} bytes is over the ${this.o.maxBodyBytes}-byte limit`);
      }
      // Chunks are copied into one reused buffer (requests are one at a time): a bulk harvest
      // reads 2 MB pages, and fresh 2 MB buffers per page cost page faults, not just copying.
      let buf = this.scratch ?? Buffer.allocUnsafeSlow(Math.min(Math.max(declared > 0 ? declared : 0, 64 * 1024), SCRATCH_MAX));
      this.scratch = null;
      let size = 0;
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (size + value.byteLength > this.o.maxBodyBytes) {
            await reader.cancel().catch(() => {});
            throw new IngestError('too_large', `${url}: response is over the ${this.o.maxBodyBytes}-byte limit`);
          }
          if (size + value.byteLength > buf.length) {
            const bigger = Buffer.allocUnsafeSlow(Math.max(2 * buf.length, size + value.byteLength));
            buf.copy(bigger, 0, 0, size);
            buf = bigger;
          }
          buf.set(value, size);
          size += value.byteLength;
        }
      }
      const body = new TextDecoder('utf-8').decode(buf.subarray(0, size));
      if (buf.length <= SCRATCH_MAX) this.scratch = buf;
      return { status: res.status, headers: res.headers, body, url };
    } catch (e) {
      if (e instanceof IngestError) throw e;
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = ctrl.signal.aborted ? `timed out after ${this.o.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new IngestError('network', `${url}: ${why}`);
    } finally {
      clearTimeout(timer);
      this.lastEndMs = this.o.now();
    }
  }
}
