/**
 * The Content-Security-Policy in a real browser: pages load without a single violation report,
 * the site's scripts still run (the `js` class, search suggestions), KaTeX math keeps its layout
 * (style attributes allowed), and an inline script or a `javascript:` link injected into the page
 * is refused. Screenshot of a paper page with math under the policy: test-results/csp-paper-math.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumMissing, launchChromium, screenshotPath, startServer, cli } from '../support/chromium.js';

const skip = chromiumMissing();

test('CSP in Chromium: no violations on real pages, scripts and math work, injected script does not run', { skip }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-csp-'));
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'true' };
  const file = path.join(dataDir, 'math.jsonl');
  const summary = 'We show $$\\sum_{i=1}^{n} \\frac{1}{i^2} \\le \\frac{\\pi^2}{6}$$ and bound the error by $\\mathcal{O}(\\sqrt{n}\\log n)$, with $x_i^2 + y_j^{2}$ terms.';
  fs.writeFileSync(file, JSON.stringify({ archive_date: '2025-06-02', item: { paper: { id: '2506.00101', title: 'Sparse $k$-means in $\\mathcal{O}(n)$ time', summary, authors: [{ name: 'Ada Lovelace' }], publishedAt: '2025-06-02T08:00:00.000Z', upvotes: 3 }, numComments: 0, publishedAt: '2025-06-02T09:00:00.000Z' } }) + '\n');
  const server = await startServer(env);
  const imported = cli(['import', file], env);
  assert.equal(imported.status, 0, imported.stderr);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  // Listen for violation events from the first script on (an init script is not subject to the CSP).
  await page.addInitScript(() => {
    (window as any).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  for (const p of ['/', '/papers/2506.00101', '/papers/trending', '/search?q=sparse', '/login', '/subscribe', '/api']) {
    const res = await page.goto(`${server.base}${p}`);
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self' 'nonce-/);
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('js')), true, `${p}: app.js ran`);
    assert.deepEqual(await page.evaluate(() => (window as any).__csp), [], `${p}: CSP violations`);
  }
  assert.deepEqual(violations, []);

  // Math under the policy: KaTeX's inline heights apply (a fraction has real height).
  await page.goto(`${server.base}/papers/2506.00101`);
  const katex = page.locator('.abstract .katex-display');
  assert.equal(await katex.count(), 1);
  const box = await katex.boundingBox();
  assert.ok(box && box.height > 30, `display math is laid out (height ${box?.height})`);
  const styled = await page.evaluate(() => {
    const el = document.querySelector('.abstract .katex [style*="height"]') as HTMLElement | null;
    return el ? { attr: el.style.height, computed: getComputedStyle(el).height } : null;
  });
  assert.ok(styled && styled.attr !== '', 'KaTeX style attributes are applied');
  await page.screenshot({ path: screenshotPath('csp-paper-math'), fullPage: true });

  // Suggestions (script from /static) still fetch under connect-src 'self'.
  await page.goto(`${server.base}/search`);
  const suggest = page.waitForResponse((r) => r.url().includes('/search/suggest'));
  await page.locator('#q').fill('sparse means');
  assert.equal((await suggest).status(), 200);

  // Injected markup cannot run: an inline script and a javascript: link are refused.
  await page.goto(`${server.base}/papers/2506.00101`);
  await page.evaluate(() => {
    (window as any).pwned = false;
    const s = document.createElement('script');
    s.textContent = 'window.pwned = true';
    document.body.appendChild(s);
    const a = document.createElement('a');
    a.href = 'javascript:window.pwned=true';
    a.id = 'evil';
    a.textContent = 'evil';
    document.body.appendChild(a);
    const b = document.createElement('button');
    b.id = 'evil-btn';
    b.setAttribute('onclick', 'window.pwned = true');
    b.textContent = 'evil button';
    document.body.appendChild(b);
  });
  await page.locator('#evil').click();
  await page.locator('#evil-btn').click();
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => (window as any).pwned), false);
  const blocked = await page.evaluate(() => (window as any).__csp as string[]);
  assert.ok(blocked.some((v) => v.startsWith('script-src')), `violations reported: ${blocked.join(', ')}`);
});
