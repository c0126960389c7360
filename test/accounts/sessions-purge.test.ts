/**
 * Expired sessions leave the store on a schedule, not only when someone logs in: the hourly
 * `sessions-purge` job that `papertide serve` runs deletes them and keeps live ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { SESSION_IDLE_DAYS } from '../../src/users/users.service.js';

test('the scheduled sessions-purge job deletes expired sessions and keeps live ones', async (t) => {
  const app = await testApp();
  t.after(() => app.close());
  const job = app.jobs.find((j) => j.name === 'sessions-purge');
  assert.ok(job, `scheduled jobs: ${app.jobs.map((j) => j.name).join(', ')}`);
  assert.equal(job.everyMs, 60 * 60_000, 'every hour');
  const count = async () => Number((await app.ctx.store.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const DAY = 86_400_000;
  await signedIn(app, 'old1');
  await signedIn(app, 'old2');
  // Both sessions expire; nobody logs in afterwards, so only the job can remove them.
  app.clock.advance(SESSION_IDLE_DAYS * DAY - 60_000);
  await job.run(app.ctx);
  assert.equal(await count(), 2, 'one minute before expiry both are live');
  app.clock.advance(2 * 60_000);
  const { browser: fresh } = await signedIn(app, 'fresh'); // this login purges old1/old2 itself...
  app.clock.advance(SESSION_IDLE_DAYS * DAY + 60_000); // ...so let fresh's expire with no login after it
  assert.equal(await count(), 1);
  await job.run(app.ctx);
  assert.equal(await count(), 0, 'the expired session is purged by the job');
  assert.doesNotMatch((await fresh.get('/')).html, /href="\/u\/fresh"/);
  // a live session survives the job
  await signedIn(app, 'live');
  app.clock.advance(DAY);
  await job.run(app.ctx);
  assert.equal(await count(), 1, 'the live session is kept');
});
