/**
 * The fast builder used for OAI-PMH pages gives exactly what fast-xml-parser gives, and its
 * one-pass well-formedness check accepts only what XMLValidator accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { fastParse } from '../../src/ingest/xml-fast.js';
import { ARRAY_TAG_NAMES, parseXml } from '../../src/ingest/xml.js';
import { parseOaiPage } from '../../src/ingest/oai.js';
import { readDataset, renderOaiPages, recordXml } from '../fixtures/arxiv/render-oai.js';
import { SHARED_DATA } from '../support/app.js';

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

/** What parseXml gave before the one-pass check: XMLValidator, then the builder (or fast-xml-parser). */
function twoPass(xml: string): unknown {
  try {
    return parseXml(xml, 'doc', { fast: true, onePass: false });
  } catch (e) {
    return { error: (e as Error).message };
  }
}
function onePass(xml: string): unknown {
  try {
    return parseXml(xml, 'doc', { fast: true });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

test('one-pass check: malformed documents are refused with XMLValidator’s message, odd but valid ones parse as before', () => {
  const malformed = [
    '<a><b></a></b>', '<a>x & y</a>', '<a>&;</a>', '<a>&#X41;</a>', '<a b=1/>', '<a b="1" b="2"/>', '<a b="1"c="2"/>', '<a b/>',
    'text<a/>', '<a></b>', '<a>', '</a>', '<a><b></b>', '<1a/>', '< a/>', '<a b="x/>', ' <?xml version="1.0"?><a/>',
  ];
  for (const xml of malformed) {
    assert.equal(fastParse(xml, ARRAY_TAG_NAMES, { validate: true }), null, xml);
    const r = onePass(xml) as { error?: string };
    assert.match(r.error ?? '', /malformed or truncated XML at line \d+, column \d+|body is not XML/, xml);
    assert.deepEqual(r, twoPass(xml), xml);
  }
  const fine = [
    '<a/>', '<?xml version="1.0"?>\n<a x="1" y=\'2\'>t &amp; &#233; &#x1F600;</a>\n', '<!-- c --><a><!-- d --><b/>x<![CDATA[<&>]]></a>', '<a/><b/>', '<a/>text', '<a><?xml version="1.0"?></a>', '<p:a xmlns:p="u" p:x = "v" ><p:b>1</p:b><p:b>2</p:b></p:a>',
    '<a>&#;</a>', '<a>&nbsp;</a>', '<a x="&bogus;"/>', '<a x="<"/>', '<a>\u00a0</a>', '\ufeff<a/>', '<a></a >', '<?xml-stylesheet href="s.xsl"?><a/>',
  ];
  for (const xml of fine) assert.deepEqual(onePass(xml), twoPass(xml), xml);
});

test('one-pass check: a mutated page it accepts is one XMLValidator accepts, with the same tree', () => {
  const page = fs.readFileSync(new URL('oai-page-1.xml', dir), 'utf8').slice(0, 6000).replace(/<record>(?![\s\S]*<record>)[\s\S]*$/, '</ListRecords></OAI-PMH>');
  assert.ok(fastParse(page, ARRAY_TAG_NAMES, { validate: true }), 'the cut page is well-formed');
  const snippet = fc.constantFrom('<', '>', '&', '&amp;', '&#12;', '&x;', '"', "'", '=', '/', '</a>', '<a>', '<b/>', ' x="1"', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '<?xml ?>', ' ', '\n', 'é', '\u00a0', '::');
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: snippet }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
      let xml = page;
      for (const m of ms) {
        const at = m.at % (xml.length + 1);
        xml = m.kind === 'insert' ? xml.slice(0, at) + m.text + xml.slice(at) : m.kind === 'delete' ? xml.slice(0, at) + xml.slice(at + m.len) : xml.slice(0, at);
      }
      const fast = fastParse(xml, ARRAY_TAG_NAMES, { validate: true });
      if (fast) {
        accepted++;
        assert.equal(XMLValidator.validate(xml), true, 'accepted here means accepted by XMLValidator');
        assert.deepEqual(fast, fastParse(xml, ARRAY_TAG_NAMES), 'the same tree as before');
      } else refused++;
      assert.deepEqual(onePass(xml), twoPass(xml));
    }),
    { numRuns: 3000 },
  );
  assert.ok(accepted > 100 && refused > 100, `both outcomes exercised (${accepted} accepted, ${refused} refused)`);
});
