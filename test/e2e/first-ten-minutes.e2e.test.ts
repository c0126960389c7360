/**
 * docs/first-ten-minutes.md, step by step, in Chromium, on a store holding the real Hugging Face
 * archive and the 74,728 arXiv papers (prepared once per data and code version, see
 * real-store.ts). At every step it checks what a person looks at: the page answers, the form
 * controls are usable (not stretched, not squashed), the query box holds the query and is wide
 * enough, counts agree between a card and its paper page and between the pages of a search, the
 * newest-first sort starts with a matching paper, trending is not empty, abstracts show no raw
 * TeX. Every page is saved as test-results/first10-NAME-{desktop,mobile,dark}.png.
 *
 * Each step is a subtest that lists all its problems at once, so one run shows everything that
 * is wrong, step by step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotPath } from '../support/chromium.js';
import { realDataMissing, realServer, realStore } from '../support/real-store.js';
import { commentNumbers, evalOn, formControlProblems, queryBoxProblems, resultCount, seenText, sidewaysOverflow, showsCommentCount, upvotesShown } from '../support/look.js';

const skip = chromiumMissing() || realDataMissing();

const DESKTOP = { width: 1280, height: 900 };
const MOBILE = { width: 390, height: 844 };
/** Papers whose abstracts, as imported, hold TeX escapes (\%, \textbf{…}, \&, backslash-less "textbf"). */
const TEX_SAMPLES = ['2603.19835', '2608.20336', '2608.16391', '2606.31903', '2607.27191', '2606.13602', '2511.05393', '2603.17729'];
const TEX_ESCAPES = /\\%|\\textbf|textbf|\\&/;
const PAPER_HREF = /^\/papers\/\d{4}\.\d{4,5}(v\d+)?$/;

