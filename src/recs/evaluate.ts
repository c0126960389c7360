/**
 * `papertide eval-recs`: evaluate the For-you ranking (rank.ts with the engine's features,
 * exactly what the page uses) on a task in the reco-author-next format: corpus.jsonl(.gz),
 * users.jsonl ({_id, history, from, to}), qrels.tsv. Candidates of a user are the corpus papers
 * with from <= date < to; metrics as in BEIR. A plain TF-IDF centroid (sublinear tf, smoothed
 * idf, cosine to the mean of the history's vectors) is computed in the same run as the floor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mrrAt, ndcgAt, readJsonl, recallAt } from '../search/beir.js';
import { buildEngine, type SearchEngine } from '../search/engine.js';
import { loadEngine, readManifest, saveEngine } from '../search/persist.js';
import { STOPWORDS, tokenize } from '../search/tokenizer.js';
import type { SearchDoc } from '../search/lexical-index.js';
import { engineFeatures, REC_IDF_POWER, REC_TERMS_PER_DOC } from './engine-features.js';
import { rankForUser, RECS, type RecFeatures, type RecParams, type SparseVec } from './rank.js';

export interface RecTask {
  name: string;
  corpus: { id: string; title: string; text: string; categories: string[]; date: string }[];
  users: { id: string; history: string[]; from: string; to: string }[];
  qrels: Map<string, Map<string, number>>;
}

export interface RecMetrics {
  'ndcg@10': number;
  'recall@10': number;
  'recall@100': number;
  'mrr@10': number;
}

export async function loadRecTask(dir: string): Promise<RecTask> {
  const corpusPath = existsSync(join(dir, 'corpus.jsonl')) ? join(dir, 'corpus.jsonl') : join(dir, 'corpus.jsonl.gz');
  for (const p of [corpusPath, join(dir, 'users.jsonl'), join(dir, 'qrels.tsv')]) if (!existsSync(p)) throw new Error(`missing ${p}`);
  const corpus: RecTask['corpus'] = [];
  for await (const o of readJsonl(corpusPath)) {
    const r = o as { _id: string; title?: string; text?: string; categories?: string[] | string; date?: string };
    const cats = Array.isArray(r.categories) ? r.categories : typeof r.categories === 'string' ? r.categories.split(/\s+/).filter(Boolean) : [];
    corpus.push({ id: String(r._id), title: r.title ?? '', text: r.text ?? '', categories: cats, date: String(r.date ?? '') });
  }
  const users: RecTask['users'] = [];
  for await (const o of readJsonl(join(dir, 'users.jsonl'))) {
    const r = o as { _id: string; history: string[]; from: string; to: string };
    users.push({ id: String(r._id), history: r.history.map(String), from: r.from, to: r.to });
  }
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(dir, 'qrels.tsv'), 'utf8').split(/\r?\n/).slice(1)) {
    const [u, d, s] = line.split('\t');
    if (!u || !d) continue;
    let m = qrels.get(u);
    if (!m) qrels.set(u, (m = new Map()));
    m.set(d, Number(s));
  }
  return { name: dir.replace(/\/+$/, '').split('/').pop() ?? dir, corpus, users, qrels };
}

/** Mean metrics of ranked lists (one per user, same order as `users`). */
export function scoreRuns(users: { id: string }[], runs: string[][], qrels: Map<string, Map<string, number>>): RecMetrics {
  let n = 0, r10 = 0, r100 = 0, m = 0, c = 0;
  users.forEach((u, i) => {
    const rel = qrels.get(u.id);
    if (!rel) return;
    c++;
    n += ndcgAt(runs[i], rel, 10);
    r10 += recallAt(runs[i], rel, 10);
    r100 += recallAt(runs[i], rel, 100);
    m += mrrAt(runs[i], rel, 10);
  });
  const r4 = (x: number) => Math.round((x / (c || 1)) * 10000) / 10000;
  return { 'ndcg@10': r4(n), 'recall@10': r4(r10), 'recall@100': r4(r100), 'mrr@10': r4(m) };
}

