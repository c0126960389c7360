/**
 * Authors, claims and organizations in Chromium, against a real
 * `papertide serve` on 127.0.0.1 with three papers imported from a Hugging Face archive file:
 * - a verified user opens an author page, follows it, claims the author name on a paper; a
 *   moderator approves the claim on /moderation; the name on the paper then links to the profile,
 *   which lists the paper;
 * - refused: a claim by an unverified user, a claim for a name not on the paper (the select's
 *   value changed as an attacker would), a claim for a name someone else holds;
 * - the organization page lists the archive's papers; a moderator lists a third paper under it
 *   from /moderation and it appears there and on its card.
 * Screenshots at 1280 px, 390 px and dark in /tmp/shots-hf/*.png (SHOTS_DIR to change); no page
 * scrolls sideways at 390 px and no form control is squashed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, cli, launchChromium, startServer } from '../support/chromium.js';
import { formControlProblems, sidewaysOverflow } from '../support/look.js';

const skip = chromiumMissing();
const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-hf';
const PASSWORD = 'a long enough password';
const ORG = { _id: '6123456789abcdef01234567', name: 'tide-lab', fullname: 'Tide Lab of Long Names Institute' };

function hfLine(id: string, title: string, authors: string[], date: string, org: object | null) {
  const paper = {
    id,
    title,
    summary: `We study ${title.toLowerCase()} with care. The method scales.`,
    authors: authors.map((name, i) => ({ _id: `a${id.replace('.', '')}${i}`, name, hidden: false })),
    publishedAt: `${date}T00:00:00.000Z`,
    submittedOnDailyAt: `${date}T09:00:00.000Z`,
    submittedOnDailyBy: { _id: '60f1abcdef', name: 'akhaliq', fullname: 'AK', type: 'user', isPro: false },
    upvotes: 3,
    discussionId: `d${id.replace('.', '')}`,
    ...(org ? { organization: org } : {}),
  };
  return JSON.stringify({ archive_date: date, item: { paper, title, publishedAt: `${date}T09:00:00.000Z`, numComments: 0, submittedBy: paper.submittedOnDailyBy } });
}

async function logIn(browser: Browser, base: string, email: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/login`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

/** Screenshots at 1280 px, 390 px and dark; problems a person would see, one line each. */
async function look(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [label, viewport, scheme] of [['1280', { width: 1280, height: 900 }, 'light'], ['390', { width: 390, height: 844 }, 'light'], ['dark', { width: 1280, height: 900 }, 'dark']] as const) {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: scheme });
    const over = await sidewaysOverflow(page);
    if (over > 1) problems.push(`${name} at ${viewport.width} px scrolls sideways by ${over} px`);
    if (scheme === 'light') for (const p of await formControlProblems(page)) problems.push(`${name} at ${viewport.width} px: ${p}`);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

