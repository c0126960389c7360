import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paperMarkdown } from './paper.markdown.js';
import type { Paper } from '../../domain/paper.js';

const base: Paper = {
  id: '2401.12345',
  title: '# Not a heading: $O(n)$ attention',
  abstract: 'We keep $\\alpha < \\beta$ and 56.0\\% as TeX.',
  authors: ['Ada Lovelace', '- Bob'],
  categories: ['cs.LG'],
  primaryCategory: 'cs.LG',
  publishedAt: '2024-01-22T10:00:00Z',
  updatedAt: null,
  version: 1,
  versions: [],
  codeUrl: 'https://github.com/a/b',
  githubStars: 12,
  projectPage: 'https://example.org/p',
  aiSummary: null,
  aiKeywords: null,
  withdrawn: false,
  upvotes: 3,
  numComments: 0,
  trendingScore: 0,
  hidden: false,
  isDemo: false,
} as unknown as Paper;

test('title, authors, links, abstract with TeX kept', () => {
  const md = paperMarkdown(base, { baseUrl: 'http://x' });
  assert.ok(md.startsWith('# \\# Not a heading: $O(n)$ attention\n'));
  assert.ok(md.includes('**Authors:** Ada Lovelace, \\- Bob'));
  assert.ok(md.includes('We keep $\\alpha < \\beta$ and 56.0\\% as TeX.'));
  assert.ok(md.includes('[Code](https://github.com/a/b)') && md.includes('[Project page](https://example.org/p)'));
  assert.ok(!md.includes('## AI summary'), 'no AI section without a summary');
});

test('only http(s) URLs become links', () => {
  for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>', 'https://x.org/a)(javascript:alert(1)']) {
    const md = paperMarkdown({ ...base, projectPage: bad, codeUrl: bad } as Paper, { baseUrl: 'http://x' });
    assert.ok(!md.includes('[Project page]') && !md.includes('[Code]'), bad);
    assert.ok(!/javascript:|data:/i.test(md), bad);
  }
});