/** The floor: a textbook TF-IDF centroid over title + text (not the product's features). */
export function tfidfFeatures(docs: { id: string; title: string; text: string }[]): RecFeatures {
  const vocab = new Map<string, number>();
  const tfs: Map<number, number>[] = [];
  const df: number[] = [];
  for (const d of docs) {
    const tf = new Map<number, number>();
    for (const t of tokenize(`${d.title} ${d.text}`)) {
      let id = vocab.get(t);
      if (id === undefined) vocab.set(t, (id = df.push(0) - 1));
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    tfs.push(tf);
  }
  const N = docs.length;
  const byId = new Map<string, number>(docs.map((d, i) => [d.id, i]));
  const cache = new Map<number, SparseVec>();
  return {
    sparse(id) {
      const i = byId.get(id);
      if (i === undefined) return null;
      let v = cache.get(i);
      if (!v) {
        const pairs = [...tfs[i]].map(([t, c]) => [t, (1 + Math.log(c)) * (Math.log((1 + N) / (1 + df[t])) + 1)] as [number, number]).sort((a, b) => a[0] - b[0]);
        const norm = Math.sqrt(pairs.reduce((s, [, w]) => s + w * w, 0)) || 1;
        v = { terms: Uint32Array.from(pairs, (x) => x[0]), weights: Float32Array.from(pairs, (x) => x[1] / norm) };
        cache.set(i, v);
      }
      return v;
    },
    dense: () => null,
  };
}

/**
 * The README's anchor features, as arxiv-sanity-lite builds them (scikit-learn's TfidfVectorizer
 * with its settings): lower-cased words of 2+ letters or digits (`\b\w\w+\b`), English stop
 * words dropped (Papertide's list, close to scikit-learn's), word 1- and 2-grams, min_df 5,
 * max_df 0.1, the 20,000 most frequent such features, sublinear tf, smoothed idf, L2 norm.
 */
export function sanityTfidfFeatures(docs: { id: string; title: string; text: string }[], opts: { maxFeatures?: number; minDf?: number; maxDf?: number } = {}): RecFeatures {
  const maxFeatures = opts.maxFeatures ?? 20_000, minDf = opts.minDf ?? 5, maxDf = opts.maxDf ?? 0.1;
  const WORD = /\b\w\w+\b/gu;
  const grams = (d: { title: string; text: string }): string[] => {
    const ws = (`${d.title} ${d.text}`.toLowerCase().match(WORD) ?? []).filter((w) => !STOPWORDS.has(w));
    const out = ws.slice();
    for (let i = 0; i + 1 < ws.length; i++) out.push(`${ws[i]} ${ws[i + 1]}`);
    return out;
  };
  const N = docs.length;
  const dfs = new Map<string, number>();
  const cfs = new Map<string, number>();
  for (const d of docs) {
    const g = grams(d);
    for (const t of g) cfs.set(t, (cfs.get(t) ?? 0) + 1);
    for (const t of new Set(g)) dfs.set(t, (dfs.get(t) ?? 0) + 1);
  }
  const kept = [...dfs].filter(([, c]) => c >= minDf && c <= maxDf * N).map(([t]) => t);
  kept.sort((a, b) => (cfs.get(b) ?? 0) - (cfs.get(a) ?? 0) || (a < b ? -1 : 1));
  kept.length = Math.min(kept.length, maxFeatures);
  const vocab = new Map<string, number>(kept.map((t, i) => [t, i]));
  const byId = new Map<string, number>(docs.map((d, i) => [d.id, i]));
  const cache = new Map<number, SparseVec | null>();
  const idf = kept.map((t) => Math.log((1 + N) / (1 + (dfs.get(t) ?? 0))) + 1);
  dfs.clear();
  cfs.clear();
  const tfOf: Map<number, number>[] = [];
  for (const d of docs) {
    const tf = new Map<number, number>();
    for (const t of grams(d)) {
      const id = vocab.get(t);
      if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    tfOf.push(tf);
  }
  return {
    sparse(id) {
      const i = byId.get(id);
      if (i === undefined) return null;
      let v = cache.get(i);
      if (v === undefined) {
        const pairs = [...tfOf[i]].map(([t, c]) => [t, (1 + Math.log(c)) * idf[t]] as [number, number]).sort((a, b) => a[0] - b[0]);
        const norm = Math.sqrt(pairs.reduce((s, [, w]) => s + w * w, 0));
        v = norm > 0 ? { terms: Uint32Array.from(pairs, (x) => x[0]), weights: Float32Array.from(pairs, (x) => x[1] / norm) } : null;
        cache.set(i, v);
      }
      return v;
    },
    dense: () => null,
  };
}

/** The floor is a plain centroid: none of the product's other terms. */
export const CENTROID_ONLY: RecParams = { ...RECS, wMax: 0, wDense: 0, wDenseMax: 0, wDismissed: 0, decay: 1, wBackground: 0 };

export interface RecEvalResult extends RecMetrics {
  dataset: string;
  users: number;
  candidates: number;
  'ms/user': number;
  params: RecParams;
  /** The higher of the TF-IDF centroid floors computed in the same run. */
  baseline: { method: string } & RecMetrics;
  floors: ({ method: string } & RecMetrics)[];
}

export async function runRecEval(dir: string, opts: { users?: number; idfPower?: number; params?: Partial<RecParams>; grid?: Partial<RecParams>[]; indexDir?: string; embedder?: 'builtin' | 'none'; log?: (m: string) => void } = {}): Promise<RecEvalResult[]> {
  const log = opts.log ?? (() => {});
  const task = await loadRecTask(dir);
  const users = opts.users ? task.users.slice(0, opts.users) : task.users;
  log(`${task.name}: ${task.corpus.length} papers, ${users.length} users`);
  const docs: SearchDoc[] = task.corpus.map((d) => ({ id: d.id, title: d.title, abstract: d.text, authors: [], categories: d.categories, publishedAt: d.date || null, codeUrl: null, upvotes: 0 }));
  // The index is the product's (built with its embedder); --index keeps it between runs.
  let engine: SearchEngine;
  if (opts.indexDir && readManifest(opts.indexDir)) {
    engine = loadEngine(opts.indexDir, opts.embedder === 'none' ? null : 'builtin');
    log(`index loaded from ${opts.indexDir}`);
  } else {
    engine = await buildEngine([docs], { log, embedder: opts.embedder });
    if (opts.indexDir) saveEngine(engine, opts.indexDir);
  }
  const title = new Map(task.corpus.map((d) => [d.id, d.title]));
  const byDate = [...task.corpus].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const windowOf = new Map<string, string[]>();
  const candidatesOf = (from: string, to: string) => {
    const k = `${from}\t${to}`;
    let c = windowOf.get(k);
    if (!c) windowOf.set(k, (c = byDate.filter((d) => d.date >= from && d.date < to).map((d) => d.id)));
    return c;
  };
  const idfPower = opts.idfPower ?? REC_IDF_POWER;
  const features = engineFeatures(engine, { cache: 200_000, idfPower });
  const ncand = Math.max(0, ...users.map((u) => candidatesOf(u.from, u.to).length));
  const runWith = (params: RecParams) => {
    const runs: string[][] = [];
    let ms = 0;
    for (const u of users) {
      const candidates = candidatesOf(u.from, u.to);
      const library = u.history.map((id) => ({ id, title: title.get(id) ?? id, weight: 1 }));
      const t0 = performance.now();
      runs.push(rankForUser({ library, dismissed: [], candidates, limit: 100 }, features, params).map((r) => r.id));
      ms += performance.now() - t0;
    }
    const metrics = scoreRuns(users, runs, task.qrels);
    log(`${JSON.stringify(params)}: ${JSON.stringify(metrics)}`);
    return { metrics, ms: Math.round((ms / (users.length || 1)) * 100) / 100, params };
  };
  // Variants first (for docs/recs.md), the product's settings last.
  const variants = (opts.grid ?? []).map((g) => runWith({ ...RECS, ...opts.params, ...g }));
  const main = runWith({ ...RECS, ...opts.params });
  // Two TF-IDF centroid floors in the same run: arxiv-sanity's features (the README's 0.411 on
  // 300 users) and a textbook one on Papertide's tokens. The floor is the higher of the two.
  const floor = (method: string, tf: RecFeatures) => {
    const runs = users.map((u) =>
      rankForUser({ library: u.history.map((id) => ({ id, title: id, weight: 1 })), dismissed: [], candidates: candidatesOf(u.from, u.to), limit: 100 }, tf, CENTROID_ONLY).map((r) => r.id),
    );
    return { method, ...scoreRuns(users, runs, task.qrels) };
  };
  const floors = [floor('tfidf-centroid (arxiv-sanity features)', sanityTfidfFeatures(task.corpus)), floor('tfidf-centroid (Papertide tokens)', tfidfFeatures(task.corpus))];
  const baseline = floors.reduce((a, b) => (b['ndcg@10'] > a['ndcg@10'] ? b : a));
  log(`floors: ${JSON.stringify(floors)}`);
  return [...variants, main].map((r) => ({ dataset: task.name, users: users.length, candidates: ncand, ...r.metrics, 'ms/user': r.ms, params: r.params, features: { terms: REC_TERMS_PER_DOC, idfPower }, baseline, floors }));
}
