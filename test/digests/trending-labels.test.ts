/**
 * The digest and the trending page call the same papers the same thing: "today" only when the
 * papers entered trending today; an archive that ended months ago is labelled as such on both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, useApp } from '../support/app.js';
import { seedPapers } from '../support/seed.js';
import { addActiveSubscriber } from '../support/digests.js';
import { previewDigest } from '../../src/digests/digest.service.js';
import { setExternalCounts } from '../../src/daily/daily.repository.js';

const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const h1 = (html: string) => decode(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1] ?? '');

test('an archive that ended months ago: the page falls back to its latest day, the digest does not say "today", both use the same words', async () => {
  const app = await testApp({ now: '2026-12-03T09:00:00Z' }); // a Thursday; the archive ends 2026-08-21
  try {
    await seedPapers(app, [
      { id: '2608.00001', title: 'Last day paper', featuredAt: '2026-08-21T07:00:00.000Z', categories: ['cs.CL'] },
      { id: '2608.00002', title: 'Day before paper', featuredAt: '2026-08-20T07:00:00.000Z', categories: ['cs.CL'] },
      { id: '2605.00003', title: 'Spring paper', featuredAt: '2026-05-04T07:00:00.000Z', categories: ['cs.CL'] },
    ]);
    await addActiveSubscriber(app, 'reader@example.org');

    const day = await (await app.request('/papers/trending?window=day')).text();
    assert.equal(h1(day), 'Trending papers');
    assert.match(decode(day), /No papers in the last day — showing the latest day with papers, ending 2026-08-21\./);
    assert.match(day, /Last day paper/);
    assert.doesNotMatch(day, /Day before paper/, 'the fallback is one day long, like the window asked for');
    assert.doesNotMatch(day, />0 papers/);

    const week = await (await app.request('/papers/trending?window=week')).text();
    assert.match(decode(week), /No papers in the last week — showing the latest week with papers, ending 2026-08-21\./);
    assert.ok(week.indexOf('Last day paper') > 0 && week.indexOf('Day before paper') > 0);
    assert.doesNotMatch(week, /Spring paper/);
    // Scores are explained as of the window's end, not decayed to zero since.
    assert.match(week, /Scores are shown as of <time datetime="2026-08-21/);
    assert.doesNotMatch(week, /= <strong>0\.00<\/strong>/);

    await setExternalCounts(app.ctx.store.db, [{ id: '2605.00003', upvotes: 10, comments: 0 }, { id: '2608.00002', upvotes: 3, comments: 2 }]);
    const all = await (await app.request('/papers/trending?window=all')).text();
    const at = (t: string) => all.indexOf(t);
    assert.ok(at('Spring paper') < at('Day before paper') && at('Day before paper') < at('Last day paper'), 'all time: by upvotes, without decay');
    assert.equal(h1(all), 'Trending papers of all time');
    for (const t of ['Last day paper', 'Day before paper', 'Spring paper']) assert.match(all, new RegExp(t));
    assert.match(all, /href="\/papers\/trending\?window=all"[^>]*aria-current="page"/);

    const { message } = await previewDigest(app.ctx, 'reader@example.org');
    assert.ok(message);
    assert.doesNotMatch(message.subject, /today|this week/);
    assert.equal(h1(message.html), h1(day), 'the digest heading is the page heading');
    assert.doesNotMatch(message.html + message.text, /Trending papers today/);
    assert.match(decode(message.text), /No papers in the last day — showing the papers new since your last digest; the newest entered trending on 2026-08-21\./);
  } finally {
    await app.close();
  }
});

test('papers featured today: both say "today"', async (t) => {
  const app = await useApp(t, { now: '2026-12-03T09:00:00Z' });
  await seedPapers(app, [{ id: '2612.00001', title: 'Fresh paper', featuredAt: '2026-12-03T07:00:00.000Z' }]);
  await addActiveSubscriber(app, 'reader@example.org');
  const day = await (await app.request('/papers/trending?window=day')).text();
  assert.equal(h1(day), 'Trending papers today');
  assert.doesNotMatch(day, /No papers in the last/);
  const { message } = await previewDigest(app.ctx, 'reader@example.org');
  assert.equal(h1(message!.html), 'Trending papers today');
  assert.match(message!.subject, /1 trending paper today/);
});

test('bad windows are a readable 400', async (t) => {
  const app = await useApp(t, { now: '2026-12-03T09:00:00Z' });
  const res = await app.request('/papers/trending?window=year');
  assert.equal(res.status, 400);
  assert.match(await res.text(), /The window is day, week, month or all\./);
});

test('digest emails show abstracts and titles without TeX escapes', async (t) => {
  const { seedPapers: seedDigest, paper } = await import('../support/digests.js');
  const app = await useApp(t, { now: '2026-12-03T09:00:00Z' });
  await seedDigest(app, [{ ...paper('2612.00007', { title: '\\textbf{FIPO}: 56\\% better', abstract: 'converging at approximately 56.0\\%) with $x^2$ and textbf{specialist} models.' }), score: 1 }], '2026-12-03T08:00:00.000Z');
  await addActiveSubscriber(app, 'reader@example.org');
  const { message } = await previewDigest(app.ctx, 'reader@example.org');
  for (const part of [message!.subject, message!.text, message!.html]) {
    assert.doesNotMatch(part, /\\%|\\textbf|textbf\{/);
  }
  assert.match(message!.text, /FIPO: 56% better/);
  assert.match(message!.text, /approximately 56\.0%\) with \$x\^2\$ and specialist models/);
});
