/** After /submit, the paper page confirms the submission; a made-up ?submitted= confirms nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';

test('a successful submission is confirmed on the paper page, and only a real one', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: '2506.01234', publishedAt: '2025-06-02T10:00:00.000Z' }, { id: '2506.04321', publishedAt: '2025-06-02T10:00:00.000Z' }]);
  const { browser: b } = await signedIn(app, 'alice');
  const form = await b.get('/submit');
  assert.match(form.html, /data-submit-progress/);
  assert.match(form.html, /<script src="\/static\/submit\.js" defer(="")? nonce="[A-Za-z0-9+/=]+"><\/script>/, "loaded from /static with the CSP nonce");
  assert.doesNotMatch(form.html, /<script>(?!<\/script>)/, 'no inline script');
  const r = await b.post('/submit', { arxiv: '2506.01234' });
  assert.equal(r.status, 303);
  const page = await b.get(r.location!);
  assert.match(page.html, /Submitted — thank you\. This paper is on the daily papers of <a href="\/papers\/date\/2025-06-05">2025-06-05<\/a>/);
  // Not featured that day, or not a date: no confirmation.
  for (const q of ['2025-06-04', '<b>x</b>', '2025-06-05&x=1']) {
    const other = await b.get(`/papers/2506.04321?submitted=${encodeURIComponent(q)}`);
    assert.equal(other.status, 200);
    assert.doesNotMatch(other.html, /Submitted — thank you/, q);
  }
  const js = await app.request('/static/submit.js');
  assert.equal(js.status, 200);
  assert.match(await js.text(), /Fetching from arXiv…/);
});
