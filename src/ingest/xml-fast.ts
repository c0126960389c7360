/**
 * A small, fast XML-to-object builder for the bulk path (OAI-PMH pages of 1,000 records).
 * Without `validate` it only runs on documents XMLValidator has already accepted as well-formed.
 * With `validate` it checks well-formedness itself in the same pass, at least as strictly as
 * XMLValidator (one root element; only whitespace, comments and processing instructions around
 * it; ASCII names; every end tag matching its start tag; attributes quoted, spaced and not
 * repeated; every `&` in text a character or entity reference; no `<?xml` after the start) and
 * returns null when it is not sure, so the caller validates with XMLValidator (and reports its
 * line and column) — a document accepted here is one XMLValidator accepts, with the same tree
 * (test/ingest/xml-fast.test.ts checks both on fixtures, real pages and mutated pages). It produces the
 * same shape as our fast-xml-parser configuration for what the parsers read (namespace
 * prefixes stripped, `@_` attributes, `#text`, ARRAY_TAGS always arrays, values not coerced).
 * A document with a DOCTYPE (entity declarations) is left to fast-xml-parser and its expansion
 * limits, and one using HTML named entities (&nbsp;) to its entity table: this builder returns null for them. test/ingest/xml-fast.test.ts checks that both
 * builders give identical pages on every fixture and on real arXiv metadata.
 */
type Node = Record<string, unknown>;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Set when a named entity outside XML's five is seen: the caller falls back to fast-xml-parser (HTML entities). */
let unknownEntity = false;

function decode(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    const v = ENTITIES[e];
    if (v === undefined) unknownEntity = true;
    return v ?? m;
  });
}

const stripNs = (name: string) => {
  const i = name.indexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
};

interface Frame {
  name: string;
  /** The tag as written (with its prefix): the end tag must match it. */
  raw: string;
  node: Node;
  text: string;
  hasChild: boolean;
  hasAttr: boolean;
}

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** A subset of XML's (and XMLValidator's) Name production: ASCII only; anything else is left to XMLValidator. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
/** XMLValidator's whitespace (space, tab, LF, CR). */
const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const ALL_WS = /^[ \t\n\r]*$/;
/** A character or entity reference, as XMLValidator accepts them (a subset: named ones are letters only). */
const REF = /&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z]{1,20});/y;

/** Text between tags: whitespace only outside the root element; inside, every `&` starts a reference. */
function textOk(t: string, topLevel: boolean): boolean {
  if (topLevel) return ALL_WS.test(t);
  for (let a = t.indexOf('&'); a >= 0; a = t.indexOf('&', a + 1)) {
    REF.lastIndex = a;
    if (!REF.test(t)) return false;
  }
  return true;
}

/**
 * Strict attributes: each preceded by whitespace, `name = "value"` or `'value'`, names not
 * repeated. Adds them to the frame as the ATTR loop would. False when not well-formed.
 */
function strictAttrs(s: string, frame: Frame): boolean {
  const L = s.length;
  const seen: string[] = [];
  let k = 0;
  for (;;) {
    const w = k;
    while (k < L && isWs(s.charCodeAt(k))) k++;
    if (k >= L) return true;
    if (k === w) return false; // no whitespace before the attribute
    const ns = k;
    for (; k < L; k++) {
      const c = s.charCodeAt(k);
      if (isWs(c) || c === 61 /* = */) break;
    }
    const an = s.slice(ns, k);
    if (!NAME.test(an) || seen.includes(an)) return false;
    seen.push(an);
    while (k < L && isWs(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) !== 61) return false; // boolean attributes are not XML
    k++;
    while (k < L && isWs(s.charCodeAt(k))) k++;
    const q = s.charCodeAt(k);
    if (q !== 34 && q !== 39) return false;
    const close = s.indexOf(q === 34 ? '"' : "'", k + 1);
    if (close < 0) return false;
    if (!(an === 'xmlns' || an.startsWith('xmlns:'))) {
      frame.node[`@_${stripNs(an)}`] = decode(s.slice(k + 1, close));
      frame.hasAttr = true;
    }
    k = close + 1;
  }
}

