/** SQL for trending: the inputs of the formula, the stored key, and the windowed ranking. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, PaperRow } from '../db/schema.js';
import type { Paper } from '../domain/paper.js';
import { toPaper } from '../papers/paper-row.js';

/** A paper in a trending list, with when it entered trending (null: never scored). */
export interface TrendingRow {
  paper: Paper;
  since: string | null;
}

const trendingRow = (r: PaperRow): TrendingRow => ({ paper: toPaper(r), since: r.trending_since });

type Db = Kysely<Database> | Transaction<Database>;

export interface TrendingInputRow {
  id: string;
  upvotes: number;
  num_comments: number;
  published_at: string | null;
  created_at: string;
  first_featured_at: string | null;
}

export async function trendingInputs(db: Db, ids: string[]): Promise<TrendingInputRow[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('papers as p')
    .select(['p.id', 'p.upvotes', 'p.num_comments', 'p.published_at', 'p.created_at'])
    .select((eb) => eb.selectFrom('daily_entries as d').select((e) => e.fn.min('d.submitted_at').as('m')).whereRef('d.paper_id', '=', 'p.id').as('first_featured_at'))
    .where('p.id', 'in', ids)
    .execute();
  return rows.map((r) => ({ ...r, upvotes: Number(r.upvotes), num_comments: Number(r.num_comments), first_featured_at: (r.first_featured_at as string | null) ?? null }));
}

/** Snapshots of the given papers observed in [from, to]. */
export async function starSnapshots(db: Db, ids: string[], from: string, to: string) {
  if (!ids.length) return [];
  return db.selectFrom('star_snapshots').select(['paper_id', 'observed_at', 'stars']).where('paper_id', 'in', ids).where('observed_at', '>=', from).where('observed_at', '<=', to).orderBy('observed_at').execute();
}

export async function storeTrending(db: Db, id: string, key: number, since: string, now: string): Promise<void> {
  await db.updateTable('papers').set({ trending_score: key, trending_since: since, trending_at: now }).where('id', '=', id).execute();
}

/** Ids the recompute job should refresh: recent, never scored, or with fresh star snapshots. */
export async function idsToRecompute(db: Db, sinceCutoff: string, starsSince: string, afterId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('papers as p')
    .select('p.id')
    .where('p.id', '>', afterId)
    .where((eb) =>
      eb.or([
        eb('p.trending_at', 'is', null),
        eb('p.trending_since', '>=', sinceCutoff),
        eb.exists(eb.selectFrom('star_snapshots as s').select('s.paper_id').whereRef('s.paper_id', '=', 'p.id').where('s.observed_at', '>=', starsSince)),
      ]),
    )
    .orderBy('p.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function listByKey(db: Db, opts: { sinceCutoff: string; until?: string; limit: number; offset: number; categories?: string[] }): Promise<{ rows: TrendingRow[]; total: number }> {
  let q = db.selectFrom('papers as p').where('p.trending_since', '>=', opts.sinceCutoff).where('p.hidden', '=', 0).where('p.withdrawn', '=', 0);
  if (opts.until) q = q.where('p.trending_since', '<=', opts.until);
  if (opts.categories?.length) {
    const cats = opts.categories;
    q = q.where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id').whereRef('c.paper_id', '=', 'p.id').where('c.category', 'in', cats)));
  }
  const [rows, count] = await Promise.all([
    // `+trending_score`: with the cutoff as a bound parameter SQLite would otherwise walk the whole
    // trending_score index to avoid a sort (1 s at 80k papers for an empty window) instead of the
    // (trending_since, …) range, which holds only the window's papers. Same order on both stores.
    q.selectAll('p').orderBy(sql`+p.trending_score`, 'desc').orderBy('p.upvotes', 'desc').orderBy('p.id').limit(opts.limit).offset(opts.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: (rows as PaperRow[]).map(trendingRow), total: Number(count.n) };
}

/** 1-based rank of a paper among its window's papers, or null when outside the window. */
export async function rankOf(db: Db, id: string, sinceCutoff: string): Promise<number | null> {
  const p = await db.selectFrom('papers').select(['trending_score', 'trending_since', 'upvotes', 'hidden']).where('id', '=', id).executeTakeFirst();
  if (!p || !p.trending_since || p.trending_since < sinceCutoff || p.hidden) return null;
  const r = await sql<{ n: number }>`select count(*) as n from papers where trending_since >= ${sinceCutoff} and hidden = 0 and withdrawn = 0 and (trending_score > ${p.trending_score} or (trending_score = ${p.trending_score} and (upvotes > ${p.upvotes} or (upvotes = ${p.upvotes} and id < ${id}))))`.execute(db);
  return Number(r.rows[0]?.n ?? 0) + 1;
}

/** When the newest visible paper (in these categories) entered trending, or null for an empty store. */
export async function latestSince(db: Db, categories?: string[]): Promise<string | null> {
  let q = db.selectFrom('papers as p').where('p.hidden', '=', 0).where('p.withdrawn', '=', 0).where('p.trending_since', 'is not', null);
  if (categories?.length) {
    const cats = categories;
    q = q.where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id').whereRef('c.paper_id', '=', 'p.id').where('c.category', 'in', cats)));
  }
  const r = await q.select((eb) => eb.fn.max('p.trending_since').as('m')).executeTakeFirst();
  return (r?.m as string | null | undefined) ?? null;
}

/** Every visible paper by its points without decay: upvotes, then comments (the all-time view). */
export async function listByPoints(db: Db, opts: { limit: number; offset: number; categories?: string[] }): Promise<{ rows: TrendingRow[]; total: number }> {
  let q = db.selectFrom('papers as p').where('p.hidden', '=', 0).where('p.withdrawn', '=', 0);
  if (opts.categories?.length) {
    const cats = opts.categories;
    q = q.where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id').whereRef('c.paper_id', '=', 'p.id').where('c.category', 'in', cats)));
  }
  // Sort the small (upvotes, comments, id) tuples of every paper, then read the page's rows: sorting
  // whole rows (abstracts included) of 80k papers costs ten times more.
  // One pass over the table gives the page and the total (count(*) over ()); a page past the end
  // has no row to carry the total, so it is counted apart.
  const ids = await q
    .select(['p.id', sql<number>`count(*) over ()`.as('n')])
    .orderBy('p.upvotes', 'desc').orderBy('p.num_comments', 'desc').orderBy('p.id')
    .limit(opts.limit).offset(opts.offset)
    .execute();
  const total = ids.length ? Number(ids[0].n) : Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const order = ids.map((r) => r.id);
  const rows = order.length ? await db.selectFrom('papers').selectAll().where('id', 'in', order).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { rows: order.flatMap((id) => { const r = byId.get(id); return r ? [trendingRow(r)] : []; }), total };
}
