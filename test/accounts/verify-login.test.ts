/** Following the verification link starts a session: no second step to log in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { FormClient, linkFromMail, pathOf } from '../support/form-client.js';

test('opening the verification link logs its owner in; a second use does not', async (t) => {
  const app = await useApp(t);
  const b = new FormClient(app);
  await b.signup('alice', 'alice@example.org');
  assert.equal(b.cookies.has('pt_session'), false, 'signing up alone does not log in');
  // The link is opened in another browser (the mail app's), as people do.
  const mailBrowser = new FormClient(app);
  const v = await mailBrowser.get(pathOf(await linkFromMail(app, 'alice@example.org', 'verify')));
  assert.equal(v.status, 200);
  assert.match(v.html, /Your email address is confirmed/);
  assert.match(v.html, /You are logged in/);
  const home = await mailBrowser.get('/submit');
  assert.equal(home.status, 200);
  assert.match(home.html, /href="\/u\/alice"/);
  assert.doesNotMatch(home.html, /Confirm your email address first/);

  const third = new FormClient(app);
  const again = await third.get(pathOf(await linkFromMail(app, 'alice@example.org', 'verify')));
  assert.equal(again.status, 400);
  assert.equal(third.cookies.has('pt_session'), false);
});
