import fs from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { withContext, fail, isTTY } from '../context.js';
import { buildDueDigests, previewDigest } from '../../digests/digest.service.js';
import { AppError } from '../../domain/errors.js';

export function register(program: Command) {
  const digest = program.command('digest').description('email digests: build and send them by hand, or preview one');

  digest
    .command('run')
    .description('build every digest that is due now into the outbox, then send the outbox (killing and rerunning it never sends a message twice)')
    .option('--build-only', 'only build digests into the outbox')
    .option('--send-only', 'only send what is in the outbox')
    .option('--now <iso>', 'build as if it were this time (UTC ISO date-time)')
    .action(async (opts: { buildOnly?: boolean; sendOnly?: boolean; now?: string }) => {
      await withContext(async (ctx) => {
        const now = opts.now ? new Date(opts.now) : ctx.clock.now();
        if (Number.isNaN(now.getTime())) throw new AppError('bad_request', `--now must be an ISO date-time, got ${opts.now}`);
        if (!opts.sendOnly) {
          const bar = isTTY() ? new cliProgress.SingleBar({ format: 'building [{bar}] {value} subscribers | {built} digests', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
          bar?.start(0, 0, { built: 0 });
          const r = await buildDueDigests(ctx, { now, onProgress: (p) => (bar?.setTotal(p.due), bar?.update(p.due, { built: p.built })) });
          bar?.stop();
          process.stdout.write(`built ${r.built} digests for ${r.due} due subscribers (${r.empty} without new papers, ${r.skippedExisting} already built) from ${r.candidates} candidate papers in ${(r.ms / 1000).toFixed(1)} s\n`);
        }
        if (!opts.buildOnly) {
          const t = ctx.mail.transport;
          process.stderr.write(`sending the outbox to ${t.describe()} at ${ctx.config.DIGEST_RATE_PER_SECOND} messages/s\n`);
          const c = await ctx.mail.sender.drain();
          process.stdout.write(`sent ${c.sent}, deferred ${c.retried}, failed ${c.failed}, cancelled ${c.cancelled}\n`);
        }
      }).catch(fail);
    });

  digest
    .command('preview')
    .description("show what an address's next digest would contain now (nothing is stored or sent)")
    .requiredOption('--email <address>', 'the subscriber')
    .option('--html <file>', 'also write the HTML part to this file')
    .action(async (opts: { email: string; html?: string }) => {
      await withContext(async (ctx) => {
        const p = await previewDigest(ctx, opts.email.trim().toLowerCase());
        if (!p.message) {
          process.stdout.write(`No new papers match ${opts.email}'s topics since the last digest: nothing would be sent.\n`);
          return;
        }
        process.stdout.write(`To: ${p.subscription.email}\nSubject: ${p.message.subject}\n${Object.entries(p.message.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${p.message.text}`);
        if (opts.html) {
          fs.writeFileSync(opts.html, p.message.html);
          process.stderr.write(`HTML written to ${opts.html}\n`);
        }
      }).catch(fail);
    });
}
