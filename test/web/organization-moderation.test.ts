/**
 * Organizations set by moderators: a moderator lists a paper under an existing
 * or a new organization, or clears it, from /moderation; the organization's page, the cards, the
 * feeds and the API follow. Refused: anonymous, a plain user (403), a forged CSRF token (403),
 * a malformed handle, a non-https logo, an unknown paper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { writeJsonl } from '../support/app.js';
import { importFile } from '../../src/papers/import.service.js';

const DAY = '2026-08-24';

test('a moderator sets, reuses and clears organizations; pages, cards, feeds and the API follow; others are refused', async (t) => {
  const app = await useApp(t, { now: `${DAY}T12:00:00Z` });
  await seedPapers(app, [
    { id: '2608.00101', title: 'Lab paper one', publishedAt: '2026-08-20T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
    { id: '2608.00102', title: 'Lab paper two', publishedAt: '2026-08-21T00:00:00.000Z', featuredAt: `${DAY}T08:00:00.000Z` },
    { id: '2608.00103', title: 'Unrelated paper', publishedAt: '2026-08-22T00:00:00.000Z' },
  ]);
  const { browser: mod } = await signedIn(app, 'mod', 'moderator');
  const { browser: alice } = await signedIn(app, 'alice');
  assert.equal((await app.request('/organizations/tide-lab')).status, 404, 'no organization yet');

  // Refusals first: nothing changes.
  const form = { paper: '2608.00101', org: 'tide-lab', fullname: 'Tide <Lab>', avatar: 'https://example.org/logo.png' };
  assert.equal((await app.request('/moderation/papers/organization', { method: 'POST', body: new URLSearchParams(form) })).status, 403, 'anonymous, no CSRF token');
  const plain = await alice.post('/moderation/papers/organization', form);
  assert.equal(plain.status, 403, 'a plain user');
  assert.match(plain.html, /Only moderators/);
  assert.equal((await mod.post('/moderation/papers/organization', { ...form, _csrf: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status, 403, 'a forged CSRF token');
  assert.equal((await mod.post('/moderation/papers/organization', { ...form, _csrf: alice.csrf })).status, 403, "another session's CSRF token");
  const badHandle = await mod.post('/moderation/papers/organization', { ...form, org: '../admin' });
  assert.equal(badHandle.status, 400);
  assert.match(badHandle.html, /is not an organization handle/);
  const badLogo = await mod.post('/moderation/papers/organization', { ...form, avatar: 'javascript:alert(1)' });
  assert.equal(badLogo.status, 400);
  assert.match(badLogo.html, /must be an https:\/\/ image URL/);
  assert.equal((await mod.post('/moderation/papers/organization', { ...form, avatar: 'http://example.org/logo.png' })).status, 400, 'http logo');
  assert.equal((await mod.post('/moderation/papers/organization', { ...form, paper: '2608.09999' })).status, 404, 'unknown paper');
  assert.equal((await app.request('/organizations/tide-lab')).status, 404, 'the refusals changed nothing');
  assert.doesNotMatch((await mod.get('/moderation')).html, /paper\.organization/);

  // A new organization with a name and logo.
  const set = await mod.post('/moderation/papers/organization', { ...form, reason: 'their lab page lists it' });
  assert.equal(set.status, 303);
  // The same handle reuses the organization's name and logo (the form's are for new ones).
  assert.equal((await mod.post('/moderation/papers/organization', { paper: '2608.00102', org: 'tide-lab', fullname: 'Another name' })).status, 303);

  const page = await (await app.request('/organizations/tide-lab')).text();
  assert.match(page, /<h1 id="org-h">Tide &lt;Lab&gt;<\/h1>/);
  assert.match(page, /<img class="org-logo" src="https:\/\/example.org\/logo.png"/);
  assert.match(page, /2 papers listed under this organization/);
  const listed = [...page.matchAll(/<article class="paper-card" aria-labelledby="t-([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(listed, ['2608.00102', '2608.00101'], 'its papers, newest first');
  assert.ok(!page.includes('huggingface.co/tide-lab'), 'a local organization has no Hugging Face link');
  assert.ok(!page.includes('Another name'));
  const chip = '<a class="chip org" href="/organizations/tide-lab">Tide &lt;Lab&gt;</a>';
  assert.ok((await (await app.request(`/papers/date/${DAY}`)).text()).includes(chip), 'the daily list card');
  assert.ok((await (await app.request('/papers/2608.00101')).text()).includes('/organizations/tide-lab'), 'the paper page');
  const api = (await (await app.request('/api/papers/2608.00101')).json()) as { organization?: { name: string; fullname: string; avatar?: string } };
  assert.deepEqual(api.organization, { name: 'tide-lab', fullname: 'Tide <Lab>', avatar: 'https://example.org/logo.png' });
  const daily = (await (await app.request(`/api/daily_papers?date=${DAY}`)).json()) as { paper: { id: string; organization?: { name: string } } }[];
  assert.deepEqual(daily.map((d) => [d.paper.id, d.paper.organization?.name]).sort(), [['2608.00101', 'tide-lab'], ['2608.00102', 'tide-lab']]);
  const feed = await (await app.request('/feeds/organization/tide-lab.json')).json() as { items: { url: string }[] };
  assert.equal(feed.items.length, 2);
  const log = (await mod.get('/moderation')).html;
  assert.match(log, /paper\.organization\.set<\/td>\s*<td>\s*paper 2608\.00101\s*<\/td>\s*<td>@tide-lab: their lab page lists it<\/td>/);
  assert.match(log, /<option value="tide-lab"><\/option>/, 'the form suggests known handles');

  // Cleared: off the organization's page, the card and the API.
  assert.equal((await mod.post('/moderation/papers/organization', { paper: '2608.00101', org: '' })).status, 303);
  const after = await (await app.request('/organizations/tide-lab')).text();
  assert.deepEqual([...after.matchAll(/aria-labelledby="t-([^"]+)"/g)].map((m) => m[1]), ['2608.00102']);
  assert.equal(((await (await app.request('/api/papers/2608.00101')).json()) as any).organization, undefined);
  assert.match((await mod.get('/moderation')).html, /paper\.organization\.clear/);
  // The last paper cleared: the organization is gone.
  assert.equal((await mod.post('/moderation/papers/organization', { paper: '2608.00102' })).status, 303);
  assert.equal((await app.request('/organizations/tide-lab')).status, 404);

  // Re-importing Hugging Face's archive does not undo a moderator's choice (set or cleared);
  // a paper no moderator touched takes the archive's organization.
  assert.equal((await mod.post('/moderation/papers/organization', { paper: '2608.00102', org: 'tide-lab' })).status, 303);
  const hfLine = (id: string) => ({
    archive_date: DAY,
    item: {
      paper: { id, title: `Archive ${id}`, summary: 'S', authors: [{ _id: 'a1', name: 'Ada Lovelace', hidden: false }], publishedAt: '2026-08-20T00:00:00.000Z', upvotes: 1, submittedOnDailyAt: `${DAY}T07:00:00.000Z`, organization: { _id: 'o9', name: 'other-org', fullname: 'Other Org' } },
      numComments: 0,
      publishedAt: `${DAY}T07:00:00.000Z`,
    },
  });
  const file = writeJsonl(app.env.dataDir, 'orgs.jsonl', ['2608.00101', '2608.00102', '2608.00103'].map(hfLine));
  assert.equal((await importFile(app.ctx.store.db, file, { now: () => app.clock.now() })).skipped, 0);
  await app.ctx.events.emit({ kind: 'data', what: 'test' });
  const other = await (await app.request('/organizations/other-org')).text();
  assert.deepEqual([...other.matchAll(/aria-labelledby="t-([^"]+)"/g)].map((m) => m[1]), ['2608.00103'], 'only the paper no moderator touched');
  assert.match(await (await app.request('/organizations/tide-lab')).text(), /aria-labelledby="t-2608\.00102"/, 'the moderator’s choice stays');
  assert.equal(((await (await app.request('/api/papers/2608.00101')).json()) as any).organization, undefined, 'the moderator’s clear stays');
});
