/**
 * `papertide import FILE`: JSONL or JSONL.gz in any format of ../shared/data (see import-formats.ts).
 * Each batch of lines is one transaction. A bad line is skipped with its line number and reason;
 * the rest still imports. Re-importing the same file changes nothing.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { setHfExtras, upsertPapers } from './papers.repository.js';
import { addDailyEntries, setExternalCounts, setSubmitterProfiles, type DailyEntryInput } from '../daily/daily.repository.js';
import { normalizeRecord, type ImportRecord } from './import-formats.js';

export interface ImportCounts {
  lines: number;
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
  dailyEntries: number;
}

export interface SkippedLine {
  line: number;
  reason: string;
}

export interface ImportOptions {
  now: () => Date;
  batchSize?: number;
  /** Mark the papers as demo data (removable with `papertide demo --remove`). */
  demo?: boolean;
  /** For demo files without dates: the date their daily entries are featured on. */
  demoDate?: string;
  onProgress?: (p: { bytesRead: number; totalBytes: number; counts: ImportCounts }) => void;
  onSkip?: (s: SkippedLine) => void;
  /** Called with the ids whose searchable data changed, after each committed batch. */
  onChanged?: (ids: string[]) => Promise<void> | void;
}

const MAX_LINE = 1_000_000;

export async function importFile(db: Kysely<Database>, file: string, opts: ImportOptions): Promise<ImportCounts & { skippedLines: SkippedLine[] }> {
  const totalBytes = fs.statSync(file).size;
  const raw = fs.createReadStream(file);
  let bytesRead = 0;
  raw.on('data', (b) => (bytesRead += b.length));
  let head: Buffer | null = null;
  const gz = await new Promise<boolean>((resolve, reject) => {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
      resolve(head[0] === 0x1f && head[1] === 0x8b);
    } catch (e) {
      reject(e);
    } finally {
      fs.closeSync(fd);
    }
  });
  const input = gz ? raw.pipe(zlib.createGunzip()) : raw;
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  const counts: ImportCounts = { lines: 0, added: 0, updated: 0, unchanged: 0, skipped: 0, dailyEntries: 0 };
  const skippedLines: SkippedLine[] = [];
  const batchSize = opts.batchSize ?? 1000;
  let batch: { line: number; rec: ImportRecord }[] = [];

  const skip = (line: number, reason: string) => {
    counts.skipped++;
    const s = { line, reason };
    if (skippedLines.length < 1000) skippedLines.push(s);
    opts.onSkip?.(s);
  };

  const flush = async () => {
    if (!batch.length) return;
    const items = batch;
    batch = [];
    const now = opts.now().toISOString();
    const changedIds = await db.transaction().execute(async (trx) => {
      const res = await upsertPapers(trx, items.map((i) => i.rec.paper), { now, isDemo: opts.demo });
      const touched = new Set<string>();
      // Papers whose shown (not searchable) Hugging Face fields changed: pages follow them.
      const shown = new Set<string>();
      const daily: DailyEntryInput[] = [];
      const external = new Map<string, { id: string; upvotes: number; comments: number }>();
      items.forEach(({ rec }, i) => {
        if (rec.daily) {
          const profile = rec.daily.submitterProfile ? JSON.stringify(rec.daily.submitterProfile) : null;
          daily.push({ paperId: rec.paper.id, date: rec.daily.date, submittedAt: rec.daily.submittedAt, submitterName: rec.daily.submitterName, submitterProfile: profile, source: 'hf', rank: rec.daily.rank ?? i });
          const prev = external.get(rec.paper.id);
          external.set(rec.paper.id, { id: rec.paper.id, upvotes: Math.max(prev?.upvotes ?? 0, rec.daily.upvotes), comments: Math.max(prev?.comments ?? 0, rec.daily.comments) });
        } else if (opts.demo && opts.demoDate) {
          daily.push({ paperId: rec.paper.id, date: opts.demoDate, submittedAt: now, submitterName: null, source: 'demo', rank: i });
        }
      });
      // Daily entries and counts that changed make an otherwise unchanged line "updated".
      if (daily.length) {
        const existing = await trx.selectFrom('daily_entries').select(['paper_id', 'date']).where('paper_id', 'in', [...new Set(daily.map((d) => d.paperId))]).execute();
        const have = new Set(existing.map((e) => `${e.date}|${e.paper_id}`));
        const fresh = daily.filter((d) => !have.has(`${d.date}|${d.paperId}`));
        counts.dailyEntries += await addDailyEntries(trx, fresh);
        for (const d of fresh) touched.add(d.paperId);
        const older = daily.filter((d) => d.submitterProfile && have.has(`${d.date}|${d.paperId}`));
        for (const id of await setSubmitterProfiles(trx, older.map((d) => ({ paperId: d.paperId, date: d.date, profile: d.submitterProfile! })))) shown.add(id);
      }
      const extras = items.flatMap(({ rec }) => (rec.hf ? [{ id: rec.paper.id, ...rec.hf }] : []));
      for (const id of await setHfExtras(trx, extras)) shown.add(id);
      for (const id of shown) touched.add(id);
      const countChanged = await setExternalCounts(trx, [...external.values()]);
      for (const id of countChanged) touched.add(id);
      const changed = new Set(res.changedIds);
      const extraUpdated = [...touched].filter((id) => !changed.has(id)).length;
      const moved = Math.min(extraUpdated, res.unchanged);
      counts.added += res.added;
      counts.updated += res.updated + moved;
      counts.unchanged += res.unchanged - moved;
      // Papers read in this batch but de-duplicated inside it count once each: add the rest as unchanged.
      const dupes = items.length - (res.added + res.updated + res.unchanged);
      counts.unchanged += dupes;
      return [...new Set([...res.changedIds, ...countChanged, ...shown])];
    });
    if (changedIds.length && opts.onChanged) await opts.onChanged(changedIds);
    opts.onProgress?.({ bytesRead, totalBytes, counts });
  };

  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    counts.lines++;
    if (!line.trim()) {
      counts.lines--;
      continue;
    }
    if (line.length > MAX_LINE) {
      skip(lineNo, `line longer than ${MAX_LINE} characters`);
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      skip(lineNo, `invalid JSON (${(e as Error).message})`);
      continue;
    }
    try {
      batch.push({ line: lineNo, rec: normalizeRecord(obj) });
    } catch (e) {
      skip(lineNo, (e as Error).message);
      continue;
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  opts.onProgress?.({ bytesRead: totalBytes, totalBytes, counts });
  return { ...counts, skippedLines };
}
