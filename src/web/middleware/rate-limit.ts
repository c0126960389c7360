/**
 * Rate limits (per IP and per user) with rate-limiter-flexible. Answers 429 with Retry-After and
 * the IETF `RateLimit-*` headers (draft-ietf-httpapi-ratelimit-headers) on every limited response.
 * Counted once per deployment: in the store (table `rate_limits`, src/rate-limits/) or in Redis
 * when REDIS_URL is set, so every worker and every box on the store shares one budget. A
 * limiter used without a request (no context to find the store) counts in this process only.
 */
import type { MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppContext } from '../../context.js';
import { RateLimiterKysely } from '../../rate-limits/rate-limits.repository.js';
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
  /** Used when no request context says where the deployment keeps its counters. */
  private readonly local: RateLimiterMemory;
  /** One shared limiter per application context (tests run many apps in one process). */
  private readonly shared = new WeakMap<AppContext, Promise<RateLimiterAbstract>>();
  constructor(
    public readonly spec: LimitSpec,
    private readonly opts: { headers?: boolean } = {},
  ) {
    this.local = new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.duration });
  }

  private limiterFor(c?: WebContext): Promise<RateLimiterAbstract> | RateLimiterAbstract {
    const ctx = c?.get('ctx');
    if (!ctx) return this.local;
    let l = this.shared.get(ctx);
    if (!l) {
      l = sharedLimiter(ctx, this.spec);
      this.shared.set(ctx, l);
    }
    return l;
  }

  /** Consume one point for `key`; throws AppError('rate_limited') with retryAfter when over. */
  async consume(key: string, c?: WebContext, points = 1): Promise<void> {
    const headers = c && this.opts.headers !== false;
    try {
      const r = await (await this.limiterFor(c)).consume(key, points);
      if (headers) setHeaders(c, this.spec, r);
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        if (headers) setHeaders(c, this.spec, e);
        throw new AppError('rate_limited', `Too many ${this.spec.name} requests. Try again in ${retryAfter} seconds.`, { retryAfter });
      }
      throw e;
    }
  }

  /**
   * Like consume, but answers instead of throwing: under a flood most calls are refusals, and an
   * AppError captures a stack trace each time (measured: about 2% of a flooded server's CPU).
   */
  async check(key: string, c?: WebContext): Promise<{ ok: true } | { ok: false; retryAfter: number; msBeforeNext: number }> {
    const headers = c && this.opts.headers !== false;
    try {
      const r = await (await this.limiterFor(c)).consume(key, 1);
      if (headers) setHeaders(c, this.spec, r);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      if (headers) setHeaders(c, this.spec, e);
      return { ok: false, retryAfter: Math.max(1, Math.ceil(e.msBeforeNext / 1000)), msBeforeNext: e.msBeforeNext };
    }
  }

  /** Give points back (e.g. a successful login resets its failure counter). */
  async reset(key: string, c?: WebContext): Promise<void> {
    await (await this.limiterFor(c)).delete(key);
  }
}

/**
 * The deployment's counter for one limit: Redis when REDIS_URL is set, else the store. Keys are
 * prefixed with the limit's name, as in memory.
 */
async function sharedLimiter(ctx: AppContext, spec: LimitSpec): Promise<RateLimiterAbstract> {
  // A client over its budget is then refused from this process's memory until its window ends:
  // a flood costs the store no write per request.
  const base = { keyPrefix: spec.name, points: spec.points, duration: spec.duration, inMemoryBlockOnConsumed: spec.points + 1 };
  if (!ctx.config.REDIS_URL) return new RateLimiterKysely({ ...base, db: ctx.store.db });
  let client = redisClients.get(ctx);
  if (!client) {
    client = openRedis(ctx);
    redisClients.set(ctx, client);
  }
  // While Redis cannot answer (down, restarting, a network split) this process counts alone
  // rather than failing every limited request with a 500.
  const insuranceLimiter = new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.duration });
  return new RateLimiterRedis({ ...base, storeClient: await client, insuranceLimiter });
}

/** One Redis connection per application context, closed with it. */
const redisClients = new WeakMap<AppContext, Promise<unknown>>();

async function openRedis(ctx: AppContext): Promise<unknown> {
  // ioredis is an optional dependency: only deployments that set REDIS_URL need it.
  const name = 'ioredis';
  let mod: { default: new (url: string, opts: object) => unknown };
  try {
    mod = await import(name);
  } catch {
    throw new Error('REDIS_URL is set but the ioredis package is not installed: `npm install ioredis`, or unset REDIS_URL to count limits in the store');
  }
  // No offline queue (a command while disconnected fails at once and the insurance limiter
  // counts it), so wait for the first connection: without it the first requests of a fresh
  // process were refused by the client before it had connected.
  const client = new mod.default(ctx.config.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true }) as unknown as {
    connect(): Promise<void>;
    disconnect(): void;
    on(event: 'error', fn: (e: Error) => void): void;
  };
  let warned = false;
  client.on('error', (e) => {
    // ioredis reconnects by itself; say once that limits are per process meanwhile.
    if (!warned) ctx.logger.warn(`Redis (REDIS_URL) is unreachable: ${e.message}; rate limits are counted per process until it is back`);
    warned = true;
  });
  // disconnect, not quit: quit throws while disconnected, and the client would go on reconnecting.
  ctx.disposers.push(() => client.disconnect());
  await client.connect().catch(() => {}); // the error handler said it; ioredis keeps retrying
  return client;
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
