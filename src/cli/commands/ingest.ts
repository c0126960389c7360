/**
 * `papertide ingest api|oai|rss|id|status` — arXiv ingest by hand, with progress (pages, papers,
 * rate, ETA, when the next request may go). All sources share one polite fetcher: one request
 * at a time, ≥ ARXIV_MIN_INTERVAL_MS apart (never below 3 s against arxiv.org).
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { withContext, fail, isTTY } from '../context.js';
import { harvestOai, ingestApiQuery, ingestOne, ingestRss, ingestDeps, IngestError } from '../../ingest/index.js';
import { listCheckpoints } from '../../ingest/checkpoints.repository.js';
import type { StoreCounts } from '../../ingest/ingest.service.js';
import { GithubClient, refreshStars } from '../../ingest/github.js';
import { papertideUserAgent } from '../../ingest/http.js';

const fmtTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const fmtCounts = (c: StoreCounts) => `${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.withdrawn} withdrawn, ${c.skipped} skipped`;

/** A progress display: a bar on a terminal, one line per page otherwise (logs, CI). */
function progress(quiet: boolean, label: string) {
  const started = Date.now();
  let nextAt: number | null = null;
  const bar = isTTY() && !quiet
    ? new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% | page {pages} | {papers} papers | {rate}/s | ETA {eta_formatted} | next request {next}`, hideCursor: true, stream: process.stderr, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let startedBar = false;
  return {
    onWait(untilMs: number) {
      nextAt = untilMs;
      if (bar && startedBar) bar.update({ next: `${fmtTime(untilMs)} UTC` });
    },
    page(p: { pages: number; papers: number; total: number | null; done: number }) {
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      const rate = p.papers / secs;
      const total = p.total ?? 0;
      const next = nextAt ? `${fmtTime(nextAt)} UTC` : 'now';
      if (bar) {
        if (!startedBar) {
          bar.start(Math.max(total, p.done, 1), p.done, { pages: p.pages, papers: p.papers, rate: rate.toFixed(1), next });
          startedBar = true;
        } else {
          bar.setTotal(Math.max(total, p.done, 1));
          bar.update(p.done, { pages: p.pages, papers: p.papers, rate: rate.toFixed(1), next });
        }
      } else if (!quiet) {
        const eta = total && p.done < total && rate > 0 ? ` | ETA ${Math.round((total - p.done) / Math.max(rate, 1e-9))} s` : '';
        process.stderr.write(`${label}: page ${p.pages} | ${p.papers} papers${total ? ` of ${total}` : ''} | ${rate.toFixed(1)}/s${eta} | next request ${next}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    fail(e);
  }
}

