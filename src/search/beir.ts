/**
 * BEIR-format evaluation: any folder with corpus.jsonl(.gz), queries.jsonl, qrels/<split>.tsv.
 * Metrics follow BEIR/pytrec_eval: nDCG@10 (graded gains, log2 discount, ideal from qrels),
 * Recall@100 and MRR@10.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}
export interface BeirSet {
  name: string;
  corpus: BeirDoc[];
  queries: { id: string; text: string }[];
  qrels: Map<string, Map<string, number>>;
}

export async function* readJsonl(path: string): AsyncGenerator<unknown> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim()) yield JSON.parse(line);
  }
}

/** `corpus`: an already loaded corpus of the same folder (several splits, one read). */
export async function loadBeir(dir: string, split: string, corpusLoaded?: BeirDoc[]): Promise<BeirSet> {
  const corpusPath = existsSync(join(dir, 'corpus.jsonl')) ? join(dir, 'corpus.jsonl') : join(dir, 'corpus.jsonl.gz');
  if (!existsSync(corpusPath)) throw new Error(`no corpus.jsonl or corpus.jsonl.gz in ${dir}`);
  const qrelsPath = join(dir, 'qrels', `${split}.tsv`);
  if (!existsSync(qrelsPath)) throw new Error(`no qrels/${split}.tsv in ${dir}`);
  const corpus: BeirDoc[] = corpusLoaded ?? [];
  if (!corpusLoaded) for await (const o of readJsonl(corpusPath)) {
    const r = o as { _id: string; title?: string; text?: string };
    corpus.push({ id: String(r._id), title: r.title ?? '', text: r.text ?? '' });
  }
  const qrels = new Map<string, Map<string, number>>();
  const lines = readFileSync(qrelsPath, 'utf8').split(/\r?\n/);
  for (const line of lines.slice(1)) {
    const [q, d, s] = line.split('\t');
    if (!q || !d) continue;
    let m = qrels.get(q);
    if (!m) qrels.set(q, (m = new Map()));
    m.set(d, Number(s));
  }
  const queries: { id: string; text: string }[] = [];
  for await (const o of readJsonl(join(dir, 'queries.jsonl'))) {
    const r = o as { _id: string; text: string };
    if (qrels.has(String(r._id))) queries.push({ id: String(r._id), text: r.text });
  }
  const name = dir.replace(/\/+$/, '').split('/').pop() ?? dir;
  return { name, corpus, queries, qrels };
}

export function ndcgAt(ranked: string[], rel: Map<string, number>, k = 10): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const g = rel.get(ranked[i]) ?? 0;
    if (g > 0) dcg += (Math.pow(2, g) - 1) / Math.log2(i + 2);
  }
  const ideal = [...rel.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += (Math.pow(2, ideal[i]) - 1) / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}
export function recallAt(ranked: string[], rel: Map<string, number>, k = 100): number {
  const relevant = [...rel.entries()].filter(([, g]) => g > 0).map(([d]) => d);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((d) => top.has(d)).length / relevant.length;
}
export function mrrAt(ranked: string[], rel: Map<string, number>, k = 10): number {
  for (let i = 0; i < Math.min(k, ranked.length); i++) if ((rel.get(ranked[i]) ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

export interface EvalResult {
  dataset: string;
  split: string;
  mode: string;
  queries: number;
  'ndcg@10': number;
  'recall@100': number;
  'mrr@10': number;
}

export function evaluate(set: BeirSet, split: string, mode: string, run: (q: string) => string[]): EvalResult {
  let n = 0, r = 0, m = 0;
  for (const q of set.queries) {
    const ranked = run(q.text);
    const rel = set.qrels.get(q.id)!;
    n += ndcgAt(ranked, rel, 10);
    r += recallAt(ranked, rel, 100);
    m += mrrAt(ranked, rel, 10);
  }
  const c = set.queries.length || 1;
  const r4 = (x: number) => Math.round((x / c) * 10000) / 10000;
  return { dataset: set.name, split, mode, queries: set.queries.length, 'ndcg@10': r4(n), 'recall@100': r4(r), 'mrr@10': r4(m) };
}
