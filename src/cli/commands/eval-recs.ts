import type { Command } from 'commander';
import { runRecEval } from '../../recs/evaluate.js';

/** `papertide eval-recs --dataset DIR [--users N]`: For-you quality on a reco-author-next-format task, JSON last line. */
export function register(program: Command) {
  program
    .command('eval-recs')
    .description('evaluate For-you recommendations on a folder with corpus.jsonl[.gz], users.jsonl, qrels.tsv (see docs/recs.md)')
    .requiredOption('--dataset <dir>', 'task folder')
    .option('--users <n>', 'only the first N users (quicker while iterating)')
    .option('--params <json>', 'override ranking weights, e.g. {"wMax":0.7}')
    .option('--idf-power <x>', 'weight of idf in the papers\' term vectors (default: the product\'s, engine-features.ts)')
    .option('--grid <json>', 'also evaluate these overrides (a JSON array), one JSON line each before the last')
    .option('--index <dir>', 'keep the built index here and reuse it on the next run')
    .action(async (opts: { dataset: string; users?: string; idfPower?: string; params?: string; grid?: string; index?: string }) => {
      try {
        const users = opts.users ? Number(opts.users) : undefined;
        if (users !== undefined && !(Number.isInteger(users) && users > 0)) throw new Error(`--users must be a positive integer (got "${opts.users}")`);
        const params = opts.params ? (JSON.parse(opts.params) as Record<string, number>) : undefined;
        const grid = opts.grid ? (JSON.parse(opts.grid) as Record<string, number>[]) : undefined;
        const idfPower = opts.idfPower !== undefined ? Number(opts.idfPower) : undefined;
        if (idfPower !== undefined && !Number.isFinite(idfPower)) throw new Error(`--idf-power must be a number (got "${opts.idfPower}")`);
        const rs = await runRecEval(opts.dataset, { users, idfPower, params, grid, indexDir: opts.index, log: (m) => process.stderr.write(m + '\n') });
        for (const r of rs) process.stdout.write(JSON.stringify(r) + '\n');
      } catch (e) {
        process.stderr.write(`papertide: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      }
    });
}
