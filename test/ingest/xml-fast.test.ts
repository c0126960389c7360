/** The fast builder used for OAI-PMH pages gives exactly what fast-xml-parser gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseOaiPage } from '../../src/ingest/oai.js';
import { readDataset, renderOaiPages, recordXml } from '../fixtures/arxiv/render-oai.js';
import { SHARED_DATA } from '../helpers/app.js';

const dir = new URL('../fixtures/arxiv/', import.meta.url);
const both = (xml: string) => {
  const run = (fast: boolean) => {
    try {
      return parseOaiPage(xml, 'page', { fast });
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  return [run(true), run(false)];
};

test('identical pages on every fixture', () => {
  for (const f of fs.readdirSync(dir)) {
    if (!/\.(xml|html)$/.test(f)) continue;
    const [a, b] = both(fs.readFileSync(new URL(f, dir), 'utf8'));
    assert.deepEqual(a, b, f);
  }
});

const DATASET = path.join(SHARED_DATA, 'arxiv-cs-2015-2018', 'papers.jsonl.gz');
test('identical pages on 3,000 real arXiv records', { skip: !fs.existsSync(DATASET) && 'dataset not found' }, async () => {
  const rows = await readDataset(DATASET, 3000);
  for (const p of renderOaiPages(rows, 500, { deletedEvery: 97 })) {
    const [a, b] = both(p.xml);
    assert.deepEqual(a, b);
  }
});

test('identical on hostile text: entities, CDATA, comments, attributes with > and quotes', () => {
  const text = fc.stringOf(fc.constantFrom('a', ' ', '\n', '&amp;', '&lt;', '&#233;', '&#x1F600;', '>', '"', "'", 'é', '$\\alpha$', '&bogus;', '&nbsp;', '&copy;'), { maxLength: 40 });
  fc.assert(
    fc.property(text, text, fc.boolean(), (title, abstract, cdata) => {
      const rec = recordXml({ id: '1501.00001', title: 'T', abstract: 'A', authors: ['A B'], categories: ['cs.LG'], primary_category: 'cs.LG', created: '2015-01-01', updated: null, comments: null, doi: null })
        .replace('<title>T</title>', `<title>${title}</title><!-- a comment -->`)
        .replace(/<abstract>[\s\S]*<\/abstract>/, cdata ? `<abstract><![CDATA[${abstract.replace(/]]>/g, '')}]]></abstract>` : `<abstract>${abstract}</abstract>`);
      const xml = `<?xml version="1.0"?><OAI-PMH xmlns="x"><ListRecords>${rec}<resumptionToken cursor="0" note='a > b "q"'>tok&amp;1</resumptionToken></ListRecords></OAI-PMH>`;
      const [a, b] = both(xml);
      assert.deepEqual(a, b);
    }),
    { numRuns: 500 },
  );
});
