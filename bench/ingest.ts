/**
 * npm run bench:ingest [-- --file PATH] [--page-size 1000] [--limit N] [--no-baseline]
 *
 * OAI-PMH ingest throughput on real metadata: the 73,776 records of
 * ../shared/data/arxiv-cs-2015-2018/papers.jsonl.gz are rendered as OAI-PMH ListRecords pages
 * in arXiv's `arXiv` metadata format (1,000 records a page, chained by resumptionTokens, as
 * oaipmh.arxiv.org serves them) and SERVED OVER HTTP FROM A LOCAL SERVER ON 127.0.0.1 in this
 * same process. The real harvester (`harvestOai`: polite fetcher with a 0 ms interval, XML
 * validation, parsing, normalising, one transaction per page with its checkpoint) stores them
 * into a fresh SQLite store, and every committed page is indexed: the search index's own
 * builder (src/search LexicalBuilder, tokenising title/abstract/authors) is fed the changed
 * papers as read back from the store, then finished. One process, one core.
 *
 * Baseline, same run: the lead's JSONL importer (`importFile`) on the same records written as
 * .jsonl, with the same indexing hook. Also reported: parse-only throughput and per-page
 * time (p50/p95), CPU seconds of the harvest and of the baseline (user + system; on a machine
 * shared with other work, wall time also counts waiting for a core) and the 1-minute load
 * average at the start and at the end. The server sends each page as bytes encoded once before
 * timing (serving is not the harvester's work; fetching, decoding and parsing them is).
 * Result: one JSON object on the last line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../src/config.js';
import { createContext, papersChanged, type AppContext } from '../src/app.js';
import { importFile } from '../src/papers/import.service.js';
import { iterateSearchDocs } from '../src/papers/papers.repository.js';
import { harvestOai, ingestDeps } from '../src/ingest/index.js';
import { parseOaiPage } from '../src/ingest/oai.js';
import { LexicalBuilder } from '../src/search/lexical-index.js';
import { readDataset, renderOaiPages } from '../test/fixtures/arxiv/render-oai.js';
import { startReplayServer } from '../test/support/replay-server.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const file = opt('file', path.resolve('..', 'shared', 'data', 'arxiv-cs-2015-2018', 'papers.jsonl.gz'));
const pageSize = Number(opt('page-size', '1000'));
const limit = Number(opt('limit', 'Infinity'));
const withBaseline = !args.includes('--no-baseline');

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
/** CPU seconds (user + system) this process used: on a machine shared with other work, wall time also counts waiting for a core. */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Index hook: the search index builder, fed what the store now holds for the changed ids. */
const indexTime = { ms: 0 };
function indexer(ctx: AppContext) {
  const builder = new LexicalBuilder();
  ctx.events.on(['papers'], async ({ ids }) => {
    const t = performance.now();
    for await (const docs of iterateSearchDocs(ctx.store.db, 5000, ids)) for (const d of docs) builder.add(d);
    indexTime.ms += performance.now() - t;
  });
  return builder;
}

