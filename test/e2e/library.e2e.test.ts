/**
 * The library in Chromium, against a real `papertide serve` on 127.0.0.1 with the demo papers:
 * sign up (the email verified through the CLI's outbox reader) → save three papers from the
 * daily list without a page reload → the library lists them → the BibTeX export
 * holds each paper's eprint → unsave from the paper page. Screenshots at 1280 px, 390 px and
 * in dark mode in test-results/library-*.png; at 390 px the library page must not scroll sideways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumMissing, cli, launchChromium, screenshotPath, startServer } from '../support/chromium.js';
import { formControlProblems, sidewaysOverflow } from '../support/look.js';

const skip = chromiumMissing();

test('save three papers without a reload → library → BibTeX → unsave', { skip, timeout: 180_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-library-'));
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'true', SECRET: 'e2e-library-secret-e2e-library' };
  const server = await startServer(env);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => void d.dismiss());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(`${server.base}/signup`);
  await page.getByLabel('User name', { exact: true }).fill('grace');
  await page.getByLabel('Email', { exact: true }).fill('grace@example.org');
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  // No SMTP: the message is in the outbox; the CLI reads it as an operator would.
  // The sender writes the .eml on its next turn: wait for it (bounded).
  let shown = cli(['mail', 'show', '1'], env); // newest first
  for (let i = 0; shown.status !== 0 && i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    shown = cli(['mail', 'show', '1'], env);
  }
  assert.equal(shown.status, 0, shown.stderr);
  const link = /(http:\/\/[^\s]+\/verify\?token=[A-Za-z0-9_-]+)/.exec(shown.stdout)?.[1];
  assert.ok(link, `a verification link in: ${shown.stdout}`);
  await page.goto(link!.replace(/^http:\/\/[^/]+/, server.base));
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email', { exact: true }).fill('grace@example.org');
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'grace', exact: true }).waitFor();

  // Save three papers from a daily list, without a reload.
  await page.goto(`${server.base}/papers/month/${await latestMonth(page, server.base)}`);
  const forms = page.locator('form[data-save]');
  assert.ok((await forms.count()) >= 3, 'at least three Save buttons on the list');
  let navigated = false;
  page.on('framenavigated', (f) => f === page.mainFrame() && (navigated = true));
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const form = forms.nth(i);
    const id = (await form.getAttribute('data-save'))!;
    ids.push(id);
    assert.equal(await form.locator('button').getAttribute('aria-pressed'), 'false');
    await form.locator('button').click();
    await page.waitForFunction((pid) => document.querySelector(`form[data-save="${pid}"] button`)?.getAttribute('aria-pressed') === 'true', id);
  }
  assert.equal(navigated, false, 'saving did not reload the page');
  await page.screenshot({ path: screenshotPath('library-1-saved-on-list') });

  // The library lists exactly those three.
  await page.goto(`${server.base}/library`);
  const listedIds = await page.locator('main a[href^="/papers/"]').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')!.replace('/papers/', '')))]);
  for (const id of ids) assert.ok(listedIds.includes(id), `the library lists ${id} (it lists ${listedIds.join(', ')})`);
  for (const [label, viewport, scheme] of [['desktop', { width: 1280, height: 900 }, 'light'], ['mobile', { width: 390, height: 844 }, 'light'], ['dark', { width: 1280, height: 900 }, 'dark']] as const) {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: scheme });
    if (label === 'mobile') assert.ok((await sidewaysOverflow(page)) <= 1, 'the library page does not scroll sideways at 390 px');
    await page.screenshot({ path: screenshotPath(`library-2-library-${label}`), fullPage: true });
    if (scheme === 'light') assert.deepEqual(await formControlProblems(page), [], `form controls on /library at ${viewport.width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });

  // BibTeX export of the library: one entry per saved paper, with its arXiv eprint.
  const bib = await page.evaluate(async (base) => (await fetch(`${base}/library/export.bib`, { credentials: 'same-origin' })).text(), server.base);
  for (const id of ids) assert.match(bib, new RegExp(`eprint\\s*=\\s*\\{${id.replace('.', '\\.')}\\}`), `the export holds ${id}`);
  assert.equal((bib.match(/^@/gm) ?? []).length, 3, 'three entries');

  // Unsave from the paper page: the button flips and the library no longer lists it.
  await page.goto(`${server.base}/papers/${ids[0]}`);
  const own = page.locator(`form[data-save="${ids[0]}"] button`).first();
  assert.equal(await own.getAttribute('aria-pressed'), 'true');
  await own.click();
  await page.waitForFunction((pid) => document.querySelector(`form[data-save="${pid}"] button`)?.getAttribute('aria-pressed') === 'false', ids[0]);
  await page.goto(`${server.base}/library`);
  assert.equal(await page.locator(`main a[href="/papers/${ids[0]}"]`).count(), 0, 'the unsaved paper left the library');
  assert.deepEqual(errors, [], 'no script errors (CSP included)');
});

/** The month of the newest daily papers the demo store has (from the month page's own link). */
async function latestMonth(page: import('playwright-core').Page, base: string): Promise<string> {
  const r = await page.evaluate(async (b) => (await fetch(`${b}/api/daily_papers?limit=1`)).json(), base);
  const d = String((r as { publishedAt?: string; paper?: { publishedAt?: string } }[])[0]?.publishedAt ?? new Date().toISOString());
  return d.slice(0, 7);
}
