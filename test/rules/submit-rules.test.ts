/** The 14-day submission rule on both sides of its boundary, as a submitter meets it over HTTP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';

const NOW = '2025-06-20T12:00:00.000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();
const DAY = 86_400_000;

test('a paper published 14 days ago can be submitted; 14 days and a minute, or 15 days, cannot', async (t) => {
  const app = await useApp(t, { now: NOW, env: { SUBMIT_PER_USER_PER_DAY: '10' } });
  const cases: [string, string, boolean][] = [
    ['2506.10001', ago(13 * DAY), true],
    ['2506.10002', ago(14 * DAY - 60_000), true],
    ['2506.10003', ago(14 * DAY), true],
    ['2506.10004', ago(14 * DAY + 60_000), false],
    ['2506.10005', ago(15 * DAY), false],
    ['2506.10006', ago(15 * DAY - 60_000), false],
  ];
  await seedPapers(app, cases.map(([id, publishedAt]) => ({ id, publishedAt })));
  const { browser } = await signedIn(app, 'alice');
  for (const [id, publishedAt, ok] of cases) {
    const r = await browser.post('/submit', { arxiv: id });
    assert.equal(r.status, ok ? 303 : 400, `${id} published ${publishedAt}`);
    if (!ok) assert.match(r.html, /Only papers published in the last 14 days can be submitted/);
  }
});

test('SUBMIT_MAX_AGE_DAYS moves the boundary: 3 days accepted, 3 days and a minute refused', async (t) => {
  const app = await useApp(t, { now: NOW, env: { SUBMIT_MAX_AGE_DAYS: '3' } });
  await seedPapers(app, [{ id: '2506.20001', publishedAt: ago(3 * DAY) }, { id: '2506.20002', publishedAt: ago(3 * DAY + 60_000) }]);
  const { browser } = await signedIn(app, 'bob');
  assert.equal((await browser.post('/submit', { arxiv: '2506.20001' })).status, 303);
  const r = await browser.post('/submit', { arxiv: '2506.20002' });
  assert.equal(r.status, 400);
  assert.match(r.html, /in the last 3 days/);
});
