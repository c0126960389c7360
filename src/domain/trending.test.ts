/** The trending formula with a pinned clock and exact expected values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRENDING, explainTrending, scoreFromKey, starGrowth, trendingPoints, trendingSince } from './trending.js';

const NOW = new Date('2025-06-05T12:00:00Z');

test('constants are what docs/trending.md documents', () => {
  assert.deepEqual(
    { ...TRENDING },
    { BASE_POINTS: 1, UPVOTE_POINTS: 1, COMMENT_POINTS: 0.5, STAR_POINTS: 2, STAR_WINDOW_DAYS: 7, HALF_LIFE_HOURS: 48, EPOCH: '2020-01-01T00:00:00.000Z' },
  );
});

test('6 upvotes, 2 comments, +3 stars in the week, 48 hours old → 12 points × 0.5 = 6', () => {
  const e = explainTrending(
    {
      upvotes: 6,
      comments: 2,
      since: '2025-06-03T12:00:00Z',
      starSnapshots: [
        { observedAt: '2025-05-28T00:00:00Z', stars: 10 }, // last one before the window (starts 2025-05-29T12:00)
        { observedAt: '2025-06-01T00:00:00Z', stars: 12 },
        { observedAt: '2025-06-05T00:00:00Z', stars: 13 },
        { observedAt: '2025-06-06T00:00:00Z', stars: 99 }, // after now: ignored
      ],
    },
    NOW,
  );
  assert.equal(e.stars.gained, 3);
  assert.deepEqual(e.points, { base: 1, upvotes: 6, comments: 1, stars: 4, total: 12 });
  assert.equal(e.ageHours, 48);
  assert.equal(e.decay, 0.5);
  assert.equal(e.score, 6);
  // 2020-01-01 → 2025-06-03T12:00 is 1980.5 days = 47,532 hours = 990.25 half-lives.
  assert.equal(e.key, Math.log2(12) + 990.25);
  assert.ok(Math.abs(scoreFromKey(e.key, NOW) - 6) < 1e-9);
});

test('a new paper with no activity scores its base point; 96 hours later a quarter', () => {
  const fresh = explainTrending({ upvotes: 0, comments: 0, since: NOW.toISOString(), starSnapshots: [] }, NOW);
  assert.equal(fresh.score, 1);
  assert.equal(fresh.decay, 1);
  const old = explainTrending({ upvotes: 3, comments: 0, since: '2025-06-01T12:00:00Z', starSnapshots: [] }, NOW);
  assert.equal(old.ageHours, 96);
  assert.equal(old.score, 1); // (1 + 3) × 0.25
  // A since in the future (clock skew) is treated as now.
  const skew = explainTrending({ upvotes: 1, comments: 0, since: '2025-06-06T00:00:00Z', starSnapshots: [] }, NOW);
  assert.equal(skew.score, 2);
  assert.equal(skew.ageHours, 0);
  // ...in the stored key too: it does not outrank a paper entering now with the same points.
  assert.equal(skew.key, explainTrending({ upvotes: 1, comments: 0, since: NOW.toISOString(), starSnapshots: [] }, NOW).key);
});

test('star growth: one snapshot is no growth, losses count as 0, no snapshot before the window uses the earliest inside', () => {
  const one = starGrowth([{ observedAt: '2025-06-01T00:00:00Z', stars: 500 }], NOW);
  assert.deepEqual([one.gained, one.from, one.to?.stars], [0, null, 500], 'one snapshot: the count is known, no growth measured');
  assert.equal(starGrowth([{ observedAt: '2025-06-01T00:00:00Z', stars: 500 }, { observedAt: '2025-06-04T00:00:00Z', stars: 450 }], NOW).gained, 0);
  const g = starGrowth([{ observedAt: '2025-06-02T00:00:00Z', stars: 100 }, { observedAt: '2025-06-05T00:00:00Z', stars: 115 }], NOW);
  assert.equal(g.gained, 15);
  assert.equal(trendingPoints(0, 0, 15).stars, 8); // 2 × log2(16)
  assert.equal(trendingPoints(0, 3, 0).comments, 1.5);
});

test('ordering by the stored key equals ordering by score at any later time', () => {
  const a = explainTrending({ upvotes: 20, comments: 0, since: '2025-06-01T00:00:00Z', starSnapshots: [] }, NOW);
  const b = explainTrending({ upvotes: 4, comments: 2, since: '2025-06-05T00:00:00Z', starSnapshots: [] }, NOW);
  for (const later of ['2025-06-05T12:00:00Z', '2025-06-09T00:00:00Z', '2025-07-01T00:00:00Z']) {
    const t = new Date(later);
    assert.equal(a.key > b.key, scoreFromKey(a.key, t) > scoreFromKey(b.key, t));
  }
  // 21 × 2^(−108/48) = 4.4147… vs 6 × 2^(−12/48) = 5.0454…: the newer paper leads.
  assert.ok(b.key > a.key);
  assert.equal(a.score.toFixed(4), '4.4147');
  assert.equal(b.score.toFixed(4), '5.0454');
});

test('since: first featured, else published, else stored', () => {
  assert.equal(trendingSince({ firstFeaturedAt: '2025-06-02T08:00:00Z', publishedAt: '2025-05-30T00:00:00Z', createdAt: '2025-06-01T00:00:00Z' }), '2025-06-02T08:00:00Z');
  assert.equal(trendingSince({ firstFeaturedAt: null, publishedAt: '2025-05-30T00:00:00Z', createdAt: '2025-06-01T00:00:00Z' }), '2025-05-30T00:00:00Z');
  assert.equal(trendingSince({ firstFeaturedAt: null, publishedAt: null, createdAt: '2025-06-01T00:00:00Z' }), '2025-06-01T00:00:00Z');
});

test('star growth counts from the last snapshot at or before the window start, to the last one at or before now', () => {
  const at = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
  const snaps = [
    { observedAt: at(3), stars: 200 },
    { observedAt: at(30), stars: 10 },
    { observedAt: at(-1), stars: 999 }, // after now: not yet observed
    { observedAt: at(7), stars: 150 }, // exactly the window start
    { observedAt: at(8), stars: 100 },
    { observedAt: at(0), stars: 260 },
  ];
  const g = starGrowth(snaps, NOW);
  assert.deepEqual([g.from?.stars, g.to?.stars, g.gained], [150, 260, 110]);
  // A minute later the 7-day-old snapshot is still the last one at or before the start.
  assert.equal(starGrowth(snaps, new Date(NOW.getTime() + 60_000)).gained, 110);
  // Nothing before the window: growth from the earliest inside it.
  const inside = starGrowth([{ observedAt: at(5), stars: 40 }, { observedAt: at(1), stars: 70 }, { observedAt: at(2), stars: 50 }], NOW);
  assert.deepEqual([inside.from?.stars, inside.to?.stars, inside.gained], [40, 70, 30]);
});
