/**
 * What a person sees on the pages of a real store (the Hugging Face archive, 9,877 papers), in
 * Chromium at 1280 px and 390 px, light and dark: form controls keep their size next to their
 * labels, the upvote button is a button, the abstract uses the width and stays readable, TeX
 * escapes do not show, comments are styled with math rendered, a vote refused is said inline,
 * /submit shows its progress and its bounded wait, and confirms a submission. Screenshots of
 * every page go to test-results/pages-*.png for a person to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { chromiumMissing, cli, launchChromium, screenshotPath, startServer } from '../support/chromium.js';
import { signToken } from '../../src/digests/tokens.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const HF = path.resolve(ROOT, '..', 'shared', 'data', 'hf-daily-papers', 'daily_papers.jsonl.gz');
const skip = chromiumMissing() || (fs.existsSync(HF) ? false : `the Hugging Face archive is not at ${HF}`);
const SECRET = 'pages-e2e-secret-pages-e2e';
const PAPER = '2603.19835'; // "56.0\%" in its abstract on Hugging Face

type Box = { x: number; y: number; width: number; height: number };

/** Every radio and checkbox in <main>: its box, and the box of the label text that follows it. */
async function controls(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('main input[type=radio], main input[type=checkbox]')].map((el) => {
      const r = el.getBoundingClientRect();
      const label = el.closest('label');
      const range = document.createRange();
      if (label) {
        range.setStartAfter(el);
        range.setEnd(label, label.childNodes.length);
      }
      const rects = label ? [...range.getClientRects()].filter((x) => x.width > 0) : [];
      const t = rects[0];
      return { name: (el as HTMLInputElement).value, box: { x: r.x, y: r.y, width: r.width, height: r.height }, text: t ? { x: t.x, y: t.y, width: t.width, height: t.height } : null };
    }),
  );
}

const box = (page: Page, sel: string) => page.locator(sel).first().boundingBox() as Promise<Box>;

function assertControlsBesideLabels(list: Awaited<ReturnType<typeof controls>>, where: string) {
  assert.ok(list.length >= 2, `${where}: radios and checkboxes found`);
  for (const c of list) {
    assert.ok(c.box.width <= 24 && c.box.height <= 24 && c.box.width >= 10, `${where}: control ${c.name} is ${c.box.width}×${c.box.height}, not stretched or squashed`);
    assert.ok(c.text, `${where}: control ${c.name} has label text`);
    assert.ok(c.text!.x >= c.box.x + c.box.width && c.text!.x - (c.box.x + c.box.width) < 24, `${where}: label of ${c.name} starts right after it (gap ${c.text!.x - c.box.x - c.box.width})`);
    const mid = c.box.y + c.box.height / 2;
    assert.ok(mid >= c.text!.y - 2 && mid <= c.text!.y + c.text!.height + 2, `${where}: label of ${c.name} is on the same line, not below`);
  }
}

