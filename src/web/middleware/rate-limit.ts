/**
 * Rate limits (per IP and per user) with rate-limiter-flexible's in-memory limiter.
 * Answers 429 with Retry-After and the IETF `RateLimit-*` headers (draft-ietf-httpapi-ratelimit-headers)
 * on every limited response. Per-process: good for one box; with several instances behind a load
 * balancer each instance limits separately (documented in docs/design.md).
 */
import type { MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppEnv, WebContext } from '../types.js';
import { AppError } from '../../domain/errors.js';

export interface LimitSpec {
  /** Name, used in keys and messages. */
  name: string;
  /** Allowed requests per window. */
  points: number;
  /** Window length in seconds. */
  duration: number;
}

/** The client's IP: the socket address, or X-Forwarded-For's first hop only when TRUST_PROXY is set. */
export function clientIp(c: WebContext): string {
  if (c.get('ctx')?.config.TRUST_PROXY) {
    const fwd = c.req.header('x-forwarded-for');
    if (fwd) return fwd.split(',')[0].trim();
  }
  const incoming = (c.env as any)?.incoming;
  return incoming?.socket?.remoteAddress ?? '127.0.0.1';
}

export class Limiter {
  private limiter: RateLimiterMemory;
  constructor(public readonly spec: LimitSpec) {
    this.limiter = new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.duration });
  }

  /** Consume one point for `key`; throws AppError('rate_limited') with retryAfter when over. */
  async consume(key: string, c?: WebContext, points = 1): Promise<void> {
    try {
      const r = await this.limiter.consume(key, points);
      if (c) setHeaders(c, this.spec, r);
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        if (c) setHeaders(c, this.spec, e);
        throw new AppError('rate_limited', `Too many ${this.spec.name} requests. Try again in ${retryAfter} seconds.`, { retryAfter });
      }
      throw e;
    }
  }

  /**
   * Like consume, but answers instead of throwing: under a flood most calls are refusals, and an
   * AppError captures a stack trace each time (measured: about 2% of a flooded server's CPU).
   */
  async check(key: string, c?: WebContext): Promise<{ ok: true } | { ok: false; retryAfter: number }> {
    try {
      const r = await this.limiter.consume(key, 1);
      if (c) setHeaders(c, this.spec, r);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      if (c) setHeaders(c, this.spec, e);
      return { ok: false, retryAfter: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
    }
  }

  /** Give points back (e.g. a successful login resets its failure counter). */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/**
 * The policy's name as a structured-field string (RFC 9651 sf-string): the limiter's name in
 * lower case, anything but letters and digits turned into "_" ("API (per user)" → "api_per_user"),
 * so a client matching the name as a word (\w+) reads it.
 */
export function policyName(spec: LimitSpec): string {
  return spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'default';
}

/**
 * The limit's state on every limited response, in two syntaxes:
 * - the current draft (draft-ietf-httpapi-ratelimit-headers, structured fields), as
 *   huggingface.co sends them and its client reads them: `RateLimit: "api";r=0;t=30` (r: requests
 *   left, t: seconds until the window resets) and `RateLimit-Policy: "api";q=100;w=60` (q: quota,
 *   w: window in seconds);
 * - the earlier draft's RateLimit-Limit / -Remaining / -Reset, for clients written against it.
 */
function setHeaders(c: WebContext, spec: LimitSpec, r: RateLimiterRes) {
  const remaining = Math.max(0, r.remainingPoints);
  const reset = Math.max(0, Math.ceil(r.msBeforeNext / 1000));
  const name = policyName(spec);
  c.header('RateLimit', `"${name}";r=${remaining};t=${reset}`);
  c.header('RateLimit-Policy', `"${name}";q=${spec.points};w=${spec.duration}`);
  c.header('RateLimit-Limit', String(spec.points));
  c.header('RateLimit-Remaining', String(remaining));
  c.header('RateLimit-Reset', String(reset));
  if (r.remainingPoints <= 0 && r.consumedPoints > spec.points) c.header('Retry-After', String(Math.max(1, Math.ceil(r.msBeforeNext / 1000))));
}

/** Middleware: limit by client IP (and by signed-in user when there is one). */
export function rateLimit(spec: LimitSpec, opts: { perUser?: LimitSpec } = {}): MiddlewareHandler<AppEnv> {
  const byIp = new Limiter(spec);
  const byUser = opts.perUser ? new Limiter(opts.perUser) : null;
  return async (c, next) => {
    await byIp.consume(clientIp(c), c);
    const user = c.get('user');
    if (byUser && user) await byUser.consume(String(user.id), c);
    await next();
  };
}
