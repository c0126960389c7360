import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMathText, renderLatexText, excerpt } from './math.js';

/** The visible text of rendered HTML outside KaTeX's markup (tags dropped, entities decoded). */
function visible(html: string): string {
  return html
    .replace(/<span class="katex">[\s\S]*?<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>[\s\S]*?<\/span><\/span><\/span>/g, '[math:$1]')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

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

test('an unterminated dollar stays text; an escaped dollar is a dollar sign', () => {
  assert.equal(renderMathText('costs \\$5 and $3'), 'costs $5 and $3');
});

test('text-mode escapes render as their character before, between and after math', () => {
  for (const [input, want] of [
    ['56.0\\%', '56.0%'],
    ['\\% first', '% first'],
    ['a \\& b, x\\_y, \\#1, \\{set\\}', 'a & b, x_y, #1, {set}'],
    ['up 5\\% with $x^2$ and 7\\%', 'up 5% with [math:x^2] and 7%'],
    ['$a$\\%$b$', '[math:a]%[math:b]'],
    ['ends with \\%', 'ends with %'],
  ] as const) {
    const html = renderMathText(input);
    assert.equal(visible(html), want, input);
    assert.doesNotMatch(html, /\\%|\\&amp;|\\_/, input);
  }
  // Inside math, \% is KaTeX's business: it renders a percent sign, not a literal backslash.
  const inMath = renderMathText('$50\\%$');
  assert.match(inMath, /class="katex"/);
  assert.doesNotMatch(inMath.replace(/<annotation[\s\S]*?<\/annotation>/, ''), /\\%/);
});

test('the real abstract of 2603.19835 shows 56.0%, not 56.0\\%', () => {
  const text = 'increases AIME 2024 Pass@1 accuracy from 50.0% to a peak of 58.0% (converging at approximately 56.0\\%). This outperforms both';
  assert.equal(visible(renderMathText(text)), text.replace('\\%', '%'));
});

test('textbf, emph, textit, texttt, underline and textsc become HTML emphasis', () => {
  assert.equal(renderMathText('we propose \\textbf{Personalize Anything}, a'), 'we propose <strong>Personalize Anything</strong>, a');
  assert.equal(renderMathText('\\emph{not} \\textit{this}'), '<em>not</em> <em>this</em>');
  assert.equal(renderMathText('\\texttt{pip install x} \\underline{u} \\textsc{Caps}'), '<code>pip install x</code> <u>u</u> <span class="smallcaps">Caps</span>');
  assert.equal(renderMathText('{\\bf bold} and {\\em em}'), '<strong>bold</strong> and <em>em</em>');
  assert.equal(renderMathText('\\textbf{nested \\emph{emph} and $x$}'), `<strong>nested <em>emph</em> and ${renderMathText('$x$')}</strong>`);
});

test("Hugging Face's backslash-stripped LaTeX renders as text, not italic nonsense", () => {
  const html = renderMathText('fine-tuning of $textbf{specialist} and textbf{generalist}$ models');
  assert.equal(html, 'fine-tuning of <strong>specialist</strong> and <strong>generalist</strong> models');
  assert.equal(renderMathText('we introduce textbf{FooNet}, which'), 'we introduce <strong>FooNet</strong>, which');
  // A real formula whose commands lost their backslash is still a formula.
  assert.match(renderMathText('$frac{a}{b}$'), /class="katex"/);
  // A word that merely ends like a command is left alone.
  assert.equal(renderMathText('contextbf{x}'), 'contextbf{x}');
});

test('accents, quotes, links and dropped references', () => {
  assert.equal(visible(renderMathText("Schr\\\"odinger, G\\'omez, Poincar\\'e, Erd\\H{o}s, \\c{c}a")), 'Schrödinger, Gómez, Poincaré, Erdős, ça');
  assert.equal(visible(renderMathText("the query\\'s content, don\\'t")), "the query's content, don't");
  assert.equal(visible(renderMathText('``quoted\'\' text')), '“quoted” text');
  assert.equal(renderMathText('code \\href{https://github.com/a/b}{here}.'), 'code <a href="https://github.com/a/b" rel="nofollow noopener">here</a>.');
  assert.equal(renderMathText('\\url{https://x.org/a\\_b}'), '<a href="https://x.org/a_b" rel="nofollow noopener">https://x.org/a_b</a>');
  assert.equal(renderMathText('as shown\\cite{smith2020}.'), 'as shown.');
  assert.equal(renderMathText('a 3\\times speedup, \\ie faster'), 'a 3× speedup, i.e. faster');
});

test('hostile input stays escaped at every position', () => {
  const evil = '<img src=x onerror=alert(1)>"\'&';
  for (const input of [
    `\\textbf{${evil}}`,
    `\\emph{${evil}} $x$ ${evil}`,
    `\\href{javascript:alert(1)}{${evil}}`,
    `\\href{https://ok.org/"><script>}{x}`,
    `\\url{${evil}}`,
    `$${evil}$`,
    `${evil}\\%${evil}`,
    `{\\bf ${evil}}`,
    `\\footnote{${evil}}`,
    `textbf{${evil}}`,
    `\\'${evil}`,
  ]) {
    const html = renderMathText(input);
    assert.doesNotMatch(html, /<img|<script|href="javascript|href="[^"]*"[^ >]/i, input);
    assert.doesNotMatch(html, /onerror=alert\(1\)>/, input);
  }
});

test('long and unbalanced inputs render in linear time and lose nothing', () => {
  const open = '\\textbf{'.repeat(20_000);
  const html = renderLatexText(open);
  assert.equal(visible(html), open, 'unclosed arguments stay literal');
  const deep = '\\emph{'.repeat(50) + 'x' + '}'.repeat(50);
  assert.match(renderLatexText(deep), /x/);
  const many = 'a \\% b \\textbf{c} $d$ '.repeat(5_000);
  assert.equal((renderLatexText(many).match(/<strong>c<\/strong>/g) ?? []).length, 5_000);
  const opens = '\\( x '.repeat(20_000);
  assert.equal(visible(renderLatexText(opens)), opens, 'unclosed \\( stays text');
});

test('excerpt never cuts inside inline math or a command argument', () => {
  const text = `${'word '.repeat(50)}$a+b=c$ ${'tail '.repeat(50)}`;
  const e = excerpt(text, 255);
  assert.equal((e.match(/\$/g) ?? []).length % 2, 0);
  assert.ok(e.endsWith('…'));
  const t2 = `${'word '.repeat(40)}we propose \\textbf{A Very Long Method Name That Goes On} and more ${'tail '.repeat(30)}`;
  const e2 = excerpt(t2, 230);
  assert.doesNotMatch(e2, /\\textbf\{[^}]*$/);
  assert.doesNotMatch(renderMathText(e2), /\\textbf/);
});

test('math in sanitised comment HTML is rendered; code, links and hostile formulas stay safe', async () => {
  const { renderMathInHtml } = await import('./math.js');
  const { renderCommentMarkdown } = await import('../../comments/markdown.js');
  const html = renderMathInHtml(renderCommentMarkdown('Nice: $a &lt; b$ and $$\\sum_i x_i$$, but `$not math$` and costs $5 and $6.'));
  assert.equal((html.match(/class="katex"/g) ?? []).length, 2);
  assert.match(html, /<code>\$not math\$<\/code>/);
  assert.match(html, /costs \$5 and \$6/);
  const evil = renderMathInHtml(renderCommentMarkdown('$\\href{javascript:alert(1)}{x}$ $<img src=x onerror=alert(1)>$ <script>alert(1)</script>'));
  assert.doesNotMatch(evil, /<img|<script|href="javascript/i);
});

test("HF's bare commands that lost backslash and braces are dropped, the text kept", () => {
  assert.equal(renderMathText('margins of 5.30% and textbf2.15% in IQA'), 'margins of 5.30% and 2.15% in IQA');
  assert.equal(renderMathText('Adaptive textbfREasoning framework'), 'Adaptive REasoning framework');
  assert.equal(renderMathText('a textbook and contextbf2 and textbf words'), 'a textbook and contextbf2 and textbf words', 'only a command name glued to a capital or digit, at a word start');
});

test('an abstract cannot inject HTML before, between or after any kind of formula', () => {
  const evil = '<img src=x onerror=alert(1)>';
  for (const f of ['$x^2$', '$$x^2$$', '\\(x^2\\)', '\\[x^2\\]', '$\\frac{a}{b}$']) {
    for (const input of [`${evil}${f}`, `${evil} ${f}`, `${f}${evil}`, `${f} ${evil} ${f}`, `${evil}\\% ${f} ${evil}`]) {
      const html = renderMathText(input);
      assert.doesNotMatch(html, /<img/i, input);
      assert.equal((html.match(/&lt;img src=x onerror=alert\(1\)&gt;/g) ?? []).length, (input.match(/<img/g) ?? []).length, input);
      assert.match(html, /class="katex/, `${input}: the formula is still rendered`);
    }
  }
});

test('a formula of 2,000 characters is rendered; a longer one is shown as escaped source', () => {
  const body = (n: number) => 'x+'.repeat(n / 2).slice(0, n - 1) + 'y';
  const at = renderMathText(`$${body(2000)}$`);
  assert.match(at, /class="katex/);
  const over = renderMathText(`see $${body(2001)}$ here`);
  assert.doesNotMatch(over, /class="katex/);
  assert.equal(visible(over), `see $${body(2001)}$ here`);
  for (const [open, close] of [['$', '$'], ['$$', '$$'], ['\\(', '\\)'], ['\\[', '\\]']]) {
    const hostile = `${open}${'x'.repeat(2100)}<img src=x onerror=alert(1)>${close}`;
    const html = renderMathText(`a ${hostile} b`);
    assert.doesNotMatch(html, /<img/i, open);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/, open);
  }
});
