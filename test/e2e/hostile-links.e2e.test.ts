/**
 * Stored XSS through imported links, in a real browser: Hugging Face records whose projectPage,
 * githubRepo and thumbnail are every `javascript:`/`data:`/smuggling variant we know (and one
 * paper whose bad values were written to the store directly, as an older version would have
 * kept them) are imported with the CLI; Chromium opens each paper page, checks every link the
 * browser parsed, and clicks them. Every payload sets `window.__pwned` and calls alert(), so a
 * script that ran would show as the flag or as a dialog. Requests to other origins are blocked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromiumMissing, cli, launchChromium, screenshotPath, startServer } from '../support/chromium.js';
import { HOSTILE_MARKUP, HOSTILE_URLS } from '../security/payloads.js';

const skip = chromiumMissing();
const DAY = '2025-06-04';

function record(id: string, url: string, i: number) {
  return {
    archive_date: DAY,
    item: {
      paper: {
        id,
        title: `Hostile links ${i} ${HOSTILE_MARKUP[i % HOSTILE_MARKUP.length]}`,
        summary: `Abstract ${HOSTILE_MARKUP[(i + 1) % HOSTILE_MARKUP.length]} with code at ${url}`,
        authors: [{ name: `Eve ${HOSTILE_MARKUP[(i + 2) % HOSTILE_MARKUP.length]}` }, { name: 'Ada Lovelace' }],
        publishedAt: `${DAY}T08:00:00.000Z`,
        upvotes: 5,
        projectPage: url,
        githubRepo: url,
        submittedOnDailyBy: { user: 'mallory' },
      },
      title: `Hostile links ${i}`,
      thumbnail: url,
      mediaUrl: url,
      numComments: 0,
      publishedAt: `${DAY}T09:00:00.000Z`,
    },
  };
}

test('paper pages built from hostile imported links: no link runs script, whatever is clicked', { skip }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-hostile-'));
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
  const ids = HOSTILE_URLS.map((_, i) => `2506.${String(40001 + i)}`);
  const file = path.join(dataDir, 'hostile.jsonl');
  fs.writeFileSync(file, HOSTILE_URLS.map((u, i) => JSON.stringify(record(ids[i], u, i))).join('\n') + '\n');
  const imported = cli(['import', file], env);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, new RegExp(`added ${ids.length},`));
  // Values an older version stored unchecked: the render-time check must hold them back too.
  const stored = '2506.49999';
  fs.writeFileSync(file, JSON.stringify(record(stored, 'https://example.org/clean', 99)) + '\n');
  assert.equal(cli(['import', file], env).status, 0);
  const db = new Database(path.join(dataDir, 'papertide.db'));
  db.prepare('update papers set project_page = ?, code_url = ? where id = ?').run('javascript:window.__pwned=1;alert(1)', ' JavaScript:window.__pwned=1;alert(1)', stored);
  db.close();

  const server = await startServer(env);
  const browser = await launchChromium();
  const origin = new URL(server.base).origin;
  const dialogs: string[] = [];
  const blocked: string[] = [];
  t.after(async () => {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
  // Only our own origin: any other is recorded and refused (no request leaves the machine).
  // While links are being clicked, page loads are answered 204: the page stays as it is, so
  // every link is clicked on the same document, and a javascript: URL (which loads nothing)
  // would run right there.
  let clicking = false;
  await context.route('**/*', (route) => {
    const req = route.request();
    const url = req.url();
    if (!url.startsWith(`${origin}/`)) {
      blocked.push(url);
      return req.isNavigationRequest() ? route.fulfill({ status: 204 }) : route.abort(); // never sent
    }
    if (clicking && req.isNavigationRequest()) return route.fulfill({ status: 204 }); // a 204 leaves the document in place
    return route.continue();
  });
  await context.addInitScript(() => {
    (window as any).__pwned = 0;
  });
  context.setDefaultTimeout(10000);
  context.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(`${p.url()}: ${d.message()}`), d.dismiss().catch(() => {}))));
  const page = await context.newPage();

  let clicked = 0;
  for (const [n, id] of [...ids, stored].entries()) {
    clicking = false;
    const pageUrl = `${server.base}/papers/${id}`;
    const res = await page.goto(pageUrl);
    assert.equal(res?.status(), 200, id);
    if (n === 0) await page.screenshot({ path: screenshotPath('hostile-links-paper'), fullPage: true });
    // Every URL the browser parsed from the page is http(s), mailto or our own page.
    const schemes = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[href],[src],[action],[formaction]')).map((e: any) => {
        const raw = e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? e.getAttribute('formaction');
        try {
          return [raw, new URL(raw, document.baseURI).protocol];
        } catch {
          return [raw, 'unparsable'];
        }
      }),
    );
    for (const [raw, scheme] of schemes) assert.ok(['http:', 'https:', 'mailto:'].includes(scheme!), `${id}: ${raw} is a ${scheme} link`);
    assert.equal(await page.locator('x-pwn').count(), 0, `${id}: markup from the data became an element`);
    // Click every link on the page: with the mouse on the first paper and on the links the
    // imported values make (the paper's own links); element.click() for the rest, which runs
    // the same default action. The flag is read after each click.
    clicking = true;
    const links = page.locator('a[href]');
    const count = await links.count();
    assert.ok(count > 10, `${id}: ${count} links`);
    for (let i = 0; i < count; i++) {
      const link = links.nth(i);
      const href = await link.getAttribute('href');
      const own = n === 0 || (await link.evaluate((a) => !!a.closest('article.paper')));
      // (A link the mouse cannot reach, like the off-screen skip link, is clicked by script.)
      const mouse = own && (await link.isVisible()) ? await link.click({ noWaitAfter: true, timeout: 2000 }).then(() => true, () => false) : false;
      if (!mouse) await link.evaluate((a: HTMLAnchorElement) => a.click());
      clicked++;
      await page.waitForTimeout(own ? 20 : 0); // a javascript: URL runs as a task after the click
      assert.equal(await page.evaluate(() => (window as any).__pwned), 0, `${id}: clicking ${href} ran script`);
    }
    for (const p of context.pages()) if (p !== page) await p.close(); // any tab a link opened
    assert.equal(await page.evaluate(() => (window as any).__pwned), 0, id);
  }
  clicking = false;
  // The stored bad values show no link at all.
  await page.goto(`${server.base}/papers/${stored}`);
  assert.equal(await page.getByRole('link', { name: 'Project page' }).count(), 0);
  assert.equal(await page.locator('a.code').count(), 0);
  assert.ok(clicked > 200, `${clicked} clicks`);
  // Control: the observer does see a script that runs — a javascript: link the test adds itself.
  clicking = true;
  await page.evaluate(() => {
    const a = document.createElement('a');
    a.id = 'control';
    a.href = 'javascript:window.__pwned=1';
    a.textContent = 'control';
    document.body.prepend(a);
  });
  await page.locator('#control').click({ noWaitAfter: true });
  await page.waitForFunction(() => (window as any).__pwned === 1, undefined, { timeout: 5000 });
  clicking = false;
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.ok(blocked.every((u) => !u.startsWith('javascript:') && !u.startsWith('data:')), blocked.join(' '));
});
