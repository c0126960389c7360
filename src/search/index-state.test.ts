import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planStart, type StartFacts } from './index-state.js';

const facts = (f: Partial<StartFacts>): StartFacts => ({ found: 'loaded', snapshotSeq: 100, oldestSeq: 1, latestSeq: 100, changedPapers: 0, papers: 10_000, syncMax: 5000, canBuildInBackground: true, ...f });

test('a valid snapshot is served and caught up from its position, up to syncMax changed papers', () => {
  assert.deepEqual(planStart(facts({})), { action: 'catch-up', from: 100 });
  assert.deepEqual(planStart(facts({ latestSeq: 7000, changedPapers: 5000 })), { action: 'catch-up', from: 100 });
  assert.deepEqual(planStart(facts({ latestSeq: 7000, changedPapers: 5001 })), { action: 'build-in-background', why: '5001 papers changed since the last build', serveSnapshot: true });
  // Without a background build, catching up is the only way.
  assert.deepEqual(planStart(facts({ latestSeq: 7000, changedPapers: 5001, canBuildInBackground: false })), { action: 'catch-up', from: 100 });
});

test('a change log pruned past the snapshot means a rebuild; a log that still reaches it does not', () => {
  assert.deepEqual(planStart(facts({ oldestSeq: 101, latestSeq: 200 })), { action: 'catch-up', from: 100 });
  assert.equal(planStart(facts({ oldestSeq: 102, latestSeq: 200 })).action, 'build-in-background');
  assert.equal(planStart(facts({ oldestSeq: 102, latestSeq: 200, papers: 5000 })).action, 'build-now');
  // Nothing newer than the snapshot: a pruned log loses nothing.
  assert.deepEqual(planStart(facts({ oldestSeq: 100, latestSeq: 100 })), { action: 'catch-up', from: 100 });
});

test('no snapshot (or one without the built-in embedder): build now up to syncMax papers, else in the background; a mismatch is refused', () => {
  assert.deepEqual(planStart(facts({ found: 'missing', papers: 5000 })), { action: 'build-now' });
  assert.deepEqual(planStart(facts({ found: 'missing', papers: 5001 })), { action: 'build-in-background', why: 'no index yet', serveSnapshot: false });
  assert.deepEqual(planStart(facts({ found: 'missing', papers: 5001, canBuildInBackground: false })), { action: 'build-now' });
  assert.equal(planStart(facts({ found: 'unembedded', papers: 62 })).action, 'build-now');
  assert.deepEqual(planStart(facts({ found: 'mismatch' })), { action: 'refuse' });
});