export function register(program: Command) {
  const ingest = program
    .command('ingest')
    .description('ingest papers from arXiv (API, OAI-PMH, RSS, or one paper by id/URL), politely: one request at a time, ≥ 3 s apart')
    .addHelpText('after', '\nContact address sent in the User-Agent: ARXIV_CONTACT. Interval: ARXIV_MIN_INTERVAL_MS (never below 3000 against arxiv.org).');

  ingest
    .command('oai')
    .description('harvest OAI-PMH ListRecords (metadataPrefix=arXiv); resumes where a killed harvest stopped; without --from continues from the last harvest')
    .option('--set <set>', 'OAI set, e.g. cs, math, physics:hep-th', 'cs')
    .option('--from <date>', 'YYYY-MM-DD (inclusive)')
    .option('--until <date>', 'YYYY-MM-DD (inclusive)')
    .option('--prefix <prefix>', 'arXiv or arXivRaw (full version history)', 'arXiv')
    .option('--restart', 'ignore an unfinished harvest and start over')
    .option('--max-pages <n>', 'stop after n pages (the next run continues)')
    .option('--quiet', 'no progress output')
    .action(async (o: { set: string; from?: string; until?: string; prefix: string; restart?: boolean; maxPages?: string; quiet?: boolean }) =>
      run(() =>
        withContext(async (ctx) => {
          if (o.prefix !== 'arXiv' && o.prefix !== 'arXivRaw') throw new IngestError('bad_input', `--prefix must be arXiv or arXivRaw, got ${o.prefix}`);
          const pr = progress(!!o.quiet, `oai ${o.set}`);
          const deps = ingestDeps(ctx, { onWait: ({ untilMs }) => pr.onWait(untilMs) });
          try {
            const res = await harvestOai(deps, {
              set: o.set === 'all' ? null : o.set,
              from: o.from,
              until: o.until,
              prefix: o.prefix,
              restart: o.restart,
              maxPages: o.maxPages ? Number(o.maxPages) : undefined,
              onPage: (p) => pr.page({ pages: p.pages, papers: p.records, total: p.completeListSize, done: p.records }),
            });
            pr.stop();
            process.stdout.write(`${res.done ? 'harvest done' : 'harvest paused (run again to continue)'}: ${res.pages} pages, ${res.records} records; ${fmtCounts(res.counts)}\n`);
          } finally {
            pr.stop();
          }
        }),
      ),
    );

  ingest
    .command('api')
    .description('run an arXiv API query (search_query syntax: cat:cs.LG, ti:…, au:…, submittedDate:[YYYYMMDDHHMM TO …]) and store the results')
    .argument('[query...]', 'search_query, e.g. cat:cs.CL AND ti:retrieval')
    .option('--category <cat>', 'shorthand for cat:<cat>')
    .option('--from <date>', 'submitted on or after YYYY-MM-DD')
    .option('--to <date>', 'submitted on or before YYYY-MM-DD')
    .option('--ids <ids>', 'comma-separated id_list instead of a query')
    .option('--limit <n>', 'at most n results (arXiv allows 30000 per query)', '1000')
    .option('--page-size <n>', 'results per request (≤ 2000)', '500')
    .option('--sort <field>', 'relevance, lastUpdatedDate or submittedDate', 'submittedDate')
    .option('--quiet', 'no progress output')
    .action(async (words: string[], o: { category?: string; from?: string; to?: string; ids?: string; limit: string; pageSize: string; sort: string; quiet?: boolean }) =>
      run(() =>
        withContext(async (ctx) => {
          const parts = words.length ? [words.join(' ')] : [];
          if (o.category) parts.push(`cat:${o.category}`);
          const d = (s: string | undefined, end: boolean) => {
            if (!s) return end ? '299912312359' : '199101010000';
            if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new IngestError('bad_input', `dates must be YYYY-MM-DD, got ${s}`);
            return s.replace(/-/g, '') + (end ? '2359' : '0000');
          };
          if (o.from || o.to) parts.push(`submittedDate:[${d(o.from, false)} TO ${d(o.to, true)}]`);
          const idList = o.ids ? o.ids.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
          if (!parts.length && !idList) throw new IngestError('bad_input', 'give a query, --category, --from/--to or --ids');
          if (!['relevance', 'lastUpdatedDate', 'submittedDate'].includes(o.sort)) throw new IngestError('bad_input', `--sort must be relevance, lastUpdatedDate or submittedDate`);
          const pr = progress(!!o.quiet, 'api');
          const deps = ingestDeps(ctx, { onWait: ({ untilMs }) => pr.onWait(untilMs) });
          try {
            const res = await ingestApiQuery(deps, {
              searchQuery: parts.length ? parts.join(' AND ') : undefined,
              idList,
              limit: Number(o.limit) || 1000,
              pageSize: Number(o.pageSize) || 500,
              sortBy: o.sort as 'submittedDate',
              sortOrder: 'descending',
              onPage: (p) => pr.page({ pages: p.pages, papers: p.fetched, total: p.totalResults === null ? null : Math.min(p.totalResults, Number(o.limit) || 1000), done: p.fetched }),
            });
            pr.stop();
            process.stdout.write(`${res.fetched} entries in ${res.pages} pages (of ${res.totalResults ?? '?'} matching); ${fmtCounts(res.counts)}\n`);
          } finally {
            pr.stop();
          }
        }),
      ),
    );

  ingest
    .command('rss')
    .description("today's announcements (new, cross, replace, replace-cross) from rss.arxiv.org, in one request")
    .argument('[categories...]', 'categories (default INGEST_CATEGORIES)')
    .action(async (cats: string[]) =>
      run(() =>
        withContext(async (ctx) => {
          const categories = cats.length ? cats.flatMap((c) => c.split(/[+,]/)).filter(Boolean) : [...ctx.config.INGEST_CATEGORIES];
          const res = await ingestRss(ingestDeps(ctx), categories);
          const t = res.byType;
          process.stdout.write(
            res.items === 0
              ? `no announcements in ${categories.join('+')} (normal on weekends and holidays)\n`
              : `${res.items} items (${t.new} new, ${t.cross} cross, ${t.replace} replace, ${t['replace-cross']} replace-cross); ${fmtCounts(res.counts)}\n`,
          );
        }),
      ),
    );

  ingest
    .command('id')
    .description('fetch and store papers by arXiv id or URL (arxiv.org/abs|pdf, huggingface.co/papers, old-style ids)')
    .argument('<ids...>', 'ids or URLs')
    .action(async (ids: string[]) =>
      run(() =>
        withContext(async (ctx) => {
          const deps = ingestDeps(ctx);
          for (const input of ids) {
            const { paper, counts } = await ingestOne(deps, input);
            const what = counts.added ? 'added' : counts.updated ? 'updated' : 'unchanged';
            process.stdout.write(`${paper.id}${paper.version ? `v${paper.version}` : ''} ${what}: ${paper.title}\n`);
          }
        }),
      ),
    );

  ingest
    .command('stars')
    .description('fill in GitHub stars for papers whose code repository is known (GITHUB_TOKEN optional; stops at the rate limit)')
    .option('--limit <n>', 'at most n repositories', '50')
    .action(async (o: { limit: string }) =>
      run(() =>
        withContext(async (ctx) => {
          const client = new GithubClient({ apiUrl: ctx.config.GITHUB_API_URL, token: ctx.config.GITHUB_TOKEN ?? null, userAgent: papertideUserAgent(ctx.config.ARXIV_CONTACT), fetch: ctx.fetch, log: ctx.logger });
          const r = await refreshStars(ctx.store.db, client, { limit: Number(o.limit) || 50, now: () => ctx.clock.now(), log: ctx.logger });
          process.stdout.write(`stars updated for ${r.updated} papers, ${r.notFound} repositories not found${r.rateLimited ? '; stopped at the GitHub rate limit' : ''}\n`);
        }),
      ),
    );

  ingest
    .command('status')
    .description('show ingest checkpoints (unfinished and finished harvests)')
    .action(async () =>
      run(() =>
        withContext(async (ctx) => {
          const cps = await listCheckpoints(ctx.store.db);
          if (!cps.length) process.stdout.write('no ingest checkpoints yet\n');
          for (const c of cps) {
            const s = c.state as { status?: string; pages?: number; records?: number; nextFrom?: string | null; token?: string | null };
            process.stdout.write(`${c.source}: ${s.status ?? '?'}, ${s.pages ?? 0} pages, ${s.records ?? 0} records${s.status === 'done' ? `, next from ${s.nextFrom ?? '-'}` : `, next token ${s.token ?? '(restart)'}`} (updated ${c.updatedAt})\n`);
          }
        }),
      ),
    );
}
