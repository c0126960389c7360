import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bibtexEntry, bibtexFile, baseCitationKey, citationKeys, escapeLatexText, latexField, authorField, parseBibtex, readImportText, arxivIdOfEntry, type CitablePaper } from './bibtex.js';
import { risFile } from './ris.js';

const paper = (over: Partial<CitablePaper> = {}): CitablePaper => ({
  id: '1706.03762',
  title: 'Attention Is All You Need',
  authors: ['Ashish Vaswani', 'Noam Shazeer'],
  primaryCategory: 'cs.CL',
  publishedAt: '2017-06-12T17:57:34Z',
  ...over,
});

test('every LaTeX special character is escaped, at the start, middle and end of text', () => {
  const specials: [string, string][] = [
    ['{', '\\{'],
    ['}', '\\}'],
    ['%', '\\%'],
    ['&', '\\&'],
    ['$', '\\$'],
    ['_', '\\_'],
    ['#', '\\#'],
    ['~', '\\textasciitilde{}'],
    ['^', '\\textasciicircum{}'],
    ['\\', '\\textbackslash{}'],
  ];
  for (const [ch, esc] of specials) {
    assert.equal(escapeLatexText(`${ch}a${ch}b${ch}`), `${esc}a${esc}b${esc}`, ch);
    assert.equal(authorField(`A${ch}B Smith`), `A${esc}B Smith`, `author ${ch}`);
  }
  assert.equal(escapeLatexText('Gödel, Эрдёш, 北京, naïve — “q”'), 'Gödel, Эрдёш, 北京, naïve — “q”', 'Unicode is kept');
});

test('titles: math kept as formulas, text-mode escapes and commands become text, the rest escaped', () => {
  assert.equal(latexField('Learning in $\\mathcal{O}(n)$ time'), 'Learning in $\\mathcal{O}(n)$ time');
  assert.equal(latexField('R&D: 50% of $x_1$ with a_b'), 'R\\&D: 50\\% of $x_1$ with a\\_b');
  assert.equal(latexField('Costs \\$5 and 100\\% \\emph{faster}'), 'Costs \\$5 and 100\\% faster');
  assert.equal(latexField('A lone $ sign'), 'A lone \\$ sign');
  assert.equal(latexField('Unbalanced $x}$ math'), 'Unbalanced \\$x\\}\\$ math', 'a formula whose braces do not balance is text');
  assert.equal(latexField('Percent in math $50%$'), 'Percent in math $50\\%$');
  assert.equal(latexField('Braces {in} text'), 'Braces \\{in\\} text');
  assert.equal(latexField('Gödel ~ ^ # done'), 'Gödel \\textasciitilde{} \\textasciicircum{} \\# done');
});

test('entry: arXiv eprint fields, double-braced title, authors joined by "and", names with commas braced', () => {
  const e = bibtexEntry(paper({ authors: ['Ashish Vaswani', 'Google Research, Brain Team', 'Smith and Wesson'] }));
  assert.match(e, /^@misc\{vaswani2017attention,\n/);
  assert.match(e, /  title = \{\{Attention Is All You Need\}\},/);
  assert.match(e, /  author = \{Ashish Vaswani and \{Google Research, Brain Team\} and \{Smith and Wesson\}\},/);
  assert.match(e, /  eprint = \{1706\.03762\},\n  archivePrefix = \{arXiv\},\n  primaryClass = \{cs\.CL\},/);
  assert.match(e, /  year = \{2017\}/);
  assert.match(e, /  url = \{https:\/\/arxiv\.org\/abs\/1706\.03762\}\n\}\n$/);
});

test('citation keys are ASCII, stable and unique: duplicates take the arXiv id, the oldest keeps the base', () => {
  assert.equal(baseCitationKey(paper({ authors: ['Kurt Gödel'], title: 'On the $\\aleph$ Ünits' })), 'godel2017units');
  assert.equal(baseCitationKey(paper({ authors: [], publishedAt: null, id: 'hep-th/9901001', title: 'The' })), 'anon1999the');
  const a = paper({ id: '1706.03762' });
  const b = paper({ id: '1706.99999' });
  const keys = citationKeys([b, a]);
  assert.equal(keys.get(a.id), 'vaswani2017attention');
  assert.equal(keys.get(b.id), 'vaswani2017attention-1706.99999');
  assert.deepEqual(citationKeys([a]).get(a.id), keys.get(a.id), 'the same key whatever else is exported');
});

