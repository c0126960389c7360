/**
 * Hostile input on every route and API parameter, and through import, on the real app and store
 * (SQLite here, PostgreSQL under `npm run test:pg`). Property-based with fast-check at a fixed
 * seed and a bounded number of runs: strings with control characters, NUL, lone surrogates,
 * malformed percent-encoding, markup and `javascript:` variants go into query parameters, path
 * segments, form fields (with a valid CSRF token, signed in) and JSON bodies (with an API token).
 *
 * Every response must hold: no 5xx; no executable URL scheme in any href/src/action or in any
 * URL field of the JSON API; no markup from the input unescaped; redirects stay on the site;
 * feeds still parse (rss-parser for RSS/Atom, JSON for JSON Feed).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Parser from 'rss-parser';
import { testApp, writeJsonl, type TestApp } from '../support/app.js';
import { FormClient, signedIn } from '../support/form-client.js';
import { papersChanged } from '../../src/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { createApiToken } from '../../src/api-tokens/api-tokens.service.js';
import { HOSTILE_URLS, SEED, enc, hostileString, hostileUrl } from './payloads.js';

const DAY = '2025-06-04';
const RUNS = Number(process.env.HOSTILE_RUNS ?? 16);
const rss = new Parser();

let app: TestApp;
let alice: FormClient;
let mod: FormClient;
let bearer: string;
let commentId = 0;
let commentPage = '';
let throwaway = 0;
const hostileIds: string[] = [];

// ------------------------------------------------------------------ what every response must hold

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return ENTITY[e.toLowerCase()] ?? m;
  });
}

/** What a browser would follow for an attribute value: a URL whose scheme is not http(s)/mailto is executable or foreign. */
export function badLink(value: string): string | null {
  // Browsers strip leading/trailing C0 controls and spaces, and remove tabs and newlines anywhere.
  const v = decodeEntities(value).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  if (/^[/\\]{2}/.test(v)) return `protocol-relative link ${JSON.stringify(value)}`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v)?.[1]?.toLowerCase();
  if (scheme && !['http', 'https', 'mailto'].includes(scheme)) return `${scheme}: link ${JSON.stringify(value)}`;
  if (scheme && (scheme === 'http' || scheme === 'https') && /^https?:(?!\/\/)/i.test(v)) return `malformed ${scheme} link ${JSON.stringify(value)}`;
  return null;
}

