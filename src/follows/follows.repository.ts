/** SQL of follows (authors, arXiv categories, saved searches) and the papers they match. */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PaperRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

type Db = Kysely<Database> | Transaction<Database>;
export type FollowKind = 'author' | 'category' | 'query';

export interface FollowRow {
  id: number;
  kind: FollowKind;
  value: string;
  label: string;
  created_at: string;
}

/** Add a follow; the existing one's id when the user already follows it. */
export async function insertFollow(db: Db, userId: number, f: { kind: FollowKind; value: string; label: string; now: string }): Promise<number> {
  await db
    .insertInto('follows')
    .values({ user_id: userId, kind: f.kind, value: f.value, label: f.label, created_at: f.now })
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'value']).doNothing())
    .execute();
  const r = await db.selectFrom('follows').select('id').where('user_id', '=', userId).where('kind', '=', f.kind).where('value', '=', f.value).executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function deleteFollow(db: Db, userId: number, f: { kind: FollowKind; value: string }): Promise<boolean> {
  const r = await db.deleteFrom('follows').where('user_id', '=', userId).where('kind', '=', f.kind).where('value', '=', f.value).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listFollows(db: Db, userId: number): Promise<FollowRow[]> {
  const rows = await db.selectFrom('follows').select(['id', 'kind', 'value', 'label', 'created_at']).where('user_id', '=', userId).orderBy('kind').orderBy('label').orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** listFollows for many users in one query per 500 users: user → follows (same order; users without follows are absent). */
export async function listFollowsMany(db: Db, userIds: number[]): Promise<Map<number, FollowRow[]>> {
  const out = new Map<number, FollowRow[]>();
  const ids = [...new Set(userIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('follows')
      .select(['user_id', 'id', 'kind', 'value', 'label', 'created_at'])
      .where('user_id', 'in', ids.slice(i, i + 500))
      .orderBy('user_id')
      .orderBy('kind')
      .orderBy('label')
      .orderBy('id')
      .execute();
    for (const { user_id, ...r } of rows) {
      const u = Number(user_id);
      const list = out.get(u);
      const f = { ...r, id: Number(r.id) };
      if (list) list.push(f);
      else out.set(u, [f]);
    }
  }
  return out;
}

export async function countFollows(db: Db, userId: number): Promise<number> {
  const r = await db.selectFrom('follows').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function hasFollow(db: Db, userId: number, kind: FollowKind, value: string): Promise<boolean> {
  return !!(await db.selectFrom('follows').select('id').where('user_id', '=', userId).where('kind', '=', kind).where('value', '=', value).executeTakeFirst());
}

/** Newest visible papers by any of these authors (name keys), with the key that matched. */
export async function newestByAuthors(db: Db, keys: string[], limit: number): Promise<{ paper: Paper; key: string }[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('paper_authors as a')
    .innerJoin('papers as p', 'p.id', 'a.paper_id')
    .selectAll('p')
    .select('a.name_key as matched_key')
    .where('a.name_key', 'in', keys)
    .where('p.hidden', '=', 0)
    .where('p.withdrawn', '=', 0)
    .orderBy('p.published_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit * 2)
    .execute();
  return rows.map(({ matched_key, ...paper }) => ({ paper: toPaper(paper as PaperRow), key: matched_key }));
}

/** Newest visible papers in any of these categories, with the category that matched. */
export async function newestInCategories(db: Db, categories: string[], limit: number): Promise<{ paper: Paper; key: string }[]> {
  if (categories.length === 0) return [];
  const rows = await db
    .selectFrom('paper_categories as c')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .selectAll('p')
    .select('c.category as matched_key')
    .where('c.category', 'in', categories)
    .where('p.hidden', '=', 0)
    .where('p.withdrawn', '=', 0)
    .orderBy('p.published_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit * 2)
    .execute();
  return rows.map(({ matched_key, ...paper }) => ({ paper: toPaper(paper as PaperRow), key: matched_key }));
}