export function fastParse(xml: string, arrayTags: ReadonlySet<string>, opts: { validate?: boolean } = {}): Node | null {
  unknownEntity = false;
  const strict = opts.validate === true;
  const root: Frame = { name: '', raw: '', node: {}, text: '', hasChild: false, hasAttr: false };
  const stack: Frame[] = [root];
  let roots = 0; // elements at the top level (strict: exactly one)
  let i = 0;
  const n = xml.length;
  const add = (parent: Frame, name: string, value: unknown) => {
    parent.hasChild = true;
    const cur = parent.node[name];
    if (arrayTags.has(name)) {
      if (cur === undefined) parent.node[name] = [value];
      else (cur as unknown[]).push(value);
    } else if (cur === undefined) parent.node[name] = value;
    else if (Array.isArray(cur) && (cur as { __multi?: boolean }).__multi) (cur as unknown[]).push(value);
    else {
      const a = [cur, value] as unknown[] & { __multi?: boolean };
      Object.defineProperty(a, '__multi', { value: true, enumerable: false });
      parent.node[name] = a;
    }
  };
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      const t = xml.slice(i);
      if (strict && !textOk(t, stack.length === 1)) return null;
      stack[stack.length - 1].text += t;
      break;
    }
    if (lt > i) {
      const t = xml.slice(i, lt);
      if (strict && !textOk(t, stack.length === 1)) return null;
      stack[stack.length - 1].text += t;
    }
    const c = xml.charCodeAt(lt + 1);
    if (c === 63 /* ? */) {
      // XMLValidator: the XML declaration only at the very start; nothing after the root.
      if (strict && ((lt > 0 && xml.startsWith('xml', lt + 2) && !/[A-Za-z0-9_.:-]/.test(xml[lt + 5] ?? '')) || (stack.length === 1 && roots > 0))) return null;
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) return null;
      i = end + 2;
    } else if (c === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        if (strict && stack.length === 1 && roots > 0) return null;
        const end = xml.indexOf('-->', lt + 4);
        if (end < 0) return null;
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        if (strict && stack.length === 1) return null;
        const end = xml.indexOf(']]>', lt + 9);
        if (end < 0) return null;
        stack[stack.length - 1].text += xml.slice(lt + 9, end).replace(/&/g, '&amp;'); // kept literal after decode
        i = end + 3;
      } else {
        return null; // DOCTYPE: leave entity declarations to fast-xml-parser's guarded expansion
      }
    } else if (c === 47 /* / */) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) return null;
      const f = stack.pop()!;
      if (stack.length === 0) return null;
      if (strict) {
        let e = end;
        while (e > lt + 2 && isWs(xml.charCodeAt(e - 1))) e--;
        if (xml.slice(lt + 2, e) !== f.raw) return null; // </b> closing <a>
      }
      const text = decode(f.text.trim());
      let value: unknown;
      if (!f.hasChild && !f.hasAttr) value = text;
      else {
        if (text) f.node['#text'] = text;
        value = f.node;
      }
      add(stack[stack.length - 1], f.name, value);
      i = end + 1;
    } else {
      // start tag; attribute values cannot contain '>' unescaped... they can, so scan quotes
      let j = lt + 1;
      let q = 0;
      for (; j < n; j++) {
        const ch = xml.charCodeAt(j);
        if (q) {
          if (ch === q) q = 0;
        } else if (ch === 34 || ch === 39) q = ch;
        else if (ch === 62 /* > */) break;
      }
      if (j >= n) return null;
      const selfClosing = xml.charCodeAt(j - 1) === 47;
      const inner = xml.slice(lt + 1, selfClosing ? j - 1 : j);
      const sp = inner.search(/\s/);
      const rawName = sp < 0 ? inner : inner.slice(0, sp);
      const name = stripNs(rawName);
      const frame: Frame = { name, raw: rawName, node: {}, text: '', hasChild: false, hasAttr: false };
      if (strict) {
        if (!NAME.test(rawName)) return null;
        if (stack.length === 1 && roots++ > 0) return null; // a second root element
        if (sp >= 0 && !strictAttrs(inner.slice(sp), frame)) return null;
      } else if (sp >= 0) {
        ATTR.lastIndex = 0;
        const attrs = inner.slice(sp);
        let m: RegExpExecArray | null;
        while ((m = ATTR.exec(attrs))) {
          const an = m[1];
          if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
          frame.node[`@_${stripNs(an)}`] = decode(m[2] ?? m[3] ?? '');
          frame.hasAttr = true;
        }
      }
      if (selfClosing) {
        add(stack[stack.length - 1], name, frame.hasAttr ? frame.node : '');
      } else stack.push(frame);
      i = j + 1;
    }
  }
  if (strict && roots !== 1) return null;
  return stack.length === 1 && !unknownEntity ? root.node : null;
}
