/**
 * The personal JSON API with Bearer tokens: library, collections, follows, recommendations.
 * Refusals on every route: no token (or only a session cookie) 401, someone else's private
 * collection 404 (read, export, write), bad input 400 with a sentence. Responses validate against
 * /openapi.json's own schemas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { testApp, type TestApp } from '../support/app.js';
import { signedIn } from '../support/form-client.js';
import { seedPapers } from '../support/seed.js';
import { createApiToken } from '../../src/api-tokens/api-tokens.service.js';

const P1 = '2506.00001';
const P2 = '2506.00002';
const P3 = '2506.00003';

async function setup() {
  const app = await testApp({ now: '2025-06-05T12:00:00Z' });
  await seedPapers(app, [
    { id: P1, featuredAt: '2025-06-05T08:00:00.000Z', title: 'Costs 50% & more' },
    { id: P2, featuredAt: '2025-06-05T09:00:00.000Z', categories: ['math.AG'] },
    { id: P3, featuredAt: '2025-06-05T10:00:00.000Z' },
  ]);
  const alice = await signedIn(app, 'alice');
  const bob = await signedIn(app, 'bob');
  const ta = (await createApiToken(app.ctx.store.db, alice.id, 'script', app.clock.now())).token;
  const tb = (await createApiToken(app.ctx.store.db, bob.id, 'script', app.clock.now())).token;
  return { app, alice, bob, ta, tb };
}

function client(app: TestApp, token: string | null) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers: h, body: payload });
    const type = res.headers.get('content-type') ?? '';
    const data = type.includes('json') ? await res.json() : await res.text();
    return { status: res.status, data: data as any, res };
  };
}

async function schemaCheck(app: TestApp) {
  const doc = await (await app.request('/openapi.json')).json();
  const ajv = new (Ajv2020 as any).default({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const fix = (s: any): any => (Array.isArray(s) ? s.map(fix) : s && typeof s === 'object' ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === '$ref' ? `doc${v}` : fix(v)])) : s);
  return (path: string, method: string, status: number, data: unknown) => {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path} is documented`);
    assert.deepEqual(op.security, [{ apiToken: [] }], `${method} ${path} needs a token`);
    const schema = op.responses[status].content['application/json'].schema;
    const v = ajv.compile(fix(schema));
    assert.ok(v(data), `${method} ${path}: ${JSON.stringify(v.errors)}`);
  };
}

test('library, collections, follows and recommendations through the API with a token; responses match /openapi.json', async (t) => {
  const { app, ta } = await setup();
  t.after(() => app.close());
  const api = client(app, ta);
  const check = await schemaCheck(app);
  let r = await api('POST', '/api/library', { id: `https://arxiv.org/abs/${P1}v2` });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.deepEqual(r.data, { paperId: P1, saved: true });
  check('/api/library', 'post', 201, r.data);
  app.clock.advance(1000);
  r = await api('POST', `/api/library/${P2}/note`, { note: 'read <b>this</b>' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, { paperId: P2, note: 'read <b>this</b>' });
  r = await api('GET', '/api/library');
  assert.equal(r.status, 200);
  assert.equal(r.res.headers.get('cache-control'), 'private, no-store');
  assert.equal(r.data.total, 2);
  assert.deepEqual(r.data.items.map((i: any) => [i.paper.id, i.note]), [[P2, 'read <b>this</b>'], [P1, '']]);
  check('/api/library', 'get', 200, r.data);
  r = await api('GET', '/api/library/export?format=bib');
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type')!, /application\/x-bibtex/);
  assert.match(r.data, /eprint = \{2506\.00001\}[\s\S]*eprint = \{2506\.00002\}/);
  assert.match((await api('GET', '/api/library/export?format=ris')).data, /TY {2}- GEN/);
  r = await api('DELETE', `/api/library/${P2}`);
  assert.deepEqual(r.data, { paperId: P2, saved: false });
  assert.equal((await api('GET', '/api/library')).data.total, 1);

  r = await api('POST', '/api/collections', { name: 'Reading group', description: 'week 1' });
  assert.equal(r.status, 201);
  check('/api/collections', 'post', 201, r.data);
  const col = r.data.id;
  assert.equal(r.data.public, false);
  r = await api('POST', `/api/collections/${col}/papers`, { id: P3 });
  assert.equal(r.status, 201);
  r = await api('GET', `/api/collections/${col}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.items.map((i: any) => i.paper.id), [P3]);
  check('/api/collections/{id}', 'get', 200, r.data);
  r = await api('GET', '/api/collections');
  assert.deepEqual(r.data.map((c: any) => [c.name, c.papers]), [['Reading group', 1]]);
  check('/api/collections', 'get', 200, r.data);
  assert.match((await api('GET', `/api/collections/${col}/export`)).data, /eprint = \{2506\.00003\}/);
  r = await api('DELETE', `/api/collections/${col}/papers/${P3}`);
  assert.equal(r.status, 200);
  assert.equal((await api('GET', `/api/collections/${col}`)).data.items.length, 0);
  assert.equal((await api('GET', '/api/library')).data.total, 2, 'adding to a collection saved it; removing keeps it saved');

  r = await api('POST', '/api/follows', { kind: 'category', value: 'math.AG' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  check('/api/follows', 'post', 201, r.data);
  const follow = r.data.id;
  r = await api('GET', '/api/follows');
  assert.deepEqual(r.data.map((f: any) => [f.kind, f.label]), [['category', 'math.AG']]);
  check('/api/follows', 'get', 200, r.data);
  r = await api('GET', '/api/recommendations?window=week&limit=10');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  check('/api/recommendations', 'get', 200, r.data);
  const rec = r.data.items.find((i: any) => i.paper.id === P2);
  assert.ok(rec, `For you lists ${P2}: ${JSON.stringify(r.data)}`);
  assert.match(rec.reason, /cat:math\.AG|like/);
  assert.ok(!r.data.items.some((i: any) => i.paper.id === P1), 'saved papers are not recommended');
  r = await api('DELETE', `/api/follows/${follow}`);
  assert.deepEqual(r.data, { id: follow, following: false });
  assert.deepEqual((await api('GET', '/api/follows')).data, []);
});

test('refusals: no token 401 (a session cookie is not enough), bad input 400, unknown things 404', async (t) => {
  const { app, alice, ta } = await setup();
  t.after(() => app.close());
  const anon = client(app, null);
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/library'],
    ['POST', '/api/library', { id: P1 }],
    ['DELETE', `/api/library/${P1}`],
    ['POST', `/api/library/${P1}/note`, { note: 'x' }],
    ['GET', '/api/library/export'],
    ['POST', '/api/library/import', { text: P1 }],
    ['GET', '/api/collections'],
    ['POST', '/api/collections', { name: 'x' }],
    ['GET', '/api/collections/1'],
    ['GET', '/api/collections/1/export'],
    ['POST', '/api/collections/1/papers', { id: P1 }],
    ['DELETE', `/api/collections/1/papers/${P1}`],
    ['GET', '/api/follows'],
    ['POST', '/api/follows', { kind: 'category', value: 'cs.LG' }],
    ['DELETE', '/api/follows/1'],
    ['GET', '/api/recommendations'],
  ];
  const cookie = [...alice.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  for (const [m, p, b] of routes) {
    const r = await anon(m, p, b);
    assert.equal(r.status, 401, `${m} ${p} without a token`);
    assert.match(r.data.error, /token/i);
    assert.equal((await anon(m, p, b, { cookie })).status, 401, `${m} ${p} with only a session cookie`);
  }
  assert.equal((await client(app, 'pt_' + 'x'.repeat(43))('GET', '/api/library')).status, 401, 'an unknown token');
  const api = client(app, ta);
  const bad: [string, string, unknown, RegExp][] = [
    ['POST', '/api/library', { id: 'not an id' }, /not an arXiv id/],
    ['POST', '/api/library', {}, /id is required/],
    ['POST', '/api/library', 'not json', /not valid JSON/],
    ['POST', `/api/library/${P1}/note`, { note: 'x'.repeat(10_001) }, /at most 10000/],
    ['GET', '/api/library?limit=0', undefined, /limit must be at least 1/],
    ['GET', '/api/library?limit=101', undefined, /limit must be at most 100/],
    ['GET', '/api/library/export?format=xls', undefined, /format must be one of "bib", "ris"/],
    ['POST', '/api/collections', { name: '   ' }, /name must not be empty/],
    ['POST', '/api/collections', { name: 'x'.repeat(101) }, /at most 100/],
    ['POST', '/api/follows', { kind: 'planet', value: 'Mars' }, /kind must be one of "author", "category", "query"/],
    ['POST', '/api/follows', { kind: 'category', value: 'not a category!' }, /not an arXiv category/],
    ['POST', '/api/follows', { kind: 'query', value: 'author:' }, /./],
    ['GET', '/api/recommendations?window=year', undefined, /window must be one of "day", "week", "month"/],
    ['POST', '/api/library/import', { text: '' }, /text must not be empty/],
  ];
  for (const [m, p, b, msg] of bad) {
    const r = await api(m, p, b);
    assert.equal(r.status, 400, `${m} ${p} ${JSON.stringify(b)}: ${JSON.stringify(r.data)}`);
    assert.match(r.data.error, msg);
  }
  assert.equal((await api('POST', '/api/library', { id: '2506.99999' })).status, 404);
  assert.equal((await api('DELETE', '/api/follows/12345')).status, 404);
  assert.equal((await api('GET', '/api/collections/999999')).status, 404);
  assert.equal((await api('GET', '/api/collections/abc')).status, 404);
});

test("another user's private collection is a 404 through the API (read, export, write); a public one can be read, not changed", async (t) => {
  const { app, ta, tb } = await setup();
  t.after(() => app.close());
  const a = client(app, ta);
  const b = client(app, tb);
  const priv = (await a('POST', '/api/collections', { name: 'Secret plans' })).data.id;
  await a('POST', `/api/collections/${priv}/papers`, { id: P1 });
  const pub = (await a('POST', '/api/collections', { name: 'Shared', public: true })).data.id;
  await a('POST', `/api/collections/${pub}/papers`, { id: P2 });
  for (const [m, p, body] of [
    ['GET', `/api/collections/${priv}`],
    ['GET', `/api/collections/${priv}/export`],
    ['GET', `/api/collections/${priv}/export?format=ris`],
    ['POST', `/api/collections/${priv}/papers`, { id: P3 }],
    ['DELETE', `/api/collections/${priv}/papers/${P1}`],
    ['POST', '/api/library/import', { text: P3, collection: priv }],
  ] as [string, string, unknown?][]) {
    const r = await b(m, p, body);
    assert.equal(r.status, 404, `bob ${m} ${p}`);
    assert.doesNotMatch(JSON.stringify(r.data), /Secret plans/);
  }
  // Same answer as a collection that does not exist.
  assert.deepEqual((await b('GET', `/api/collections/${priv}`)).data, (await b('GET', '/api/collections/999999')).data);
  assert.deepEqual((await b('GET', '/api/collections')).data, [], "bob's list holds only his own");
  const seen = await b('GET', `/api/collections/${pub}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.data.owner, 'alice');
  assert.deepEqual(seen.data.items.map((i: any) => i.paper.id), [P2]);
  assert.equal((await b('POST', `/api/collections/${pub}/papers`, { id: P3 })).status, 404);
  assert.equal((await b('DELETE', `/api/collections/${pub}/papers/${P2}`)).status, 404);
  assert.equal((await a('GET', `/api/collections/${pub}`)).data.items.length, 1, 'unchanged');
  // Pages and feeds agree (the web test covers them in detail).
  assert.equal((await app.request(`/collections/${priv}`)).status, 404);
  assert.equal((await app.request(`/collections/${priv}/feed.atom`)).status, 404);
});
