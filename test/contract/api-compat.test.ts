/**
 * Compatibility with Hugging Face's API: import real days of ../shared/data/hf-daily-papers
 * (raw responses of huggingface.co/api/daily_papers?date=…), serve them, and compare our
 * /api/daily_papers?date=… with the recorded response field by field, for every field we carry,
 * in the same order (by upvotes). Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
 *
 * Documented differences (not compared): HF's item.publishedAt is the arXiv announcement time,
 * ours is when the paper was featured (product.md); titles and abstracts are whitespace-
 * normalised (and so are full names); GitHub URLs are canonicalised (no trailing slash or .git); authors HF marks
 * hidden are left out; site-relative avatars ("/avatars/…") are made absolute against
 * https://huggingface.co; a user object always carries name, fullname and user (HF leaves out
 * one or the other in some eras); linked models/datasets/Spaces are not tracked (empty, 0).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { testApp, SHARED_DATA, writeJsonl, type TestApp, useApp } from '../support/app.js';
import { importFile } from '../../src/papers/import.service.js';
import { findGithubRepo, normalizeSpace } from '../../src/domain/paper.js';
import { ApiItem, ApiPaper } from '../../src/web/api/schemas.js';

const RAW = path.join(SHARED_DATA, 'hf-daily-papers', 'daily_papers_raw.jsonl.gz');
// Days of each era of the format: the oldest (no submittedOnDailyAt, no githubRepo), the
// Python-repr files of 2024-12 and the wrapped 2025-01-10, mid-2025, and the last day.
const DAYS = ['2024-05-27', '2024-12-10', '2025-01-10', '2025-06-02', '2025-06-03', '2025-06-04', '2026-08-21'];

let app: TestApp;
const recorded = new Map<string, any[]>();

async function readDays(days: string[]): Promise<{ lines: string[]; byDay: Map<string, any[]> }> {
  const want = new Set(days);
  const lines: string[] = [];
  const byDay = new Map<string, any[]>();
  const rl = readline.createInterface({ input: fs.createReadStream(RAW).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) {
    const m = /"archive_date": ?"(\d{4}-\d{2}-\d{2})"/.exec(line);
    if (!m || !want.has(m[1])) continue;
    lines.push(line);
    const o = JSON.parse(line);
    if (!byDay.has(o.archive_date)) byDay.set(o.archive_date, []);
    byDay.get(o.archive_date)!.push(o.item);
  }
  return { lines, byDay };
}

before(async () => {
  app = await testApp({ now: '2026-08-24T12:00:00Z' });
  const { lines, byDay } = await readDays(DAYS);
  for (const [d, items] of byDay) recorded.set(d, items);
  const file = writeJsonl(app.env.dataDir, 'days.jsonl', lines);
  const res = await importFile(app.ctx.store.db, file, { now: () => app.clock.now() });
  assert.equal(res.skipped, 0, JSON.stringify(res.skippedLines));
  assert.equal(res.dailyEntries, lines.length);
});

after(async () => {
  await app?.close();
});

function hfSubmitter(item: any): string | undefined {
  const p = item.paper;
  return p.submittedOnDailyBy?.user ?? item.submittedBy?.user ?? item.submittedBy?.name ?? undefined;
}

const iso = (s: string) => new Date(s).toISOString();

/** What we send for one of Hugging Face's user objects: its values, the avatar made absolute. */
function expectedUser(u: any, fields: string[]): Record<string, unknown> {
  const abs = (a: string) => (a.startsWith('/') ? `https://huggingface.co${a}` : a);
  const all: Record<string, unknown> = { _id: u._id ?? u.id, name: u.name ?? u.user, fullname: typeof u.fullname === 'string' ? normalizeSpace(u.fullname) : u.fullname, avatarUrl: u.avatarUrl === undefined ? undefined : abs(u.avatarUrl), type: u.type, isPro: u.isPro, isHf: u.isHf, isHfAdmin: u.isHfAdmin, isMod: u.isMod, followerCount: u.followerCount, user: u.user ?? u.name };
  const out: Record<string, unknown> = {};
  for (const f of fields) if (all[f] !== undefined) out[f] = all[f];
  return out;
}

