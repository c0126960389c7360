import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { safeHttpUrl, safeRedirectPath, tryDecodeURIComponent } from './safe-url.js';

/** Every way we know to smuggle script or another scheme into a link. */
const HOSTILE_URLS = [
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  '\tjavascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  'java\rscript:alert(1)',
  '\u0000javascript:alert(1)',
  '\u0001javascript:alert(1)',
  'jav&#x09;ascript:alert(1)',
  'javascript&colon;alert(1)',
  'JAVASCRIPT:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'DATA:text/html,x',
  'file:///etc/passwd',
  '//evil.example/',
  '/\\evil.example',
  '\\\\evil.example',
  'https:evil.example',
  'https:/evil.example',
  'http://',
  'https://user:pw@evil.example/',
  'https://paypal.com@evil.example/',
  'https://ex ample.org/',
  'https://example.org/\u0000',
  'https://example.org/a\tb',
  'https://example.org/\u202eexe.fdp',
  'https://example.org/\ud800',
  'https://\u200bexample.org/',
  'ftp://example.org/',
  'mailto:a@example.org',
  'blob:https://example.org/x',
  '"><script>alert(1)</script>',
  '',
  '   ',
];

test('safeHttpUrl drops every scheme but http(s) and every smuggling variant', () => {
  for (const u of HOSTILE_URLS) assert.equal(safeHttpUrl(u), null, JSON.stringify(u));
  for (const v of [null, undefined, 42, {}, ['https://example.org/']]) assert.equal(safeHttpUrl(v), null);
  assert.equal(safeHttpUrl('https://example.org/' + 'a'.repeat(2000)), null);
});

test('safeHttpUrl keeps real http(s) URLs as written, trimmed', () => {
  for (const u of ['https://github.com/org/repo', 'http://example.org', 'https://x.github.io/proj/#demo', 'HTTPS://Example.org/A?b=c&d=e', 'https://例え.jp/パス', 'https://example.org:8443/a%20b']) {
    assert.equal(safeHttpUrl(u), u);
  }
  assert.equal(safeHttpUrl('  https://example.org/x \n'), 'https://example.org/x');
});

test('safeHttpUrl: whatever the input, the answer is null or starts with http(s)://', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.fullUnicodeString(), fc.webUrl(), fc.constantFrom(...HOSTILE_URLS).map((s) => s + 'x')), (s) => {
      const r = safeHttpUrl(s);
      if (r === null) return true;
      const u = new URL(r);
      return /^https?:\/\//i.test(r) && (u.protocol === 'http:' || u.protocol === 'https:') && !/[\u0000-\u0020\u007f]/.test(r);
    }),
    { seed: 18, numRuns: 2000 },
  );
  // Real web URLs survive.
  fc.assert(fc.property(fc.webUrl({ validSchemes: ['http', 'https'] }), (u) => safeHttpUrl(u) === u), { seed: 18, numRuns: 500 });
});

test('safeRedirectPath: same-site paths pass, everything else falls back', () => {
  for (const p of ['/', '/papers/2401.12345', '/settings/tokens', '/search?q=a+b&page=2', '/papers/hep-th/9901001#comments']) assert.equal(safeRedirectPath(p), p);
  assert.equal(safeRedirectPath('/a/../b'), '/b');
  assert.equal(safeRedirectPath('/search?q=a b'), '/search?q=a%20b');
  for (const bad of ['//evil.example/', '/\\evil.example', '/\t/evil.example/', '/\n/evil', '/\u000b/evil', '/\u000c/evil', '/%09/evil.example/', '/%0a/evil', '/%0B', '/%0c', '/%5c/evil', '/%2f/evil', 'https://evil.example/', 'javascript:alert(1)', 'evil.example', ' /x', '', '/' + 'a'.repeat(600), '/\u0000', '/\ud800']) {
    assert.equal(safeRedirectPath(bad), '/', JSON.stringify(bad));
  }
  assert.equal(safeRedirectPath(undefined, '/x'), '/x');
  fc.assert(
    fc.property(fc.fullUnicodeString(), fc.string(), (a, b) => {
      for (const s of [a, '/' + a, '/' + b, '//' + b, '/%' + b]) {
        const r = safeRedirectPath(s);
        const u = new URL(r, 'https://papertide.example');
        if (u.origin !== 'https://papertide.example' || !r.startsWith('/') || r.startsWith('//') || /[\u0000-\u001f\\]/.test(r)) return false;
      }
      return true;
    }),
    { seed: 18, numRuns: 2000 },
  );
});

test('tryDecodeURIComponent answers null for malformed percent-encoding', () => {
  assert.equal(tryDecodeURIComponent('%zz'), null);
  assert.equal(tryDecodeURIComponent('%ff'), null);
  assert.equal(tryDecodeURIComponent('a%20b'), 'a b');
});

test('safeRedirectPath: dot segments cannot collapse a path into another host', () => {
  for (const bad of ['/.//evil.example', '/%2e//evil.example', '/a/..//evil.example', '/././/evil.example/x?y#z', '/.%2e//evil.example', '/\\evil.example', '/a\\b']) {
    assert.equal(safeRedirectPath(bad), '/', JSON.stringify(bad));
  }
  fc.assert(
    fc.property(fc.constantFrom('/.', '/%2e', '/a/..', '/./.', '/.%2E'), fc.stringOf(fc.constantFrom('/', '.', '\\', 'e', '%', '2', 'f')), (prefix, rest) => {
      const r = safeRedirectPath(prefix + '//' + rest);
      return r.startsWith('/') && !r.startsWith('//') && new URL(r, 'https://papertide.example').origin === 'https://papertide.example';
    }),
    { seed: 20, numRuns: 500 },
  );
});