test('author page → follow → claim → moderator approves → name links to the profile; refusals; organization set by a moderator', { skip, timeout: 240_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-authors-'));
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'false', SECRET: 'e2e-authors-secret-e2e-authors' };
  const file = path.join(dataDir, 'hf.jsonl');
  fs.writeFileSync(
    file,
    [
      hfLine('2608.00501', 'Tidal memory for long contexts', ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'], '2026-08-20', ORG),
      hfLine('2608.00502', 'Sparse tides in transformers', ['Ada Lovelace', 'Edsger Dijkstra'], '2026-08-21', ORG),
      hfLine('2608.00503', 'An unaffiliated study of waves', ['Barbara Liskov', 'Ada Lovelace'], '2026-08-22', null),
    ].join('\n') + '\n',
  );
  const imported = cli(['import', file], env);
  assert.equal(imported.status, 0, imported.stderr);
  for (const [name, extra] of [['ada', []], ['mallory', []], ['mod', ['--moderator']]] as const) {
    const r = cli(['user', 'create', '--name', name, '--email', `${name}@example.org`, '--password', PASSWORD, ...extra], env);
    assert.equal(r.status, 0, r.stderr);
  }
  const server = await startServer(env);
  const browser = await launchChromium();
  const problems: string[] = [];
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(String(e)));
    // (the refusals below are 4xx pages on purpose: Chromium logs those as failed loads)
    p.on('console', (m) => m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4(00|03|09)/.test(m.text()) && errors.push(m.text()));
    return p;
  };
  t.after(async () => {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  assert.match(server.base, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(server.base, 'http://127.0.0.1:0');
  const openapi = (await (await fetch(`${server.base}/openapi.json`)).json()) as { servers: { url: string }[] };
  assert.equal(openapi.servers[0].url, server.base, 'the base URL names the port the OS picked');
  // The author page, then follow it.
  const ada = watch(await logIn(browser, server.base, 'ada@example.org'));
  await ada.goto(`${server.base}/authors/${encodeURIComponent('Ada Lovelace')}`);
  await ada.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
  const listed = await ada.locator('main a[href^="/papers/"]').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')!.replace('/papers/', '')))]);
  for (const id of ['2608.00501', '2608.00502', '2608.00503']) assert.ok(listed.includes(id), `the author page lists ${id} (it lists ${listed.join(', ')})`);
  await ada.getByRole('button', { name: /Follow Ada Lovelace/ }).click();
  await ada.getByRole('button', { name: /Following Ada Lovelace/ }).waitFor();
  assert.equal(await ada.getByRole('button', { name: /Following Ada Lovelace/ }).getAttribute('aria-pressed'), 'true');
  problems.push(...(await look(ada, 'author-page')));

  // Claim the name on a paper.
  await ada.goto(`${server.base}/papers/2608.00501`);
  await ada.getByLabel('Are you an author? Claim your name').selectOption('Ada Lovelace');
  problems.push(...(await look(ada, 'paper-claim-form')));
  await ada.getByRole('button', { name: 'Claim authorship' }).click();
  await ada.getByText('Claim sent: a moderator will check it.').waitFor();
  await ada.goto(`${server.base}/u/ada`);
  await ada.getByText('as Ada Lovelace · waiting for a moderator').waitFor();

  // Refused: an unverified user (signed up, never opened the link).
  const bob = watch(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
  await bob.goto(`${server.base}/signup`);
  await bob.getByLabel('User name', { exact: true }).fill('bob');
  await bob.getByLabel('Email', { exact: true }).fill('bob@example.org');
  await bob.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await bob.getByRole('button', { name: 'Sign up' }).click();
  await bob.getByRole('heading', { name: 'Check your email' }).waitFor();
  await bob.close();
  const unverified = watch(await logIn(browser, server.base, 'bob@example.org'));
  await unverified.goto(`${server.base}/papers/2608.00501`);
  await unverified.getByLabel('Are you an author? Claim your name').selectOption('Alan Turing');
  const [refusedUnverified] = await Promise.all([unverified.waitForResponse((r) => r.url().endsWith('/claims')), unverified.getByRole('button', { name: 'Claim authorship' }).click()]);
  assert.equal(refusedUnverified.status(), 403);
  await unverified.getByText('Verify your email address first').waitFor();
  problems.push(...(await look(unverified, 'claim-refused-unverified')));

  // Refused: a name not on the paper (the select's value changed in the page), and Ada's name.
  const mallory = watch(await logIn(browser, server.base, 'mallory@example.org'));
  await mallory.goto(`${server.base}/papers/2608.00501`);
  await mallory.locator('#claim-author option').first().evaluate((o) => ((o as HTMLOptionElement).value = 'Barbara Liskov'));
  const [notOnPaper] = await Promise.all([mallory.waitForResponse((r) => r.url().endsWith('/claims')), mallory.getByRole('button', { name: 'Claim authorship' }).click()]);
  assert.equal(notOnPaper.status(), 400);
  await mallory.getByText('“Barbara Liskov” is not an author of arXiv:2608.00501').waitFor();
  await mallory.goto(`${server.base}/papers/2608.00501`);
  await mallory.getByLabel('Are you an author? Claim your name').selectOption('Ada Lovelace');
  const [theirs] = await Promise.all([mallory.waitForResponse((r) => r.url().endsWith('/claims')), mallory.getByRole('button', { name: 'Claim authorship' }).click()]);
  assert.equal(theirs.status(), 409);
  await mallory.getByText('Ada Lovelace is already claimed by another user').waitFor();
  // Nor can she open the moderation page.
  assert.equal((await mallory.goto(`${server.base}/moderation`))!.status(), 403);

  // The moderator approves Ada's claim (and only it is waiting).
  const mod = watch(await logIn(browser, server.base, 'mod@example.org'));
  await mod.goto(`${server.base}/moderation`);
  const waiting = mod.locator('ul.claims li');
  assert.equal(await waiting.count(), 1, 'one claim waits: the refused ones were never stored');
  assert.match(await waiting.innerText(), /ada claims to be Ada Lovelace on arXiv:2608\.00501/);
  problems.push(...(await look(mod, 'moderation')));
  await waiting.getByRole('button', { name: 'Approve' }).click();
  await mod.waitForURL((u) => u.pathname === '/moderation');
  await mod.getByText('claim.approve').waitFor();

  // The author's name on the paper links to the profile, which lists the paper.
  await ada.goto(`${server.base}/papers/2608.00501`);
  const claimed = ada.getByRole('link', { name: 'Ada Lovelace ✓' });
  assert.equal(await claimed.getAttribute('href'), '/u/ada');
  assert.equal(await ada.getByRole('link', { name: 'Alan Turing', exact: true }).getAttribute('href'), `/authors/${encodeURIComponent('Alan Turing')}`);
  await claimed.click();
  await ada.waitForURL((u) => u.pathname === '/u/ada');
  await ada.getByText('Papers by ada (1)').waitFor();
  assert.equal(await ada.locator('main a[href="/papers/2608.00501"]').count() >= 1, true, 'the profile lists the claimed paper');
  problems.push(...(await look(ada, 'profile-claimed')));

  // The organization page lists the archive's papers; the moderator adds the third.
  const orgIds = async (p: Page) => p.locator('article.paper-card').evaluateAll((as) => as.map((a) => a.getAttribute('aria-labelledby')!.replace(/^t-/, '')));
  await ada.goto(`${server.base}/organizations/tide-lab`);
  await ada.getByRole('heading', { level: 1, name: ORG.fullname }).waitFor();
  assert.deepEqual(await orgIds(ada), ['2608.00502', '2608.00501']);
  await mod.goto(`${server.base}/moderation`);
  await mod.getByLabel('arXiv id', { exact: true }).last().fill('2608.00503'); // the organization form's
  await mod.getByLabel('Organization handle (empty: no organization)').fill('tide-lab');
  await mod.getByRole('button', { name: 'Set organization' }).click();
  await mod.waitForURL((u) => u.pathname === '/moderation');
  await mod.getByText('paper.organization.set').waitFor();
  await ada.reload();
  assert.deepEqual(await orgIds(ada), ['2608.00503', '2608.00502', '2608.00501'], 'the paper the moderator set appears on the organization page');
  problems.push(...(await look(ada, 'organization')));
  await ada.goto(`${server.base}/authors/${encodeURIComponent('Barbara Liskov')}`);
  assert.equal(await ada.locator('article.paper-card a.chip.org').first().getAttribute('href'), '/organizations/tide-lab', 'the card shows the organization');
  assert.equal(await ada.locator('article.paper-card a.chip.org').first().innerText(), ORG.fullname);

  assert.deepEqual(problems, [], 'what a person would see wrong');
  assert.deepEqual(errors, [], 'no script errors (CSP included)');
});
