/**
 * Subscriptions end to end on the real app, store and a real SMTP server: double opt-in,
 * abuse limits, preferences by signed link, digests filtered by topic, both unsubscribe paths
 * (RFC 8058 one-click POST and the footer link), forged and expired links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { buildDueDigests } from '../../src/digests/digest.service.js';
import { paper, seedPapers, addActiveSubscriber, linkIn } from '../support/digests.js';
import { FormClient } from '../support/form-client.js';

const NOW = '2025-06-04T12:00:00Z'; // a Wednesday

async function setup(): Promise<{ app: TestApp; smtp: TestSmtp; send: () => Promise<void>; db: TestApp['ctx']['store']['db'] }> {
  const smtp = await startSmtp();
  const app = await testApp({ now: NOW, env: { SMTP_URL: smtp.url, DIGEST_RATE_PER_SECOND: '1000', BASE_URL: 'http://papertide.test' } });
  const send = async () => {
    const before = smtp.messages.length;
    const c = await app.ctx.mail.sender.sendDue();
    await smtp.waitFor(before + c.sent);
  };
  return { app, smtp, send, db: app.ctx.store.db };
}

test('double opt-in: subscribe → confirmation email with a signed link → confirm → active; one link email per address per hour', async (t) => {
  const { app, smtp, send, db } = await setup();
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const b = new FormClient(app);
  await b.get('/subscribe');
  const r = await b.post('/subscribe', { email: ' Alice@Example.org ', cadence: 'weekly', categories: ['cs.CL'], keywords: 'retrieval' });
  assert.equal(r.res.status, 200);
  assert.match(r.html, /Check your inbox/);
  let sub = await db.selectFrom('subscriptions').selectAll().where('email', '=', 'alice@example.org').executeTakeFirstOrThrow();
  assert.equal(sub.status, 'pending');
  assert.equal(sub.cadence, 'weekly');
  assert.deepEqual(JSON.parse(sub.topics), { categories: ['cs.CL'], keywords: ['retrieval'], searches: [] });

  await send();
  const mails = smtp.to('alice@example.org');
  assert.equal(mails.length, 1);
  assert.equal(mails[0].mail.subject, 'Confirm your Papertide digest subscription');
  assert.ok(mails[0].mail.html, 'multipart with an HTML part');
  const confirmPath = linkIn(mails[0].mail.text!, '/subscription/');
  assert.ok(String(mails[0].mail.html).includes(confirmPath), 'the same link is in the HTML part');

  // Opening the link does not confirm by itself (mail scanners open links): it shows a button.
  const page = await b.get(confirmPath);
  assert.equal(page.res.status, 200);
  assert.match(page.html, /Yes, confirm my subscription/);
  assert.equal((await db.selectFrom('subscriptions').select('status').where('id', '=', sub.id).executeTakeFirstOrThrow()).status, 'pending');
  const done = await b.post(`${confirmPath}/confirm`, {});
  assert.equal(done.res.status, 303);
  assert.match(done.res.headers.get('location')!, /^\/subscription\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\?welcome=1$/);
  sub = await db.selectFrom('subscriptions').selectAll().where('id', '=', sub.id).executeTakeFirstOrThrow();
  assert.equal(sub.status, 'active');
  assert.equal(sub.confirmed_at, '2025-06-04T12:00:00.000Z');
  const welcome = await b.get(done.res.headers.get('location')!);
  assert.match(welcome.html, /subscription is confirmed/);

  // Same address again within the hour: same page, no second email.
  const again = await b.post('/subscribe', { email: 'alice@example.org' });
  assert.match(again.html, /Check your inbox/);
  await send();
  assert.equal(smtp.to('alice@example.org').length, 1, 'at most one link email per address per hour');
  // An hour later: an active subscriber gets their manage link (the form never changes an active subscription).
  app.clock.advance(61 * 60_000);
  await b.post('/subscribe', { email: 'alice@example.org', cadence: 'daily' });
  await send();
  const second = smtp.to('alice@example.org');
  assert.equal(second.length, 2);
  assert.equal(second[1].mail.subject, 'Your Papertide digest preferences');
  assert.equal((await db.selectFrom('subscriptions').select('cadence').where('id', '=', sub.id).executeTakeFirstOrThrow()).cadence, 'weekly');
});

test('an invalid address gets a clear message and nothing is stored or sent', async (t) => {
  const { app, smtp, send, db } = await setup();
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const b = new FormClient(app);
  await b.get('/subscribe');
  for (const [email, reason] of [
    ['bob', /missing the @ sign/],
    ['bob@localhost', /needs a dot/],
    ['bob@@example.org', /exactly one @/],
    ['bob smith@example.org', /cannot contain spaces/],
    ['', /Enter your email address/],
  ] as const) {
    const r = await b.post('/subscribe', { email });
    assert.equal(r.res.status, 400, email);
    assert.match(r.html, reason);
  }
  await send();
  assert.equal(smtp.messages.length, 0);
  assert.equal((await db.selectFrom('subscriptions').selectAll().execute()).length, 0);
});

test('subscribing is rate-limited per address', async (t) => {
  const { app, smtp } = await setup();
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const b = new FormClient(app);
  await b.get('/subscribe');
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await b.post('/subscribe', { email: 'spam@example.org' })).res.status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
});

test('preferences by signed link, digests filtered by topics, and both unsubscribe paths', async (t) => {
  const { app, smtp, send, db } = await setup();
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  await seedPapers(
    app,
    [
      { ...paper('2506.00001', { title: 'Retrieval for Language Models', categories: ['cs.CL'], codeUrl: 'https://github.com/acme/rlm' }), score: 5, upvotes: 41 },
      { ...paper('2506.00002', { title: 'Diffusion Models for Video', categories: ['cs.CV'] }), score: 4, upvotes: 30 },
      { ...paper('2506.00003', { title: 'Object Detection Revisited', categories: ['cs.CV'] }), score: 3, upvotes: 20 },
      { ...paper('2506.00004', { title: 'Learning Theory of Denoisers', categories: ['cs.LG'], abstract: 'We study score-based diffusion from a learning theory view.' }), score: 2, upvotes: 10 },
      { ...paper('2506.00005', { title: 'Robots That Fold Laundry', categories: ['cs.RO'] }), score: 9, upvotes: 90 },
    ],
    '2025-06-04T08:00:00.000Z',
  );
  const alice = await addActiveSubscriber(app, 'alice@example.org', { topics: { categories: ['cs.CL'] } });
  await addActiveSubscriber(app, 'carol@example.org', { topics: { keywords: ['diffusion'] } });
  await addActiveSubscriber(app, 'dave@example.org', { maxPapers: 3 });
  await addActiveSubscriber(app, 'erin@example.org', { topics: { searches: ['cat:cs.CV -video'] } });

  const r = await buildDueDigests(app.ctx);
  assert.deepEqual([r.due, r.built, r.empty, r.candidates], [4, 4, 0, 5]);
  await send();

  const titles = (to: string) => [...String(smtp.to(to)[0].mail.html).matchAll(/<h2><a[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
  assert.deepEqual(titles('alice@example.org'), ['Retrieval for Language Models']);
  assert.deepEqual(titles('carol@example.org'), ['Diffusion Models for Video', 'Learning Theory of Denoisers'], 'keyword in title or abstract, trending order');
  assert.deepEqual(titles('dave@example.org'), ['Robots That Fold Laundry', 'Retrieval for Language Models', 'Diffusion Models for Video'], 'no topics: everything, top 3');
  assert.deepEqual(titles('erin@example.org'), ['Object Detection Revisited'], 'saved search with cat: and -word');

  const a = smtp.to('alice@example.org')[0];
  assert.equal(a.mail.subject, '“Retrieval for Language Models” — 1 trending paper today in cs.CL');
  const text = a.mail.text!;
  assert.match(text, /1\. Retrieval for Language Models\n {3}Ada Lovelace and Alan Turing\n {3}▲ 41 · cs\.CL/);
  assert.match(text, /Code: https:\/\/github\.com\/acme\/rlm/);
  assert.match(text, /Read: http:\/\/papertide\.test\/papers\/2506\.00001/);
  assert.match(String(a.mail.html), /prefers-color-scheme: dark/);
  assert.match(String(a.mail.html), /href="https:\/\/github\.com\/acme\/rlm"/);
  // RFC 2369 / RFC 8058 headers, as mailparser exposes them.
  assert.match(a.list.unsubscribe.url, /^http:\/\/papertide\.test\/unsubscribe\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  assert.equal(a.list['unsubscribe-post'].name, 'List-Unsubscribe=One-Click');
  assert.equal(a.list.id.id, 'digest.papertide.test');

  // Not due again today; tomorrow there is nothing new for anyone: no empty digests.
  assert.equal((await buildDueDigests(app.ctx)).due, 0);
  app.clock.advance(86_400_000);
  const tomorrow = await buildDueDigests(app.ctx);
  assert.deepEqual([tomorrow.due, tomorrow.built, tomorrow.empty], [4, 0, 4]);

  // Preferences via the manage link in the digest's footer, without logging in.
  const b = new FormClient(app);
  const managePath = linkIn(text, '/subscription/');
  const page = await b.get(managePath);
  assert.equal(page.res.status, 200);
  assert.match(page.html, /alice@example\.org/);
  assert.match(page.html, /value="cs\.CL" checked/);
  const bad = await b.post(managePath, { cadence: 'hourly', max_papers: '0', categories_other: 'not a category!' });
  assert.equal(bad.res.status, 400);
  assert.match(bad.html, /Choose daily \(on weekdays\) or weekly/);
  assert.match(bad.html, /from 1 to 50/);
  const saved = await b.post(managePath, { cadence: 'weekly', categories: ['cs.CV', 'cs.RO'], categories_other: 'math.OC', keywords: 'denoising, diffusion', searches: 'cat:cs.CL "language models"', max_papers: '2', paused: 'on' });
  assert.equal(saved.res.status, 200);
  assert.match(saved.html, /Saved/);
  const sub = await db.selectFrom('subscriptions').selectAll().where('id', '=', alice).executeTakeFirstOrThrow();
  assert.equal(sub.cadence, 'weekly');
  assert.equal(sub.max_papers, 2);
  assert.equal(sub.paused, 1);
  assert.deepEqual(JSON.parse(sub.topics), { categories: ['cs.CV', 'cs.RO', 'math.OC'], keywords: ['denoising', 'diffusion'], searches: ['cat:cs.CL "language models"'] });

  // Unsubscribe path 1: RFC 8058 one-click POST to the List-Unsubscribe URL, as a mail provider sends it
  // (no cookie, no CSRF token).
  const oneClick = new URL(smtp.to('carol@example.org')[0].list.unsubscribe.url).pathname;
  const post = () => app.request(oneClick, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const u1 = await post();
  assert.equal(u1.status, 200);
  assert.match(await u1.text(), /You are unsubscribed/);
  const carol = await db.selectFrom('subscriptions').selectAll().where('email', '=', 'carol@example.org').executeTakeFirstOrThrow();
  assert.equal(carol.status, 'unsubscribed');
  assert.equal((await post()).status, 200, 'repeating it is harmless');

  // Unsubscribe path 2: the footer link of the HTML part: a page with one button.
  const footer = /href="http:\/\/papertide\.test(\/unsubscribe\/[^"]+)"[^>]*>Unsubscribe<\/a>/.exec(String(smtp.to('dave@example.org')[0].mail.html))![1];
  const b2 = new FormClient(app);
  const confirmPage = await b2.get(footer);
  assert.equal(confirmPage.res.status, 200);
  assert.match(confirmPage.html, /Unsubscribe from the digest\?/);
  assert.equal((await db.selectFrom('subscriptions').select('status').where('email', '=', 'dave@example.org').executeTakeFirstOrThrow()).status, 'active', 'opening the link alone changes nothing');
  const u2 = await b2.post(footer, {});
  assert.equal(u2.res.status, 200);
  assert.match(u2.html, /dave@example\.org<\/strong> will receive no more digests/);
  assert.equal((await db.selectFrom('subscriptions').select('status').where('email', '=', 'dave@example.org').executeTakeFirstOrThrow()).status, 'unsubscribed');

  // Unsubscribed and paused subscribers get nothing the next week.
  app.clock.set('2025-06-09T12:00:00Z');
  await seedPapers(app, [{ ...paper('2506.00010', { categories: ['cs.CV', 'cs.CL', 'cs.RO'], title: 'Diffusion everywhere' }), score: 1 }], '2025-06-09T08:00:00.000Z');
  await buildDueDigests(app.ctx);
  const before = smtp.messages.length;
  await send();
  assert.deepEqual(smtp.messages.slice(before).map((m) => m.to).sort(), ['erin@example.org']);
});

test('a forged link and an expired link are refused with a readable page and change nothing', async (t) => {
  const { app, smtp, send, db } = await setup();
  t.after(async () => {
    await app.close();
    await smtp.close();
  });
  const b = new FormClient(app);
  await b.get('/subscribe');
  await b.post('/subscribe', { email: 'frank@example.org' });
  await send();
  const confirmPath = linkIn(smtp.to('frank@example.org')[0].mail.text!, '/subscription/');

  // Forged: same payload, altered signature; and a payload pointing at another subscription.
  const [payload, sig] = confirmPath.slice('/subscription/'.length).split('.');
  const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
  for (const forged of [`${payload}.${flipped}`, `${Buffer.from('manage:1:1:9999999999').toString('base64url')}.${sig}`]) {
    const r = await b.get(`/subscription/${forged}`);
    assert.equal(r.res.status, 400);
    assert.match(r.html, /This link is not valid: it may have been mistyped or altered/);
    const p = await b.post(`/subscription/${forged}/confirm`, {});
    assert.equal(p.res.status, 400);
    const u = await app.request(`/unsubscribe/${forged}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(u.status, 400);
  }
  assert.equal((await b.get('/subscription/garbage')).res.status, 400);

  // Expired: confirmation links work for 48 hours.
  app.clock.advance(49 * 3600_000);
  const r = await b.get(confirmPath);
  assert.equal(r.res.status, 410);
  assert.match(r.html, /This link has expired/);
  assert.match(r.html, /action="\/subscribe"/, 'offers a new link');
  assert.equal((await b.post(`${confirmPath}/confirm`, {})).res.status, 410);
  assert.equal((await db.selectFrom('subscriptions').select('status').where('email', '=', 'frank@example.org').executeTakeFirstOrThrow()).status, 'pending');
});
