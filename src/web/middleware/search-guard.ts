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
  return c.html(`<!doctype html><html lang="en"><meta charset="utf-8"><meta name="robots" content="noindex"><title>Slow down · Papertide</title><link rel="stylesheet" href="/static/style.css"><main class="wrap"><h1>Slow down</h1><p>${message}</p><p><a href="/">Back to today's papers</a></p></main></html>`, 429);
}

export function searchGuard(opts: SearchGuardOptions): MiddlewareHandler<AppEnv> {
  const byIp = opts.perMinute > 0 ? new Limiter({ name: 'search', points: opts.perMinute, duration: 60 }) : null;
  const gate = opts.concurrency > 0 ? new SearchGate(opts.concurrency, opts.queue) : null;
  return async (c, next) => {
    // A full line refuses before the per-IP budget is counted: the budget lives in the store when
    // several processes share it (a write per request), and under a flood spread over many IPs
    // most requests would otherwise each cost a write only to be turned away by the gate.
    if (gate?.full) return refuse(c, `Search is busy right now. Try again in ${RETRY_AFTER_FULL_S} second.`, RETRY_AFTER_FULL_S);
    if (byIp) {
      const r = await byIp.check(clientIp(c), c);
      if (!r.ok) return refuse(c, `Too many search requests. Try again in ${r.retryAfter} seconds.`, r.retryAfter);
    }
    if (!gate) return next();
    const entered = await gate.enter();
    if (!entered) return refuse(c, `Search is busy right now. Try again in ${RETRY_AFTER_FULL_S} second.`, RETRY_AFTER_FULL_S);
    try {
      await next();
    } finally {
      gate.leave();
    }
  };
}
