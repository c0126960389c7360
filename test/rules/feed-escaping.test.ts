/**
 * Feed titles are escaped once, checked on the raw bytes a reader receives (not after a parser
 * has decoded them, which would hide a missing escape): Atom and RSS titles are HTML, so the
 * HTML they carry must be the escaped title; JSON Feed titles are plain text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { seedPapers } from '../support/seed.js';

const TITLE = 'Attack <script>alert("x")</script> & \'quotes\' ]]> <b>end</b>';
const AS_HTML = 'Attack &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; ]]&gt; &lt;b&gt;end&lt;/b&gt;';

/** The HTML a title element carries: CDATA content as is, else the text with XML's escapes undone once. */
function htmlOf(element: string): string {
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(element.trim());
  if (cdata) return cdata[1];
  assert.doesNotMatch(element, /</, 'markup in an XML text node');
  return element.replace(/&(lt|gt|quot|apos|amp|#39);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', '#39': "'" })[e as 'lt']!);
}

test('Atom and RSS titles carry the HTML-escaped title on every feed; JSON carries the text', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: '2506.00001', title: TITLE, publishedAt: '2025-06-03T00:00:00.000Z', featuredAt: '2025-06-05T08:00:00.000Z', categories: ['cs.CR'] }]);
  for (const feed of ['daily', 'category/cs.CR', 'author/Ada%20Lovelace', 'search']) {
    const q = feed === 'search' ? '?q=attack' : '';
    const atom = await (await app.request(`/feeds/${feed}.atom${q}`)).text();
    const entry = /<entry>([\s\S]*?)<\/entry>/.exec(atom)?.[1] ?? assert.fail(`${feed}.atom has no entry`);
    const at = /<title type="html">([\s\S]*?)<\/title>/.exec(entry)?.[1] ?? assert.fail(`${feed}.atom entry title`);
    assert.equal(htmlOf(at), AS_HTML, `${feed}.atom`);
    assert.doesNotMatch(atom, /<script|<b>end/, `${feed}.atom raw`);

    const rss = await (await app.request(`/feeds/${feed}.rss${q}`)).text();
    const item = /<item>([\s\S]*?)<\/item>/.exec(rss)?.[1] ?? assert.fail(`${feed}.rss has no item`);
    assert.equal(htmlOf(/<title>([\s\S]*?)<\/title>/.exec(item)![1]), AS_HTML, `${feed}.rss`);
    assert.doesNotMatch(rss, /<script|<b>end/, `${feed}.rss raw`);

    const json = (await (await app.request(`/feeds/${feed}.json${q}`)).json()) as { items: { title: string }[] };
    assert.equal(json.items[0].title, TITLE, `${feed}.json`);
  }
});
