/**
 * The only reader of process.env. Every setting is parsed and validated with zod once,
 * at start-up; a bad setting stops start-up with a message listing every bad variable.
 * The result is frozen and passed explicitly to whoever needs it (architecture.md).
 */
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((s) => s.split(/[,\s]+/).filter(Boolean));

/** Environment variable → schema. The README's configuration table mirrors this list. */
const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:|file:)/, 'must start with postgres://, sqlite: or file:')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_DATA: bool.default('true'),
  SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).default('Papertide <papertide@localhost>'),
  DIGEST_RATE_PER_SECOND: z.coerce.number().positive().max(1000).default(5),
  DIGEST_BOUNCE_LIMIT: int(1, 100).default(3),
  DIGEST_AT_UTC: z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM').default('07:00'),
  MAIL_LOCK_SECONDS: int(1, 3600).default(60),
  MAIL_MAX_ATTEMPTS: int(1, 50).default(8),
  ARXIV_CONTACT: z.string().email('must be an email address').default('admin@localhost.localdomain'),
  ARXIV_MIN_INTERVAL_MS: int(0, 3_600_000).default(3000),
  ARXIV_API_URL: z.string().url().default('https://export.arxiv.org/api/query'),
  ARXIV_OAI_URL: z.string().url().default('https://oaipmh.arxiv.org/oai'),
  ARXIV_RSS_URL: z.string().url().default('https://rss.arxiv.org/rss'),
  INGEST_CATEGORIES: list.default('cs.LG,cs.CL,cs.CV,cs.AI'),
  INGEST_SCHEDULE: z.enum(['off', 'daily']).default('daily'),
  // arXiv rebuilds its RSS feeds at midnight US Eastern (05:00 UTC); read them after that.
  INGEST_AT_UTC: z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM').default('05:30'),
  GITHUB_TOKEN: z.string().optional(),
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  SUBMIT_MAX_AGE_DAYS: int(1, 3650).default(14),
  SUBMIT_PER_USER_PER_DAY: int(1, 1000).default(5),
  SUBMIT_ARXIV_TIMEOUT_MS: int(100, 600_000).default(20_000), // how long /submit waits for arXiv before answering
  EMBEDDINGS_URL: z.string().url().optional(),
  EMBEDDINGS_MODEL: z.string().optional(),
  EMBEDDINGS_API_KEY: z.string().optional(),
  EMBEDDINGS_TIMEOUT_MS: int(10, 120_000).default(2000),
  EMBEDDINGS_DIM: int(1, 65536).optional(), // learned from the index or one probe request when unset
  EMBEDDER: z.enum(['builtin', 'openai', 'transformers']).default('builtin'),
  TRANSFORMERS_MODEL: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  // Search's own budget per client IP, and how many searches run at once (0 turns either off).
  SEARCH_RATE_PER_MINUTE: int(0, 1_000_000).default(120),
  SEARCH_CONCURRENCY: int(0, 64).default(2),
  SEARCH_QUEUE: int(0, 10_000).default(32),
  // Answer searches in a worker thread at a lower priority (a second copy of the index); off by
  // default: on a quiet box the server's own loop is faster (docs/design.md, "search thread").
  SEARCH_THREAD: bool.default('false'),
  TRUST_PROXY: bool.default('false'),
  // Server processes `papertide serve` runs on one port (`auto`: one per core).
  WORKERS: z.string().regex(/^(auto|[1-9]\d{0,2})$/, 'must be a number from 1 to 999 or auto').default('1'),
  // Rate limits are counted in the store unless a Redis server is given (needs the ioredis package).
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Every environment variable Papertide reads (the README's configuration table lists each). */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

export interface Config extends Readonly<Env> {
  readonly dataDir: string; // absolute
  readonly databaseUrl: string; // sqlite:/abs/path.db or postgres://...
  readonly dialect: 'sqlite' | 'postgres';
  readonly baseUrl: string;
  readonly secret: string;
  readonly secretIsGenerated: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment (defaults to process.env). Throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Env> = {}): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(input[String(i.path[0])])})`));
  }
  const e = { ...parsed.data, ...overrides };
  const problems = embedderProblems(e);
  if (problems.length) throw new ConfigError(problems);
  const dataDir = path.resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL
    ? e.DATABASE_URL.startsWith('sqlite:') || e.DATABASE_URL.startsWith('file:')
      ? `sqlite:${path.resolve(e.DATABASE_URL.replace(/^(sqlite|file):(\/\/)?/, ''))}`
      : e.DATABASE_URL
    : `sqlite:${path.join(dataDir, 'papertide.db')}`;
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const config: Config = {
    ...e,
    dataDir,
    databaseUrl,
    dialect: databaseUrl.startsWith('postgres') ? 'postgres' : 'sqlite',
    baseUrl: (e.BASE_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
    // Without SECRET a per-data-dir secret is generated and kept in the store (see app.ts).
    secret: e.SECRET ?? '',
    secretIsGenerated: !e.SECRET,
  };
  return Object.freeze(config);
}

/**
 * The config once the server knows its port: with PORT=0 the OS picks one when the server
 * listens, and the base URL (links in emails, feeds, the OpenAPI document) must name it.
 */
export function withPort(config: Config, port: number): Config {
  if (config.PORT === port) return config;
  const baseUrl = config.BASE_URL ? config.baseUrl : config.baseUrl.replace(/:\d+$/, `:${port}`);
  return Object.freeze({ ...config, PORT: port, baseUrl });
}

/** Settings that only make sense together (the embedder's). */
function embedderProblems(e: Env): string[] {
  const out: string[] = [];
  if (e.EMBEDDER === 'openai') {
    if (!e.EMBEDDINGS_URL) out.push('EMBEDDINGS_URL: required when EMBEDDER=openai (e.g. http://127.0.0.1:11434 for Ollama)');
    if (!e.EMBEDDINGS_MODEL) out.push('EMBEDDINGS_MODEL: required when EMBEDDER=openai (e.g. nomic-embed-text)');
  } else if (e.EMBEDDINGS_URL) {
    out.push(`EMBEDDINGS_URL: set, but EMBEDDER is ${e.EMBEDDER}; set EMBEDDER=openai to use the endpoint, or unset EMBEDDINGS_URL`);
  }
  if (e.EMBEDDER === 'transformers' && !e.TRANSFORMERS_MODEL) out.push('TRANSFORMERS_MODEL: required when EMBEDDER=transformers (a local model folder or a hub id)');
  return out;
}

/** For tests: a config with a temp data dir and no side effects. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', DEMO_DATA: 'false', SECRET: 'test-secret-test-secret', INGEST_SCHEDULE: 'off', SEARCH_THREAD: 'false', ...overrides });
}
