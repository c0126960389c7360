/**
 * Accounts in Chromium, against a real `papertide serve` on 127.0.0.1 and a real SMTP server:
 * sign up → open the verification link from the received email → log in → submit a paper →
 * upvote it (no reload) → comment → see it on /papers/trending. Screenshots in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { chromiumMissing, cli, launchChromium, screenshotPath, startServer } from '../support/chromium.js';

const skip = chromiumMissing();

/** A real SMTP server on a random local port, keeping every message parsed. */
async function startSmtp(): Promise<{ port: number; mails: ParsedMail[]; close(): Promise<void> }> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push(m);
          callback();
        })
        .catch((e) => callback(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function waitFor<T>(what: string, fn: () => T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('sign up → verify by email → submit → upvote → comment → trending', { skip }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-accounts-'));
  const smtp = await startSmtp();
  // A paper published today, in the store but not featured: submitting it needs no network.
  const now = new Date();
  const day = now.toISOString().slice(0, 10);
  const paperId = `${day.slice(2, 4)}${day.slice(5, 7)}.04242`;
  const file = path.join(dataDir, 'recent.jsonl');
  fs.writeFileSync(
    file,
    JSON.stringify({ id: paperId, first_seen: day, title: 'Tidal attention: reading long papers with $\\mathcal{O}(n)$ memory', abstract: 'We read long documents in linear memory.', authors: ['Ada Lovelace', 'Grace Hopper'], categories: ['cs.CL'] }) + '\n',
  );
  const env = { DATA_DIR: dataDir, DEMO_DATA: 'false', SMTP_URL: `smtp://127.0.0.1:${smtp.port}/?ignoreTLS=true`, SECRET: 'e2e-secret-e2e-secret-e2e' };
  const imported = cli(['import', file], env);
  assert.equal(imported.status, 0, imported.stderr);
  const server = await startServer(env);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.stop();
    await smtp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => void d.dismiss());

  // Sign up.
  await page.goto(`${server.base}/signup`);
  await page.getByLabel('User name', { exact: true }).fill('ada');
  await page.getByLabel('Email', { exact: true }).fill('ada@example.org');
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.screenshot({ path: screenshotPath('accounts-1-signup') });
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();

  // The verification email arrives over SMTP; open its link.
  const mail = await waitFor('the verification email', () => smtp.mails.find((m) => m.subject?.includes('Confirm your email')));
  assert.equal((mail.to as any).value[0].address, 'ada@example.org');
  const link = /(http:\/\/127\.0\.0\.1:\d+\/verify\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
  assert.ok(link, `a verification link in: ${mail.text}`);
  assert.ok(link!.startsWith(server.base));
  await page.goto(link!);
  await page.getByRole('heading', { name: 'Your email address is confirmed' }).waitFor();
  await page.screenshot({ path: screenshotPath('accounts-2-verified') });

  // Log in.
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email', { exact: true }).fill('ada@example.org');
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'ada', exact: true }).waitFor();

  // Submit the paper to today's daily papers.
  await page.goto(`${server.base}/submit`);
  await page.getByLabel('arXiv id or URL').fill(`https://arxiv.org/abs/${paperId}v1`);
  await page.screenshot({ path: screenshotPath('accounts-3-submit') });
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await page.waitForURL(new RegExp(`/papers/${paperId.replace('.', '\\.')}\\?submitted=`));
  assert.match(await page.locator('.details').innerText(), new RegExp(`${day} by ada`));

  // Upvote without a reload: the script sends the form with fetch.
  const vote = page.locator(`form[data-vote="${paperId}"] button`);
  assert.equal(await vote.getAttribute('aria-pressed'), 'false');
  let navigated = false;
  page.once('framenavigated', () => (navigated = true));
  await vote.click();
  await page.waitForFunction((id) => document.querySelector(`form[data-vote="${id}"] button`)?.getAttribute('aria-pressed') === 'true', paperId);
  assert.equal(await page.locator(`form[data-vote="${paperId}"] .vote-count`).innerText(), '1');
  assert.equal(navigated, false, 'the vote did not reload the page');

  // Comment (Markdown).
  await page.getByLabel('Add a comment').fill('The **linear memory** trick is neat. Code: https://github.com/example/tidal');
  await page.getByRole('button', { name: 'Comment', exact: true }).click();
  await page.waitForURL(/#c\d+$/);
  const comment = page.locator('.comment-body').first();
  assert.match(await comment.innerHTML(), /<strong>linear memory<\/strong>/);
  assert.equal(await comment.locator('a').getAttribute('rel'), 'nofollow ugc noopener');
  await page.screenshot({ path: screenshotPath('accounts-4-paper-voted-commented'), fullPage: true });

  // Trending today lists it, with its vote and comment counted and the score explained.
  await page.goto(`${server.base}/papers/trending?window=day`);
  const card = page.locator('.paper-card', { has: page.locator(`a[href="/papers/${paperId}"]`) });
  await card.waitFor();
  assert.equal(await card.locator('.vote-count').innerText(), '1');
  assert.match(await card.locator('.meta').innerText(), /1 comment/);
  await card.locator('details.why summary').click();
  assert.match(await card.locator('.score-table').innerText(), /Upvotes\s+1/);
  await page.screenshot({ path: screenshotPath('accounts-5-trending'), fullPage: true });
});
