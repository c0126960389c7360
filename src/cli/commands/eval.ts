import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { runBeirEval } from '../../search/evaluate.js';
import type { SearchMode } from '../../search/engine.js';

/** `papertide eval --dataset DIR [--split test] [--mode hybrid]`: BEIR evaluation, JSON last line (benchmarks.md). */
export function register(program: Command) {
  program
    .command('eval')
    .description('evaluate search quality on a BEIR-format folder (corpus.jsonl[.gz], queries.jsonl, qrels/<split>.tsv)')
    .requiredOption('--dataset <dir>', 'BEIR folder')
    .option('--split <split>', 'qrels split: test, train, or any qrels/<name>.tsv; several comma-separated share one index build', 'test')
    .option('--mode <mode>', 'lexical | dense | hybrid (the product default) | all', 'hybrid')
    .option('--alpha <x>', 'hybrid only: plain two-score z-score fusion with this lexical weight instead of the product ranker (RM3 + dense features), for comparison')
    .option('--embedder-options <json>', 'built-in embedder options for this run (JSON, e.g. {"signature":0}), for comparisons')
    .option('--cache <dir>', 'keep the learned word vectors here between runs on the same corpus (iterating on what follows them)')
    .option('--variants <file>', 'JSON array of ranking variants also evaluated on the same index (src/search/evaluate.ts EvalVariant)')
    .action(async (opts: { dataset: string; split: string; mode: string; alpha?: string; embedderOptions?: string; cache?: string; variants?: string }) => {
      const modes: SearchMode[] = opts.mode === 'all' ? ['lexical', 'dense', 'hybrid'] : [opts.mode as SearchMode];
      for (const m of modes) {
        if (!['lexical', 'dense', 'hybrid'].includes(m)) {
          process.stderr.write(`papertide: --mode must be lexical, dense, hybrid or all (got "${m}")\n`);
          process.exit(64);
        }
      }
      try {
        const results = await runBeirEval(opts.dataset, opts.split, modes, (m) => process.stderr.write(m + '\n'), { alpha: opts.alpha ? Number(opts.alpha) : undefined, embedderOptions: opts.embedderOptions ? JSON.parse(opts.embedderOptions) : undefined, cacheDir: opts.cache, variants: opts.variants ? JSON.parse(readFileSync(opts.variants, 'utf8')) : undefined });
        for (const r of results) process.stdout.write(JSON.stringify(r) + '\n');
      } catch (e) {
        process.stderr.write(`papertide: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      }
    });
}
