import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signToken, verifyToken } from './tokens.js';
import { checkEmailAddress } from '../domain/email-address.js';
import { compileSearch, keywordMatcher, normalizeTopics, searchMatches } from './topics.js';

const NOW = new Date('2025-06-04T12:00:00Z');

test('tokens: valid, expired, forged, other secret, malformed', () => {
  const t = signToken('secret-1-secret-1', { purpose: 'manage', subscriptionId: 7, version: 2 }, NOW, 3600_000);
  const ok = verifyToken('secret-1-secret-1', t, NOW);
  assert.ok(ok.ok && ok.claims.subscriptionId === 7 && ok.claims.version === 2 && ok.claims.purpose === 'manage');
  assert.deepEqual(verifyToken('secret-1-secret-1', t, new Date(NOW.getTime() + 3600_000)).ok, false);
  assert.equal((verifyToken('secret-1-secret-1', t, new Date(NOW.getTime() + 3600_001)) as any).reason, 'expired');
  assert.equal((verifyToken('another-secret-xx', t, NOW) as any).reason, 'forged');
  const [p, s] = t.split('.');
  const other = Buffer.from('manage:8:2:9999999999').toString('base64url');
  assert.equal((verifyToken('secret-1-secret-1', `${other}.${s}`, NOW) as any).reason, 'forged');
  assert.equal((verifyToken('secret-1-secret-1', `${p}`, NOW) as any).reason, 'malformed');
  assert.equal((verifyToken('secret-1-secret-1', 'x'.repeat(500), NOW) as any).reason, 'malformed');
});

test('email addresses: normalised, or one readable reason', () => {
  assert.deepEqual(checkEmailAddress(' Ada@Example.ORG '), { ok: true, email: 'ada@example.org' });
  assert.deepEqual(checkEmailAddress('a.b+digest@sub.example.co.uk'), { ok: true, email: 'a.b+digest@sub.example.co.uk' });
  for (const bad of ['ada', 'ada@', '@example.org', 'ada@example', 'a..b@example.org', 'ada@-x.org', 'ada@example.1', 'a b@example.org']) {
    const r = checkEmailAddress(bad);
    assert.equal(r.ok, false, bad);
    assert.ok(!r.ok && r.reason.length > 10);
  }
});

test('topics: keyword matching at word starts, saved searches, validation', () => {
  assert.ok(keywordMatcher('diffusion').test('latent diffusion-based models'));
  assert.ok(!keywordMatcher('diffusion').test('confusion and profusion'));
  assert.ok(keywordMatcher('large language model').test('we train large-language models'));
  const s = compileSearch('cat:cs.CV "point cloud" -survey')!;
  assert.ok(searchMatches(s, { categories: ['cs.CV'] }, 'a point cloud method'));
  assert.ok(!searchMatches(s, { categories: ['cs.CL'] }, 'a point cloud method'));
  assert.ok(!searchMatches(s, { categories: ['cs.CV'] }, 'a survey of point cloud methods'));
  assert.equal(compileSearch('-only -negative'), null);
  const bad = normalizeTopics({ categories: 'cs.CL, not a cat!', keywords: 'x'.repeat(61) });
  assert.ok(!bad.ok && bad.problems.length === 3);
  assert.deepEqual(normalizeTopics({ categories: ['cs.CL', 'cs.CL'], keywords: 'Diffusion, diffusion, RAG' }), { ok: true, topics: { categories: ['cs.CL'], keywords: ['Diffusion', 'RAG'], searches: [] } });
});
