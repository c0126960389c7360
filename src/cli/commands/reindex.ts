import type { Command } from 'commander';
import { configOrExit, fail } from '../context.js';
import { openStore } from '../../db/index.js';
import { join } from 'node:path';
import { configuredEmbedder, createSearchService } from '../../search/search.service.js';
import { removeStaleFiles } from '../../search/persist.js';

/**
 * `papertide reindex`: rebuild the search index (lexical + vectors) from the store. Running
 * servers keep their index; they load a new snapshot at their next start.
 */
export function register(program: Command) {
  program
    .command('reindex')
    .description('rebuild the search index from the store (needed after an index format, tokenizer or embedder change)')
    .action(async () => {
      const config = configOrExit();
      const store = openStore({ databaseUrl: config.databaseUrl });
      try {
        const log = (m: string) => process.stderr.write(m + '\n');
        // What a killed build or reindex left (its process is gone); the new index is swapped in
        // atomically when it is complete, so a failure here leaves the previous one in place.
        removeStaleFiles(join(config.dataDir, 'search'));
        // The configured embedder (EMBEDDER): reindexing is how an index moves to another one.
        const { embedder, failure } = await configuredEmbedder(config);
        if (failure) throw new Error(`the configured embedder cannot be used: ${failure}`);
        const svc = await createSearchService({ db: store.db, dataDir: config.dataDir, log, autoBuildMax: 0, embedder, skipLoad: true });
        const r = await svc.rebuild();
        process.stdout.write(`reindexed ${r.docs} papers in ${r.seconds.toFixed(1)} s (${svc.status().detail})\n`);
      } catch (e) {
        fail(e);
      } finally {
        await store.close();
      }
    });
}
