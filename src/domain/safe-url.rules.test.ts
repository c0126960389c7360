// The URL rules as an attacker probes them: every invisible character, each length edge, each
// part of a URL that can smuggle another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeHttpUrl, safeRedirectPath, wellFormedText, MAX_URL_LENGTH } from './safe-url.js';

/** One of each range of the forbidden class, at its first and last code point. */
const INVISIBLE = [
  '\u0000', '\u0009', '\u0020', '\u007f', '\u0080', '\u009f', '\u00a0', '\u00ad', '\u1680', '\u180e',
  '\u2000', '\u200b', '\u200f', '\u2028', '\u2029', '\u202f', '\u205f', '\u2060', '\u206f', '\u3000', '\ufeff', '\ufff9', '\ufffb',
];

test('a URL of 2,000 characters is kept; 2,001 is dropped, not cut', () => {
  assert.equal(MAX_URL_LENGTH, 2000);
  const base = 'https://example.org/';
  const at = base + 'a'.repeat(2000 - base.length);
  assert.equal(safeHttpUrl(at), at);
  assert.equal(safeHttpUrl(at + 'a'), null);
  // Surrounding whitespace does not count towards the length.
  assert.equal(safeHttpUrl(`  ${at}\n`), at);
});

test('an invisible or formatting character anywhere drops the URL, in the host, path, query or fragment', () => {
  for (const c of INVISIBLE) {
    for (const u of [`https://exa${c}mple.org/`, `https://example.org/a${c}b`, `https://example.org/?q=${c}x`, `https://example.org/#a${c}b`]) {
      assert.equal(safeHttpUrl(u), null, JSON.stringify(u));
    }
  }
  // Just outside those ranges is ordinary text.
  for (const c of ['\u00a1', '\u00ae', '\u1681', '\u1fff', '\u2030', '\u205e', '\u2070', '\u3001', '\ufff8', '\ufffc']) {
    const u = `https://example.org/a${c}b`;
    assert.equal(safeHttpUrl(u), u, JSON.stringify(c));
  }
});

test('only http and https, in any case, followed by // and a host', () => {
  for (const u of ['http://a.example', 'HTTP://a.example', 'hTtPs://a.example/x']) assert.equal(safeHttpUrl(u), u);
  for (const u of ['httpx://a.example', 'https//a.example', 'xhttps://a.example', 'https:\\\\a.example', 'https://a.example\\x', 'ws://a.example', 'https://:pw@a.example/', 'https://user@a.example/']) {
    assert.equal(safeHttpUrl(u), null, u);
  }
});

test('lone surrogates become U+FFFD; paired ones and plain text are untouched', () => {
  assert.equal(wellFormedText('a\ud800b'), 'a\ufffdb');
  assert.equal(wellFormedText('a\udc00'), 'a\ufffd');
  assert.equal(wellFormedText('\ud83d\ude00 ok'), '\ud83d\ude00 ok');
  assert.equal(wellFormedText('plain'), 'plain');
  assert.equal(safeHttpUrl('https://example.org/\ud83d\ude00'), 'https://example.org/\ud83d\ude00');
  assert.equal(safeHttpUrl('https://example.org/\udc00'), null);
});

test('a redirect path of 500 characters is followed; 501 falls back', () => {
  const at = '/' + 'a'.repeat(499);
  assert.equal(safeRedirectPath(at), at);
  assert.equal(safeRedirectPath(at + 'a'), '/');
  assert.equal(safeRedirectPath('', '/home'), '/home');
  assert.equal(safeRedirectPath(42, '/home'), '/home');
  assert.equal(safeRedirectPath('x/y', '/home'), '/home');
});

test('a redirect path with any invisible character, or a percent-encoded control or backslash, falls back', () => {
  for (const c of INVISIBLE.filter((c) => c !== ' ')) assert.equal(safeRedirectPath(`/a${c}b`, '/f'), '/f', JSON.stringify(c));
  for (const e of ['%00', '%09', '%0A', '%0f', '%10', '%1F', '%1a', '%7F', '%5C', '%5c']) {
    assert.equal(safeRedirectPath(`/a${e}b`, '/f'), '/f', e);
  }
  assert.equal(safeRedirectPath('/%2F/evil.example', '/f'), '/f');
  // Only a leading encoded slash can make a second host; one further down is a path.
  assert.equal(safeRedirectPath('/a/%2Fb', '/f'), '/a/%2Fb');
  // Ordinary escapes pass through.
  for (const p of ['/a%20b', '/a%2Fb', '/a%7Eb', '/a%5Bb', '/a%60b', '/a%2eb']) assert.equal(safeRedirectPath(p, '/f'), p, p);
  // Spaces are allowed (and encoded); a space before a slash does not make a second slash.
  assert.equal(safeRedirectPath('/a b', '/f'), '/a%20b');
  assert.equal(safeRedirectPath('/ /evil.example', '/f'), '/%20/evil.example');
});

test('a redirect keeps the query and fragment of the same-site path', () => {
  assert.equal(safeRedirectPath('/search?q=x#top'), '/search?q=x#top');
  assert.equal(safeRedirectPath('/a/./b/../c?x=1#y'), '/a/c?x=1#y');
});

test('on a runtime without String.prototype.isWellFormed/toWellFormed the answers are the same', () => {
  const proto = String.prototype as any;
  const saved = { is: Object.getOwnPropertyDescriptor(proto, 'isWellFormed')!, to: Object.getOwnPropertyDescriptor(proto, 'toWellFormed')! };
  const cases = ['a\ud800b', 'a\udc00', '\udc00\ud800', '\ud83d\ude00 ok', 'plain', '\ud800'];
  const urls = ['https://example.org/\ud83d\ude00', 'https://example.org/\udc00', 'https://example.org/\ud800x', 'https://example.org/plain'];
  const paths = ['/a\ud800', '/\ud83d\ude00', '/plain'];
  const native = { text: cases.map(wellFormedText), urls: urls.map(safeHttpUrl), paths: paths.map((p) => safeRedirectPath(p, '/f')) };
  assert.deepEqual(native.text, ['a\ufffdb', 'a\ufffd', '\ufffd\ufffd', '\ud83d\ude00 ok', 'plain', '\ufffd']);
  try {
    delete proto.isWellFormed;
    delete proto.toWellFormed;
    assert.equal(typeof proto.isWellFormed, 'undefined');
    assert.deepEqual(cases.map(wellFormedText), native.text);
    assert.deepEqual(urls.map(safeHttpUrl), native.urls);
    assert.deepEqual(paths.map((p) => safeRedirectPath(p, '/f')), native.paths);
  } finally {
    Object.defineProperty(proto, 'isWellFormed', saved.is);
    Object.defineProperty(proto, 'toWellFormed', saved.to);
  }
});