test('the first ten minutes (docs/first-ten-minutes.md) on the real archive, as a person sees them', { skip, timeout: 40 * 60_000 }, async (t) => {
  const prepared = await realStore();
  const server = await realServer('first10');
  const db = new Database(path.join(server.dataDir, 'papertide.db'), { readonly: true, fileMustExist: true });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: DESKTOP });
  page.on('dialog', (d) => void d.dismiss());
  const url = (p: string) => `${server.base}${p}`;
  console.log(JSON.stringify({ realStorePreparedIn: prepared.timings, reused: prepared.reused, copyAndStartSeconds: server.startSeconds }));

  /**
   * Screenshots at 1280 px, 390 px and 1280 px dark; the form controls are checked at both
   * widths, and at 390 px the page must not scroll sideways. Returns the problems found.
   */
  async function look(name: string): Promise<string[]> {
    const problems: string[] = [];
    for (const [label, viewport, scheme] of [['desktop', DESKTOP, 'light'], ['mobile', MOBILE, 'light'], ['dark', DESKTOP, 'dark']] as const) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.evaluate('window.scrollTo(0, 0)');
      if (label === 'mobile') {
        const over = await sidewaysOverflow(page);
        if (over > 1) problems.push(`${name} at ${viewport.width} px: the page is ${viewport.width + over} px wide, it scrolls sideways`);
      }
      await page.screenshot({ path: screenshotPath(`first10-${name}-${label}`), fullPage: true });
      if (scheme === 'light') for (const p of await formControlProblems(page)) problems.push(`${name} at ${viewport.width} px: ${p}`);
    }
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: 'light' });
    return problems;
  }

  async function open(p: string): Promise<number> {
    const r = await page.goto(url(p));
    return r?.status() ?? 0;
  }

  const main = () => page.getByRole('main');
  /** Ids of the papers the main content links to, in page order. */
  async function paperLinks(): Promise<string[]> {
    const hrefs = await main().locator('a[href^="/papers/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    return [...new Set(hrefs.filter((h) => PAPER_HREF.test(h)).map((h) => h.slice('/papers/'.length)))];
  }
  /** The text of the main content without the abstract (comment counts are looked for there). */
  async function mainTextWithoutAbstract(): Promise<string> {
    // innerText of the live page: what is shown (closed <details> are not), not a clone's textContent.
    const all = await main().innerText();
    const abstract = await page.getByRole('region', { name: 'Abstract' }).innerText().catch(() => '');
    return abstract ? all.replace(abstract, '') : all;
  }
  /** The card of a paper in a list: the article that links to its page from its heading. */
  const cardOf = (id: string) => main().getByRole('article').filter({ has: page.getByRole('heading').locator(`a[href="/papers/${id}"]`) });

  /** Compare a card's upvotes and comment counts with the paper page's; returns the problems. */
  async function cardAgreesWithPage(listPath: string, id: string): Promise<string[]> {
    const problems: string[] = [];
    await open(listPath);
    const card = cardOf(id).first();
    if ((await card.count()) === 0) return [`${listPath}: no card for ${id}`];
    const cardVotes = await upvotesShown(card);
    const cardComments = commentNumbers(await card.innerText());
    await open(`/papers/${id}`);
    const pageVotes = await upvotesShown(main().locator('article').first());
    const pageText = await mainTextWithoutAbstract();
    if (cardVotes === null || pageVotes === null) problems.push(`${id}: upvotes not shown (card ${cardVotes}, page ${pageVotes})`);
    else if (cardVotes !== pageVotes) problems.push(`${id}: the card on ${listPath} shows ${cardVotes} upvotes, the paper page ${pageVotes}`);
    if (cardComments.length === 0) problems.push(`${id}: the card on ${listPath} shows no comment count`);
    for (const n of cardComments) {
      if (!showsCommentCount(pageText, n)) problems.push(`${id}: the card on ${listPath} says ${n} comment(s); the paper page shows no such count (it says: ${JSON.stringify((/comments?[^\n]{0,60}/i.exec(pageText) ?? [''])[0])})`);
    }
    return problems;
  }

  /** Wait for an email in DATA_DIR/outbox (the embedded default without SMTP_URL), parsed as a mail client would. */
  async function mailFromOutbox(subject: RegExp, to: string) {
    const dir = path.join(server.dataDir, 'outbox');
    const until = Date.now() + 30_000;
    for (;;) {
      if (fs.existsSync(dir)) {
        for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.eml'))) {
          const m = await simpleParser(fs.readFileSync(path.join(dir, f)));
          const addr = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address));
          if (subject.test(m.subject ?? '') && addr.includes(to)) return m;
        }
      }
      if (Date.now() > until) throw new Error(`no email "${subject.source}" to ${to} in ${dir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const linkIn = (text: string, pathRe: RegExp) => {
    for (const m of text.matchAll(/https?:\/\/[^\s"<>]+/g)) {
      const u = new URL(m[0]);
      if (pathRe.test(u.pathname)) return u.pathname + u.search;
    }
    return null;
  };

  // The last day of the Hugging Face archive, and the papers on it that people commented on.
  const lastDay = (db.prepare('SELECT max(d.date) AS d FROM daily_entries d JOIN papers p ON p.id = d.paper_id WHERE p.is_demo = 0').get() as { d: string }).d;
  let commented: string | null = null;

  t.after(async () => {
    db.close();
    await browser.close();
    await server.close();
  });
  await t.test('1–2. npm start, then the two imports: the store holds the real papers', async () => {
    const n = (db.prepare('SELECT count(*) AS n FROM papers WHERE is_demo = 0').get() as { n: number }).n;
    assert.ok(n >= 74_728, `the store holds ${n} imported papers`);
    assert.ok(lastDay, 'the Hugging Face archive created daily lists');
  });

  await t.test('3. the home page and the daily list: cards agree with paper pages', async () => {
    const problems: string[] = [];
    assert.equal(await open('/'), 200);
    if ((await paperLinks()).length === 0) problems.push('the home page lists no papers');
    problems.push(...(await look('home')));

    const status = await open('/papers');
    if (status >= 400) problems.push(`/papers (the address a Hugging Face user types first) answers ${status}`);
    problems.push(...(await look('papers')));

    assert.equal(await open(`/papers/date/${lastDay}`), 200);
    const ids = (await paperLinks()).slice(0, 12);
    assert.ok(ids.length >= 5, `the daily list of ${lastDay} shows ${ids.length} papers`);
    problems.push(...(await look('daily')));
    const listText = await seenText(main());
    const tex = TEX_ESCAPES.exec(listText);
    if (tex) problems.push(`the daily list of ${lastDay} shows "${tex[0]}": …${listText.slice(Math.max(0, tex.index - 40), tex.index + 40)}…`);
    // Cards with comments (imported from Hugging Face) and one without, compared with their pages.
    const withComments: string[] = [];
    let without: string | null = null;
    for (const id of ids) {
      const nums = commentNumbers(await cardOf(id).first().innerText());
      if (nums.some((x) => x > 0)) withComments.push(id);
      else without ??= id;
    }
    assert.ok(withComments.length > 0, `some card on ${lastDay} shows comments`);
    commented = withComments[0];
    for (const id of [...withComments.slice(0, 3), ...(without ? [without] : [])]) problems.push(...(await cardAgreesWithPage(`/papers/date/${lastDay}`, id)));
    assert.deepEqual(problems, []);
  });

  await t.test('4. search "diffusion": the query box, stable counts, newest first', async () => {
    const problems: string[] = [];
    await open('/');
    const box = page.getByRole('search').first().getByRole('searchbox');
    await box.fill('diffusion');
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=diffusion/);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      for (const p of await queryBoxProblems(page, 'diffusion')) problems.push(`/search?q=diffusion at ${viewport.width} px: ${p}`);
    }
    await page.setViewportSize(DESKTOP);
    problems.push(...(await look('search')));

    const first = resultCount(await main().innerText());
    assert.ok(first, 'page 1 says how many papers match');
    const titles = (db.prepare("SELECT count(*) AS n FROM papers WHERE title LIKE '%diffusion%'").get() as { n: number }).n;
    const shown = Number(first!.count.replace(/[^\d]/g, ''));
    if (shown < titles * 0.9) problems.push(`page 1 says "${first!.count}" results, but ${titles} papers have "diffusion" in their title`);
    // the pager's own link (a result's title may hold the word "next" too)
    await main().locator('a[rel="next"]').first().click();
    await page.waitForURL(/page=2/);
    const second = resultCount(await main().innerText());
    if (!second) problems.push('page 2 does not say how many papers match');
    else if (second.count !== first!.count || second.pages !== first!.pages) problems.push(`the count changes between pages: page 1 says ${first!.count} results in ${first!.pages} pages, page 2 says ${second.count} in ${second.pages}`);
    for (const p of await queryBoxProblems(page, 'diffusion')) problems.push(`/search?q=diffusion&page=2: ${p}`);
    problems.push(...(await look('search-page2')));
    // The last page that page 1 announces: it exists and tells the same count.
    if (first!.pages && first!.pages > 2) {
      const status = await open(`/search?q=diffusion&page=${first!.pages}`);
      const last = resultCount(await main().innerText());
      if (status !== 200 || !last) problems.push(`/search?q=diffusion&page=${first!.pages} (the last page, as page 1 says) answers ${status} without a result count`);
      else if (last.count !== first!.count || last.pages !== first!.pages) problems.push(`the count changes on the last page: page 1 says ${first!.count} results in ${first!.pages} pages, page ${first!.pages} says ${last.count} in ${last.pages}`);
    }

    // Newest first: the first result contains the word, and nothing with "diffusion" in its title is newer.
    assert.equal(await open('/search?q=diffusion&sort=newest'), 200);
    problems.push(...(await look('search-newest')));
    const top = (await paperLinks())[0];
    assert.ok(top, 'sort=newest lists papers');
    const newestTitled = (db.prepare("SELECT substr(max(published_at), 1, 10) AS d FROM papers WHERE title LIKE '%diffusion%'").get() as { d: string }).d;
    const topDate = (db.prepare('SELECT substr(published_at, 1, 10) AS d FROM papers WHERE id = ?').get(top.replace(/v\d+$/, '')) as { d: string } | undefined)?.d ?? '';
    await main().locator(`a[href="/papers/${top}"]`).first().click();
    await page.waitForURL(new RegExp(`/papers/${top.replace('.', '\\.')}$`));
    const heading = await seenText(page.getByRole('heading', { level: 1 }));
    const abstract = await seenText(page.getByRole('region', { name: 'Abstract' }));
    if (!/diffus/i.test(`${heading} ${abstract}`)) problems.push(`sort=newest puts ${top} ("${heading}") first, which does not contain "diffusion"`);
    if (topDate < newestTitled) problems.push(`sort=newest puts a paper of ${topDate} first, but a paper with "diffusion" in its title appeared on ${newestTitled}`);
    assert.deepEqual(problems, []);
  });

  await t.test('5. a paper page: abstracts show no raw TeX', async () => {
    const problems: string[] = [];
    for (const id of TEX_SAMPLES) {
      const status = await open(`/papers/${id}`);
      if (status !== 200) {
        problems.push(`/papers/${id} answers ${status}`);
        continue;
      }
      const text = await seenText(page.getByRole('region', { name: 'Abstract' }));
      const m = TEX_ESCAPES.exec(text);
      if (m) problems.push(`/papers/${id} shows "${m[0]}" in its abstract: …${text.slice(Math.max(0, m.index - 40), m.index + 40)}…`);
      problems.push(...(await look(`paper-${id}`)));
    }
    assert.deepEqual(problems, []);
  });

  await t.test('6. trending is not empty', async () => {
    const problems: string[] = [];
    await open('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trending' }).click();
    await page.waitForURL(/\/papers\/trending/);
    const n = (await paperLinks()).length;
    if (n === 0) problems.push(`the trending page lists no papers (it says: ${JSON.stringify((await main().innerText()).slice(0, 160))})`);
    problems.push(...(await look('trending')));
    assert.deepEqual(problems, []);
  });

  await t.test('7. sign up, confirm by the link in the outbox, log in', async () => {
    const problems: string[] = [];
    await open('/');
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('User name', { exact: true }).fill('ada');
    await page.getByLabel('Email', { exact: true }).fill('ada@example.org');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    problems.push(...(await look('signup')));
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    problems.push(...(await look('signup-check-email')));
    const mail = await mailFromOutbox(/Confirm your email/i, 'ada@example.org');
    const link = linkIn(mail.text ?? '', /^\/verify$/);
    assert.ok(link, `a verification link in: ${mail.text}`);
    await open(link!);
    await page.getByRole('heading', { name: /confirmed/i }).waitFor();
    problems.push(...(await look('verified')));
    if (!(await page.getByRole('link', { name: 'ada', exact: true }).isVisible())) {
      await open('/login');
      problems.push(...(await look('login')));
      await page.getByLabel('Email', { exact: true }).fill('ada@example.org');
      await page.getByLabel('Password', { exact: true }).fill('a long enough password');
      await page.getByRole('button', { name: 'Log in' }).click();
    }
    await page.getByRole('link', { name: 'ada', exact: true }).waitFor();
    assert.deepEqual(problems, []);
  });

  await t.test('8. upvote and comment: the count goes up in place, card and page agree', async () => {
    assert.ok(commented, 'step 3 found a paper with comments');
    const id = commented!;
    const problems: string[] = [];
    await open(`/papers/${id}`);
    const article = main().locator('article').first();
    const before = await upvotesShown(article);
    assert.ok(before !== null, 'the paper page shows its upvotes');
    problems.push(...(await look('paper-signed-in')));
    let navigated = false;
    const onNav = () => (navigated = true);
    page.on('framenavigated', onNav);
    await main().getByRole('button', { name: /upvote/i }).first().click();
    const until = Date.now() + 10_000;
    while ((await upvotesShown(article)) !== before! + 1 && Date.now() < until) await page.waitForTimeout(100);
    page.off('framenavigated', onNav);
    const after = await upvotesShown(article);
    if (after !== before! + 1) problems.push(`upvoting ${id} shows ${after}, not ${before! + 1}`);
    if (navigated) problems.push('upvoting reloaded the page');

    await page.getByLabel('Add a comment').fill('Read on the *real* archive: the method section is clear, the ablations convincing.');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.waitForURL(/#c\d+$/);
    if (!/method section is clear/.test(await main().innerText())) problems.push('the posted comment is not shown');
    problems.push(...(await look('paper-commented')));
    problems.push(...(await cardAgreesWithPage(`/papers/date/${lastDay}`, id)));
    assert.deepEqual(problems, []);
  });

  await t.test('9. subscribe to a digest (Digest in the navigation, /digest)', async () => {
    const problems: string[] = [];
    const status = await open('/digest');
    if (status >= 400) problems.push(`/digest answers ${status}`);
    problems.push(...(await look('digest')));
    await open('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /digest/i }).click();
    await page.waitForLoadState();
    const form = main().locator('form').filter({ has: page.getByRole('radio') }).first();
    await form.getByLabel(/email/i).first().fill('ada@example.org');
    await form.getByRole('radio', { name: /weekly/i }).check();
    await form.getByRole('checkbox').first().check();
    await form.getByLabel(/keywords/i).fill('diffusion');
    problems.push(...(await look('subscribe')));
    await form.getByRole('button', { name: /subscribe/i }).click();
    await page.getByRole('heading', { name: /check your inbox/i }).waitFor();
    problems.push(...(await look('subscribe-check-inbox')));
    const mail = await mailFromOutbox(/digest/i, 'ada@example.org');
    const link = linkIn(mail.text ?? '', /^\/subscription\//);
    assert.ok(link, `a confirmation link in: ${mail.text}`);
    assert.equal(await open(link!), 200);
    problems.push(...(await look('subscription-preferences')));
    assert.deepEqual(problems, []);
  });

  await t.test('10. feeds', async () => {
    const problems: string[] = [];
    await open('/');
    await page.getByRole('contentinfo').getByRole('link', { name: /feeds/i }).first().click();
    await page.waitForURL(/\/feeds$/);
    const feeds = await main().locator('a[href$=".atom"], a[href$=".rss"], a[href$=".json"]').count();
    if (feeds < 3) problems.push(`the feeds page links ${feeds} feeds`);
    const atom = await fetch(url('/feeds/daily.atom'));
    if (atom.status !== 200 || !/<entry>/.test(await atom.text())) problems.push(`/feeds/daily.atom answers ${atom.status} without entries`);
    // The category list names arXiv categories, not the MSC or ACM classes some papers also carry.
    const categories: string = await evalOn(main(), `(el) => { const h = [...el.querySelectorAll('h2')].find((x) => /arxiv category/i.test(x.textContent)); const list = h && h.nextElementSibling; return list ? list.innerText : ''; }`);
    const foreign = [...categories.matchAll(/^\s*(\S+)\s+\(\d/gm)].map((m) => m[1]).filter((c) => !/^[a-z-]+(\.[A-Za-z-]+)?$/.test(c));
    if (foreign.length) problems.push(`the feeds page lists ${foreign.join(', ')} as arXiv categories`);
    problems.push(...(await look('feeds')));
    assert.deepEqual(problems, []);
  });
});
