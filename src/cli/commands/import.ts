import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import fs from 'node:fs';
import { withContext, fail, isTTY } from '../context.js';
import { importFile } from '../../papers/import.service.js';

export function register(program: Command) {
  program
    .command('import')
    .description('import papers from a JSONL or JSONL.gz file (seed-papers, arxiv-recent-ai, arxiv-cs-2015-2018, Hugging Face daily_papers)')
    .argument('<file>', 'path to the .jsonl or .jsonl.gz file')
    .option('--batch <n>', 'lines per transaction', '1000')
    .option('--quiet', 'no progress bar and no per-line messages')
    .addHelpText('after', '\nRe-importing the same file changes nothing. A bad line is skipped with its line number and reason.\nEnds with counts: added, updated, unchanged, skipped.')
    .action(async (file: string, opts: { batch: string; quiet?: boolean }) => {
      if (!fs.existsSync(file)) fail(new Error(`no such file: ${file}`));
      await withContext(async (ctx) => {
        const bar = isTTY() && !opts.quiet
          ? new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% | {papers} papers | {rate} papers/s | ETA {eta_formatted}', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
          : null;
        const started = Date.now();
        bar?.start(100, 0, { papers: 0, rate: 0 });
        try {
          const res = await importFile(ctx.store.db, file, {
            now: () => ctx.clock.now(),
            batchSize: Number(opts.batch) || 1000,
            onChanged: (ids) => ctx.events.emit({ kind: 'papers', ids }),
            onSkip: (s) => {
              if (opts.quiet) return;
              const line = `skipped line ${s.line}: ${s.reason}\n`;
              if (bar) bar.stop(), process.stderr.write(line), bar.start(100, 0);
              else process.stderr.write(line);
            },
            onProgress: ({ bytesRead, totalBytes, counts }) => {
              const n = counts.added + counts.updated + counts.unchanged;
              bar?.update(Math.floor((100 * bytesRead) / Math.max(1, totalBytes)), { papers: n, rate: Math.round(n / Math.max(0.001, (Date.now() - started) / 1000)) });
            },
          });
          bar?.update(100);
          bar?.stop();
          const secs = (Date.now() - started) / 1000;
          process.stdout.write(`added ${res.added}, updated ${res.updated}, unchanged ${res.unchanged}, skipped ${res.skipped}` + (res.dailyEntries ? `; ${res.dailyEntries} new daily entries` : '') + ` in ${secs.toFixed(1)} s\n`);
        } catch (e) {
          bar?.stop();
          throw e;
        }
      }).catch(fail);
    });
}
