/** A skipped import line is reported with the line number an editor shows, blank lines and CRLF included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useApp } from '../support/app.js';
import { importFile } from '../../src/papers/import.service.js';

const good = (n: number) => JSON.stringify({ arxiv_id: `2401.${String(n).padStart(5, '0')}`, title: `Paper ${n}`, abstract: `About ${n}.`, authors: ['Ada Lovelace'], categories: ['cs.LG'], published: '2024-01-02' });

test('skipped lines keep their editor line numbers after blank and whitespace-only lines', async (t) => {
  const app = await useApp(t);
  for (const eol of ['\n', '\r\n']) {
    const lines = [good(1), '', '{not json', '   ', good(2), '', '', '[1,2]', good(3), '{"arxiv_id":"nope"}'];
    const file = path.join(app.env.dataDir, `lines${eol.length}.jsonl`);
    fs.writeFileSync(file, lines.join(eol) + eol);
    const r = await importFile(app.ctx.store.db, file, { now: () => app.clock.now() });
    assert.deepEqual(r.skippedLines.map((s) => s.line), [3, 8, 10], JSON.stringify(eol));
    assert.equal(r.skipped, 3);
    assert.equal(r.lines, 6, 'blank lines are not counted as records');
  }
});
