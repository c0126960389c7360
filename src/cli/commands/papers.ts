/**
 * `papertide papers ls|search|info|read`: the daily papers, search, one paper's metadata and the
 * paper as Markdown, with the options and output of Hugging Face's `hf papers`. Every answer
 * comes from the JSON API (or `/papers/{id}.md`): of the local store, served in-process by the
 * same app `papertide serve` runs, or of any compatible server given by `--endpoint`
 * (another Papertide, or huggingface.co itself). So the CLI, the server and remote servers
 * cannot disagree about what a paper looks like.
 */
import type { Command } from 'commander';
import { withApiClient, fail, type ApiClient } from '../context.js';
import { AppError } from '../../domain/errors.js';

interface Common {
  endpoint?: string;
  json?: boolean;
}

type Json = any;

/** Print a list of daily items / search items the way `hf papers ls` does: one line each. */
function printItems(items: Json[]): void {
  if (!items.length) {
    process.stdout.write('no papers\n');
    return;
  }
  for (const it of items) {
    const p = it.paper ?? it;
    const date = String(it.publishedAt ?? p.publishedAt ?? '').slice(0, 10) || '          ';
    const up = String(p.upvotes ?? 0).padStart(4);
    const title = String(p.title ?? it.title ?? '').replace(/\s+/g, ' ');
    process.stdout.write(`${date}  ▲${up}  ${p.id.padEnd(10)}  ${title}\n`);
  }
}

function printPaper(p: Json): void {
  const line = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length)) process.stdout.write(`${k.padEnd(12)} ${Array.isArray(v) ? v.join(', ') : v}\n`);
  };
  line('id', p.id);
  line('title', String(p.title ?? '').replace(/\s+/g, ' '));
  line('authors', (p.authors ?? []).map((a: Json) => a.name));
  line('published', String(p.publishedAt ?? '').slice(0, 10));
  line('featured', p.submittedOnDailyAt ? String(p.submittedOnDailyAt).slice(0, 10) : undefined);
  line('upvotes', p.upvotes);
  line('comments', p.numComments);
  line('categories', p.categories);
  line('code', p.githubRepo);
  line('stars', p.githubStars);
  line('project', p.projectPage);
  line('keywords', p.ai_keywords);
  line('arXiv', `https://arxiv.org/abs/${p.id}`);
  if (p.summary) process.stdout.write(`\n${String(p.summary).replace(/\s+/g, ' ')}\n`);
}

function limitOpt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new AppError('bad_request', `--limit must be a whole number from 1 to 100 (got ${JSON.stringify(v)}).`);
  return n;
}

async function run(opts: Common, fn: (api: ApiClient) => Promise<void>): Promise<void> {
  await withApiClient(opts.endpoint, fn).catch(fail);
}

export function register(program: Command) {
  const papers = program
    .command('papers')
    .description('daily papers, search, one paper and its Markdown, from the local store or any compatible server (--endpoint), like `hf papers`');

  papers
    .command('ls')
    .description('list daily papers (default: every day, latest first; or one --date, --week or --month)')
    .option('--date <YYYY-MM-DD>', 'one day')
    .option('--week <YYYY-Www>', 'one ISO week, e.g. 2025-W23')
    .option('--month <YYYY-MM>', 'one month')
    .option('--sort <order>', 'publishedAt (most recently featured first) or trending; default: most upvoted first')
    .option('--submitter <name>', 'only papers this user submitted')
    .option('--limit <n>', 'papers per page, 1 to 100', '20')
    .option('-p, --page <n>', 'page, from 0', '0')
    .option('--json', 'print the API response as JSON')
    .option('--endpoint <url>', 'a Papertide or Hugging Face server instead of the local store')
    .action(async (o: Common & { date?: string; week?: string; month?: string; sort?: string; submitter?: string; limit: string; page: string }) =>
      run(o, async (api) => {
        const q = new URLSearchParams({ limit: String(limitOpt(o.limit)), p: o.page });
        for (const k of ['date', 'week', 'month', 'sort', 'submitter'] as const) if (o[k]) q.set(k, o[k]!);
        const items = await api.json(`/api/daily_papers?${q}`);
        if (o.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        else printItems(items);
      }),
    );

  papers
    .command('search')
    .description('search papers (the query language of /search; an arXiv id or URL finds that paper)')
    .argument('<query...>', 'what to search for')
    .option('--limit <n>', 'results, 1 to 100', '20')
    .option('--json', 'print the API response as JSON')
    .option('--endpoint <url>', 'a Papertide or Hugging Face server instead of the local store')
    .action(async (words: string[], o: Common & { limit: string }) =>
      run(o, async (api) => {
        const q = new URLSearchParams({ q: words.join(' '), limit: String(limitOpt(o.limit)) });
        const items = await api.json(`/api/papers/search?${q}`);
        if (o.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        else printItems(items);
      }),
    );

  papers
    .command('info')
    .description("one paper's metadata")
    .argument('<id>', 'arXiv id or URL')
    .option('--json', 'print the API response as JSON')
    .option('--endpoint <url>', 'a Papertide or Hugging Face server instead of the local store')
    .action(async (id: string, o: Common) =>
      run(o, async (api) => {
        const p = await api.json(`/api/papers/${encodeURIComponent(paperId(id))}`);
        if (o.json) process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
        else printPaper(p);
      }),
    );

  papers
    .command('read')
    .description('the paper as Markdown (title, authors, links, abstract with TeX, AI summary)')
    .argument('<id>', 'arXiv id or URL')
    .option('--endpoint <url>', 'a Papertide or Hugging Face server instead of the local store')
    .action(async (id: string, o: Common) =>
      run(o, async (api) => {
        process.stdout.write(await api.text(`/papers/${encodeURIComponent(paperId(id))}.md`));
      }),
    );
}

/** An id as typed, or the id inside an arXiv / Hugging Face URL (the server checks it). */
function paperId(s: string): string {
  const m = /(?:arxiv\.org\/(?:abs|pdf)\/|huggingface\.co\/papers\/)([^?#\s]+?)(?:\.pdf|\.md)?(?:[?#].*)?$/i.exec(s.trim());
  return (m ? m[1] : s.trim()).replace(/v\d+$/, '');
}
