/**
 * One comment limit per user, whatever the door: posts through the page (`POST /comments`) and
 * the API (`POST /api/papers/{id}/comments` with a token) count against the same 10 per 10
 * minutes. Store-backed, so run on SQLite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApp, useApp } from '../support/app.js';
import { signedIn, type FormClient } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { COMMENT_RATE } from '../../src/comments/comments.service.js';

const P = '2506.00001';

async function apiToken(b: FormClient): Promise<string> {
  await b.get('/settings/tokens');
  const r = await b.post('/settings/tokens', { name: 'limit test' });
  assert.equal(r.status, 201, r.html.slice(0, 300));
  const m = /value="(pt_[A-Za-z0-9_-]+)"/.exec(r.html);
  assert.ok(m, 'the new token is shown');
  return m[1];
}

function doors(app: TestApp, b: FormClient, token: string) {
  return {
    web: async (body: string) => {
      const r = await b.post('/comments', { paper: P, body });
      return { status: r.status, retryAfter: r.res.headers.get('retry-after'), text: r.html };
    },
    api: async (body: string) => {
      const res = await app.request(`/api/papers/${P}/comments`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ body }) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
    },
  };
}

const posted = (app: TestApp, userId: number) => app.ctx.store.db.selectFrom('comments').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow().then((r) => Number(r.n));

for (const last of ['web', 'api'] as const) {
  test(`web and API share one comment budget: 10th accepted and 11th refused (10th through the ${last})`, async (t) => {
    assert.equal(COMMENT_RATE.max, 10);
    const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
    await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
    const { browser, id } = await signedIn(app, `chatty${last}`);
    const d = doors(app, browser, await apiToken(browser));
    // Nine comments, alternating doors, one second apart.
    for (let i = 0; i < 9; i++) {
      const r = await (i % 2 ? d.api : d.web)(`comment ${i}`);
      assert.ok(r.status === 303 || r.status === 201, `comment ${i}: ${r.status} ${r.text.slice(0, 200)}`);
      app.clock.advance(1000);
    }
    const tenth = await d[last]('comment 9');
    assert.equal(tenth.status, last === 'web' ? 303 : 201, tenth.text.slice(0, 200));
    // The 11th is refused on both doors, with a Retry-After that ends the window of the oldest.
    for (const door of ['web', 'api'] as const) {
      const r = await d[door]('one too many');
      assert.equal(r.status, 429, `${door}: ${r.text.slice(0, 200)}`);
      assert.equal(r.retryAfter, String(10 * 60 - 9), door);
      assert.match(r.text, /Too many comment requests\. Try again in 591 seconds\./);
    }
    assert.equal(await posted(app, id), 10);
    // The window slides: once the oldest comment is 10 minutes old, one more goes through.
    app.clock.set('2025-06-05T12:09:59.999Z');
    assert.equal((await d.api('still too early')).status, 429);
    app.clock.set('2025-06-05T12:10:00.000Z');
    assert.equal((await d.api('one more')).status, 201);
    assert.equal((await d.web('and not two')).status, 429);
    assert.equal(await posted(app, id), 11);
  });
}

test('parallel posts through both doors cannot exceed the limit', async (t) => {
  const app = await useApp(t, { now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [{ id: P, featuredAt: '2025-06-05T08:00:00.000Z' }]);
  const { browser, id } = await signedIn(app, 'racer');
  const d = doors(app, browser, await apiToken(browser));
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? d.api : d.web)(`parallel ${i}`)));
  assert.equal(rs.filter((r) => r.status === 429).length, 20);
  assert.equal(await posted(app, id), 10);
});
