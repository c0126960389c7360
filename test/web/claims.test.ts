/**
 * Claiming authorship through the real app and store: a verified user claims their name on a
 * paper, a moderator approves it, and then the name links to the user's profile, which lists the
 * paper. Refused: an unverified user, someone else's name, a name not on the paper, a
 * non-moderator deciding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { upsertPapers } from '../../src/papers/papers.repository.js';

test('claim authorship: verified user claims, moderator approves; name links to the profile; the refusals', async (t) => {
  const app = await useApp(t, { now: '2026-08-24T12:00:00Z' });
  await upsertPapers(app.ctx.store.db, [{ id: '2608.00077', title: 'Claimable paper', abstract: 'A', authors: ['Ada Lovelace', 'Alan Turing'], categories: ['cs.LG'], publishedAt: '2026-08-20T00:00:00Z' }], { now: '2026-08-24T00:00:00Z' });
  await app.ctx.events.emit({ kind: 'papers', ids: ['2608.00077'] });

  const anon = await (await app.request('/papers/2608.00077')).text();
  assert.match(anon, /Log in<\/a> to claim authorship/);

  const { browser: alice } = await signedIn(app, 'alice');
  const form = await alice.get('/papers/2608.00077');
  assert.match(form.html, /<form method="post" action="\/claims"/);
  assert.match(form.html, /<option value="Ada Lovelace">Ada Lovelace<\/option>/);
  const sent = await alice.post('/claims', { paper: '2608.00077', author: 'Ada Lovelace' });
  assert.equal(sent.status, 303);
  assert.equal(sent.location, '/papers/2608.00077?claimed=1');
  assert.match((await alice.get('/papers/2608.00077?claimed=1')).html, /Claim sent: a moderator will check it/);
  assert.match((await alice.get('/u/alice')).html, /as Ada Lovelace · waiting for a moderator/);
  // Pending: not yet linked to the profile.
  assert.ok((await (await app.request('/papers/2608.00077')).text()).includes('href="/authors/Ada%20Lovelace"'));

  const { browser: bob } = await signedIn(app, 'bob', 'user', { verified: false });
  const unverified = await bob.post('/claims', { paper: '2608.00077', author: 'Alan Turing' });
  assert.equal(unverified.status, 403);
  assert.match(unverified.html, /Verify your email address first/);

  const { browser: mallory } = await signedIn(app, 'mallory');
  const theirs = await mallory.post('/claims', { paper: '2608.00077', author: 'ada lovelace' });
  assert.equal(theirs.status, 409, "someone else's name");
  assert.match(theirs.html, /already claimed by another user/);
  const notOnPaper = await mallory.post('/claims', { paper: '2608.00077', author: 'Grace Hopper' });
  assert.equal(notOnPaper.status, 400);
  assert.match(notOnPaper.html, /is not an author of arXiv:2608.00077/);

  const id = (await app.ctx.store.db.selectFrom('author_claims').select('id').executeTakeFirstOrThrow()).id;
  assert.equal((await mallory.post(`/moderation/claims/${id}/approve`)).status, 403, 'only moderators decide');

  const { browser: mod } = await signedIn(app, 'mod', 'moderator');
  const queue = await mod.get('/moderation');
  assert.match(queue.html, /alice<\/a> claims to be <strong>Ada Lovelace<\/strong>/);
  const approved = await mod.post(`/moderation/claims/${id}/approve`);
  assert.equal(approved.status, 303);
  assert.match((await mod.get('/moderation')).html, /claim\.approve/);

  const page = await (await app.request('/papers/2608.00077')).text();
  assert.match(page, /<a href="\/u\/alice" class="claimed" title="Claimed by alice">Ada Lovelace ✓<\/a>/);
  assert.ok(page.includes('href="/authors/Alan%20Turing"'), 'unclaimed names still link to the author page');
  const profile = await (await app.request('/u/alice')).text();
  assert.match(profile, /Papers by alice \(1\)/);
  assert.match(profile, /<a href="\/papers\/2608.00077">Claimable paper<\/a> <span class="muted">as Ada Lovelace<\/span>/);
  assert.match(await (await app.request('/authors/Ada%20Lovelace')).text(), /href="\/u\/alice" class="claimed"/);
  assert.equal((await mallory.post('/claims', { paper: '2608.00077', author: 'Ada Lovelace' })).status, 409, 'still refused once approved');
});
