/** What a reader sees on the server-rendered pages, through the real app and store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { loadDemoIfEmpty } from '../../src/app.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';
import { addDailyEntries, setExternalCounts } from '../../src/daily/daily.repository.js';

const now = '2025-06-04T12:00:00.000Z';

async function seeded() {
  const app = await testApp({ now: '2025-06-07T10:00:00Z' }); // a Saturday
  const db = app.ctx.store.db;
  await upsertPapers(db, [
    { id: '2506.00001', title: 'Low-rank $\\mathcal{O}(n)$ attention', abstract: 'We prove $\\sum_{i=1}^n x_i \\le \\sqrt{n}$ and show <script>alert("x")</script> is text.', authors: ['Ada Lovelace'], categories: ['cs.LG'], codeUrl: 'https://github.com/ada/lowrank', githubStars: 1234, publishedAt: '2025-06-02T00:00:00Z' },
    { id: '2506.00002', title: 'A second paper', abstract: 'Plain abstract.', authors: ['Alan Turing', 'Grace Hopper'], categories: ['cs.CL'], publishedAt: '2025-06-02T00:00:00Z' },
    { id: '2505.00003', title: 'Older paper', abstract: 'From May.', authors: ['Emmy Noether'], categories: ['cs.AI'], publishedAt: '2025-05-20T00:00:00Z' },
    { id: 'hep-th/9901001', title: 'An old-style id', abstract: 'Strings.', authors: ['E. Witten'], categories: ['hep-th'], publishedAt: '1999-01-04T00:00:00Z' },
  ], { now });
  await addDailyEntries(db, [
    { paperId: '2506.00001', date: '2025-06-05', submittedAt: now, source: 'hf', submitterName: 'akhaliq' },
    { paperId: '2506.00002', date: '2025-06-05', submittedAt: now, source: 'hf' },
    { paperId: '2505.00003', date: '2025-05-21', submittedAt: now, source: 'hf' },
  ]);
  await setExternalCounts(db, [{ id: '2506.00001', upvotes: 5, comments: 1 }, { id: '2506.00002', upvotes: 40, comments: 0 }]);
  return app;
}

test('home shows the latest day with papers when today has none, most upvoted first', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const res = await app.request('/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/html; charset=utf-8/i);
  const html = await res.text();
  assert.match(html, /Daily papers of Thursday,? 5 June 2025/);
  assert.ok(html.indexOf('A second paper') < html.indexOf('Low-rank'), '40 upvotes before 5');
  assert.match(html, /<link rel="alternate" type="application\/rss\+xml"/);
  assert.match(html, /<main id="main"/);
});

test('date, week and month pages list their papers with previous/next links', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  let html = await (await app.request('/papers/date/2025-06-05')).text();
  assert.match(html, /A second paper/);
  assert.match(html, /rel="prev" href="\/papers\/date\/2025-05-21"/);
  html = await (await app.request('/papers/date/2025-05-21')).text();
  assert.match(html, /rel="next" href="\/papers\/date\/2025-06-05"/);
  html = await (await app.request('/papers/week/2025-W23')).text();
  assert.match(html, /Week 23 of 2025/);
  assert.match(html, /Low-rank/);
  assert.doesNotMatch(html, /Older paper/);
  assert.match(html, /rel="prev" href="\/papers\/week\/2025-W21"/);
  html = await (await app.request('/papers/month/2025-05')).text();
  assert.match(html, /Older paper/);
  assert.match(html, /rel="next" href="\/papers\/month\/2025-06"/);
  html = await (await app.request('/papers/date/2025-06-06')).text();
  assert.match(html, /No papers were featured/);
});

test('bad dates, weeks and months get a readable 400 page, not an error', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  for (const [url, msg] of [['/papers/date/2025-02-30', /is not a date/], ['/papers/week/2025-W54', /is not an ISO week/], ['/papers/month/2025-13', /is not a month/]] as const) {
    const res = await app.request(url);
    assert.equal(res.status, 400, url);
    assert.match(await res.text(), msg);
  }
});

test('paper page: math rendered by KaTeX, hostile text escaped, links to arXiv, PDF and code', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  const res = await app.request('/papers/2506.00001');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /class="katex"/);
  assert.match(html, /katex\.min\.css/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; is text/);
  assert.match(html, /href="https:\/\/arxiv\.org\/abs\/2506\.00001"/);
  assert.match(html, /href="https:\/\/arxiv\.org\/pdf\/2506\.00001"/);
  assert.match(html, /GitHub: ada\/lowrank/);
  assert.match(html, /★ 1,234/);
  assert.match(html, /Featured[\s\S]*2025-06-05[\s\S]*akhaliq/);
  const css = await app.request('/static/katex/katex.min.css');
  assert.equal(css.status, 200);
});

test('old-style ids and versioned ids resolve to the paper page', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  assert.equal((await app.request('/papers/hep-th/9901001')).status, 200);
  const r = await app.request('/papers/2506.00001v2');
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('location'), '/papers/2506.00001');
});

test('unknown papers and pages get a 404 that helps', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  let res = await app.request('/papers/2501.99999');
  assert.equal(res.status, 404);
  let html = await res.text();
  assert.match(html, /does not have arXiv:2501\.99999 yet/);
  assert.match(html, /href="https:\/\/arxiv\.org\/abs\/2501\.99999"/);
  res = await app.request('/papers/not-an-id');
  assert.equal(res.status, 404);
  assert.match(await res.text(), /is not an arXiv id/);
  res = await app.request('/no/such/<page>');
  assert.equal(res.status, 404);
  html = await res.text();
  assert.match(html, /Page not found/);
  assert.doesNotMatch(html, /<page>/);
  assert.match(html, /role="search"/);
});

test('a fresh install shows the demo papers, marked as demo', async (t) => {
  const app = await useApp(t, { now, env: { DEMO_DATA: 'true' } });
  assert.equal(await loadDemoIfEmpty(app.ctx), 62);
  assert.equal(await loadDemoIfEmpty(app.ctx), 0, 'only into an empty store');
  const html = await (await app.request('/')).text();
  assert.match(html, /Transformer in Transformer/);
  assert.match(html, /demo papers/);
  assert.match(html, /papertide demo --remove/);
});

test('a signed-in reader sees their own upvotes on a daily page; anonymous readers get a log-in link', async (t) => {
  const { signedIn } = await import('../support/form-client.js');
  const app = await seeded();
  t.after(() => app.close());
  const anon = await (await app.request('/papers/date/2025-06-05')).text();
  assert.match(anon, /href="\/login\?next=%2Fpapers%2Fdate%2F2025-06-05"/);
  const { browser } = await signedIn(app, 'reader');
  const before = await browser.get('/papers/date/2025-06-05');
  assert.equal((before.html.match(/aria-pressed="true"/g) ?? []).length, 0);
  const r = await browser.post('/vote', { paper: '2506.00001', back: '/papers/date/2025-06-05' });
  assert.ok(r.status < 400, String(r.status));
  const after = await browser.get('/papers/date/2025-06-05');
  assert.equal((after.html.match(/aria-pressed="true"/g) ?? []).length, 1);
  assert.match(after.html, /data-vote="2506.00001"[\s\S]*?aria-pressed="true"[\s\S]*?<strong class="vote-count">6<\/strong>/);
  // The anonymous page shows the new count too (its cached fragment is invalidated by the vote).
  assert.match(await (await app.request('/papers/date/2025-06-05')).text(), /aria-label="6 upvotes/);
});

test('your own user page links to your digest settings and API tokens; others do not see them', async (t) => {
  const { signedIn } = await import('../support/form-client.js');
  const app = await seeded();
  t.after(() => app.close());
  const { browser } = await signedIn(app, 'owner');
  const own = await browser.get('/u/owner');
  assert.match(own.html, /href="\/subscription\/manage"/);
  assert.match(own.html, /href="\/settings\/tokens"/);
  const other = await (await app.request('/u/owner')).text();
  assert.doesNotMatch(other, /href="\/subscription\/manage"/);
});

test('a paper page lists similar papers from the search index', async (t) => {
  const app = await testApp({ now });
  const db = app.ctx.store.db;
  t.after(() => app.close());
  const mk = (id: string, title: string, abstract: string) => ({ id, title, abstract, authors: ['A B'], categories: ['cs.CL'], publishedAt: '2025-06-01T00:00:00Z' });
  const { papersChanged } = await import('../../src/app.js');
  await upsertPapers(db, [
    mk('2506.10001', 'Retrieval augmented generation for question answering', 'We retrieve passages with dense retrieval and generate answers with a language model.'),
    mk('2506.10002', 'Dense passage retrieval for open-domain question answering', 'Dense retrieval of passages improves question answering with language models.'),
    mk('2506.10003', 'Protein folding with diffusion', 'We fold proteins with a diffusion model over residues and torsion angles.'),
  ], { now });
  await papersChanged(app.ctx, ['2506.10001', '2506.10002', '2506.10003']);
  const html = await (await app.request('/papers/2506.10001')).text();
  assert.match(html, /Similar papers/);
  const section = html.slice(html.indexOf('id="similar-h"'));
  assert.ok(section.indexOf('Dense passage retrieval') >= 0, 'the related paper is listed');
  const dense = section.indexOf('Dense passage retrieval');
  const protein = section.indexOf('Protein folding');
  assert.ok(protein === -1 || dense < protein, 'the related paper comes before the unrelated one');
});

// ---------------------------------------------------------------- what a first-time user meets on real data

import { signedIn } from '../support/form-client.js';

test('comment counts: Hugging Face\'s and ours, the same on the card and on the page, before and after a local comment', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  await setExternalCounts(app.ctx.store.db, [{ id: '2506.00001', upvotes: 5, comments: 3 }]);
  const counts = (html: string) => /class="comment-count">([\s\S]*?)<\/span>/.exec(html)?.[1].replace(/<[^>]+>/g, '');
  const cardOf = (html: string, id: string) => html.slice(html.indexOf(`id="t-${id}"`), html.indexOf('</article>', html.indexOf(`id="t-${id}"`)));
  let card = counts(cardOf(await (await app.request('/papers/date/2025-06-05')).text(), '2506.00001'));
  let page = await (await app.request('/papers/2506.00001')).text();
  assert.equal(card, '3 comments on Hugging Face · 0 here');
  assert.equal(counts(page), card);
  assert.match(page, /href="https:\/\/huggingface\.co\/papers\/2506\.00001#community"/);
  assert.doesNotMatch(page, /No comments yet/);

  const { browser } = await signedIn(app, 'reader');
  await browser.get('/papers/2506.00001');
  assert.equal((await browser.post('/comments', { paper: '2506.00001', body: 'Is $\\mathcal{O}(n)$ tight?' })).status, 303);
  card = counts(cardOf(await (await app.request('/papers/date/2025-06-05')).text(), '2506.00001'));
  page = await (await app.request('/papers/2506.00001')).text();
  assert.equal(card, '3 comments on Hugging Face · 1 here');
  assert.equal(counts(page), card);
  // LaTeX in the comment is rendered, after sanitising.
  const body = /<div class="comment-body">([\s\S]*?)<\/div>\s*<\/li>/.exec(page)?.[1] ?? page;
  assert.match(body, /class="katex"/);

  // A paper without imported comments: one plain count, linking to the comments.
  const plain = await (await app.request('/papers/date/2025-06-05')).text();
  assert.match(cardOf(plain, '2506.00002'), /<a class="comment-count" href="\/papers\/2506\.00002#comments">0 comments<\/a>/);
});

test('abstracts show what arXiv meant: \\% as %, textbf as bold, no ":" author, no MSC/ACM classes as categories', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  await upsertPapers(app.ctx.store.db, [
    { id: '2603.19835', title: 'FIPO: \\textbf{Future-KL} Policy Optimization', abstract: 'accuracy from 50.0% to 58.0% (converging at approximately 56.0\\%). We fine-tune $textbf{specialist} and textbf{generalist}$ models.', authors: ['NVIDIA', ':', 'Ada Lovelace'], categories: ['cs.LG', '68T50', 'I.2.7'], publishedAt: '2026-03-20T00:00:00Z' },
  ], { now });
  await addDailyEntries(app.ctx.store.db, [{ paperId: '2603.19835', date: '2025-06-05', submittedAt: now, source: 'hf' }]);
  const page = await (await app.request('/papers/2603.19835')).text();
  const abstract = /<section aria-labelledby="abstract-h" class="abstract">([\s\S]*?)<\/section>/.exec(page)![1];
  assert.match(abstract, /approximately 56\.0%\)/);
  assert.doesNotMatch(abstract, /\\%|textbf/);
  assert.match(abstract, /<strong>specialist<\/strong> and <strong>generalist<\/strong>/);
  assert.match(page, /<h1 id="paper-title">FIPO: <strong>Future-KL<\/strong> Policy Optimization<\/h1>/);
  assert.doesNotMatch(page, />:<\/a>/, 'no author called ":"');
  assert.doesNotMatch(page, /68T50|I\.2\.7/);
  const list = await (await app.request('/papers/date/2025-06-05')).text();
  assert.doesNotMatch(list, /\\%|textbf|NVIDIA, :/);
});

test('paper pages carry OpenGraph and citation_* tags, escaped', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  await upsertPapers(app.ctx.store.db, [
    { id: '2506.00009', title: 'Quotes "and" <tags> & more', abstract: 'An abstract with "quotes" and <b>tags</b>.', authors: ['Ada "The Countess" Lovelace', 'Alan <Turing>'], categories: ['cs.LG'], publishedAt: '2025-06-02T10:00:00Z' },
  ], { now });
  const html = await (await app.request('/papers/2506.00009')).text();
  const head = html.slice(0, html.indexOf('</head>'));
  assert.match(head, /<meta name="citation_title" content="Quotes &quot;and&quot; &lt;tags&gt; &amp; more"\/>/);
  assert.match(head, /<meta name="citation_author" content="Ada &quot;The Countess&quot; Lovelace"\/>/);
  assert.match(head, /<meta name="citation_author" content="Alan &lt;Turing&gt;"\/>/);
  assert.match(head, /<meta name="citation_publication_date" content="2025\/06\/02"\/>/);
  assert.match(head, /<meta name="citation_arxiv_id" content="2506\.00009"\/>/);
  assert.match(head, /<meta name="citation_pdf_url" content="https:\/\/arxiv\.org\/pdf\/2506\.00009"\/>/);
  assert.match(head, /<meta property="og:title" content="Quotes &quot;and&quot; &lt;tags&gt; &amp; more"\/>/);
  assert.match(head, /<meta property="og:url" content="[^"]*\/papers\/2506\.00009"\/>/);
  assert.match(head, /<meta property="og:description" content="An abstract with &quot;quotes&quot; and &lt;b&gt;tags&lt;\/b&gt;\."\/>/);
  assert.doesNotMatch(head, /<b>|<Turing>/);
});

test('/papers and /digest, the addresses people type, lead somewhere', async (t) => {
  const app = await seeded();
  t.after(() => app.close());
  for (const [from, to] of [['/papers', '/'], ['/papers/', '/'], ['/digest', '/subscribe']] as const) {
    const res = await app.request(from);
    assert.equal(res.status, 302, from);
    assert.equal(new URL(res.headers.get('location')!, 'http://x').pathname, to, from);
    assert.equal((await app.request(to)).status, 200, to);
  }
});