const URL_ATTR = /\s(href|src|action|formaction|poster|srcset|xlink:href|background|cite|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

export function checkHtml(html: string, label: string): void {
  assert.doesNotMatch(html, /<x-pwn/i, `${label}: unescaped <x-pwn> markup`);
  assert.doesNotMatch(html, /<script>window\.__pwned/i, `${label}: unescaped <script>`);
  for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
    // Inside a tag (escaped text never makes one): no event handler, so no attribute broke out of its quotes.
    assert.doesNotMatch(tag.replace(/"[^"]*"|'[^']*'/g, '""'), /\son[a-z]+\s*=/i, `${label}: an event-handler attribute in ${tag.slice(0, 300)}`);
    for (const m of tag.matchAll(URL_ATTR)) {
      const value = m[2] ?? m[3] ?? m[4] ?? '';
      const bad = badLink(value);
      assert.equal(bad, null, `${label}: ${bad} in ${tag.slice(0, 300)}`);
    }
  }
}

const URL_KEYS = /^(githubRepo|projectPage|url|href|link|thumbnail|mediaUrl|home_page_url|feed_url|external_url|image|avatar|website)$|Url$|_url$/;

export function checkJson(v: unknown, label: string, key = ''): void {
  if (typeof v === 'string') {
    if (URL_KEYS.test(key)) {
      const bad = badLink(v) ?? (/^\s*[a-z][a-z0-9+.-]*:/i.test(v) && !/^https?:\/\//i.test(v) ? `non-http URL ${JSON.stringify(v)}` : null);
      assert.equal(bad, null, `${label}: JSON field ${key}: ${bad}`);
    }
    if (key === 'content_html') checkHtml(v, `${label} content_html`);
    return;
  }
  if (Array.isArray(v)) v.forEach((x) => checkJson(x, label, key));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) checkJson(x, label, k);
}

async function checkResponse(res: Response, label: string): Promise<string> {
  const body = await res.text();
  assert.ok(res.status < 500, `${label}: ${res.status} ${body.slice(0, 300)}`);
  const location = res.headers.get('location');
  if (location) {
    assert.doesNotMatch(location, /[\u0000-\u001f\u007f]/, `${label}: control character in Location`);
    assert.ok(location.startsWith('/') ? !/^[/\\]{2}|^\/[\t\n\r]*[/\\]/.test(location) : location.startsWith(app.ctx.config.baseUrl + '/'), `${label}: redirect off the site: ${location}`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('text/html')) checkHtml(body, label);
  else if (type.startsWith('application/json')) {
    let parsed: unknown;
    assert.doesNotThrow(() => (parsed = JSON.parse(body)), `${label}: invalid JSON`);
    checkJson(parsed, label);
  } else if (type.startsWith('application/feed+json')) {
    const feed = JSON.parse(body);
    checkJson(feed, label);
  } else if (type.startsWith('application/rss+xml') || type.startsWith('application/atom+xml')) {
    const feed = await rss.parseString(body).catch((e) => assert.fail(`${label}: the feed does not parse: ${e.message}`));
    for (const it of feed.items) {
      checkHtml((it as any)['content:encoded'] ?? it.content ?? '', `${label} item content`);
      assert.doesNotMatch(it.title ?? '', /<x-pwn|<script/i, `${label}: markup in an item title`);
    }
  }
  return body;
}

// ------------------------------------------------------------------ the app, with hostile data in it

function hfRaw(id: string, f: { title?: string; summary?: string; projectPage?: unknown; githubRepo?: unknown; thumbnail?: unknown; author?: string; submitter?: string }) {
  return {
    archive_date: DAY,
    item: {
      paper: {
        id,
        title: f.title ?? `Paper ${id}`,
        summary: f.summary ?? 'An abstract about transformers and agents.',
        authors: [{ name: f.author ?? 'Ada Lovelace' }],
        publishedAt: `${DAY}T08:00:00.000Z`,
        upvotes: 3,
        projectPage: f.projectPage,
        githubRepo: f.githubRepo,
        submittedOnDailyBy: { user: f.submitter ?? 'hf-user' },
      },
      title: f.title ?? `Paper ${id}`,
      thumbnail: f.thumbnail,
      mediaUrl: f.thumbnail,
      numComments: 0,
      publishedAt: `${DAY}T09:00:00.000Z`,
    },
  };
}

const hostileRecord = fc.record({
  title: fc.tuple(hostileString, fc.string16bits({ maxLength: 5 })).map(([a, b]) => `T ${a}${b}`),
  summary: fc.tuple(hostileString, hostileString).map(([a, b]) => `S ${a} ${b}`),
  projectPage: hostileUrl,
  githubRepo: fc.oneof(hostileUrl, hostileUrl.map((u) => `${u} https://github.com/evil/repo"onmouseover="pwn`)),
  thumbnail: hostileUrl,
  author: hostileString.map((s) => `A ${s}`),
  submitter: hostileString,
});

before(async () => {
  app = await testApp({ now: `${DAY}T12:00:00Z` });
  if (process.env.HOSTILE_DEBUG) (app.ctx.logger as any).error = (o: any) => console.log('APP ERROR', o?.err?.stack ?? o);
  const records = fc.sample(hostileRecord, { seed: SEED, numRuns: 40 });
  const lines: object[] = records.map((r, i) => {
    const id = `2506.${String(10001 + i)}`;
    hostileIds.push(id);
    return hfRaw(id, r);
  });
  // Every known URL variant once in each link field, besides the random ones.
  HOSTILE_URLS.forEach((u, i) => {
    const id = `2506.${String(20001 + i)}`;
    hostileIds.push(id);
    lines.push(hfRaw(id, { projectPage: u, githubRepo: u, thumbnail: u, title: `Links ${i} <x-pwn>` }));
  });
  lines.push(hfRaw('2506.00001', { projectPage: 'https://example.org/project', githubRepo: 'https://github.com/org/repo' }));
  const file = writeJsonl(app.env.dataDir, 'hostile.jsonl', lines);
  const r = await importFile(app.ctx.store.db, file, { now: () => app.clock.now(), onChanged: (ids) => papersChanged(app.ctx, ids) });
  assert.ok(r.added >= 60, `imported ${r.added}`);
  // Values stored before the rule existed (or by another path) must not render either.
  await app.ctx.store.db.updateTable('papers').set({ project_page: 'JavaScript:window.__pwned=1', code_url: ' javascript:window.__pwned=1' }).where('id', '=', '2506.00001').execute();
  papersChanged(app.ctx, ['2506.00001']);

  ({ browser: alice } = await signedIn(app, 'alice'));
  const m = await signedIn(app, 'mod', 'moderator');
  mod = m.browser;
  const aliceId = (await app.ctx.store.db.selectFrom('users').select('id').where('name', '=', 'alice').executeTakeFirstOrThrow()).id;
  bearer = (await createApiToken(app.ctx.store.db, Number(aliceId), 'fuzz', app.clock.now())).token;
  const posted = await alice.post('/comments', { paper: '2506.00001', body: 'See [x](javascript:window.__pwned=1) and <x-pwn> and [ok](https://example.org/).' });
  assert.equal(posted.status, 303, posted.html.slice(0, 300));
  commentId = Number(/#c(\d+)/.exec(posted.location!)![1]);
  commentPage = (await alice.get(`/papers/${'2506.00001'}`)).html; // before the fuzzing edits the comment
});
after(async () => app?.close());

// ------------------------------------------------------------------ every route

type Who = 'anon' | 'alice' | 'mod' | 'bearer' | 'fresh';
interface Route {
  name: string;
  who: Who;
  runs?: number;
  /** Build the request from hostile strings. */
  make: (a: string, b: string) => { path: string; form?: Record<string, string>; json?: unknown; method?: string };
}

const ID = '2506.00001';
const ROUTES: Route[] = [
  // pages (GET): path segments and query parameters
  { name: 'home ?p', who: 'anon', make: (a) => ({ path: `/?p=${enc(a)}` }) },
  { name: 'date page', who: 'anon', make: (a, b) => ({ path: `/papers/date/${enc(a)}?p=${enc(b)}` }) },
  { name: 'week page', who: 'anon', make: (a) => ({ path: `/papers/week/${enc(a)}` }) },
  { name: 'month page', who: 'anon', make: (a) => ({ path: `/papers/month/${enc(a)}` }) },
  { name: 'paper page id', who: 'anon', make: (a) => ({ path: `/papers/${enc(a)}` }) },
  { name: 'paper page raw id', who: 'anon', make: (a) => ({ path: `/papers/${a.replace(/[?#\s]/g, '')}` }) },
  { name: 'trending', who: 'anon', make: (a, b) => ({ path: `/papers/trending?window=${enc(a)}&page=${enc(b)}&cat=${enc(a)}` }) },
  { name: 'search', who: 'anon', make: (a, b) => ({ path: `/search?q=${enc(a)}&page=${enc(b)}&sort=${enc(b)}&cat=${enc(a)}&from=${enc(b)}&to=${enc(a)}&code=${enc(b)}&debug=1` }) },
  { name: 'search suggest', who: 'anon', make: (a) => ({ path: `/search/suggest?q=${enc(a)}` }) },
  { name: 'user page', who: 'anon', make: (a) => ({ path: `/u/${enc(a)}` }) },
  { name: 'feeds index', who: 'anon', make: (a) => ({ path: `/feeds?x=${enc(a)}` }) },
  { name: 'feed file', who: 'anon', make: (a) => ({ path: `/feeds/${enc(a)}` }) },
  { name: 'category feed', who: 'anon', make: (a) => ({ path: `/feeds/category/${enc(a)}.rss` }) },
  { name: 'author feed', who: 'anon', make: (a) => ({ path: `/feeds/author/${enc(a)}.atom` }) },
  { name: 'author feed json', who: 'anon', make: (a) => ({ path: `/feeds/author/${enc(a)}.json` }) },
  { name: 'search feed', who: 'anon', make: (a) => ({ path: `/feeds/search.rss?q=${enc(a)}` }) },
  { name: 'login ?next', who: 'anon', make: (a) => ({ path: `/login?next=${enc(a)}` }) },
  { name: 'verify ?token', who: 'anon', make: (a) => ({ path: `/verify?token=${enc(a)}` }) },
  { name: 'reset ?token', who: 'anon', make: (a) => ({ path: `/reset?token=${enc(a)}` }) },
  { name: 'subscribe ?email', who: 'anon', make: (a) => ({ path: `/subscribe?email=${enc(a)}` }) },
  { name: 'subscription link', who: 'anon', make: (a) => ({ path: `/subscription/${enc(a)}?welcome=${enc(a)}` }) },
  { name: 'unsubscribe link', who: 'anon', make: (a) => ({ path: `/unsubscribe/${enc(a)}` }) },
  { name: 'submit ?id', who: 'alice', make: (a) => ({ path: `/submit?id=${enc(a)}` }) },
  { name: 'comment edit page', who: 'alice', make: (a) => ({ path: `/comments/${enc(a)}/edit` }) },
  { name: 'moderation ?done', who: 'mod', make: (a) => ({ path: `/moderation?done=${enc(a)}` }) },
  { name: 'tokens page', who: 'alice', make: (a) => ({ path: `/settings/tokens?x=${enc(a)}` }) },
  { name: 'unknown path', who: 'anon', make: (a) => ({ path: `/${enc(a)}` }) },
  { name: 'static', who: 'anon', make: (a) => ({ path: `/static/${enc(a)}` }) },
  // the JSON API (GET)
  { name: 'api daily_papers', who: 'anon', make: (a, b) => ({ path: `/api/daily_papers?date=${enc(a)}&week=${enc(b)}&p=${enc(b)}&limit=${enc(a)}&sort=${enc(b)}&submitter=${enc(a)}` }) },
  { name: 'api daily_papers month', who: 'anon', make: (a) => ({ path: `/api/daily_papers?month=${enc(a)}` }) },
  { name: 'api search', who: 'anon', make: (a, b) => ({ path: `/api/papers/search?q=${enc(a)}&limit=${enc(b)}` }) },
  { name: 'api papers', who: 'anon', make: (a, b) => ({ path: `/api/papers?cursor=${enc(a)}&limit=${enc(b)}` }) },
  { name: 'api trending', who: 'anon', make: (a, b) => ({ path: `/api/trending?window=${enc(a)}&p=${enc(b)}&limit=${enc(a)}` }) },
  { name: 'api paper', who: 'anon', make: (a) => ({ path: `/api/papers/${enc(a)}` }) },
  { name: 'api similar', who: 'anon', make: (a, b) => ({ path: `/api/papers/${enc(a)}/similar?limit=${enc(b)}` }) },
  // forms (POST, valid CSRF token, signed in where the route needs it)
  { name: 'POST signup', who: 'anon', runs: 6, make: (a, b) => ({ path: '/signup', form: { name: a, email: b, password: a + 'xxxxxxxx' } }) },
  { name: 'POST login', who: 'anon', runs: 6, make: (a, b) => ({ path: '/login', form: { email: a, password: b, next: a } }) },
  { name: 'POST forgot', who: 'anon', runs: 6, make: (a) => ({ path: '/forgot', form: { email: a } }) },
  { name: 'POST reset', who: 'anon', runs: 6, make: (a, b) => ({ path: '/reset', form: { token: a, password: b, revoke_tokens: a } }) },
  { name: 'POST comment', who: 'alice', make: (a, b) => ({ path: '/comments', form: { paper: ID, body: a + ' ' + b, parent: b } }) },
  { name: 'POST comment paper', who: 'alice', make: (a, b) => ({ path: '/comments', form: { paper: a, body: b } }) },
  { name: 'POST comment edit', who: 'alice', make: (a) => ({ path: `/comments/${commentId}/edit`, form: { body: `edited ${a}` } }) },
  { name: 'POST comment edit id', who: 'alice', make: (a, b) => ({ path: `/comments/${enc(a)}/edit`, form: { body: b } }) },
  { name: 'POST comment delete id', who: 'alice', make: (a) => ({ path: `/comments/${enc(a)}/delete`, form: {} }) },
  { name: 'POST vote', who: 'alice', make: (a, b) => ({ path: '/vote', form: { paper: a, back: b, want: a } }) },
  { name: 'POST vote back', who: 'alice', make: (a) => ({ path: '/vote', form: { paper: ID, back: a } }) },
  { name: 'POST submit', who: 'alice', make: (a) => ({ path: '/submit', form: { arxiv: a } }) },
  { name: 'POST token', who: 'alice', make: (a) => ({ path: '/settings/tokens', form: { name: a } }) },
  { name: 'POST token revoke', who: 'alice', make: (a) => ({ path: `/settings/tokens/${enc(a)}/revoke`, form: {} }) },
  { name: 'POST subscribe', who: 'anon', runs: 6, make: (a, b) => ({ path: '/subscribe', form: { email: a, cadence: b, topics: a } }) },
  { name: 'POST subscription', who: 'anon', make: (a, b) => ({ path: `/subscription/${enc(a)}`, form: { cadence: b, topics: a } }) },
  { name: 'POST unsubscribe', who: 'anon', make: (a) => ({ path: `/unsubscribe/${enc(a)}`, form: {} }) },
  { name: 'POST verify resend', who: 'alice', runs: 4, make: () => ({ path: '/verify/resend', form: {} }) },
  { name: 'POST hide paper', who: 'mod', make: (a, b) => ({ path: '/moderation/papers/hide', form: { paper: a, reason: b, back: a } }) },
  { name: 'POST hide comment', who: 'mod', make: (a, b) => ({ path: `/moderation/comments/${enc(a)}/hide`, form: { reason: b, back: a } }) },
  { name: 'POST ban', who: 'mod', make: (a, b) => ({ path: '/moderation/users/ban', form: { name: a, reason: b, back: b } }) },
  { name: 'POST unban', who: 'mod', make: (a, b) => ({ path: '/moderation/users/unban', form: { name: a, reason: b } }) },
  { name: 'POST logout', who: 'fresh', runs: 4, make: () => ({ path: '/logout', form: {} }) },
  { name: 'POST logout everywhere', who: 'fresh', runs: 4, make: (a) => ({ path: '/logout/everywhere', form: { revoke_tokens: a } }) },
  // library and follows
  { name: 'library ?p', who: 'alice', make: (a) => ({ path: `/library?p=${enc(a)}` }) },
  { name: 'collection id', who: 'alice', make: (a) => ({ path: `/collections/${enc(a)}` }) },
  { name: 'collection feed', who: 'anon', make: (a) => ({ path: `/collections/${enc(a)}/feed.atom` }) },
  { name: 'collection export', who: 'anon', make: (a) => ({ path: `/collections/${enc(a)}/export.bib` }) },
  { name: 'cite', who: 'anon', make: (a) => ({ path: `/cite/${enc(a)}.bib` }) },
  { name: 'POST library save', who: 'alice', make: (a, b) => ({ path: '/library/save', form: { paper: a, want: b, back: b } }) },
  { name: 'POST library note', who: 'alice', make: (a, b) => ({ path: '/library/note', form: { paper: ID, note: a + b, back: a } }) },
  { name: 'POST library import', who: 'alice', runs: 8, make: (a, b) => ({ path: '/library/import', form: { text: `@article{${a}, eprint = {${b}}}\n${a}`, collection: b } }) },
  { name: 'POST collection', who: 'alice', runs: 8, make: (a, b) => ({ path: '/collections', form: { name: a, description: b, public: b } }) },
  { name: 'POST collection papers', who: 'alice', make: (a, b) => ({ path: `/collections/${enc(b)}/papers`, form: { paper: a, want: b, back: a } }) },
  { name: 'POST follow', who: 'alice', make: (a, b) => ({ path: '/follow', form: { kind: b, value: a, want: b, back: a } }) },
  { name: 'POST follow query', who: 'alice', make: (a) => ({ path: '/follow', form: { kind: 'query', value: a, want: 'on' } }) },
  { name: 'POST follow author', who: 'alice', make: (a) => ({ path: '/follow', form: { kind: 'author', value: a, want: 'on' } }) },
  { name: 'following page (after hostile follows)', who: 'alice', runs: 3, make: (a) => ({ path: `/following?x=${enc(a)}` }) },
  { name: 'library page (after hostile notes and collections)', who: 'alice', runs: 3, make: (a) => ({ path: `/library?x=${enc(a)}` }) },
  { name: 'library export (after hostile notes)', who: 'alice', runs: 3, make: () => ({ path: '/library/export.bib' }) },
  // the JSON API's writes (Bearer token)
  { name: 'API submit', who: 'bearer', make: (a) => ({ path: '/api/papers/submit', json: { id: a } }) },
  { name: 'API upvote', who: 'bearer', make: (a) => ({ path: `/api/papers/${enc(a)}/upvote`, json: {} }) },
  { name: 'API comment', who: 'bearer', make: (a, b) => ({ path: `/api/papers/${ID}/comment`, json: { body: a + b, parentId: b } }) },
  { name: 'API comment id', who: 'bearer', make: (a, b) => ({ path: `/api/papers/${enc(a)}/comments`, json: { body: b } }) },
  { name: 'API comment parent', who: 'bearer', make: (a) => ({ path: `/api/papers/${ID}/comment`, json: { body: 'x', parentId: Number(a) || 2 ** 40 } }) },
  // private feeds and the personal API (library, collections, follows, recommendations)
  { name: 'private feed', who: 'anon', make: (a, b) => ({ path: `/feeds/private/${enc(a)}.atom?window=${enc(b)}` }) },
  { name: 'private feed token-shaped', who: 'anon', make: (a) => ({ path: `/feeds/private/pf_${enc(a).replace(/[^A-Za-z0-9_-]/g, '').padEnd(43, 'A').slice(0, 43)}.json` }) },
  { name: 'feeds settings', who: 'alice', runs: 3, make: (a) => ({ path: `/settings/feeds?x=${enc(a)}` }) },
  { name: 'POST feed url', who: 'alice', make: (a) => ({ path: '/settings/feeds', form: { feed: a } }) },
  { name: 'POST feed url revoke', who: 'alice', make: (a) => ({ path: `/settings/feeds/${enc(a)}/revoke`, form: {} }) },
  { name: 'API library', who: 'bearer', make: (a, b) => ({ method: 'GET', path: `/api/library?limit=${enc(a)}&offset=${enc(b)}` }) },
  { name: 'API save', who: 'bearer', make: (a) => ({ path: '/api/library', json: { id: a } }) },
  { name: 'API note', who: 'bearer', make: (a, b) => ({ path: `/api/library/${enc(a)}/note`, json: { note: b } }) },
  { name: 'API note body', who: 'bearer', make: (a, b) => ({ path: `/api/library/${ID}/note`, json: { note: a + b } }) },
  { name: 'API unsave', who: 'bearer', make: (a) => ({ method: 'DELETE', path: `/api/library/${enc(a)}` }) },
  { name: 'API export', who: 'bearer', make: (a) => ({ method: 'GET', path: `/api/library/export?format=${enc(a)}` }) },
  { name: 'API import', who: 'bearer', runs: 8, make: (a, b) => ({ path: '/api/library/import', json: { text: `@article{${a}, eprint = {${b}}}\n${a}`, collection: Number(b) || b } }) },
  { name: 'API collection create', who: 'bearer', runs: 8, make: (a, b) => ({ path: '/api/collections', json: { name: a, description: b, public: b === '' } }) },
  { name: 'API collection', who: 'bearer', make: (a) => ({ method: 'GET', path: `/api/collections/${enc(a)}` }) },
  { name: 'API collection export', who: 'bearer', make: (a, b) => ({ method: 'GET', path: `/api/collections/${enc(a)}/export?format=${enc(b)}` }) },
  { name: 'API collection add', who: 'bearer', make: (a, b) => ({ path: `/api/collections/${enc(a)}/papers`, json: { id: b } }) },
  { name: 'API collection remove', who: 'bearer', make: (a, b) => ({ method: 'DELETE', path: `/api/collections/${enc(a)}/papers/${enc(b)}` }) },
  { name: 'API follow', who: 'bearer', make: (a, b) => ({ path: '/api/follows', json: { kind: b, value: a } }) },
  { name: 'API follow query', who: 'bearer', make: (a) => ({ path: '/api/follows', json: { kind: 'query', value: a } }) },
  { name: 'API unfollow', who: 'bearer', make: (a) => ({ method: 'DELETE', path: `/api/follows/${enc(a)}` }) },
  { name: 'API follows and library (after hostile writes)', who: 'bearer', runs: 3, make: () => ({ method: 'GET', path: '/api/follows' }) },
  { name: 'API recommendations', who: 'bearer', make: (a, b) => ({ method: 'GET', path: `/api/recommendations?window=${enc(a)}&limit=${enc(b)}` }) },
];

async function send(route: Route, a: string, b: string): Promise<Response> {
  const r = route.make(a, b);
  if (route.who === 'bearer') {
    if (r.json === undefined) return app.request(r.path, { method: r.method ?? 'GET', headers: { authorization: `Bearer ${bearer}` } });
    return app.request(r.path, { method: r.method ?? 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(r.json) });
  }
  let browser: FormClient;
  if (route.who === 'alice') browser = alice;
  else if (route.who === 'mod') browser = mod;
  else if (route.who === 'fresh') browser = (await signedIn(app, `fresh${++throwaway}`)).browser;
  else {
    browser = new FormClient(app);
    await browser.get('/login'); // an anonymous CSRF token, as a form would carry
  }
  if (!r.form) return browser.request(r.path);
  const body = new URLSearchParams({ _csrf: browser.csrf, ...r.form });
  return browser.request(r.path, { method: r.method ?? 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

describe('every route and parameter, with hostile strings', () => {
  for (const route of ROUTES) {
    test(route.name, async () => {
      await fc.assert(
        fc.asyncProperty(hostileString, hostileString, async (a, b) => {
          const res = await send(route, a, b);
          const label = `${route.name} ${JSON.stringify(route.make(a, b)).slice(0, 300)}`;
          await checkResponse(res, label);
          if (route.who === 'alice' || route.who === 'mod') {
            // The signed-in browsers stay signed in (a bad input never ends a session).
            const who = route.who === 'alice' ? 'alice' : 'mod';
            assert.equal(route.who === 'alice' ? alice.cookies.has('pt_session') : mod.cookies.has('pt_session'), true, `${label}: ${who} lost the session`);
          }
        }),
        { seed: SEED, numRuns: route.runs ?? RUNS, endOnFailure: true },
      );
    });
  }
});

describe('the exact cases of the report', () => {
  test('malformed percent-encoding: 400/404 with a message, never a 500', async () => {
    for (const p of ['/papers/%25zz', '/%ff', '/%25zz', '/papers/%ff', '/static/%ff', '/u/%ff', '/u/%25zz', '/feeds/author/%25zz.rss', '/api/papers/%25zz', '/api/papers/%E0%A4%A', '/papers/date/%ff', '/search?q=%ff', '/search?q=%zz']) {
      const res = await app.request(p);
      const body = await res.text();
      assert.ok(res.status >= 200 && res.status < 500, `${p}: ${res.status}`);
      if (res.status >= 400) assert.ok(res.status === 400 || res.status === 404, `${p}: ${res.status}`);
      if (res.status >= 400) assert.match(body, /not|no page|no paper|invalid|valid/i, `${p}: a readable message`);
    }
  });

  test('a NUL character: 400 with a message on every kind of input, on this store', async () => {
    const anon = new FormClient(app);
    await anon.get('/login');
    const cases: [string, () => Promise<Response>][] = [
      ['search', () => app.request('/search?q=a%00b')],
      ['suggest', () => app.request('/search/suggest?q=a%00')],
      ['api search', () => app.request('/api/papers/search?q=a%00')],
      ['user', () => app.request('/u/a%00b')],
      ['author feed', () => app.request('/feeds/author/a%00.rss')],
      ['search feed', () => app.request('/feeds/search.rss?q=a%00')],
      ['daily api submitter', () => app.request('/api/daily_papers?submitter=a%00')],
      ['login', () => anon.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: anon.csrf, email: 'a\u0000@example.org', password: 'x' }) })],
      ['comment', () => alice.request('/comments', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: alice.csrf, paper: ID, body: 'a\u0000b' }) })],
      ['token name', () => alice.request('/settings/tokens', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: alice.csrf, name: 'a\u0000b' }) })],
      ['api comment', () => app.request(`/api/papers/${ID}/comment`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{"body":"a\\u0000b"}' })],
      ['multipart', () => alice.request('/settings/tokens', { method: 'POST', body: (() => { const f = new FormData(); f.set('_csrf', alice.csrf); f.set('name', 'a\u0000b'); return f; })() })],
    ];
    for (const [name, run] of cases) {
      const res = await run();
      const body = await res.text();
      assert.equal(res.status, 400, `${name}: ${res.status} ${body.slice(0, 200)}`);
      assert.match(body, /NUL character/, name);
    }
    // The boundary: the same inputs without the NUL are not refused for it.
    assert.equal((await app.request('/search?q=ab')).status, 200);
    assert.equal((await app.request('/u/alice')).status, 200);
    const ok = await app.request(`/api/papers/${ID}/comment`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{"body":"a\\\\u0000b is how JSON writes NUL"}' });
    assert.equal(ok.status, 201, 'an escaped backslash before u0000 is text, not a NUL');
  });

  test('ids past a 32-bit integer are a 4xx on both stores; the largest one is an ordinary miss', async () => {
    for (const n of ['2147483647', '2147483648', '1000000000000', '99999999999999999999']) {
      const cases: [string, Promise<Response>][] = [
        ['edit page', alice.request(`/comments/${n}/edit`)],
        ['edit', alice.request(`/comments/${n}/edit`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: alice.csrf, body: 'x' }) })],
        ['delete', alice.request(`/comments/${n}/delete`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: alice.csrf }) })],
        ['reply', alice.request('/comments', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: alice.csrf, paper: ID, body: 'x', parent: n }) })],
        ['hide', mod.request(`/moderation/comments/${n}/hide`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: mod.csrf, reason: 'x' }) })],
        ['revoke', alice.request(`/settings/tokens/${n}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: alice.csrf }) })],
        ['api reply', app.request(`/api/papers/${ID}/comment`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: `{"body":"x","parentId":${n}}` })],
      ];
      for (const [name, p] of cases) {
        const res = await p;
        const body = await res.text();
        assert.ok(res.status >= 400 && res.status < 500, `${name} ${n}: ${res.status} ${body.slice(0, 200)}`);
      }
    }
  });

  test('imported hostile links never become links, and the API never emits another scheme', async () => {
    for (const id of [...hostileIds, '2506.00001']) {
      const page = await app.request(`/papers/${id}`);
      const html = await checkResponse(page, `paper ${id}`);
      assert.equal(page.status, 200, id);
      // No link on the page is one of the record's hostile values (checkHtml checked every scheme).
      for (const m of html.matchAll(/\shref="([^"]*)"/g)) assert.doesNotMatch(decodeEntities(m[1]), /^\W*(?:java|vb)\W*script|^\W*data:/i, `${id}: ${m[1]}`);
      const api = await app.request(`/api/papers/${id}`);
      const json = JSON.parse(await checkResponse(api, `api paper ${id}`));
      for (const k of ['githubRepo', 'projectPage'] as const) if (json[k] !== undefined) assert.match(json[k], /^https?:\/\//i, `${id} ${k}`);
    }
    // The value stored before the rule: no link on the page, none in the API.
    const pre = await (await app.request('/papers/2506.00001')).text();
    assert.doesNotMatch(pre, /Project page|GitHub:/);
    const preApi = await (await app.request('/api/papers/2506.00001')).json();
    assert.equal(preApi.projectPage, undefined);
    assert.equal(preApi.githubRepo, undefined);
    // A clean record keeps its links (the other side of the boundary).
    const clean = await app.request('/api/papers/2506.20001');
    assert.equal(clean.status, 200);
    for (const p of ['/', `/papers/date/${DAY}`, '/api/daily_papers', `/api/daily_papers?date=${DAY}&limit=100`, '/feeds/daily.rss', '/feeds/daily.atom', '/feeds/daily.json', '/papers/trending', '/api/trending', '/u/alice']) {
      await checkResponse(await app.request(p), p);
    }
  });

  test('a clean imported record keeps its links', async () => {
    const file = writeJsonl(app.env.dataDir, 'clean.jsonl', [hfRaw('2506.30001', { projectPage: ' https://example.org/p ', githubRepo: 'https://github.com/org/clean' })]);
    await importFile(app.ctx.store.db, file, { now: () => app.clock.now(), onChanged: (ids) => papersChanged(app.ctx, ids) });
    const json = await (await app.request('/api/papers/2506.30001')).json();
    assert.equal(json.projectPage, 'https://example.org/p');
    assert.equal(json.githubRepo, 'https://github.com/org/clean');
    const html = await (await app.request('/papers/2506.30001')).text();
    assert.match(html, /href="https:\/\/example\.org\/p"/);
    assert.match(html, /href="https:\/\/github\.com\/org\/clean"/);
  });

  test('comment Markdown: only http(s) links survive', async () => {
    checkHtml(commentPage, 'paper with comments');
    assert.match(commentPage, /<a href="https:\/\/example\.org\/" rel="nofollow ugc noopener">ok<\/a>/);
    assert.match(commentPage, /See <a>x<\/a>/, 'the javascript: link lost its href, kept its text');
    assert.match(commentPage, /&lt;x-pwn&gt;/);
  });
});
