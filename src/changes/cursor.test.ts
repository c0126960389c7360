import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeCursor } from './cursor.js';

const rows = (...seqs: number[]) => seqs.map((seq) => ({ seq }));

test('in-order changes advance the position and are applied once', () => {
  const c = new ChangeCursor(3);
  assert.deepEqual(c.take(rows(4, 5, 6)).map((r) => r.seq), [4, 5, 6]);
  assert.equal(c.position, 6);
  assert.deepEqual(c.take(rows(5, 6)), []);
  assert.equal(c.waiting, false);
});

test('a missing number (a transaction not committed yet) holds the position; the rows above it are applied at once, and the late one when it shows up', () => {
  let now = 0;
  const c = new ChangeCursor(4, 30_000, () => now);
  assert.deepEqual(c.take(rows(6, 7)).map((r) => r.seq), [6, 7]);
  assert.equal(c.position, 4);
  assert.equal(c.waiting, true);
  now = 10_000;
  // Read again from the position: 6 and 7 are not applied twice; 5 committed meanwhile.
  assert.deepEqual(c.take(rows(5, 6, 7)).map((r) => r.seq), [5]);
  assert.equal(c.position, 7);
  assert.equal(c.waiting, false);
});

test('a hole that never fills (a rolled-back transaction) is given up after the grace period, not before', () => {
  let now = 0;
  const c = new ChangeCursor(10, 30_000, () => now);
  c.take(rows(13, 14));
  now = 29_999;
  c.take(rows(13, 14));
  assert.equal(c.position, 10);
  now = 30_000;
  c.take(rows(13, 14));
  assert.equal(c.position, 14);
  assert.equal(c.waiting, false);
});

test('reset starts again from a new snapshot position', () => {
  const c = new ChangeCursor(0);
  c.take(rows(2));
  c.reset(50);
  assert.equal(c.position, 50);
  assert.equal(c.waiting, false);
  assert.deepEqual(c.take(rows(51)).map((r) => r.seq), [51]);
});
