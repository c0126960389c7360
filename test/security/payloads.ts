/**
 * Hostile inputs shared by the security suites: URL variants that smuggle script or another
 * scheme, markup that would run if unescaped, strings PostgreSQL or the URL decoder choke on,
 * and fast-check arbitraries built from them. Payloads that would run set `window.__pwned`
 * (or open a dialog), so a browser test can observe whether any ran.
 */
import fc from 'fast-check';

/** The fixed seed of every property in the security suites: failures replay exactly. */
export const SEED = 18;

const JS = 'window.__pwned=1;alert(1)';

/** Every variant of an executable or foreign-scheme link we know of. */
export const HOSTILE_URLS = [
  `javascript:${JS}`,
  `JavaScript:${JS}`,
  ` javascript:${JS}`,
  `\tjavascript:${JS}`,
  `java\tscript:${JS}`,
  `java\nscript:${JS}`,
  `java\rscript:${JS}`,
  `\u0001javascript:${JS}`,
  `\u0000javascript:${JS}`,
  `JAVASCRIPT:${JS}`,
  `javascript&colon;${JS}`,
  `jav&#x09;ascript:${JS}`,
  `vbscript:msgbox(1)`,
  `data:text/html,<script>${JS}</script>`,
  `data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+`,
  `DATA:text/html,<script>${JS}</script>`,
  'file:///etc/passwd',
  '//evil.example/',
  '/\\evil.example/',
  'https:evil.example',
  'https://user:pw@evil.example/',
  `https://example.org/"onmouseover="${JS}`,
  `https://example.org/'><script>${JS}</script>`,
];

/** Markup and attribute breaks that must come out as text. `x-pwn` marks anything unescaped. */
export const HOSTILE_MARKUP = [
  `<script>${JS}</script>`,
  `<img src=x onerror="${JS}"><x-pwn>`,
  `"><svg onload=${JS}><x-pwn>`,
  `'><x-pwn onmouseover=pwn>`,
  `" onmouseover="pwn`,
  `</textarea><x-pwn>`,
  `]]><x-pwn>`,
  `{{7*7}}\${7*7}<%= 7*7 %>`,
  `[link](javascript:${JS}) <a href="javascript:${JS}">a</a>`,
  `$\\href{javascript:${JS}}{x}$ \\url{javascript:alert(1)}`,
];

/** Strings that break decoders, PostgreSQL text, integer columns or naive parsers. */
export const HOSTILE_TEXT = [
  '\u0000',
  'a\u0000b',
  '%00',
  '%zz',
  '%ff',
  '%25zz',
  '%E0%A4%A',
  '%',
  '\ud800',
  'x\udfffy',
  '\u202e\u200b\ufeff',
  '\u0001\u0002\u001f\u007f',
  '\r\n\u000b\u000c',
  '../../../etc/passwd',
  "' OR 1=1 --",
  '99999999999999999999',
  '2147483648',
  '-1',
  '1e400',
  'NaN',
  '0x10',
  '',
  ' ',
  'a'.repeat(5000),
];

const CONTROL = fc.integer({ min: 0, max: 0x1f }).map((n) => String.fromCharCode(n));

/** One hostile string: a known payload, random (incl. lone surrogates), or a mix. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_URLS, ...HOSTILE_MARKUP, ...HOSTILE_TEXT) },
  { weight: 1, arbitrary: fc.string16bits({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.stringOf(fc.oneof(CONTROL, fc.constantFrom('%', '<', '>', '"', "'", '&', '\\', '/', '?', '#', ':', 'a', '0')), { maxLength: 30 }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_URLS, ...HOSTILE_MARKUP, ...HOSTILE_TEXT), fc.string16bits({ maxLength: 10 })).map(([a, b]) => a + b) },
);

/** A hostile URL-ish value for a link field. */
export const hostileUrl: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_URLS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('javascript:', 'data:', 'vbscript:', ' javascript:', 'java\tscript:', 'jAvAsCrIpT:'), CONTROL, fc.string16bits({ maxLength: 10 })).map(([a, c, b]) => c + a + b) },
  { weight: 1, arbitrary: hostileString },
);

/**
 * Percent-encode a value for a URL path or query the way a client would, except that text a
 * client cannot encode (lone surrogates) and raw `%` payloads are sent as written: malformed
 * percent-encoding is part of what is under test.
 */
export function enc(s: string): string {
  if (/^%/.test(s) && HOSTILE_TEXT.includes(s)) return s; // malformed on purpose
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += '%ED%A0%80'; // a surrogate's CESU-8 bytes: not UTF-8
    else out += encodeURIComponent(ch);
  }
  return out;
}
