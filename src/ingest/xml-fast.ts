/**
 * A small, fast XML-to-object builder for the bulk path (OAI-PMH pages of 1,000 records).
 * It only runs on documents XMLValidator has already accepted as well-formed, and produces the
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
  node: Node;
  text: string;
  hasChild: boolean;
  hasAttr: boolean;
}

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function fastParse(xml: string, arrayTags: ReadonlySet<string>): Node | null {
  unknownEntity = false;
  const root: Frame = { name: '', node: {}, text: '', hasChild: false, hasAttr: false };
  const stack: Frame[] = [root];
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
      stack[stack.length - 1].text += xml.slice(i);
      break;
    }
    if (lt > i) stack[stack.length - 1].text += xml.slice(i, lt);
    const c = xml.charCodeAt(lt + 1);
    if (c === 63 /* ? */) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) return null;
      i = end + 2;
    } else if (c === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 4);
        if (end < 0) return null;
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
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
      const frame: Frame = { name, node: {}, text: '', hasChild: false, hasAttr: false };
      if (sp >= 0) {
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
  return stack.length === 1 && !unknownEntity ? root.node : null;
}