test('pages at 1280 and 390 px, light and dark, on the real Hugging Face archive', { skip }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-pages-'));
  // arXiv that never answers: /submit must not hang without saying so.
  const silent = http.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const arxivPort = (silent.address() as { port: number }).port;
  const now = new Date();
  const day = now.toISOString().slice(0, 10);
  // Published three days ago: submittable, and outside the day window (which stays empty).
  const firstSeen = new Date(now.getTime() - 3 * 86_400_000).toISOString().slice(0, 10);
  const yymm = `${day.slice(2, 4)}${day.slice(5, 7)}`;
  const fresh = `${yymm}.04242`;
  const env = {
    DATA_DIR: dataDir,
    DEMO_DATA: 'false',
    SECRET,
    LOG_LEVEL: 'warn',
    ARXIV_API_URL: `http://127.0.0.1:${arxivPort}/api/query`,
    ARXIV_MIN_INTERVAL_MS: '0',
    SUBMIT_ARXIV_TIMEOUT_MS: '3000',
  };
  let r = cli(['import', HF], env);
  assert.equal(r.status, 0, r.stderr);
  const recent = path.join(dataDir, 'recent.jsonl');
  fs.writeFileSync(recent, JSON.stringify({ id: fresh, first_seen: firstSeen, title: 'Tidal attention with $\\mathcal{O}(n)$ memory', abstract: 'We read long documents in 56\\% less memory.', authors: ['Ada Lovelace'], categories: ['cs.CL', '68T50'] }) + '\n');
  r = cli(['import', recent], env);
  assert.equal(r.status, 0, r.stderr);
  r = cli(['user', 'create', '--name', 'reader', '--email', 'reader@example.org', '--password', 'correct horse battery'], env);
  assert.equal(r.status, 0, r.stderr);
  // A digest subscription for the reader's address, to see the preferences page.
  const db = new Database(path.join(dataDir, 'papertide.db'));
  const t = now.toISOString();
  db.prepare("insert into subscriptions (email, status, cadence, topics, max_papers, confirmed_at, created_at, updated_at) values ('reader@example.org', 'active', 'daily', ?, 10, ?, ?, ?)").run(JSON.stringify({ categories: ['cs.CL'], keywords: ['retrieval'], searches: [] }), t, t, t);
  const sub = db.prepare("select id, token_version from subscriptions where email = 'reader@example.org'").get() as { id: number; token_version: number };
  db.close();
  const prefs = `/subscription/${signToken(SECRET, { purpose: 'manage', subscriptionId: sub.id, version: sub.token_version }, now)}`;

  const server = await startServer(env);
  const browser = await launchChromium();
  const dialogs: string[] = [];
  try {
    for (const scheme of ['light', 'dark'] as const) {
      for (const width of [1280, 390]) {
        const tag = `${width}-${scheme}`;
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
        const page = await context.newPage();
        page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
        await page.goto(`${server.base}/login`);
        await page.getByLabel('Email', { exact: true }).fill('reader@example.org');
        await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
        await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()]);

        // The paper page: an upvote button, a readable abstract using the width, no TeX escapes.
        await page.goto(`${server.base}/papers/${PAPER}`);
        const vote = await box(page, '.paper-actions .votes');
        assert.ok(vote.width >= 70 && vote.height >= 32 && vote.height <= 56 && vote.width / vote.height >= 1.5, `${tag}: upvote button ${vote.width}×${vote.height}`);
        const abstractText = await page.locator('.abstract p').innerText();
        assert.match(abstractText, /approximately 56\.0%\)/);
        assert.doesNotMatch(abstractText, /\\[%&_#$]|textbf/);
        const abs = await box(page, '.abstract p');
        const fontPx = await page.locator('.abstract p').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
        assert.ok(abs.width / fontPx <= 40, `${tag}: abstract lines stay readable (${Math.round(abs.width / fontPx)} em)`);
        if (width === 1280) {
          assert.ok(abs.width >= 560, `${tag}: abstract column ${abs.width} px wide`);
          const side = await box(page, '.paper-side');
          assert.ok(side.x >= abs.x + abs.width, `${tag}: details beside the abstract, not below`);
          const mainBox = await box(page, 'main');
          assert.ok(side.x + side.width >= mainBox.x + mainBox.width - 60, `${tag}: the right of the page is used`);
        } else {
          assert.ok(abs.width >= 320, `${tag}: abstract uses the phone's width (${abs.width})`);
        }
        const counts = await page.locator('#comments .comment-count').innerText();
        assert.match(counts, /^\d+ comments? on Hugging Face · \d+ here$|^\d+ comments?$/);
        await page.screenshot({ path: screenshotPath(`pages-paper-${tag}`), fullPage: true });

        // A comment with math, then its Edit and Delete, apart.
        if (scheme === 'light') {
          await page.getByLabel('Add a comment').fill(`Is $\\mathcal{O}(n)$ tight at ${tag}?`);
          await Promise.all([page.waitForURL(/#c\d+$/), page.getByRole('button', { name: 'Comment', exact: true }).click()]);
        }
        const comment = page.locator('.comment-list > .comment').last();
        assert.equal(await comment.locator('.katex').count(), 1, `${tag}: math in the comment is rendered`);
        const edit = (await comment.locator('.comment-actions a', { hasText: 'Edit' }).boundingBox())!;
        const del = (await comment.locator('.comment-actions button', { hasText: 'Delete' }).boundingBox())!;
        assert.ok(del.x - (edit.x + edit.width) >= 8 || del.y >= edit.y + edit.height, `${tag}: Edit and Delete are apart`);
        const ta = await box(page, '.comment-form textarea');
        assert.ok(ta.width >= Math.min(500, width - 80), `${tag}: the comment box is ${ta.width} px wide`);
        await page.locator('#comments').screenshot({ path: screenshotPath(`pages-comments-${tag}`) });
        const cardCounts = await (async () => {
          await page.goto(`${server.base}/papers/trending?window=all`);
          return page.locator(`article:has(#t-${PAPER.replace('.', '\\.')}) .comment-count`).innerText();
        })();
        assert.equal(cardCounts, (await (await page.goto(`${server.base}/papers/${PAPER}`), page.locator('#comments .comment-count').innerText())), `${tag}: card and page say the same`);

        // Subscribe and preferences: radios and checkboxes small, each on the line of its label.
        await page.goto(`${server.base}/subscribe`);
        assertControlsBesideLabels(await controls(page), `${tag} /subscribe`);
        await page.screenshot({ path: screenshotPath(`pages-subscribe-${tag}`), fullPage: true });
        await page.goto(`${server.base}${prefs}`);
        assertControlsBesideLabels(await controls(page), `${tag} preferences`);
        await page.screenshot({ path: screenshotPath(`pages-preferences-${tag}`), fullPage: true });

        // Trending: the archive ended months ago; the page says so and shows its latest day.
        await page.goto(`${server.base}/papers/trending?window=day`);
        const note = await page.locator('#trending-fallback').innerText();
        assert.match(note, /No papers in the last day — showing the latest day with papers, ending 20\d\d-\d\d-\d\d\./);
        assert.ok((await page.locator('.paper-list > li').count()) > 0, `${tag}: trending is not empty`);
        const tabs = await page.locator('.period-nav .views').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
        assert.ok(tabs.scroll <= tabs.client + 1 && tabs.right <= width, `${tag}: every window tab is visible (${tabs.scroll} > ${tabs.client}?)`);
        await page.screenshot({ path: screenshotPath(`pages-trending-${tag}`) });
        await page.goto(`${server.base}/`);
        await page.screenshot({ path: screenshotPath(`pages-home-${tag}`) });

        // Submit: progress while arXiv is silent, then the bounded wait's message.
        if (scheme === 'light') {
          await page.goto(`${server.base}/submit`);
          await page.getByLabel('arXiv id or URL').fill(`${yymm}.1${String(width).padStart(4, "0")}`);
          await page.getByRole('button', { name: 'Submit' }).click();
          await page.locator('.submit-status', { hasText: /Fetching from arXiv… \d+ s \(at most 3 s\)/ }).waitFor({ timeout: 2500 });
          assert.equal(await page.getByRole('button', { name: 'Submit' }).isDisabled(), true, `${tag}: no second submit while waiting`);
          await page.screenshot({ path: screenshotPath(`pages-submit-waiting-${tag}`) });
          await page.locator('.error-text', { hasText: /did not answer within 3 seconds/ }).waitFor({ timeout: 10_000 });
          await page.screenshot({ path: screenshotPath(`pages-submit-timeout-${tag}`) });
        }
        await context.close();
      }
    }

    // A successful submission is confirmed on the paper page (last: it puts a paper in today's trending).
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.base}/login`);
      await page.getByLabel('Email', { exact: true }).fill('reader@example.org');
      await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()]);
      await page.goto(`${server.base}/submit`);
      await page.getByLabel('arXiv id or URL').fill(fresh);
      await Promise.all([page.waitForURL(new RegExp(`/papers/${fresh.replace('.', '\\.')}\\?submitted=`)), page.getByRole('button', { name: 'Submit' }).click()]);
      await page.locator('#submitted', { hasText: 'Submitted — thank you' }).waitFor();
      assert.doesNotMatch(await page.locator('.paper-head').innerText(), /68T50/);
      assert.match(await page.locator('.abstract p').innerText(), /56% less memory/);
      await page.screenshot({ path: screenshotPath('pages-submitted-1280-light') });
      await context.close();
    }

    // An unverified account's upvote is refused in words on the page, not in an alert().
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
    await page.goto(`${server.base}/signup`);
    await page.getByLabel('User name', { exact: true }).fill('newbie');
    await page.getByLabel('Email', { exact: true }).fill('newbie@example.org');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await page.goto(`${server.base}/login`);
    await page.getByLabel('Email', { exact: true }).fill('newbie@example.org');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()]);
    await page.goto(`${server.base}/papers/${PAPER}`);
    await page.locator('.paper-actions .votes button').click();
    const msg = page.locator('.paper-actions .vote-message');
    await msg.waitFor();
    assert.match(await msg.innerText(), /confirm|verif/i);
    await page.screenshot({ path: screenshotPath('pages-vote-unverified-1280-light') });
    await context.close();
    assert.deepEqual(dialogs, [], 'no native dialogs');
  } finally {
    await browser.close();
    await server.stop();
    silent.closeAllConnections();
    silent.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