function pick(o: any, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (o?.[f] !== undefined) out[f] = o[f];
  return out;
}

const USER_FIELDS = ['_id', 'name', 'fullname', 'avatarUrl', 'type', 'isPro', 'isHf', 'isHfAdmin', 'isMod', 'followerCount', 'user'];

test('every recorded day is served with the same papers in the same order, field by field', async () => {
  let compared = 0;
  const fieldsSeen = new Set<string>();
  for (const day of DAYS) {
    const hf = recorded.get(day)!;
    assert.ok(hf && hf.length > 0, `recorded data for ${day}`);
    const res = await app.request(`/api/daily_papers?date=${day}&limit=100`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const ours = (await res.json()) as any[];
    // HF's responses are ordered by upvotes (ties in response order): so are ours.
    assert.deepEqual(ours.map((x) => x.paper.id), hf.map((x) => x.paper.id), `order of ${day}`);
    for (let i = 0; i < hf.length; i++) {
      const h = hf[i];
      const hp = h.paper;
      const o = ours[i];
      const op = o.paper;
      const where = `${day} #${i} ${hp.id}`;
      ApiItem.parse(o);
      const eq = (field: string, a: unknown, b: unknown) => {
        fieldsSeen.add(field);
        assert.deepEqual(a, b, `${where}: ${field}`);
      };
      eq('paper.id', op.id, hp.id);
      eq('paper.title', op.title, normalizeSpace(hp.title));
      eq('title', o.title, normalizeSpace(hp.title));
      eq('paper.summary', op.summary, normalizeSpace(hp.summary));
      eq('summary', o.summary, normalizeSpace(hp.summary));
      eq(
        'paper.authors',
        op.authors,
        hp.authors.filter((a: any) => !a.hidden).map((a: any) => ({ _id: a._id, name: normalizeSpace(a.name), hidden: false, ...(a.user ? { user: expectedUser(a.user, USER_FIELDS) } : {}) })),
      );
      if (hp.authors.some((a: any) => a.user)) fieldsSeen.add('paper.authors[].user');
      eq('paper.publishedAt', op.publishedAt, iso(hp.publishedAt));
      eq('paper.upvotes', op.upvotes, hp.upvotes);
      eq('numComments', o.numComments, h.numComments);
      eq('paper.numComments', op.numComments, h.numComments);
      if (hp.githubRepo && findGithubRepo(hp.githubRepo)) eq('paper.githubRepo', op.githubRepo, findGithubRepo(hp.githubRepo));
      if (typeof hp.githubStars === 'number') eq('paper.githubStars', op.githubStars, hp.githubStars);
      if (hp.projectPage) eq('paper.projectPage', op.projectPage, hp.projectPage);
      if (hp.ai_summary) eq('paper.ai_summary', op.ai_summary, hp.ai_summary);
      if (Array.isArray(hp.ai_keywords) && hp.ai_keywords.length) eq('paper.ai_keywords', op.ai_keywords, hp.ai_keywords.map(normalizeSpace));
      if (hp.submittedOnDailyAt) {
        eq('paper.submittedOnDailyAt', op.submittedOnDailyAt, iso(hp.submittedOnDailyAt));
        // Our item.publishedAt is when the paper was featured (the documented difference above).
        eq('publishedAt', o.publishedAt, iso(hp.submittedOnDailyAt));
      }
      const sub = hfSubmitter(h);
      if (sub) {
        eq('submittedBy.name', o.submittedBy?.name, sub);
        eq('paper.submittedOnDailyBy.name', op.submittedOnDailyBy?.name, sub);
      }
      // The submitter as a user object: every field Hugging Face sent, value by value.
      if (hp.submittedOnDailyBy) {
        const fields = USER_FIELDS.filter((f) => f in hp.submittedOnDailyBy || (f === 'name' && 'user' in hp.submittedOnDailyBy));
        eq('paper.submittedOnDailyBy', pick(op.submittedOnDailyBy, fields), expectedUser(hp.submittedOnDailyBy, fields));
      }
      if (h.submittedBy) {
        const fields = USER_FIELDS.filter((f) => f in h.submittedBy);
        eq('submittedBy', pick(o.submittedBy, fields), expectedUser(h.submittedBy, fields));
        assert.ok(o.submittedBy.fullname, `${where}: a full name`);
      }
      if (hp.discussionId) eq('paper.discussionId', op.discussionId, hp.discussionId);
      const hfOrg = hp.organization ?? h.organization;
      const org = hfOrg && { ...hfOrg, fullname: normalizeSpace(hfOrg.fullname) };
      if (org) {
        eq('paper.organization', op.organization, org);
        eq('organization', o.organization, org);
      } else assert.equal(op.organization, undefined, `${where}: no organization`);
      if (h.thumbnail) eq('thumbnail', o.thumbnail, h.thumbnail);
      for (const k of ['Models', 'Datasets', 'Spaces']) {
        eq(`paper.linked${k}`, op[`linked${k}`], []);
        eq(`paper.numTotal${k}`, op[`numTotal${k}`], 0);
      }
      compared++;
    }
  }
  assert.ok(compared >= 100, `compared ${compared} items`);
  // Every field we claim to carry was actually compared on real data at least once.
  for (const f of ['paper.githubRepo', 'paper.githubStars', 'paper.projectPage', 'paper.ai_summary', 'paper.ai_keywords', 'paper.submittedOnDailyAt', 'submittedBy.name', 'publishedAt', 'paper.submittedOnDailyBy.name', 'paper.submittedOnDailyBy', 'submittedBy', 'paper.discussionId', 'paper.organization', 'organization', 'thumbnail', 'paper.authors[].user', 'paper.linkedModels', 'paper.numTotalSpaces']) assert.ok(fieldsSeen.has(f), f);
});

test('paging with p and limit walks the same order without gaps or repeats', async () => {
  const day = '2025-06-03';
  const hf = recorded.get(day)!;
  const seen: string[] = [];
  for (let p = 0; p < 10; p++) {
    const page = (await (await app.request(`/api/daily_papers?date=${day}&limit=7&p=${p}`)).json()) as any[];
    if (!page.length) break;
    assert.ok(page.length <= 7);
    seen.push(...page.map((x) => x.paper.id));
  }
  assert.deepEqual(seen, hf.map((x) => x.paper.id));
});

test('week and month cover the days they contain; submitter filters', async () => {
  const week = (await (await app.request('/api/daily_papers?week=2025-W23&limit=100')).json()) as any[];
  const june = ['2025-06-02', '2025-06-03', '2025-06-04'].flatMap((d) => recorded.get(d)!);
  assert.equal(week.length, june.length);
  assert.deepEqual(new Set(week.map((x) => x.paper.id)), new Set(june.map((x) => x.paper.id)));
  for (let i = 1; i < week.length; i++) assert.ok(week[i - 1].paper.upvotes >= week[i].paper.upvotes, 'by upvotes');
  const month = (await (await app.request('/api/daily_papers?month=2025-06&limit=100')).json()) as any[];
  assert.equal(month.length, june.length);

  const someone = june.map(hfSubmitter).find(Boolean)!;
  const theirs = (await (await app.request(`/api/daily_papers?week=2025-W23&limit=100&submitter=${encodeURIComponent(someone)}`)).json()) as any[];
  assert.ok(theirs.length >= 1);
  assert.deepEqual(theirs.map((x) => x.paper.id).sort(), june.filter((x) => hfSubmitter(x) === someone).map((x) => x.paper.id).sort());
});

test('without a date: every day, latest first, paged with p (as the client pages)', async () => {
  // Expected: the recorded days from the latest back, each in Hugging Face's (upvote) order.
  const expected = [...DAYS].sort().reverse().flatMap((d) => recorded.get(d)!.map((x) => x.paper.id));
  const first = (await (await app.request('/api/daily_papers')).json()) as any[];
  const latestDay = recorded.get('2026-08-21')!.map((x) => x.paper.id);
  assert.deepEqual(first.slice(0, latestDay.length).map((x) => x.paper.id), latestDay, 'page 0 starts with the latest day');
  const seen: string[] = [];
  for (let p = 0; p < 100; p++) {
    const page = (await (await app.request(`/api/daily_papers?p=${p}&limit=25`)).json()) as any[];
    if (!page.length) break;
    seen.push(...page.map((x) => x.paper.id));
  }
  assert.deepEqual(seen, expected, 'p=0, 1, 2, … walk every daily entry once, newest day first');
  assert.ok(((await (await app.request('/api/daily_papers?p=1&limit=25')).json()) as any[]).length > 0, 'p=1 is not empty');
  // submitter without a date: all of their entries, whatever the day.
  const all = [...recorded.values()].flat();
  const someone = all.map(hfSubmitter).find((s) => s && all.filter((x) => hfSubmitter(x) === s).length > 1)!;
  const theirs = (await (await app.request(`/api/daily_papers?limit=100&submitter=${encodeURIComponent(someone)}`)).json()) as any[];
  assert.deepEqual(theirs.map((x) => x.paper.id).sort(), all.filter((x) => hfSubmitter(x) === someone).map((x) => x.paper.id).sort());
  assert.ok(new Set(theirs.map((x) => x.submittedOnDailyAt?.slice(0, 10) ?? x.paper.submittedOnDailyAt?.slice(0, 10))).size >= 1);
});

test('an arXiv id or URL as the search query returns that paper', async () => {
  const h = recorded.get('2025-06-02')![0];
  for (const q of [h.paper.id, `${h.paper.id}v2`, `https://arxiv.org/abs/${h.paper.id}`, `https://huggingface.co/papers/${h.paper.id}`, `arxiv.org/pdf/${h.paper.id}v1`]) {
    const res = await app.request(`/api/papers/search?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, q);
    const items = (await res.json()) as any[];
    assert.deepEqual(items.map((x) => x.paper.id), [h.paper.id], q);
  }
  assert.deepEqual(await (await app.request('/api/papers/search?q=2401.99999')).json(), [], 'an id the store lacks: empty, not an error');
});

test('a malformed or unknown id is a 404 with a JSON error, like huggingface.co', async () => {
  for (const id of ['1234.56789', '2401.99999', 'not-an-id', '2401.1']) {
    const res = await app.request(`/api/papers/${id}`);
    assert.equal(res.status, 404, id);
    assert.equal(typeof (await res.json()).error, 'string');
  }
});

test('/api/papers/{id} is the flat paper object with the same fields', async () => {
  const h = recorded.get('2025-06-02')![0];
  const res = await app.request(`/api/papers/${h.paper.id}`);
  assert.equal(res.status, 200);
  const p = await res.json();
  ApiPaper.parse(p);
  assert.equal(p.id, h.paper.id);
  assert.equal(p.title, normalizeSpace(h.paper.title));
  assert.equal(p.upvotes, h.paper.upvotes);
  assert.equal(p.submittedOnDailyAt, iso(h.paper.submittedOnDailyAt));
  // A version suffix is accepted and ignored.
  assert.equal((await (await app.request(`/api/papers/${h.paper.id}v2`)).json()).id, h.paper.id);
});

test('cursor paging over every paper: each exactly once, newest first', async () => {
  const all = new Set<string>();
  let url: string | null = '/api/papers?limit=40';
  let prev = '9999';
  let pages = 0;
  while (url) {
    const res = await app.request(url);
    assert.equal(res.status, 200);
    const page = (await res.json()) as any[];
    for (const p of page) {
      assert.ok(!all.has(p.id), `repeated ${p.id}`);
      all.add(p.id);
      assert.ok((p.publishedAt ?? '') <= prev, 'newest first');
      prev = p.publishedAt ?? '';
    }
    const link = res.headers.get('link');
    url = link ? new URL(/<([^>]+)>; rel="next"/.exec(link)![1]).pathname + new URL(/<([^>]+)>/.exec(link)![1]).search : null;
    if (++pages > 50) assert.fail('too many pages');
  }
  const expected = new Set([...recorded.values()].flat().map((x) => x.paper.id));
  assert.deepEqual(all, expected);
});

test('/papers/{id}.md and Accept: text/markdown serve the paper as Markdown (read_paper)', async () => {
  const all = [...recorded.values()].flat();
  const h = all.find((x) => x.paper.ai_summary && x.paper.githubRepo && findGithubRepo(x.paper.githubRepo) && /\$/.test(x.paper.summary)) ?? all.find((x) => x.paper.ai_summary && x.paper.githubRepo)!;
  const hp = h.paper;
  const res = await app.request(`/papers/${hp.id}.md`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/markdown; charset=utf-8/);
  const md = await res.text();
  assert.ok(md.startsWith(`# ${normalizeSpace(hp.title)}\n`), md.slice(0, 200));
  assert.ok(md.includes(`**Authors:** ${hp.authors.filter((a: any) => !a.hidden).map((a: any) => normalizeSpace(a.name)).join(', ')}`));
  assert.ok(md.includes(`[arXiv:${hp.id}](https://arxiv.org/abs/${hp.id})`));
  assert.ok(md.includes(`## Abstract\n\n${normalizeSpace(hp.summary)}\n`), 'abstract verbatim, TeX kept');
  assert.ok(md.includes(`## AI summary`) && md.includes(hp.ai_summary.trim()));
  if (hp.ai_keywords?.length) assert.ok(md.includes(`**AI keywords:** ${hp.ai_keywords.map(normalizeSpace).join(', ')}`));
  assert.ok(md.includes(`[Code](${findGithubRepo(hp.githubRepo)})`));
  const negotiated = await app.request(`/papers/${hp.id}`, { headers: { accept: 'text/markdown' } });
  assert.equal(negotiated.status, 200);
  assert.equal(await negotiated.text(), md);
  const html = await app.request(`/papers/${hp.id}`, { headers: { accept: 'text/html,text/markdown;q=0.9' } });
  assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal((await app.request('/papers/2401.99999.md')).status, 404);
  assert.equal((await app.request('/papers/not-an-id.md')).status, 404);
});

test("re-importing into a store made before Hugging Face's extra fields were kept fills them; again, it changes nothing", async () => {
  const db = app.ctx.store.db;
  const h = recorded.get('2026-08-21')!.find((x) => x.organization && x.thumbnail && x.paper.submittedOnDailyBy)!;
  const before = await (await app.request(`/api/papers/${h.paper.id}`)).json();
  // What a store imported before migration 004 holds: the columns exist, empty.
  await db.updateTable('papers').set({ hf_discussion_id: null, thumbnail: null, organization: null, author_links: null }).execute();
  await db.updateTable('daily_entries').set({ submitter_profile: null }).execute();
  const emptied = await (await app.request(`/api/papers/${h.paper.id}`)).json();
  assert.equal(emptied.organization, undefined);
  assert.equal(emptied.submittedOnDailyBy.avatarUrl, undefined);

  const { lines } = await readDays(DAYS);
  const file = writeJsonl(app.env.dataDir, 'again.jsonl', lines);
  const res = await importFile(db, file, { now: () => app.clock.now() });
  assert.equal(res.added, 0);
  assert.ok(res.updated >= recorded.get('2026-08-21')!.length, `updated ${res.updated}`);
  const after = await (await app.request(`/api/papers/${h.paper.id}`)).json();
  assert.deepEqual(after, before);
  const item = ((await (await app.request('/api/daily_papers?date=2026-08-21&limit=100')).json()) as any[]).find((x) => x.paper.id === h.paper.id);
  assert.equal(item.thumbnail, h.thumbnail);
  assert.equal(item.organization.name, h.organization.name);

  const again = await importFile(db, file, { now: () => app.clock.now() });
  assert.deepEqual([again.added, again.updated], [0, 0], 'a second re-import is a no-op');
});

test('hostile values in the archive never become links or markup; local submitters have the same user shape', async (t) => {
  const other = await useApp(t, { now: '2026-08-24T12:00:00Z' });
  const line = {
    archive_date: '2026-08-21',
    item: {
      paper: {
        id: '2608.99901',
        title: 'Hostile <b>title</b>',
        summary: 'S',
        upvotes: 3,
        publishedAt: '2026-08-13T00:00:00.000Z',
        submittedOnDailyAt: '2026-08-21T00:00:00.000Z',
        discussionId: 'javascript:alert(1)',
        authors: [{ _id: 'a1', name: 'Eve <img src=x onerror=alert(1)>', hidden: false, user: { _id: 'u1', user: 'eve', fullname: '<script>alert(1)</script>', avatarUrl: 'javascript:alert(1)', type: 'user', isPro: false } }],
        submittedOnDailyBy: { _id: 'u2', user: 'mallory', name: 'mallory', fullname: '<a href="javascript:alert(1)">M</a>', avatarUrl: 'java\tscript:alert(1)', type: 'user', isPro: false },
        organization: { _id: 'o1', name: 'evil-org', fullname: '<i>Evil</i> Org', avatar: 'javascript:alert(1)' },
      },
      thumbnail: 'javascript:alert(1)',
      numComments: 0,
      publishedAt: '2026-08-21T00:00:00.000Z',
    },
  };
  const file = writeJsonl(other.env.dataDir, 'hostile.jsonl', [line]);
  const res = await importFile(other.ctx.store.db, file, { now: () => other.clock.now() });
  assert.equal(res.skipped, 0);
  const [item] = (await (await other.request('/api/daily_papers?date=2026-08-21')).json()) as any[];
  ApiItem.parse(item);
  // Names are text (sent as written, escaped where shown); no value is a non-http(s) URL.
  const values: string[] = [];
  JSON.stringify(item, (_k, v) => (typeof v === 'string' && values.push(v), v));
  assert.deepEqual(values.filter((v) => /^\s*java/i.test(v)), []);
  assert.equal(item.thumbnail, undefined);
  assert.equal(item.paper.discussionId, undefined);
  assert.deepEqual(item.paper.organization, { _id: 'o1', name: 'evil-org', fullname: '<i>Evil</i> Org' });
  assert.deepEqual(item.submittedBy, { _id: 'u2', name: 'mallory', fullname: '<a href="javascript:alert(1)">M</a>', type: 'user', isPro: false, user: 'mallory' });
  assert.equal(item.submittedBy.avatarUrl, undefined);
  assert.equal(item.paper.authors[0].user.avatarUrl, undefined);

  const html = await (await other.request('/papers/2608.99901')).text();
  assert.doesNotMatch(html, /(href|src)\s*=\s*"[^"]*javascript:/i, 'no javascript: URL on the page');
  assert.ok(!html.includes('<img src=x'), 'no markup from an author name');
  assert.ok(!html.includes('<a href="javascript'), 'no markup from a full name');
  assert.ok(!html.includes('<i>Evil</i>'), 'no markup from an organization name');

  // Values stored by another path (a SQL console, an older version) are checked again on the way out.
  const db = other.ctx.store.db;
  await db.updateTable('papers').set({ thumbnail: 'javascript:alert(1)', organization: JSON.stringify({ name: 'evil-org', fullname: 'E', avatar: 'javascript:alert(1)' }), hf_discussion_id: '"><b>' }).where('id', '=', '2608.99901').execute();
  await other.ctx.events.emit({ kind: 'data', what: 'test' });
  const [stored] = (await (await other.request('/api/daily_papers?date=2026-08-21')).json()) as any[];
  assert.equal(stored.thumbnail, undefined);
  assert.deepEqual(stored.organization, { name: 'evil-org', fullname: 'E' });
  assert.equal(stored.paper.discussionId, undefined);

  // A local user's submission: the same user object, from the account.
  const u = await db.insertInto('users').values({ name: 'localsub', email: 'l@example.org', role: 'user', created_at: '2026-08-20T00:00:00.000Z' } as any).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('daily_entries').values({ paper_id: '2608.99901', date: '2026-08-22', submitted_by: u.id, submitter_name: null, submitted_at: '2026-08-22T09:00:00.000Z', source: 'user', rank: null }).execute();
  const [mine] = (await (await other.request('/api/daily_papers?date=2026-08-22')).json()) as any[];
  ApiItem.parse(mine);
  assert.deepEqual(mine.submittedBy, { _id: String(u.id), name: 'localsub', fullname: 'localsub', type: 'user', isPro: false, user: 'localsub' });
  assert.deepEqual(mine.paper.submittedOnDailyBy, mine.submittedBy);
});

test('rate limits: the IETF RateLimit and RateLimit-Policy fields (structured fields) as huggingface.co sends them, and on a 429', async (t) => {
  const limited = await useApp(t, { env: { RATE_LIMIT_PER_MINUTE: '3' } });
  const field = (res: Response) => /^"(\w+)";r=(\d+);t=(\d+)$/.exec(res.headers.get('ratelimit') ?? '');
  const policy = (res: Response) => /^"(\w+)";q=(\d+);w=(\d+)$/.exec(res.headers.get('ratelimit-policy') ?? '');
  for (let i = 0; i < 3; i++) {
    const res = await limited.request('/api/daily_papers');
    assert.equal(res.status, 200);
    const f = field(res);
    const p = policy(res);
    assert.ok(f, `RateLimit: ${res.headers.get('ratelimit')}`);
    assert.ok(p, `RateLimit-Policy: ${res.headers.get('ratelimit-policy')}`);
    assert.equal(f[1], p[1], 'the same policy name');
    assert.deepEqual([Number(f[2]), Number(p[2]), Number(p[3])], [2 - i, 3, 60]);
    assert.ok(Number(f[3]) >= 0 && Number(f[3]) <= 60);
    assert.equal(res.headers.get('ratelimit-remaining'), String(2 - i), 'the earlier draft\'s fields are kept');
  }
  const res = await limited.request('/api/daily_papers');
  assert.equal(res.status, 429);
  const f = field(res);
  assert.ok(f, `RateLimit on the 429: ${res.headers.get('ratelimit')}`);
  assert.equal(Number(f[2]), 0);
  assert.ok(Number(f[3]) >= 1 && Number(f[3]) <= 60, 'seconds until requests are allowed again');
  assert.equal(Number(res.headers.get('retry-after')), Number(f[3]));
  assert.ok(policy(res));
  assert.equal(res.headers.get('ratelimit-limit'), '3');
  // A browser client may read them (CORS).
  const cors = await limited.request('/api/daily_papers', { headers: { origin: 'https://example.org' } });
  assert.match(cors.headers.get('access-control-expose-headers') ?? '', /(^|,\s*)RateLimit(,|$)/i);
});

/**
 * Field NAMES and JSON types, independently of the values: every key Hugging Face sent in the
 * recorded responses is in ours with the same type (string, number, boolean, object, array), at
 * every level (item, paper, authors, users, organization), except the ones listed here as not
 * carried; and every key we send is one Hugging Face sent, or one of our documented additions.
 * A field renamed by one letter (numComment, submitedBy) or retyped (a count as a string) fails.
 */
const NOT_CARRIED: Record<string, string[]> = {
  // media galleries, who added the GitHub link, the AI summary's model, the authors' claim status
  // on huggingface.co and the submitter's organization: not in our store (docs/api.md).
  item: ['mediaUrls', 'mediaUrl', 'submitterOrganization'],
  paper: ['mediaUrls', 'githubRepoAddedBy', 'ai_summary_model'],
  author: ['status', 'statusLastChangedAt'],
  // whether the viewer follows the submitter: a per-viewer value of huggingface.co's session.
  user: ['isUserFollowing'],
  organization: [],
};
const OUR_ADDITIONS: Record<string, string[]> = {
  item: [],
  // numComments on the paper (paper_info reads it), linked repos (the client's PaperInfo types),
  // and Papertide's own: categories, version, withdrawn, trendingScore.
  paper: ['numComments', 'linkedModels', 'numTotalModels', 'linkedDatasets', 'numTotalDatasets', 'linkedSpaces', 'numTotalSpaces', 'categories', 'version', 'withdrawn', 'trendingScore'],
  author: [],
  user: [],
  organization: [],
};

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Differences by kind (the same one on 200 items is one line, with a count and an example). */
type Problems = Map<string, { n: number; example: string }>;
function note(out: Problems, what: string, where: string) {
  const p = out.get(what);
  if (p) p.n++;
  else out.set(what, { n: 1, example: where });
}

function compareKeys(kind: string, hf: any, ours: any, where: string, out: Problems, hfKeys: Set<string>) {
  if (!hf || typeof hf !== 'object') return;
  if (!ours || typeof ours !== 'object') return note(out, `${where.split(' ').slice(2).join(' ') || kind}: missing`, where);
  const path = where.split(' ').slice(2).join(' ').replace(/\[\d+\]/g, '[]') || 'item';
  for (const k of Object.keys(hf)) {
    hfKeys.add(`${kind}.${k}`);
    if (NOT_CARRIED[kind].includes(k)) continue;
    if (!(k in ours)) note(out, `${path}.${k}: missing`, where);
    else if (jsonType(ours[k]) !== jsonType(hf[k])) note(out, `${path}.${k}: ${jsonType(ours[k])}, Hugging Face sends ${jsonType(hf[k])}`, where);
  }
}

test('field names and JSON types: every key Hugging Face sent is ours too, and ours are Hugging Face’s or documented additions', async () => {
  const problems: Problems = new Map();
  const hfKeys = new Set<string>();
  const ourKeys = new Set<string>();
  for (const day of DAYS) {
    const hf = recorded.get(day)!;
    const ours = (await (await app.request(`/api/daily_papers?date=${day}&limit=100`)).json()) as any[];
    for (let i = 0; i < hf.length; i++) {
      const h = hf[i];
      const o = ours[i];
      const where = `${day} ${h.paper.id}`;
      for (const k of Object.keys(o)) ourKeys.add(`item.${k}`);
      for (const k of Object.keys(o.paper)) ourKeys.add(`paper.${k}`);
      for (const a of o.paper.authors) for (const k of Object.keys(a)) ourKeys.add(`author.${k}`);
      compareKeys('item', h, o, where, problems, hfKeys);
      compareKeys('paper', h.paper, o.paper, `${where} paper`, problems, hfKeys);
      const hAuthors = h.paper.authors.filter((a: any) => !a.hidden);
      hAuthors.forEach((a: any, j: number) => {
        compareKeys('author', a, o.paper.authors[j], `${where} paper.authors[${j}]`, problems, hfKeys);
        if (a.user) compareKeys('user', a.user, o.paper.authors[j]?.user, `${where} paper.authors[${j}].user`, problems, hfKeys);
      });
      // HF's user objects come without one of name/user in some eras; ours always carry both.
      if (h.paper.submittedOnDailyBy) compareKeys('user', h.paper.submittedOnDailyBy, o.paper.submittedOnDailyBy, `${where} paper.submittedOnDailyBy`, problems, hfKeys);
      if (h.submittedBy) compareKeys('user', h.submittedBy, o.submittedBy, `${where} submittedBy`, problems, hfKeys);
      for (const [hOrg, oOrg, w] of [[h.paper.organization, o.paper.organization, 'paper.organization'], [h.organization, o.organization, 'organization']] as const) {
        if (hOrg) compareKeys('organization', hOrg, oOrg, `${where} ${w}`, problems, hfKeys);
      }
    }
  }
  // Our keys: Hugging Face's (from anywhere in the recorded days) or a documented addition.
  for (const k of ourKeys) {
    const [kind, name] = k.split('.');
    if (!hfKeys.has(k) && !OUR_ADDITIONS[kind].includes(name)) note(problems, `we send ${k}, which Hugging Face never sent in the recorded days and is not a documented addition`, '');
  }
  assert.deepEqual([...problems].map(([what, p]) => `${what} (${p.n}×, e.g. ${p.example})`), []);
  // (NOT_CARRIED lists keys of the whole archive; some, such as submitterOrganization, are not in these days.)
});