console.error(`reading ${file} …`);
const rows = await readDataset(file, limit);
const t0 = performance.now();
const pages = renderOaiPages(rows, pageSize);
const bytes = pages.reduce((n, p) => n + Buffer.byteLength(p.xml), 0);
console.error(`rendered ${rows.length} records as ${pages.length} OAI-PMH pages (${(bytes / 1e6).toFixed(0)} MB of XML) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// The server's work is not the harvester's: it sends bytes encoded once, before timing.
const byToken = new Map(pages.map((p) => [p.token ?? '', Buffer.from(p.xml, 'utf8')]));
const server = await startReplayServer((r) => ({ body: byToken.get(r.query.get('resumptionToken') ?? '') ?? '' }));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-ingest-'));
const result: Record<string, unknown> = {
  bench: 'ingest',
  dataset: path.basename(path.dirname(file)),
  source: 'oai-pmh arXiv-format XML pages served over http://127.0.0.1 (same process)',
  records: rows.length,
  pages: pages.length,
  page_size: pageSize,
  loadavg_1m_start: round(os.loadavg()[0], 2),
};
try {
  // Parse only (in memory): the XML share of the cost.
  let parsed = 0;
  const tp = performance.now();
  for (const p of pages) parsed += parseOaiPage(p.xml).papers.length;
  const parseSeconds = (performance.now() - tp) / 1000;
  console.error(`parse only: ${parsed} papers in ${parseSeconds.toFixed(1)} s (${Math.round(parsed / parseSeconds)} papers/s)`);

  // Ours: the real harvester over HTTP, stored and indexed.
  const ctx = await createContext(testConfig({ DATA_DIR: path.join(dir, 'oai'), ARXIV_OAI_URL: `${server.url}/oai`, ARXIV_MIN_INTERVAL_MS: '0' }));
  const builder = indexer(ctx);
  indexTime.ms = 0;
  const pageMs: number[] = [];
  let last = performance.now();
  const ch = cpuSeconds();
  const th = performance.now();
  const res = await harvestOai(
    { ...ingestDeps(ctx), onStored: (changed, withdrawn) => papersChanged(ctx, [...changed, ...withdrawn]) },
    {
      set: 'cs',
      onPage: (p) => {
        const now = performance.now();
        pageMs.push(now - last);
        last = now;
        if (p.pages % 10 === 0 || p.done) console.error(`  page ${p.pages}/${pages.length}: ${p.records} records, ${Math.round(p.records / ((now - th) / 1000))} papers/s`);
      },
    },
  );
  const ti = performance.now();
  const index = builder.finish();
  const finishSeconds = (performance.now() - ti) / 1000;
  const seconds = (performance.now() - th) / 1000;
  const cpu = cpuSeconds() - ch;
  await ctx.close();
  const stored = res.counts.added + res.counts.updated + res.counts.unchanged;
  console.error(`oai ingest: ${stored} papers stored (${res.counts.skipped} skipped) and ${index.size} indexed in ${seconds.toFixed(1)} s (index finish ${finishSeconds.toFixed(1)} s) → ${Math.round(stored / seconds)} papers/s`);
  Object.assign(result, {
    stored,
    skipped: res.counts.skipped,
    indexed: index.size,
    index: 'src/search LexicalBuilder (add per committed page + finish)',
    seconds: round(seconds, 2),
    papers_per_s: Math.round(stored / seconds),
    cpu_s: round(cpu, 2),
    papers_per_cpu_s: Math.round(stored / cpu),
    parse_only_papers_per_s: Math.round(parsed / parseSeconds),
    page_p50_ms: round(quantile(pageMs, 0.5)),
    page_p95_ms: round(quantile(pageMs, 0.95)),
    index_finish_s: round(finishSeconds, 2),
    index_s: round(indexTime.ms / 1000 + finishSeconds, 2),
    parse_s: round(parseSeconds, 2),
  });
  console.error(`  of which: parse ≈ ${parseSeconds.toFixed(1)} s, index ${(indexTime.ms / 1000 + finishSeconds).toFixed(1)} s, store + HTTP ≈ ${(seconds - parseSeconds - indexTime.ms / 1000 - finishSeconds).toFixed(1)} s`);

  if (withBaseline) {
    // The same records as JSONL (uncompressed, written before timing starts).
    const jsonl = path.join(dir, 'papers.jsonl');
    fs.writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const bctx = await createContext(testConfig({ DATA_DIR: path.join(dir, 'jsonl') }));
    const bbuilder = indexer(bctx);
    const cb = cpuSeconds();
    const tb = performance.now();
    const b = await importFile(bctx.store.db, jsonl, { now: () => new Date(), onChanged: (ids) => papersChanged(bctx, ids) });
    bbuilder.finish();
    const bs = (performance.now() - tb) / 1000;
    const bcpu = cpuSeconds() - cb;
    await bctx.close();
    const bn = b.added + b.updated + b.unchanged;
    console.error(`baseline jsonl import: ${bn} papers in ${bs.toFixed(1)} s → ${Math.round(bn / bs)} papers/s`);
    Object.assign(result, { baseline: 'jsonl-import (importFile on the same records as .jsonl, same index hook)', baseline_papers_per_s: Math.round(bn / bs), baseline_papers_per_cpu_s: Math.round(bn / bcpu), ratio_vs_baseline: round(stored / seconds / (bn / bs), 2) });
  }
} finally {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
result.target_papers_per_s = 5000;
result.meets_target = (result.papers_per_s as number) >= 5000;
result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
result.loadavg_1m_end = round(os.loadavg()[0], 2);
console.log(JSON.stringify(result));
