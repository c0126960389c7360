/**
 * `papertide eval`: build the product's index over a BEIR corpus and rank the whole corpus for
 * each query, exactly as /search does (same tokenizer, BM25F, embedder, fusion).
 */
import { parseSearchQuery } from '../domain/search-query.js';
import { evaluate, loadBeir, type EvalResult } from './beir.js';
import { buildEngine, type EngineSearchOptions, type SearchMode } from './engine.js';
import { HYBRID_WEIGHTS, RM3_PARAMS, type HybridWeights } from './rank-params.js';
import type { Rm3Params } from './rm3.js';
import type { StyleRule } from './query-style.js';

/**
 * A variant of the default ranking evaluated on the same index (`eval --variants FILE`), for
 * comparisons: a style rule, how keyword queries are ranked, hybrid weights (partial weights
 * complete the defaults), or no style reading at all (style: false).
 */
export interface EvalVariant {
  name: string;
  rule?: StyleRule;
  keywords?: 'lexical' | Partial<HybridWeights>;
  weights?: Partial<HybridWeights>;
  style?: boolean;
  rm3?: Partial<Rm3Params>;
}
import type { SearchDoc } from './lexical-index.js';
import { CorpusEmbedder, type CorpusEmbedderOptions } from './embedders/corpus-embedder.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Word vectors kept on disk between evaluation runs of the same corpus (`--cache DIR`). */
function fileCache(dir: string): NonNullable<typeof CorpusEmbedder.trainCache> {
  return {
    get(key) {
      const f = join(dir, `emb-${key}`);
      if (!existsSync(f + '.json')) return undefined;
      const m = JSON.parse(readFileSync(f + '.json', 'utf8')) as { terms: string[]; dim: number };
      const buf = readFileSync(f + '.bin');
      const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const V = m.terms.length;
      return { terms: m.terms, dim: m.dim, vectors: all.slice(0, V * m.dim), weights: all.slice(V * m.dim) };
    },
    set(key, v) {
      mkdirSync(dir, { recursive: true });
      const f = join(dir, `emb-${key}`);
      const all = new Float32Array(v.vectors.length + v.weights.length);
      all.set(v.vectors);
      all.set(v.weights, v.vectors.length);
      writeFileSync(f + '.bin', new Uint8Array(all.buffer));
      writeFileSync(f + '.json', JSON.stringify({ terms: v.terms, dim: v.dim }));
    },
  };
}

/**
 * `split` may name several qrels files, comma-separated ("kw-terms,sentences"): the corpus is
 * indexed once and every split is evaluated on that index (the arXiv sets of
 * scripts/build-eval-sets.mjs share one corpus).
 */
export async function runBeirEval(dir: string, split: string, modes: SearchMode[], log: (m: string) => void = () => {}, opts: { alpha?: number; embedderOptions?: Partial<CorpusEmbedderOptions>; cacheDir?: string; variants?: EvalVariant[] } = {}): Promise<EvalResult[]> {
  const splits = split.split(',').map((s) => s.trim()).filter(Boolean);
  const sets: Awaited<ReturnType<typeof loadBeir>>[] = [];
  for (const sp of splits) sets.push(await loadBeir(dir, sp, sets[0]?.corpus));
  const set0 = sets[0];
  log(`${set0.name}: ${set0.corpus.length} documents, ${sets.map((s, i) => `${s.queries.length} ${splits[i]}`).join(', ')} queries`);
  const docs: SearchDoc[] = set0.corpus.map((d) => ({ id: d.id, title: d.title, abstract: d.text, authors: [], categories: [], publishedAt: null, codeUrl: null, upvotes: 0 }));
  if (opts.cacheDir) CorpusEmbedder.trainCache = fileCache(opts.cacheDir);
  const engine = await buildEngine([docs], { log, embedderOptions: opts.embedderOptions });
  const out: EvalResult[] = [];
  const runs: { mode: SearchMode; label: string; extra: EngineSearchOptions }[] = modes.map((m) => ({ mode: m, label: m, extra: {} }));
  for (const v of opts.variants ?? []) {
    runs.push({ mode: 'hybrid', label: `hybrid:${v.name}`, extra: { styleRule: v.rule, keywordRanking: v.keywords === 'lexical' || v.keywords === undefined ? v.keywords : { ...HYBRID_WEIGHTS, ...v.keywords }, weights: v.weights ? { ...HYBRID_WEIGHTS, ...v.weights } : undefined, rm3: v.rm3 ? { ...RM3_PARAMS, ...v.rm3 } : undefined, queryStyle: v.style } });
  }
  sets.forEach((set, i) => {
    for (const r of runs) {
      out.push(
        evaluate(set, splits[i], r.label, (text) => {
          // Queries are natural language; treat every character literally (no operators).
          const parsed = parseSearchQuery(text.replace(/["]/g, ' ').replace(/(^|\s)-/g, '$1').replace(/\b(author|cat|year|before|after|has):/gi, '$1 '));
          if (!parsed.ok) return [];
          return engine.search(parsed.query, { mode: r.mode, limit: 100, alpha: opts.alpha, ...r.extra }).hits.map((h) => h.id);
        }),
      );
    }
  });
  return out;
}
