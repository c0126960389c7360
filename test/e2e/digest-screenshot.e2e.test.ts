/**
 * The HTML digest in Chromium, light and dark: a real digest built from the 62 seed papers into
 * the outbox, opened as a mail client would show it, screenshots saved under test-results/ for a
 * person to look at. Asserts what a reader would notice: dark mode really turns dark, text stays
 * readable (contrast), and the page fits a phone without horizontal scrolling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testApp } from '../support/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { buildDueDigests } from '../../src/digests/digest.service.js';
import { addActiveSubscriber } from '../support/digests.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const SEED = path.resolve(ROOT, '..', 'shared', 'data', 'seed-papers', 'papers.jsonl');
const OUT = path.join(ROOT, 'test-results');

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

test('the HTML digest, light and dark, in Chromium (screenshots in test-results/)', { skip: !fs.existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (apt-get install -y chromium)` : !fs.existsSync(SEED) ? 'seed papers not found' : false }, async (t) => {
  const { chromium } = await import('playwright-core');
  const app = await testApp({ now: '2025-06-04T12:00:00Z', env: { BASE_URL: 'https://papertide.example.org' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  t.after(async () => {
    await browser.close();
    await app.close();
  });
  await importFile(app.ctx.store.db, SEED, { now: () => new Date('2025-06-04T08:00:00Z') });
  // Rank them like a trending list would: by their imported upvotes.
  await app.ctx.store.db.updateTable('papers').set((eb) => ({ trending_score: eb.ref('upvotes') })).execute();
  await addActiveSubscriber(app, 'reader@example.org', { topics: { categories: ['cs.CV', 'cs.CL'], keywords: ['diffusion'] }, maxPapers: 6 });
  const r = await buildDueDigests(app.ctx);
  assert.equal(r.built, 1);
  const row = await app.ctx.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'digest').executeTakeFirstOrThrow();
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'digest.html'), row.html_body!);

  const results: Record<string, { bg: string; title: string; text: string; textBg: string; scrollW: number }> = {};
  for (const scheme of ['light', 'dark'] as const) {
    for (const [label, width] of [['desktop', 760], ['phone', 390]] as const) {
      const page = await browser.newPage({ colorScheme: scheme, viewport: { width, height: 900 } });
      await page.setContent(row.html_body!, { waitUntil: 'load' });
      const file = path.join(OUT, `digest-${scheme}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(fs.statSync(file).size > 10_000, `${file} has content`);
      // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
      results[`${scheme}-${label}`] = await page.evaluate(`(() => {
        const cs = (el) => getComputedStyle(el);
        return {
          bg: cs(document.body).backgroundColor,
          title: cs(document.querySelector('.pt-paper h2 a')).color,
          text: cs(document.querySelector('.pt-paper p.pt-text')).color,
          textBg: cs(document.querySelector('.pt-paper')).backgroundColor,
          scrollW: document.documentElement.scrollWidth,
        };
      })()`);
      await page.close();
    }
  }
  const light = results['light-desktop'];
  const dark = results['dark-desktop'];
  assert.ok(luminance(light.bg) > 0.8, `light background is light (${light.bg})`);
  assert.ok(luminance(dark.bg) < 0.05, `dark mode turns the background dark (${dark.bg})`);
  for (const [k, v] of Object.entries(results)) {
    assert.ok(contrast(v.text, v.textBg) >= 7, `${k}: abstract text is readable (${v.text} on ${v.textBg})`);
    assert.ok(contrast(v.title, v.textBg) >= 4.5, `${k}: title links are readable (${v.title} on ${v.textBg})`);
  }
  assert.ok(results['light-phone'].scrollW <= 390 && results['dark-phone'].scrollW <= 390, 'fits a 390 px phone without horizontal scrolling');
});
