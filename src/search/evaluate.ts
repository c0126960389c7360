/**
 * `papertide eval`: build the product's index over a BEIR corpus and rank the whole corpus for
 * each query, exactly as /search does (same tokenizer, BM25F, embedder, fusion).
 */
import { parseSearchQuery } from '../domain/search-query.js';
import { evaluate, loadBeir, type EvalResult } from './beir.js';
import { buildEngine, type SearchMode } from './engine.js';
import type { SearchDoc } from './lexical-index.js';

export async function runBeirEval(dir: string, split: string, modes: SearchMode[], log: (m: string) => void = () => {}, opts: { alpha?: number } = {}): Promise<EvalResult[]> {
  const set = await loadBeir(dir, split);
  log(`${set.name}: ${set.corpus.length} documents, ${set.queries.length} ${split} queries`);
  const docs: SearchDoc[] = set.corpus.map((d) => ({ id: d.id, title: d.title, abstract: d.text, authors: [], categories: [], publishedAt: null, codeUrl: null, upvotes: 0 }));
  const engine = await buildEngine([docs], { log });
  const out: EvalResult[] = [];
  for (const mode of modes) {
    out.push(
      evaluate(set, split, mode, (text) => {
        // Queries are natural language; treat every character literally (no operators).
        const parsed = parseSearchQuery(text.replace(/["]/g, ' ').replace(/(^|\s)-/g, '$1').replace(/\b(author|cat|year|before|after|has):/gi, '$1 '));
        if (!parsed.ok) return [];
        return engine.search(parsed.query, { mode, limit: 100, alpha: opts.alpha }).hits.map((h) => h.id);
      }),
    );
  }
  return out;
}