test('export read back by the parser: every field survives, hostile titles included', () => {
  const hostile = paper({ id: '2401.00001', title: 'A {title} with } & % $x^2$ # _ ~ ^ \\ and Ünïcödé', authors: ['Jörg Müller', 'A%B'], doi: '10.1000/x_y' });
  const text = bibtexFile([paper(), hostile]);
  const { entries, problems } = parseBibtex(text);
  assert.deepEqual(problems, []);
  assert.equal(entries.length, 2);
  assert.equal(entries[1].fields.eprint, '2401.00001');
  assert.equal(entries[1].fields.archiveprefix, 'arXiv');
  assert.equal(entries[1].fields.primaryclass, 'cs.CL');
  assert.equal(entries[1].fields.author, 'Jörg Müller and A\\%B');
  assert.match(entries[1].fields.title, /Ünïcödé/);
  assert.equal(arxivIdOfEntry(entries[1]), '2401.00001');
});

test('import: a bad entry is reported with its line, the others still import', () => {
  const bib = [
    '% my refs',
    '@article{good1,',
    '  title = {One},',
    '  eprint = {2401.12345},',
    '  archivePrefix = {arXiv}',
    '}',
    '@article{broken,',
    '  title = {Two',
    '  year = 2024',
    '@misc{good2, title = "Three", url = {https://arxiv.org/abs/2402.00002v3}}',
    '@book{noarxiv, title = {A book}}',
    '@string{j = "arXiv preprint arXiv:2403.00003"}',
    '@article{viamacro, journal = j}',
    '@article{doi, doi = {10.48550/arXiv.2404.00004}}',
    '@article{bad field, title {x}}',
  ].join('\n');
  const r = readImportText(bib);
  assert.deepEqual(
    r.items.map((i) => [i.id, i.line]),
    [
      ['2401.12345', 2],
      ['2402.00002', 10],
      ['2403.00003', 13],
      ['2404.00004', 14],
    ],
  );
  assert.deepEqual(
    r.problems.map((p) => p.line),
    [7, 11, 15],
  );
  assert.match(r.problems[0].reason, /never closed/);
  assert.match(r.problems[1].reason, /names no arXiv paper/);
  assert.match(r.problems[2].reason, /expected “,” or “}” after a field/);
});

test('import: a list of ids and URLs, one bad line reported by number', () => {
  const r = readImportText('2401.12345\n# a comment\n\nhttps://arxiv.org/pdf/2402.00002v2.pdf\nnot an id\nhttps://huggingface.co/papers/2403.00003 hep-th/9901001\n2401.12345\n');
  assert.deepEqual(r.items.map((i) => i.id), ['2401.12345', '2402.00002', '2403.00003', 'hep-th/9901001']);
  assert.deepEqual(r.problems, [{ line: 5, reason: '“not” is not an arXiv id or URL' }, { line: 5, reason: '“an” is not an arXiv id or URL' }, { line: 5, reason: '“id” is not an arXiv id or URL' }]);
});

test('RIS: one record per paper, family name first, CRLF, ends with ER', () => {
  const ris = risFile([paper({ title: 'Line\nbreak \\emph{x}', abstract: 'Abs\ntract', categories: ['cs.CL', 'cs.LG'] })]);
  assert.match(ris, /^TY {2}- GEN\r\nTI {2}- Line break x\r\nAU {2}- Vaswani, Ashish\r\nAU {2}- Shazeer, Noam\r\nPY {2}- 2017\r\nDA {2}- 2017\/06\/12\r\nAB {2}- Abs tract\r\nKW {2}- cs\.CL\r\nKW {2}- cs\.LG\r\n/);
  assert.match(ris, /UR {2}- https:\/\/arxiv\.org\/abs\/1706\.03762\r\nER {2}- \r\n$/);
});

test('hostile files: every broken entry is one problem, the good ones after them still import, nested unclosed braces included', () => {
  const broken = '@article{k, title = {{{{ never closed\n';
  const text = broken.repeat(20_000) + '@misc{ok, eprint = {2401.12345}}\n' + '@misc{q, title = "open\n'.repeat(2_000) + '@misc{ok2, eprint = {2401.54321}}\n';
  const r = readImportText(text);
  assert.deepEqual(r.items.map((i) => i.id), ['2401.12345', '2401.54321']);
  assert.equal(r.problems.length, 22_000);
  assert.deepEqual(r.problems[19_999], { line: 20_000, key: 'k', reason: 'a value opened with “{” is never closed' });
  assert.equal(r.items[1].line, 22_002);
});
