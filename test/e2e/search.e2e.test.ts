/**
 * The search page as a person sees it, in Chromium, on real papers (the last 3,000 entries of the
 * Hugging Face archive, imported with the CLI): at 1280 px and 390 px, light and dark, the query
 * box is at least 30 characters wide and holds the query (so does the header's box), the filter
 * controls are neither squashed nor stretched, the count reads as a count, hits have no empty
 * "· ·" fields, and the query can be edited and searched again. Screenshots in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotPath, startServer, cli } from '../support/chromium.js';
import { SHARED_DATA } from '../support/app.js';

const skip = chromiumMissing();
const QUERY = 'diffusion video generation';

/** Width of `n` average characters of the box's own font, in CSS px. */
async function boxFits(page: Page, selector: string, n: number): Promise<{ inner: number; needed: number; value: string }> {
  return page.locator(selector).evaluate((el, count) => {
    const input = el as HTMLInputElement;
    const cs = getComputedStyle(input);
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = cs.font;
    const sample = 'diffusion video generation models for robots'.slice(0, count);
    const inner = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    return { inner, needed: ctx.measureText(sample).width, value: input.value };
  }, n);
}

async function checkSearchPage(page: Page, name: string): Promise<void> {
  const q = await boxFits(page, '#q', 30);
  assert.equal(q.value, QUERY, `${name}: the page's box holds the query`);
  assert.ok(q.inner >= q.needed, `${name}: the query box shows ${Math.round(q.inner)} px, 30 characters need ${Math.round(q.needed)} px`);
  const header = await boxFits(page, '#site-search', 20);
  assert.equal(header.value, QUERY, `${name}: the header's box holds the query`);
  assert.ok(header.inner >= header.needed, `${name}: the header box is not squashed (${Math.round(header.inner)} px)`);
  // Filter controls: each one sized for its content, none stretched across the page or squashed.
  const controls = await page.locator('.search-filters input, .search-filters select').evaluateAll((els) =>
    els.map((e) => ({ type: (e as HTMLInputElement).type || e.tagName, w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height })),
  );
  assert.equal(controls.length, 5);
  for (const c of controls) {
    if (c.type === 'checkbox') assert.ok(c.w >= 10 && c.w <= 30, `${name}: checkbox ${c.w} px wide`);
    else assert.ok(c.w >= 60 && c.w <= 260, `${name}: ${c.type} control ${Math.round(c.w)} px wide`);
    assert.ok(c.h >= 12 && c.h <= 60, `${name}: ${c.type} control ${Math.round(c.h)} px high`);
  }
  // Each filter's label sits on the same line as its control.
  const labels = await page.locator('.search-filters label').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  for (const h of labels) assert.ok(h < 60, `${name}: a filter label ${h} px high (wrapped)`);
  assert.match(await page.locator('.search-count').innerText(), /^[\d,]+ results · page 1 of \d+/);
  for (const meta of await page.locator('.hit-meta').allInnerTexts()) assert.doesNotMatch(meta, /·\s*·|^\s*·|·\s*$/, `${name}: ${meta}`);
  assert.equal(await page.locator('.search-hit').count(), 20);
}

test('search page: the query box holds and shows the query at 1280 and 390 px, light and dark', { skip }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-search-'));
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const file = path.join(dataDir, 'hf-recent.jsonl');
  fs.writeFileSync(file, lines.slice(-3000).join('\n') + '\n');
  const imported = cli(['import', file], env);
  assert.equal(imported.status, 0, imported.stderr);
  const reindexed = cli(['reindex'], env);
  assert.equal(reindexed.status, 0, reindexed.stderr);
  const server = await startServer(env);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  for (const [w, h] of [
    [1280, 900],
    [390, 844],
  ]) {
    for (const scheme of ['light', 'dark'] as const) {
      const name = `search-${w}${scheme === 'dark' ? '-dark' : ''}`;
      const page = await browser.newPage({ viewport: { width: w, height: h }, colorScheme: scheme });
      await page.goto(`${server.base}/search?q=${encodeURIComponent(QUERY)}`);
      await page.screenshot({ path: screenshotPath(name), fullPage: false });
      await checkSearchPage(page, name);
      await page.close();
    }
  }
  // The query is editable where it is shown: change it and search again.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${server.base}/search?q=${encodeURIComponent(QUERY)}&sort=newest`);
  await page.locator('#q').fill('diffusion');
  await page.locator('#q').press('Enter');
  await page.waitForURL(/q=diffusion&/);
  assert.equal(await page.locator('#q').inputValue(), 'diffusion');
  assert.equal(await page.locator('select[name=sort]').inputValue(), 'newest');
  await page.screenshot({ path: screenshotPath('search-390-newest'), fullPage: true });
  // an author asked for is visible in the hit, even past "et al."
  await page.goto(`${server.base}/search?q=${encodeURIComponent('author:"Yann LeCun"')}`);
  const metas = await page.locator('.hit-meta').allInnerTexts();
  assert.ok(metas.length > 0);
  for (const m of metas) assert.match(m, /Yann LeCun/);
  await page.screenshot({ path: screenshotPath('search-author'), fullPage: true });
});
