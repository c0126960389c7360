/**
 * For you in Chromium, against the real app served on 127.0.0.1 (in this process, so a paper can
 * be imported with importFile and announced with onChanged while the browser watches): the 62
 * demo papers, re-dated to the last weeks → sign up (verification link from the outbox) →
 * onboarding: pick two categories, then find and save three papers → For you lists related
 * papers, each with a one-line explanation → "Not interested" removes one without a reload,
 * and it stays gone → follow an author from a paper page → a new paper by that author is
 * imported → Following lists it. Screenshots of /for-you and onboarding at 1280 px, 390 px and
 * in dark mode in /tmp/shots-foryou/; at 390 px neither page scrolls sideways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromiumMissing, launchChromium } from '../support/chromium.js';
import { testApp } from '../support/app.js';
import { linkFromMail, pathOf } from '../support/form-client.js';
import { formControlProblems, sidewaysOverflow } from '../support/look.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { systemClock } from '../../src/clock.js';

const skip = chromiumMissing();
const SHOTS = '/tmp/shots-foryou';
const DAY = 86_400_000;

/** The demo papers with publication dates spread over the last 25 days (so windows hold some). */
function recentDemo(dir: string): string {
  const now = Date.now();
  const lines = fs
    .readFileSync(DEMO_FILE, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l, i) => JSON.stringify({ ...JSON.parse(l), published: new Date(now - (i % 25) * DAY - 3_600_000).toISOString().slice(0, 10) }));
  const file = path.join(dir, 'demo-recent.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('sign up → two categories → three papers → For you explains → dismiss → follow an author → a new paper of theirs on Following', { skip, timeout: 240_000 }, async (t) => {
  const app = await testApp({ deps: { clock: systemClock } });
  const ctx = app.ctx;
  const imported = await importFile(ctx.store.db, recentDemo(app.env.dataDir), { now: () => new Date(), onChanged: (ids) => papersChanged(ctx, ids) });
  assert.equal(imported.skippedLines.length, 0);
  await ctx.search?.settle();
  const server = serve({ fetch: app.web.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
  t.after(async () => {
    await browser.close();
    await new Promise<void>((r) => server.close(() => r()));
    await app.close();
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const shoot = async (name: string, check: string) => {
    for (const [label, viewport, scheme] of [['1280', { width: 1280, height: 900 }, 'light'], ['390', { width: 390, height: 844 }, 'light'], ['dark', { width: 1280, height: 900 }, 'dark']] as const) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      if (label === '390') assert.ok((await sidewaysOverflow(page)) <= 1, `${check} does not scroll sideways at 390 px`);
      if (scheme === 'light') assert.deepEqual(await formControlProblems(page), [], `form controls on ${check} at ${viewport.width} px`);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${label}-top.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  };

  // Sign up; the verification link (from the outbox) logs in and points to onboarding.
  await page.goto(`${base}/signup`);
  await page.getByLabel('User name', { exact: true }).fill('grace');
  await page.getByLabel('Email', { exact: true }).fill('grace@example.org');
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await page.goto(`${base}${pathOf(await linkFromMail(app, 'grace@example.org', 'verify'))}`);
  await page.getByRole('link', { name: 'pick the categories, authors and papers you read' }).click();
  await page.getByRole('heading', { name: 'Set up For you' }).waitFor();

  // Two categories (the store's most common first: cs.LG, cs.CL), saved; then three papers found by search.
  const boxes = page.locator('input[name="categories"]');
  assert.deepEqual(await boxes.evaluateAll((b) => b.slice(0, 2).map((x) => (x as HTMLInputElement).value)), ['cs.LG', 'cs.CL']);
  await page.getByLabel(/^cs\.CV\b/).check();
  await page.getByLabel(/^cs\.CR\b/).check();
  await shoot('onboarding', '/for-you/start');
  await page.getByRole('button', { name: 'Save and keep picking' }).click();
  await page.getByText('You follow 2 things already').waitFor();
  await page.getByLabel('Find papers').fill('image');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const results = page.locator('input[name="papers"][type="checkbox"]');
  assert.ok((await results.count()) >= 3, 'at least three papers found');
  const saved: string[] = [];
  for (let i = 0; i < 3; i++) {
    saved.push((await results.nth(i).getAttribute('value'))!);
    await results.nth(i).check();
  }
  await shoot('onboarding-search', '/for-you/start?q=image');
  await page.getByRole('button', { name: 'Save and see For you' }).click();
  await page.waitForURL(`${base}/for-you`);

  // For you: related papers, none of the saved ones, each with a line saying why.
  const cards = page.locator('ol.for-you-list > li[data-paper]');
  assert.ok((await cards.count()) >= 5, 'For you lists papers');
  const listed = await cards.evaluateAll((li) => li.map((x) => x.getAttribute('data-paper')!));
  for (const id of saved) assert.ok(!listed.includes(id), `saved ${id} is not recommended`);
  const whys = await page.locator('ol.for-you-list .why-text').allInnerTexts();
  assert.equal(whys.length, listed.length, 'every card explains itself');
  assert.ok(whys.some((w) => /^like .+ in your library$/.test(w)), `a "like … in your library" line among: ${whys.join(' | ')}`);
  assert.ok(whys.some((w) => /^you follow cat:cs\.(CV|CR)$/.test(w)), `a "you follow cat:…" line among: ${whys.join(' | ')}`);
  await shoot('for-you', '/for-you');

  // Not interested: the card goes without a reload, with an undo; it stays gone on reload.
  let navigated = false;
  page.on('framenavigated', (f) => f === page.mainFrame() && (navigated = true));
  const gone = listed[0];
  await page.locator(`li[data-paper="${gone}"]`).getByRole('button', { name: 'Not interested' }).click();
  await page.getByRole('button', { name: 'Undo' }).first().waitFor();
  assert.equal(await page.locator(`li[data-paper="${gone}"]`).count(), 0, 'the card is gone');
  assert.equal(navigated, false, 'no reload');
  await page.screenshot({ path: path.join(SHOTS, 'for-you-dismissed-1280.png') });
  await page.reload();
  assert.equal(await page.locator(`ol.for-you-list > li[data-paper="${gone}"]`).count(), 0, 'still gone on the next load');
  assert.equal(await page.locator('#dismissed-h + p + ul a', { hasText: /./ }).count(), 1, 'listed under Not interested, for undo');
  await page.screenshot({ path: path.join(SHOTS, 'for-you-after-dismiss-1280.png'), fullPage: true });

  // Follow the first author of the top paper from its page.
  const top = await cards.first().getAttribute('data-paper');
  await page.goto(`${base}/papers/${top}`);
  const followAuthor = page.locator('section.follow-panel form.follow-form').first();
  const author = (await followAuthor.locator('input[name="value"]').getAttribute('value'))!;
  await followAuthor.getByRole('button').click();
  await page.getByRole('button', { name: `✓ Following ${author}` }).waitFor();

  // A new paper by that author arrives (an import, announced as the ingest does): Following lists it.
  const day = new Date().toISOString().slice(0, 10);
  const newId = `${day.slice(2, 4)}${day.slice(5, 7)}.09999`;
  const file = path.join(app.env.dataDir, 'new.jsonl');
  fs.writeFileSync(file, JSON.stringify({ arxiv_id: newId, title: 'A brand new result on tidal attention', abstract: 'We read long papers in linear memory.', authors: ['Someone Else', author], categories: ['cs.DL'], published: day }) + '\n');
  const r = await importFile(ctx.store.db, file, { now: () => new Date(), onChanged: (ids) => papersChanged(ctx, ids) });
  assert.equal(r.skippedLines.length, 0);
  await page.goto(`${base}/following`);
  const item = page.locator('ol.paper-list > li', { has: page.locator(`a[href="/papers/${newId}"]`) });
  await item.waitFor();
  assert.match(await item.locator('.why-here').innerText(), new RegExp(`you follow author:("${author}"|${author})`.replace(/\./g, '\\.')));
  assert.equal(await page.locator('ol.paper-list > li').first().locator(`a[href="/papers/${newId}"]`).count(), 1, 'newest first');
  // The private Following feed lists it too: make the secret URL from Following's own link, read
  // it as a feed reader would (no cookie), then revoke it: the same URL is a 404.
  await page.locator('a[href="/settings/feeds"]').first().click();
  await page.getByRole('button', { name: 'Make a URL for Following' }).click();
  const shown = await page.locator('.private-feed-urls input').evaluateAll((els) => (els as HTMLInputElement[]).map((e) => e.value).find((v) => v.endsWith('.atom')));
  assert.ok(shown, 'the Atom URL is shown once');
  const atomUrl = base + new URL(shown!).pathname; // the page names the configured BASE_URL
  const feed = await fetch(atomUrl!);
  assert.equal(feed.status, 200);
  const xml = await feed.text();
  assert.match(xml, /<entry>\s*<title type="html"><!\[CDATA\[A brand new result on tidal attention\]\]><\/title>/, 'the new paper is in the private Following feed, first');
  assert.ok(xml.includes(`/papers/${newId}</id>`));
  await page.getByRole('button', { name: 'Revoke the URL of Following' }).click();
  await page.waitForLoadState();
  assert.equal((await fetch(atomUrl!)).status, 404, 'a revoked URL is a 404');

  assert.deepEqual(errors, [], 'no script errors (CSP included)');
});
