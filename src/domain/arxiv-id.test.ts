import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractArxivId, formatArxivId, parseArxivId, parseOaiIdentifier } from './arxiv-id.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** A valid new-style id: YYMM in 0704..(99)12, 4 digits before 1501, 5 after. */
const newStyleId = fc
  .record({ yy: fc.integer({ min: 7, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), n: fc.integer({ min: 0, max: 99999 }) })
  .filter(({ yy, mm }) => !(yy === 7 && mm < 4))
  .map(({ yy, mm, n }) => `${pad(yy, 2)}${pad(mm, 2)}.${yy < 15 ? pad(n % 10000, 4) : pad(n, 5)}`);

const archives = ['hep-th', 'hep-ph', 'math', 'cond-mat', 'astro-ph', 'cs', 'quant-ph', 'q-bio', 'nlin', 'gr-qc', 'physics'];
const oldStyleId = fc
  .record({
    archive: fc.constantFrom(...archives),
    sub: fc.option(fc.constantFrom('.GT', '.AG', '.CO', '.PR'), { nil: undefined }),
    yymm: fc.oneof(
      fc.record({ yy: fc.integer({ min: 92, max: 99 }), mm: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ yy: fc.integer({ min: 0, max: 6 }), mm: fc.integer({ min: 1, max: 12 }) }),
    ),
    n: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ archive, sub, yymm, n }) => `${archive}${archive === 'math' ? sub ?? '' : ''}/${pad(yymm.yy, 2)}${pad(yymm.mm, 2)}${pad(n, 3)}`);

const anyId = fc.oneof(newStyleId, oldStyleId);
const version = fc.option(fc.integer({ min: 1, max: 60 }), { nil: null });

test('parse ∘ format is the identity on valid ids, with and without version', () => {
  fc.assert(
    fc.property(anyId, version, (id, v) => {
      assert.deepEqual(parseArxivId(formatArxivId(id, v)), { id, version: v });
    }),
  );
});

test('every pasted form of a valid id extracts to the same id and version', () => {
  fc.assert(
    fc.property(anyId, version, fc.boolean(), (id, v, www) => {
      const full = formatArxivId(id, v);
      const host = `${www ? 'www.' : ''}arxiv.org`;
      const forms = [
        full,
        `  ${full}\n`,
        `arXiv:${full}`,
        `arxiv: ${full}`,
        `${full} [cs.LG]`,
        `https://${host}/abs/${full}`,
        `http://${host}/abs/${full}/`,
        `${host}/abs/${full}`,
        `https://${host}/pdf/${full}`,
        `https://${host}/pdf/${full}.pdf`,
        `https://${host}/abs/${full}?context=cs`,
        `https://export.arxiv.org/abs/${full}`,
        `https://huggingface.co/papers/${full}`,
        `https://huggingface.co/papers/${full}#community`,
      ];
      for (const f of forms) assert.deepEqual(extractArxivId(f), { id, version: v }, f);
    }),
  );
});

test('the parsers never throw and only return ids that re-parse to themselves', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.fullUnicodeString(), fc.webUrl(), anyId.map((s) => s + 'x')), (s) => {
      for (const f of [parseArxivId, extractArxivId, parseOaiIdentifier]) {
        const r = f(s);
        if (r !== null) {
          assert.deepEqual(parseArxivId(r.id), { id: r.id, version: null });
          assert.ok(r.version === null || (Number.isInteger(r.version) && r.version >= 1));
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test('OAI identifiers and RSS guids carry the id', () => {
  fc.assert(
    fc.property(anyId, version, (id, v) => {
      assert.deepEqual(parseOaiIdentifier(`oai:arXiv.org:${formatArxivId(id, v)}`), { id, version: v });
    }),
  );
});

test('known ids, edge cases and near misses', () => {
  const ok: Array<[string, string, number | null]> = [
    ['2401.12345', '2401.12345', null],
    ['2401.12345v3', '2401.12345', 3],
    ['0704.0001', '0704.0001', null],
    ['1412.9999v2', '1412.9999', 2],
    ['hep-th/9901001', 'hep-th/9901001', null],
    ['math.GT/0309136v1', 'math.GT/0309136', 1],
    ['cond-mat/0703999', 'cond-mat/0703999', null],
    ['hep-th/9108001', 'hep-th/9108001', null],
  ];
  for (const [s, id, v] of ok) assert.deepEqual(parseArxivId(s), { id, version: v }, s);
  const bad = [
    '', '2401.1234', '1401.12345', '1501.1234', '2413.12345', '2400.12345', '0703.0001', '2401.12345v0',
    '2401.12345v', '2401.123456', 'hep-th/0704001', 'hep-th/9107001', 'hep-th/990100', 'HEP-TH/9901001',
    'hep-th/9913001', '2401.12345v01', 'cs/9901001/', 'x'.repeat(400),
  ];
  for (const s of bad) assert.equal(parseArxivId(s), null, s);
  assert.equal(extractArxivId('https://example.com/abs/2401.12345'), null);
  assert.equal(extractArxivId('javascript:alert(1)'), null);
  assert.equal(extractArxivId('ftp://arxiv.org/abs/2401.12345'), null);
  assert.equal(extractArxivId('https://arxiv.org/list/cs.LG/new'), null);
  assert.equal(extractArxivId('https://arxiv.org/abs/%E0%A4%A'), null);
  assert.deepEqual(extractArxivId('https://arxiv.org/abs/hep-th/9901001v2'), { id: 'hep-th/9901001', version: 2 });
  assert.equal(formatArxivId({ id: '2401.12345', version: 2 }), '2401.12345v2');
});
