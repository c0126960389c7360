/**
 * The one store seam (architecture.md rule 1): SQLite through better-sqlite3 by default,
 * PostgreSQL through pg when DATABASE_URL=postgres://…. Everything above this file talks
 * to `Kysely<Database>` and branches on `caps`, never on a dialect's name.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider, migrationNames } from './migrations/index.js';

export type { Database } from './schema.js';

export interface StoreCaps {
  /** The store is one process-local file: writes are serialised, no network round trips. */
  embedded: boolean;
  /** Case-insensitive LIKE operator for this store. */
  ilike: 'like' | 'ilike';
  /** Max bind parameters per statement we allow ourselves (batching). */
  maxParams: number;
}

export interface Store {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  caps: StoreCaps;
  /** Where the data lives, for messages (never includes a password). */
  location: string;
  /** The raw better-sqlite3 handle on the embedded store (null on PostgreSQL). */
  sqlite: SQLite.Database | null;
  /**
   * PostgreSQL only: call `onNotify` for every NOTIFY on `channel` (delivered at commit), over a
   * connection of its own. Resolves to a function that stops listening.
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// PostgreSQL returns int8 (COUNT, SUM) and numeric as strings; our values fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function openStore(opts: { databaseUrl: string }): Store {
  const url = opts.databaseUrl;
  if (url.startsWith('postgres')) {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(url);
    return {
      db,
      dialect: 'postgres',
      caps: { embedded: false, ilike: 'ilike', maxParams: 30000 },
      location: `postgres://${u.host}${u.pathname}`,
      sqlite: null,
      async listen(channel, onNotify) {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
        client.on('error', () => {}); // a lost listener leaves the poll, which still follows
        client.on('notification', (m) => m.channel === channel && onNotify());
        await client.connect();
        // The listener alone must not keep a process alive (a script that forgets close()).
        (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
        await client.query(`listen ${pg.escapeIdentifier(channel)}`);
        return async () => {
          await client.end().catch(() => {});
        };
      },
      close: () => db.destroy(),
    };
  }
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') privateDbFile(file);
  const handle = new SQLite(file);
  handle.pragma('journal_mode = WAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('cache_size = -65536'); // 64 MiB page cache
  // Checkpoint the WAL every ~40 MB instead of every 4 MB (SQLite's default 1,000 pages): a bulk
  // harvest commits one OAI page (1,000 papers, a few thousand index pages) at a time, and with
  // the default nearly every commit paid a checkpoint. bench:ingest, quiet machine, same run:
  // 11.0 s → 9.9 s for 73,776 papers. The WAL file is cut back to 64 MiB after a checkpoint.
  handle.pragma('wal_autocheckpoint = 10000');
  handle.pragma('journal_size_limit = 67108864');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  sqliteHandles.set(db, handle);
  return {
    db,
    dialect: 'sqlite',
    caps: { embedded: true, ilike: 'like', maxParams: 30000 },
    location: file,
    sqlite: handle,
    close: () => db.destroy(),
  };
}

const sqliteHandles = new WeakMap<Kysely<Database>, SQLite.Database>();

/**
 * The connection as Kysely sees it, with its prepared statements kept by SQL text (the most
 * recently used `max`): Kysely prepares every query it runs, and on a page that runs a few
 * queries the preparing was about as costly as the running. A statement still being iterated
 * (`busy`, a streamed query) is not handed out twice: a fresh one is prepared for that call.
 */
export function withStatementCache(handle: SQLite.Database, max = 500): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql); // most recently used last
        cache.set(sql, hit);
        return hit;
      }
      const stmt = handle.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return stmt;
    },
    close() {
      cache.clear();
      handle.close();
    },
  };
}

/**
 * The raw better-sqlite3 handle behind an embedded store's Kysely instance (null on PostgreSQL,
 * and for a transaction: pass the handle down from where the store is known). For bulk paths
 * that run prepared statements on the same single connection, inside a transaction or a
 * `db.connection()` Kysely holds, so nothing else interleaves.
 */
export function sqliteHandleOf(db: Kysely<Database>): SQLite.Database | null {
  return sqliteHandles.get(db) ?? null;
}

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

/**
 * Migration numbers are handed out to branches developed side by side, so one may be merged
 * after a higher one already ran on a store (007 after 008): a pending lower number is applied
 * rather than refused as "corrupted". Every migration is independent of the numbers after it.
 */
const UNORDERED = true;

/** Apply pending migrations. Safe to call at every start (idempotent). */
export async function migrate(store: Store): Promise<MigrationReport> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider({ dialect: store.dialect }), allowUnorderedMigrations: UNORDERED });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName), pending: [] };
}

/** Which migrations are applied and which are pending, without changing anything. */
export async function migrationStatus(store: Store): Promise<MigrationReport> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider({ dialect: store.dialect }), allowUnorderedMigrations: UNORDERED });
  const list = await migrator.getMigrations();
  return {
    applied: list.filter((m) => m.executedAt).map((m) => m.name),
    pending: list.filter((m) => !m.executedAt).map((m) => m.name),
  };
}

export async function ping(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}

export { migrationNames };

/** Small key/value metadata (secrets generated at first start, index manifests, ...). */
export async function kvGet(db: Kysely<Database>, key: string): Promise<string | null> {
  const row = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}
export async function kvSet(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db
    .insertInto('kv')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
/** Store `value` under `key` unless the key is already there (the first writer wins). */
export async function kvInsertIfAbsent(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db
    .insertInto('kv')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/**
 * The store holds password hashes, session and token hashes and email addresses: only its owner
 * may read it. A new folder is created 0700 and a new database file 0600 (SQLite gives its -wal
 * and -shm files the database file's mode); an existing database file readable by others is
 * tightened to 0600. An existing folder is left as it is: DATA_DIR may be shared on purpose.
 */
function privateDbFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600)); // an empty file is a new SQLite database
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const st = fs.statSync(f);
      if (st.mode & 0o077 && typeof process.getuid === 'function' && st.uid === process.getuid()) fs.chmodSync(f, st.mode & 0o700);
    } catch {
      // absent (-wal/-shm before first write) or not ours: nothing to tighten
    }
  }
}
