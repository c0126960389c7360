import type { Command } from 'commander';
import { withContext, fail } from '../context.js';
import { deleteDemoPapers, countPapers } from '../../papers/papers.repository.js';
import { loadDemoIfEmpty } from '../../papers/demo.service.js';

export function register(program: Command) {
  program
    .command('demo')
    .description('load the demo papers into an empty store, or remove them')
    .option('--remove', 'remove every demo paper (and its daily entries)')
    .action(async (opts: { remove?: boolean }) => {
      await withContext(async (ctx) => {
        if (opts.remove) {
          const ids = (await ctx.store.db.selectFrom('papers').select('id').where('is_demo', '=', 1).execute()).map((r) => r.id);
          const n = await deleteDemoPapers(ctx.store.db);
          await ctx.events.emit({ kind: 'papers', ids });
          process.stdout.write(`removed ${n} demo papers\n`);
          return;
        }
        const added = await loadDemoIfEmpty(ctx);
        process.stdout.write(added ? `loaded ${added} demo papers\n` : `the store already has ${await countPapers(ctx.store.db)} papers: the demo is only loaded into an empty store\n`);
      }).catch(fail);
    });
}
