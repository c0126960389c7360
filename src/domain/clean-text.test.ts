import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanAuthors, cleanCategories, cleanPaperFields, isArxivCategory, latexToPlainText } from './clean-text.js';

test('arXiv categories are kept; MSC and ACM classes are not categories', () => {
  for (const c of ['cs.LG', 'cs', 'hep-th', 'math.AP', 'astro-ph.CO', 'cond-mat.mes-hall', 'q-bio.NC', 'stat.ML', 'physics.comp-ph', 'nlin.AO', 'cmp-lg']) assert.ok(isArxivCategory(c), c);
  for (const c of ['68T50', 'I.2.7', '68T01 (Primary), 68T50 (Secondary)', 'I.2.0; I.2.7', 'F.2.2', '62H30', '', 'cs.LG cs.AI', '<b>cs</b>']) assert.ok(!isArxivCategory(c), c);
  assert.deepEqual(cleanCategories(['cs.LG', 'cs.AI', 'cs.CL', '68T50', 'I.2.7', 'cs.AI']), ['cs.LG', 'cs.AI', 'cs.CL']);
});

test('separators are not authors; names in any script are', () => {
  assert.deepEqual(cleanAuthors(['NVIDIA', ':', 'Hassan Abu Alhaija', ' , ', '', '-', '张伟', 'O. Ñ', '42']), ['NVIDIA', 'Hassan Abu Alhaija', '张伟', 'O. Ñ', '42']);
});

test('a primary category that is not one falls back to the first real category', () => {
  const p = cleanPaperFields({ authors: ['A'], categories: ['68T50', 'cs.CL'], primaryCategory: '68T50' });
  assert.deepEqual(p, { authors: ['A'], categories: ['cs.CL'], primaryCategory: 'cs.CL' });
  assert.equal(cleanPaperFields({ authors: [], primaryCategory: null }).primaryCategory, null);
});

test('plain text for emails: escapes, formatting, accents and links without backslashes; math kept', () => {
  assert.equal(latexToPlainText('approximately 56.0\\%), a \\& b, x\\_y'), 'approximately 56.0%), a & b, x_y');
  assert.equal(latexToPlainText('we propose \\textbf{Foo \\emph{Bar}} and $textbf{a}$ with textbf{b}'), 'we propose Foo Bar and $a$ with b');
  assert.equal(latexToPlainText("Schr\\\"odinger, G\\'omez, query\\'s"), "Schrödinger, Gómez, query's");
  assert.equal(latexToPlainText('code \\href{https://x.org}{here}, see \\cite{a}.'), 'code here (https://x.org), see .');
  assert.equal(latexToPlainText('$x^{2}$ stays'), '$x^{2}$ stays');
  assert.equal(latexToPlainText('no latex at all'), 'no latex at all');
});
