import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMathText, excerpt } from './math.js';

test('math is rendered by KaTeX and the rest is escaped', () => {
  const html = renderMathText('We reach $\\mathcal{O}(n \\log n)$ time <script>alert(1)</script> & more');
  assert.match(html, /class="katex"/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; more/);
  assert.doesNotMatch(html, /<script>/);
});

test('hostile LaTeX cannot inject links or scripts', () => {
  const html = renderMathText('$\\href{javascript:alert(1)}{x}$ and $\\url{javascript:alert(2)}$');
  assert.doesNotMatch(html, /href="javascript/);
});

test('an unterminated dollar stays text; escaped dollars are not math', () => {
  assert.equal(renderMathText('costs \\$5 and $3'), 'costs \\$5 and $3');
});

test('excerpt never cuts inside inline math', () => {
  const text = `${'word '.repeat(50)}$a+b=c$ ${'tail '.repeat(50)}`;
  const e = excerpt(text, 255);
  assert.equal((e.match(/\$/g) ?? []).length % 2, 0);
  assert.ok(e.endsWith('…'));
});
