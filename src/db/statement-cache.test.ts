import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from './index.js';

/** A real in-memory connection whose prepare() calls are counted. */
function counted() {
  const handle = new SQLite(':memory:');
  let prepares = 0;
  const real = handle.prepare.bind(handle);
  (handle as unknown as { prepare: (s: string) => SQLite.Statement }).prepare = (s: string) => {
    prepares++;
    return real(s);
  };
  handle.exec('create table t (x integer)');
  handle.exec('insert into t values (1), (2), (3)');
  return { handle, prepares: () => prepares };
}

test('a query run again reuses its prepared statement', async () => {
  const { handle, prepares } = counted();
  const db = new Kysely<{ t: { x: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  for (let i = 0; i < 5; i++) assert.deepEqual(await db.selectFrom('t').select('x').where('x', '>', 1).execute(), [{ x: 2 }, { x: 3 }]);
  assert.equal(prepares(), 1);
  await db.destroy();
});

test('a streamed query left half-way does not hold its statement: the same query runs next', async () => {
  const { handle, prepares } = counted();
  const db = new Kysely<{ t: { x: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  const q = () => db.selectFrom('t').select('x').orderBy('x');
  for await (const row of q().stream()) {
    assert.equal(row.x, 1);
    break;
  }
  assert.deepEqual((await q().execute()).map((r) => r.x), [1, 2, 3]);
  const seen: number[] = [];
  for await (const row of q().stream()) seen.push(row.x);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(prepares(), 1);
  await db.destroy();
});

test('a statement still being iterated is not handed out again', () => {
  const { handle, prepares } = counted();
  const conn = withStatementCache(handle);
  const it = conn.prepare('select x from t order by x').iterate();
  assert.deepEqual(it.next().value, { x: 1 });
  assert.deepEqual(conn.prepare('select x from t order by x').all(), [{ x: 1 }, { x: 2 }, { x: 3 }]);
  it.return!();
  assert.equal(prepares(), 2);
  conn.close();
});

test('at most `max` statements are kept, the least recently used goes', async () => {
  const { handle, prepares } = counted();
  const db = new Kysely<{ t: { x: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(handle, 3) }) });
  const run = (n: number) => sql`select ${sql.raw(String(n))} as n`.execute(db);
  for (const n of [1, 2, 3]) await run(n);
  await run(1); // 1 is now the most recent; 2 is the oldest
  await run(4); // 2 goes
  assert.equal(prepares(), 4);
  await run(1);
  await run(3);
  assert.equal(prepares(), 4, '1 and 3 still kept');
  await run(2);
  assert.equal(prepares(), 5, '2 was dropped');
  await db.destroy();
});

test('a kept statement follows a schema change (select * sees a new column)', async () => {
  const { handle } = counted();
  const db = new Kysely<{ t: { x: number; y?: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  assert.deepEqual(await db.selectFrom('t').selectAll().where('x', '=', 1).execute(), [{ x: 1 }]);
  await sql`alter table t add column y integer default 7`.execute(db);
  assert.deepEqual(await db.selectFrom('t').selectAll().where('x', '=', 1).execute(), [{ x: 1, y: 7 }]);
  await db.destroy();
});
