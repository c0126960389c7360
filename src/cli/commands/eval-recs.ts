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
    .action(async (opts: { dataset: string; users?: string; params?: string }) => {
      try {
        const users = opts.users ? Number(opts.users) : undefined;
        if (users !== undefined && !(Number.isInteger(users) && users > 0)) throw new Error(`--users must be a positive integer (got "${opts.users}")`);
        const params = opts.params ? (JSON.parse(opts.params) as Record<string, number>) : undefined;
        const r = await runRecEval(opts.dataset, { users, params, log: (m) => process.stderr.write(m + '\n') });
        process.stdout.write(JSON.stringify(r) + '\n');
      } catch (e) {
        process.stderr.write(`papertide: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      }
    });
}
