/**
 * /openapi.json describes what the server enforces and returns: real responses validate
 * against the document's own schemas (ajv), and the limits it states are the limits the
 * handlers apply (one past a stated maximum is a 400, the maximum itself is accepted).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { testApp, type TestApp } from '../support/app.js';
import { DEMO_FILE, papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';

const DAY = '2025-06-04';
let app: TestApp;
let doc: any;

before(async () => {
  app = await testApp({ now: `${DAY}T12:00:00Z`, env: { BASE_URL: 'https://papers.example.org' } });
  await importFile(app.ctx.store.db, DEMO_FILE, { now: () => app.clock.now(), demo: true, demoDate: DAY, onChanged: (ids) => papersChanged(app.ctx, ids) });
  const res = await app.request('/openapi.json');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  doc = await res.json();
});
after(async () => app?.close());

function validator(schema: object) {
  const ajv = new (Ajv2020 as any).default({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const fix = (s: any): any => (Array.isArray(s) ? s.map(fix) : s && typeof s === 'object' ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === '$ref' ? `doc${v}` : fix(v)])) : s);
  return ajv.compile(fix(schema));
}

test('the document is OpenAPI 3.1 with every endpoint, its parameters and limits', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.servers[0].url, 'https://papers.example.org');
  for (const p of ['/api/daily_papers', '/api/papers/search', '/api/papers', '/api/trending', '/api/papers/{id}', '/api/papers/{id}/similar', '/api/papers/submit', '/api/papers/{id}/upvote', '/api/papers/{id}/comments']) assert.ok(doc.paths[p], p);
  const daily = doc.paths['/api/daily_papers'].get.parameters;
  const limit = daily.find((x: any) => x.name === 'limit');
  assert.deepEqual([limit.schema.type, limit.schema.minimum, limit.schema.maximum], ['integer', 1, 100]);
  assert.deepEqual(daily.find((x: any) => x.name === 'sort').schema.enum, ['publishedAt', 'trending']);
  const q = doc.paths['/api/papers/search'].get.parameters.find((x: any) => x.name === 'q');
  assert.equal(q.required, true);
  assert.equal(q.schema.maxLength, 250);
  assert.deepEqual(doc.paths['/api/papers/{id}/upvote'].post.security, [{ apiToken: [] }]);
  assert.equal(doc.components.securitySchemes.apiToken.scheme, 'bearer');
  assert.deepEqual(doc.components.schemas.Item.properties.paper, { $ref: '#/components/schemas/Paper' });
});

test('real responses validate against the documented schemas', async () => {
  const cases: [string, string, string][] = [
    ['/api/daily_papers', 'get', `/api/daily_papers?date=${DAY}&limit=20`],
    ['/api/papers/search', 'get', '/api/papers/search?q=learning&limit=10'],
    ['/api/papers', 'get', '/api/papers?limit=10'],
    ['/api/trending', 'get', '/api/trending?limit=10'],
    ['/api/papers/{id}', 'get', '/api/papers/2402.00281'],
    ['/api/papers/{id}/similar', 'get', '/api/papers/2402.00281/similar'],
  ];
  for (const [path, method, url] of cases) {
    const res = await app.request(url);
    assert.equal(res.status, 200, url);
    const body = await res.json();
    if (Array.isArray(body)) assert.ok(body.length > 0, `${url} returned something to check`);
    const validate = validator(doc.paths[path][method].responses['200'].content['application/json'].schema);
    assert.ok(validate(body), `${url}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
  // The validator does reject what breaks the schema (so the checks above can fail).
  const items = validator(doc.paths['/api/daily_papers'].get.responses['200'].content['application/json'].schema);
  assert.equal(items([{ paper: { id: 'x' } }]), false);
  const err = await app.request('/api/papers/2401.99999');
  const validateErr = validator(doc.paths['/api/papers/{id}'].get.responses['404'].content['application/json'].schema);
  assert.ok(validateErr(await err.json()));
});

test('every stated integer maximum and string length is enforced by the handler', async () => {
  const samples: Record<string, string> = { '/api/daily_papers': `date=${DAY}`, '/api/papers/search': 'q=x', '/api/papers': '', '/api/trending': '', '/api/papers/{id}/similar': '' };
  let checked = 0;
  for (const [path, base] of Object.entries(samples)) {
    const url = path.replace('{id}', '2402.00281');
    for (const p of doc.paths[path].get.parameters.filter((x: any) => x.in === 'query')) {
      const s = p.schema;
      const withParam = (v: string) => `${url}?${[base, `${p.name}=${encodeURIComponent(v)}`].filter(Boolean).join('&').replace(/^q=x&q=/, 'q=')}`;
      if (s.type === 'integer' && s.maximum !== undefined) {
        assert.equal((await app.request(withParam(String(s.maximum)))).status, 200, `${path} ${p.name}=${s.maximum}`);
        assert.equal((await app.request(withParam(String(s.maximum + 1)))).status, 400, `${path} ${p.name}=${s.maximum + 1}`);
        assert.equal((await app.request(withParam(String(s.minimum - 1)))).status, 400, `${path} ${p.name}=${s.minimum - 1}`);
        checked++;
      }
      if (s.type === 'string' && s.maxLength !== undefined && p.name === 'q') {
        const long = await app.request(`${url}?q=${'a'.repeat(s.maxLength + 1)}`);
        assert.equal(long.status, 400);
        checked++;
      }
    }
  }
  assert.ok(checked >= 7, `checked ${checked}`);
});

test('the /api page is readable HTML listing every endpoint with its parameters', async () => {
  const res = await app.request('/api');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  for (const p of Object.keys(doc.paths)) assert.ok(html.includes(p.replace(/[{}]/g, (m) => (m === '{' ? '{' : '}'))), p);
  assert.match(html, /<code>limit<\/code>/);
  assert.match(html, /integer, 1–100/);
  assert.match(html, /href="\/openapi.json"/);
  assert.match(html, /Authorization: Bearer/);
});
