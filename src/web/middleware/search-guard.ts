/**
 * Search is the one read that costs real CPU (ranking runs on the event loop), so it gets its
 * own door: a per-IP budget separate from every other limit, and a small gate that runs at most
 * `concurrency` searches at a time with a short waiting line. When the line is full the answer
 * is 429 with Retry-After at once, which costs nothing; a search that waits starts from a
 * setImmediate, so the requests that arrived meanwhile (paper pages, /healthz) are served between
 * two searches instead of behind all of them.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, WebContext } from '../types.js';
import { Limiter, clientIp } from './rate-limit.js';

export interface SearchGuardOptions {
  /** Searches per minute per client IP; 0: no per-IP limit. */
  perMinute: number;
  /** Searches running at once; 0: no gate. */
  concurrency: number;
  /** Searches waiting for a slot; past it, 429. */
  queue: number;
}

/**
 * A counting semaphore that also starts at most one search per turn of the event loop. Ranking
 * mostly runs without giving the loop back (the embedded store answers synchronously), so a
 * plain semaphore would let every search that arrived in one poll phase run back to back; here
 * the others wait for a later turn (FIFO), and the I/O that arrived meanwhile goes first.
 */
export class SearchGate {
  private active = 0;
  private startedThisTurn = 0;
  private ticking = false;
  private readonly waiting: (() => void)[] = [];
  constructor(
    readonly concurrency: number,
    readonly queueMax: number,
  ) {}

  get running(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }

  /** The line is full: `enter()` would refuse now. */
  get full(): boolean {
    return this.waiting.length >= this.queueMax;
  }

  /** true when a slot is held (at once or after waiting); false, at once, when the line is full. */
  enter(): Promise<boolean> | boolean {
    if (this.waiting.length === 0 && this.active < this.concurrency && this.startedThisTurn === 0) {
      this.start();
      return true;
    }
    if (this.waiting.length >= this.queueMax) return false;
    const p = new Promise<boolean>((resolve) => this.waiting.push(() => resolve(true)));
    this.tick();
    return p;
  }

  leave(): void {
    this.active--;
    if (this.waiting.length) this.tick();
  }

  private start() {
    this.active++;
    this.startedThisTurn++;
    this.tick();
  }

  private tick() {
    if (this.ticking) return;
    this.ticking = true;
    setImmediate(() => {
      this.ticking = false;
      this.startedThisTurn = 0;
      if (this.waiting.length && this.active < this.concurrency) {
        const next = this.waiting.shift()!;
        this.start();
        next();
      }
    });
  }
}

const RETRY_AFTER_FULL_S = 1;

/**
 * The refusal, kept cheap on purpose: under a flood most answers are refusals, and rendering the
 * full page frame for each would spend the CPU the gate is there to save. JSON for the API.
 */
function refuse(c: WebContext, message: string, retryAfter: number): Response {
  c.header('Retry-After', String(retryAfter));
  if (c.req.path.startsWith('/api/')) return c.json({ error: message }, 429);
  return c.html(busyPage(message), 429);
}

/** The refusal page: plain HTML, the site's stylesheet, a way back. `message` is our own text. */
function busyPage(message: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="robots" content="noindex"><title>Slow down · Papertide</title><link rel="stylesheet" href="/static/style.css"><main class="wrap"><h1>Slow down</h1><p>${message}</p><p><a href="/">Back to today's papers</a></p></main></html>`;
}

/** The three doors of search; the guard is mounted on each. */
export const SEARCH_PATHS: readonly string[] = ['/search', '/search/suggest', '/api/papers/search'];

/** An answer written straight to the socket, before the request reaches the Hono app. */
export interface EarlyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SearchGuard {
  middleware: MiddlewareHandler<AppEnv>;
  /** The gate, or null when SEARCH_CONCURRENCY=0. */
  gate: SearchGate | null;
  /**
   * The full-line refusal for a raw request, or null to let the app handle it. Under a flood
   * most search requests are turned away; answering them here skips building a Request, the
   * middleware chain (CSP nonce, session lookup, input checks) and the router, which leaves more
   * of the one event loop to the pages being read meanwhile (src/web/server.ts).
   */
  early(method: string | undefined, url: string | undefined): EarlyAnswer | null;
}

const BUSY = `Search is busy right now. Try again in ${RETRY_AFTER_FULL_S} second.`;

/** Headers of the early refusal: the fixed part of the app's security headers (no script, no nonce). */
function earlyHeaders(type: string, https: boolean): Record<string, string> {
  return {
    'Content-Type': type,
    'Retry-After': String(RETRY_AFTER_FULL_S),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function searchGuard(opts: SearchGuardOptions & { https?: boolean }): SearchGuard {
  const byIp = opts.perMinute > 0 ? new Limiter({ name: 'search', points: opts.perMinute, duration: 60 }) : null;
  const gate = opts.concurrency > 0 ? new SearchGate(opts.concurrency, opts.queue) : null;
  const html: EarlyAnswer = { status: 429, headers: earlyHeaders('text/html; charset=UTF-8', !!opts.https), body: busyPage(BUSY) };
  const json: EarlyAnswer = { status: 429, headers: earlyHeaders('application/json', !!opts.https), body: JSON.stringify({ error: BUSY }) };
  const early = (method: string | undefined, url: string | undefined): EarlyAnswer | null => {
    if (!gate?.full || (method !== 'GET' && method !== 'HEAD') || !url) return null;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (!SEARCH_PATHS.includes(path)) return null;
    return path.startsWith('/api/') ? json : html;
  };
  return { middleware: middleware(byIp, gate), gate, early };
}

function middleware(byIp: Limiter | null, gate: SearchGate | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A full line refuses before the per-IP budget is counted: the budget lives in the store when
    // several processes share it (a write per request), and under a flood spread over many IPs
    // most requests would otherwise each cost a write only to be turned away by the gate.
    if (gate?.full) return refuse(c, BUSY, RETRY_AFTER_FULL_S);
    if (byIp) {
      const r = await byIp.check(clientIp(c), c);
      if (!r.ok) return refuse(c, `Too many search requests. Try again in ${r.retryAfter} seconds.`, r.retryAfter);
    }
    if (!gate) return next();
    const entered = await gate.enter();
    if (!entered) return refuse(c, BUSY, RETRY_AFTER_FULL_S);
    try {
      await next();
    } finally {
      gate.leave();
    }
  };
}
