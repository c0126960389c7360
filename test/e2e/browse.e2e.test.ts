/**
 * A reader in Chromium: the home page of a fresh install (demo papers), a date page with its
 * navigation, and a paper page whose LaTeX is rendered. Screenshots go to test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumMissing, launchChromium, screenshotPath, startServer, cli } from '../support/chromium.js';

const skip = chromiumMissing();

test('browse: home → paper with rendered math → date navigation', { skip }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-browse-'));
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'true' };
  // A paper with math featured on two days, besides the demo set the server loads on first start.
  const file = path.join(dataDir, 'extra.jsonl');
  const item = (date: string, id: string, title: string, upvotes: number) =>
    JSON.stringify({ archive_date: date, item: { paper: { id, title, summary: 'We bound the error by $\\mathcal{O}(\\sqrt{n}\\log n)$ and show that $\\sum_i x_i^2 \\le 1$.', authors: [{ name: 'Ada Lovelace' }], publishedAt: `${date}T08:00:00.000Z`, upvotes }, numComments: 2, publishedAt: `${date}T09:00:00.000Z` } });
  fs.writeFileSync(file, [item('2025-06-02', '2506.00101', 'Sparse $k$-means in $\\mathcal{O}(n)$ time', 12), item('2025-06-03', '2506.00202', 'A later paper about agents', 3)].join('\n') + '\n');
  const server = await startServer(env);
  const imported = cli(['import', file], env);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, /added 2, updated 0, unchanged 0, skipped 0/);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.base}/`);
  await page.screenshot({ path: screenshotPath('home'), fullPage: false });
  // Fresh install: today's demo papers, shown as demo.
  assert.equal(await page.locator('h1').first().innerText(), 'Daily papers');
  assert.ok((await page.locator('.paper-card').count()) >= 50);
  assert.match(await page.locator('.notice').innerText(), /demo papers/);
  assert.ok(await page.getByRole('link', { name: 'Transformer in Transformer' }).isVisible());

  await page.goto(`${server.base}/papers/date/2025-06-03`);
  assert.match(await page.locator('h1').innerText(), /Tuesday, 3 June 2025/);
  await page.getByRole('link', { name: /2025-06-02/ }).click(); // previous day with papers
  await page.waitForURL(/\/papers\/date\/2025-06-02$/);
  await page.screenshot({ path: screenshotPath('date-page'), fullPage: true });
  const title = page.locator('.paper-card h3 a').first();
  assert.match(await title.innerText(), /Sparse/);
  assert.ok((await title.locator('.katex').count()) >= 2, 'math in the title is rendered');

  await title.click();
  await page.waitForURL(/\/papers\/2506\.00101$/);
  const abstract = page.locator('.abstract p');
  assert.ok((await abstract.locator('.katex').count()) === 2, 'both formulas of the abstract are rendered');
  assert.doesNotMatch(await abstract.innerText(), /\\mathcal/, 'no raw LaTeX is shown');
  assert.ok(await page.getByRole('link', { name: 'PDF' }).isVisible());
  assert.equal(await page.getByRole('link', { name: 'PDF' }).getAttribute('href'), 'https://arxiv.org/pdf/2506.00101');
  await page.screenshot({ path: screenshotPath('paper-page'), fullPage: true });

  // Keyboard: the skip link is the first thing Tab reaches.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');

  const dark = await browser.newPage({ colorScheme: 'dark', viewport: { width: 390, height: 844 } });
  await dark.goto(`${server.base}/papers/2506.00101`);
  const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(17, 19, 23)', 'dark scheme applies');
  await dark.screenshot({ path: screenshotPath('paper-page-dark-mobile'), fullPage: true });

  const missing = await page.goto(`${server.base}/papers/2501.99999`);
  assert.equal(missing!.status(), 404);
  assert.match(await page.locator('h1').innerText(), /Not found/);
});
