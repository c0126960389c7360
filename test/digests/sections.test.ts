/**
 * The digest's "Following" and "For you" sections end to end on a real SMTP server: chosen on
 * the preferences page (signed link), filled from the subscriber's account (follows, library),
 * each paper saying why it is there, never repeating a paper of the trending part, never sent
 * twice; an address without an account gets the digest it had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { buildDueDigests } from '../../src/digests/digest.service.js';
import { linkFor } from '../../src/digests/subscriptions.service.js';
import { papersChanged } from '../../src/app.js';
import { paper, seedPapers, addActiveSubscriber } from '../support/digests.js';
import { FormClient, signedIn } from '../support/form-client.js';

const NOW = '2025-06-04T12:00:00Z'; // a Wednesday

async function setup(): Promise<{ app: TestApp; smtp: TestSmtp; send: () => Promise<void> }> {
  const smtp = await startSmtp();
  const app = await testApp({ now: NOW, env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000', BASE_URL: 'http://papertide.test' } });
  const send = async () => {
    const before = smtp.messages.length;
    const c = await app.ctx.mail.sender.sendDue();
    await smtp.waitFor(before + c.sent);
  };
  return { app, smtp, send };
}

async function choose(app: TestApp, subId: number, fields: Record<string, string>) {
  const sub = await app.ctx.store.db.selectFrom('subscriptions').selectAll().where('id', '=', subId).executeTakeFirstOrThrow();
  const b = new FormClient(app);
  const path = new URL(linkFor(app.ctx, sub, 'manage')).pathname;
  const page = await b.get(path);
  assert.match(page.html, /<legend>Your sections<\/legend>/);
  assert.match(page.html, /<input type="checkbox" name="section_following"\/> Following/);
  const r = await b.post(path, { cadence: 'daily', categories: 'cs.CL', max_papers: '1', ...fields });
  assert.equal(r.res.status, 200, r.html.slice(0, 300));
  return r.html;
}

test('Following and For you sections: chosen on the preferences page, each paper with its reason, no repeats, nothing sent twice', async (t) => {
  const { app, smtp, send } = await setup();
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  await seedPapers(
    app,
    [
      { ...paper('2506.00001', { title: 'Retrieval for Language Models', categories: ['cs.CL'] }), score: 5, upvotes: 41 },
      { ...paper('2506.00002', { title: 'Moduli of Curves', categories: ['math.AG'], publishedAt: '2025-06-03T10:00:00Z' }), score: 1, upvotes: 1 },
      { ...paper('2506.00003', { title: 'Sheaves & Stacks', categories: ['math.AG'], publishedAt: '2025-06-03T09:00:00Z' }), score: 1, upvotes: 2 },
      { ...paper('2506.00004', { title: 'Robots That Fold Laundry', categories: ['cs.RO'], authors: ['Grace Hopper'] }), score: 9, upvotes: 90 },
    ],
    '2025-06-04T08:00:00.000Z',
  );
  await papersChanged(app.ctx, ['2506.00001', '2506.00002', '2506.00003', '2506.00004']); // as an import announces them (the search index follows)
  // Alice has an account: she follows math.AG and cs.CL (so the trending cs.CL paper also matches a follow).
  const { browser: a } = await signedIn(app, 'alice');
  await a.post('/follow', { kind: 'category', value: 'math.AG', want: 'on' });
  await a.post('/follow', { kind: 'category', value: 'cs.CL', want: 'on' });
  const alice = await addActiveSubscriber(app, 'alice@example.org', { topics: { categories: ['cs.CL'] }, maxPapers: 1 });
  const saved = await choose(app, alice, { section_following: 'on', section_foryou: 'on' });
  assert.match(saved, /name="section_following" checked=""/);
  assert.match(saved, /name="section_foryou" checked=""/);
  // Nobody has an account for this address: the sections are chosen but cannot be filled.
  const noAccount = await addActiveSubscriber(app, 'nobody@example.org', { topics: { categories: ['cs.CL'] }, maxPapers: 1 });
  await choose(app, noAccount, { section_following: 'on', section_foryou: 'on' });
  // Bob has an account and follows, but did not choose the sections.
  const { browser: b } = await signedIn(app, 'bob');
  await b.post('/follow', { kind: 'category', value: 'math.AG', want: 'on' });
  await addActiveSubscriber(app, 'bob@example.org', { topics: { categories: ['cs.CL'] }, maxPapers: 1 });
  // Carol: nothing trending in her topic, only her Following section (an author, case and accents folded).
  const { browser: c } = await signedIn(app, 'carol');
  await c.post('/follow', { kind: 'author', value: 'grace HOPPER', want: 'on' });
  const carol = await addActiveSubscriber(app, 'carol@example.org', { topics: { categories: ['q-bio.NC'] }, maxPapers: 1 });
  await choose(app, carol, { categories: '', categories_other: 'q-bio.NC', section_following: 'on' });
  // Dave follows a saved search (run by the search service, as /following runs it).
  const { browser: d } = await signedIn(app, 'dave');
  await d.post('/follow', { kind: 'query', value: 'laundry', want: 'on' });
  const dave = await addActiveSubscriber(app, 'dave@example.org', { topics: { categories: ['q-bio.NC'] }, maxPapers: 3 });
  await choose(app, dave, { categories: '', categories_other: 'q-bio.NC', max_papers: '3', section_following: 'on' });

  const r = await buildDueDigests(app.ctx);
  assert.deepEqual([r.due, r.built, r.empty], [5, 5, 0]);
  await send();
  const html = (to: string) => String(smtp.to(to)[0].mail.html);
  const titles = (to: string) => [...html(to).matchAll(/<h2><a[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);

  // Alice: trending cs.CL, then Following (the top math.AG paper by trending order), then For you (the other one), no repeats.
  assert.deepEqual(titles('alice@example.org'), ['Retrieval for Language Models', 'Sheaves &amp; Stacks', 'Moduli of Curves']);
  const ah = html('alice@example.org');
  assert.ok(ah.indexOf('>Following</h1>') > ah.indexOf('Retrieval for Language Models') && ah.indexOf('>For you</h1>') > ah.indexOf('Sheaves &amp; Stacks'), 'sections in order');
  assert.match(ah, /<p class="pt-why"><em>you follow cat:math\.AG<\/em><\/p>/);
  const text = smtp.to('alice@example.org')[0].mail.text!;
  assert.match(text, /Following\n=========\n\n1\. Sheaves & Stacks\n {3}\(you follow cat:math\.AG\)\n/);
  assert.match(text, /For you\n=======\n\n1\. Moduli of Curves\n {3}\((you follow cat:math\.AG|like .*)\)\n/);
  assert.match(smtp.to('alice@example.org')[0].mail.subject!, /Retrieval for Language Models/);
  // No account, or sections not chosen: the trending part only.
  for (const to of ['nobody@example.org', 'bob@example.org']) {
    assert.deepEqual(titles(to), ['Retrieval for Language Models'], to);
    assert.doesNotMatch(html(to), />Following<\/h1>|>For you<\/h1>/, to);
  }
  // Carol: nothing trending in q-bio.NC, but her Following section makes a digest.
  assert.deepEqual(titles('carol@example.org'), ['Robots That Fold Laundry']);
  assert.equal(smtp.to('carol@example.org')[0].mail.subject, '“Robots That Fold Laundry” — new in your Following');
  assert.match(smtp.to('carol@example.org')[0].mail.text!, /^New for you\nNothing new is trending in q-bio\.NC since your last digest\. Then: Following \(1\)\./);
  assert.match(html('carol@example.org'), /<p class="pt-why"><em>you follow author:"grace HOPPER"<\/em><\/p>|<p class="pt-why"><em>you follow author:&quot;grace HOPPER&quot;<\/em><\/p>/);
  assert.deepEqual(titles('dave@example.org'), ['Robots That Fold Laundry'], 'the saved search matched only that paper');
  assert.match(html('dave@example.org'), /you follow the search “laundry”/);

  // Tomorrow nothing new arrived: no section repeats a paper, so nobody gets a digest.
  app.clock.advance(86_400_000);
  const next = await buildDueDigests(app.ctx);
  assert.deepEqual([next.due, next.built, next.empty], [5, 0, 5]);
});
