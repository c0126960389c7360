/**
 * Search is the one read that costs real CPU (ranking runs on the event loop), so it gets its
 * own door: a per-IP budget separate from every other limit, and a small gate that runs at most
 * `concurrency` searches at a time with a short waiting line. When the line is full the answer
 * is 429 with Retry-After at once, which costs nothing; a search that waits starts from a
 * setImmediate, so the requests that arrived meanwhile (paper pages, /healthz) are served between
 * two searches instead of behind all of them.
 */
import type { IncomingMessage } from 'node:http';
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
  early(req: RawRequest): EarlyAnswer | null;
}

/** What the early answer reads of a Node request. */
export type RawRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'> & { socket: { remoteAddress?: string } };

/**
 * Clients over their search budget and until when (epoch ms): a copy of refusals the limiter
 * has already made (in the store or Redis), so the listener can repeat them without a store
 * round trip or the middleware chain. Bounded: past `max` clients the oldest entry goes.
 */
export class BlockedClients {
  private readonly until = new Map<string, number>();
  constructor(private readonly max = 10_000) {}
  block(ip: string, untilMs: number): void {
    this.until.delete(ip);
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value as string);
    this.until.set(ip, untilMs);
  }
  /** Milliseconds left of the block, or 0. */
  left(ip: string, now: number): number {
    const u = this.until.get(ip);
    if (u === undefined) return 0;
    if (u <= now) {
      this.until.delete(ip);
      return 0;
    }
    return u - now;
  }
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

export function searchGuard(opts: SearchGuardOptions & { https?: boolean; trustProxy?: boolean }): SearchGuard {
  const byIp = opts.perMinute > 0 ? new Limiter({ name: 'search', points: opts.perMinute, duration: 60 }) : null;
  const gate = opts.concurrency > 0 ? new SearchGate(opts.concurrency, opts.queue) : null;
  const blocked = byIp ? new BlockedClients() : null;
  const https = !!opts.https;
  const html: EarlyAnswer = { status: 429, headers: earlyHeaders('text/html; charset=UTF-8', https), body: busyPage(BUSY) };
  const json: EarlyAnswer = { status: 429, headers: earlyHeaders('application/json', https), body: JSON.stringify({ error: BUSY }) };
  // The client's IP as clientIp() (rate-limit.ts) reads it.
  const ipOf = (req: RawRequest): string => {
    const fwd = opts.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    if (typeof fwd === 'string' && fwd) return fwd.split(',')[0].trim();
    return req.socket.remoteAddress ?? '127.0.0.1';
  };
  const early = (req: RawRequest): EarlyAnswer | null => {
    if ((!gate?.full && !blocked) || (req.method !== 'GET' && req.method !== 'HEAD') || !req.url) return null;
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (!SEARCH_PATHS.includes(path)) return null;
    const api = path.startsWith('/api/');
    if (gate?.full) return api ? json : html;
    const ms = blocked!.left(ipOf(req), Date.now());
    if (!ms) return null;
    // Over budget: the limiter's own refusal, repeated (message and headers as the middleware's).
    const s = Math.max(1, Math.ceil(ms / 1000));
    const message = `Too many search requests. Try again in ${s} seconds.`;
    const headers = {
      ...earlyHeaders(api ? 'application/json' : 'text/html; charset=UTF-8', https),
      'Retry-After': String(s),
      RateLimit: `"search";r=0;t=${s}`,
      'RateLimit-Policy': `"search";q=${opts.perMinute};w=60`,
      'RateLimit-Limit': String(opts.perMinute),
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(s),
    };
    return { status: 429, headers, body: api ? JSON.stringify({ error: message }) : busyPage(message) };
  };
  return { middleware: middleware(byIp, gate, blocked), gate, early };
}

function middleware(byIp: Limiter | null, gate: SearchGate | null, blocked: BlockedClients | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A full line refuses before the per-IP budget is counted: the budget lives in the store when
    // several processes share it (a write per request), and under a flood spread over many IPs
    // most requests would otherwise each cost a write only to be turned away by the gate.
    if (gate?.full) return refuse(c, BUSY, RETRY_AFTER_FULL_S);
    if (byIp) {
      const ip = clientIp(c);
      const r = await byIp.check(ip, c);
      if (!r.ok) blocked?.block(ip, Date.now() + r.msBeforeNext);
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
