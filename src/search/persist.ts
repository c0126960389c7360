/**
 * On-disk format of the search index (DATA_DIR/search/):
 *   manifest.json          { format, tokenizer, embedder: {id, dim}, bm25f, docs, builtAt, seq,
 *                            generation, files }
 *   index-<gen>.bin        every typed array back to back (8-byte aligned), located by manifest.files
 *   strings-<gen>.json     doc ids, terms, embedder vocabulary, category/author list keys
 * `seq` is the last change of the store's change log the snapshot contains: a server loads it and
 * applies the changes after it (search.service.ts), so the snapshot itself is never edited.
 * Saving is atomic: the new generation's files are written under a `.tmp-<pid>-…` folder, moved
 * next to the old ones under names of their own, and the manifest (the commit point) is renamed
 * over the old one; a reader always gets a manifest and the files it names. The previous
 * generation is kept for a reader that read the old manifest a moment ago; older ones, and
 * `.tmp-*` folders a killed build left, are removed (removeStaleFiles).
 * An index written before generations (index.bin, strings.json, and delta.jsonl / removed.json
 * with the changes since) still loads.
 * A manifest whose format, tokenizer or embedder differs from what the running code expects is
 * refused with IndexMismatchError ("run papertide reindex").
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TabledError } from '../domain/errors.js';
import { CorpusEmbedder } from './embedders/corpus-embedder.js';
import { SearchEngine } from './engine.js';
import { LexicalIndex, type SearchDoc } from './lexical-index.js';
import { PositionStore } from './positions.js';
import { TOKENIZER_ID } from './tokenizer.js';
import { VectorIndex } from './vector-index.js';

export const INDEX_FORMAT = 1;

export interface IndexManifest {
  format: number;
  tokenizer: string;
  embedder: { id: string; dim: number } | null;
  bm25f: unknown;
  averages: { title: number; abstract: number; authors: number };
  docs: number;
  builtAt: string;
  /** The last change-log entry the snapshot contains (absent in an index written before the log). */
  seq?: number;
  /** Names the data files (`index-<generation>.bin`, `strings-<generation>.json`); absent: index.bin, strings.json. */
  generation?: string;
  files: Record<string, { type: string; offset: number; length: number }>;
}

/** An index this version or this embedder cannot read: 'unavailable' until `papertide reindex`. */
export class IndexMismatchError extends Error implements TabledError {
  readonly appCode = 'unavailable' as const;
  constructor(reason: string, what: 'version' | 'embedder' = 'version') {
    super(`${what === 'embedder' ? 'The search index was built with another embedder' : 'The search index does not match this version'} (${reason}). Run \`papertide reindex\` to rebuild it.`);
    this.name = 'IndexMismatchError';
  }
}
export class IndexMissingError extends Error implements TabledError {
  readonly appCode = 'unavailable' as const;
  constructor(dir: string) {
    super(`No search index in ${dir}. Run \`papertide reindex\` to build it.`);
    this.name = 'IndexMissingError';
  }
}

type Typed = Uint32Array | Uint16Array | Uint8Array | Int32Array | Int8Array | Float32Array;
const CTORS: Record<string, new (b: ArrayBuffer, o: number, l: number) => Typed> = {
  Uint32Array, Uint16Array, Uint8Array, Int32Array, Int8Array, Float32Array,
};

let saves = 0;

export function saveEngine(engine: SearchEngine, dir: string, embedderMeta?: { id: string; dim: number } | null, seq?: number): IndexManifest {
  mkdirSync(dir, { recursive: true });
  const generation = `${process.pid}-${Date.now().toString(36)}-${++saves}`;
  const tmp = join(dir, `.tmp-${generation}`);
  mkdirSync(tmp);
  const { lex, vec, pos } = engine.main;
  const arrays: Record<string, Typed> = {
    offsets: lex.offsets,
    postDocs: lex.postDocs,
    postImpact: lex.postImpact,
    maxImpact: lex.maxImpact,
    days: lex.days,
    upvotes: lex.upvotes,
    hasCode: lex.hasCode,
  };
  const catKeys = [...lex.categories.keys()];
  const authKeys = [...lex.authors.keys()];
  const concat = (lists: Uint32Array[]) => {
    const offs = new Uint32Array(lists.length + 1);
    lists.forEach((l, i) => (offs[i + 1] = offs[i] + l.length));
    const all = new Uint32Array(offs[lists.length]);
    lists.forEach((l, i) => all.set(l, offs[i]));
    return { offs, all };
  };
  const c = concat(catKeys.map((k) => lex.categories.get(k)!));
  const a = concat(authKeys.map((k) => lex.authors.get(k)!));
  arrays.catOffsets = c.offs;
  arrays.catDocs = c.all;
  arrays.authOffsets = a.offs;
  arrays.authDocs = a.all;
  if (vec) {
    const vd = vec.d;
    arrays.vecCodes = vd.codes;
    arrays.vecScales = vd.scales;
    // Codes stored cell by cell (see vector-index.ts); an index written before had them in doc order.
    if (vd.cellOrdered) arrays.vecCellOrdered = Uint8Array.of(1);
    if (vd.centroids) arrays.ivfCentroids = vd.centroids;
    if (vd.listOffsets) arrays.ivfOffsets = vd.listOffsets;
    if (vd.listDocs) arrays.ivfDocs = vd.listDocs;
  }
  // Token positions (positions.ts); optional: an index saved without them loads without them.
  if (pos) {
    arrays.posTokens = pos.tokens;
    arrays.posOffsets = pos.offsets;
  }
  const emb = engine.embedder;
  if (emb) {
    arrays.embVectors = emb.model.vectors;
    arrays.embWeights = emb.model.weights;
    arrays.embCommon = emb.model.common;
  }
  const files: IndexManifest['files'] = {};
  let offset = 0;
  const parts: Buffer[] = [];
  for (const [name, arr] of Object.entries(arrays)) {
    const buf = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
    files[name] = { type: arr.constructor.name, offset, length: arr.length };
    parts.push(buf);
    offset += buf.length;
    const padLen = (8 - (offset % 8)) % 8;
    if (padLen) {
      parts.push(Buffer.alloc(padLen));
      offset += padLen;
    }
  }
  writeFileSync(join(tmp, 'index.bin'), Buffer.concat(parts));
  writeFileSync(join(tmp, 'strings.json'), JSON.stringify({ ids: lex.ids, terms: lex.terms, catKeys, authKeys, embTerms: emb?.model.terms ?? null, embDim: emb?.dim ?? 0, embTitleWeight: emb?.model.titleWeight ?? 1, vecDim: vec?.dim ?? 0 }));
  const manifest: IndexManifest = {
    format: INDEX_FORMAT,
    tokenizer: TOKENIZER_ID,
    embedder: embedderMeta !== undefined ? embedderMeta : emb ? { id: emb.id, dim: emb.dim } : null,
    bm25f: lex.params,
    averages: lex.averages,
    docs: lex.size,
    builtAt: new Date().toISOString(),
    ...(seq !== undefined ? { seq } : {}),
    generation,
    files,
  };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const previous = readManifest(dir);
  // Swap in: the data files under new names first, then the manifest in one rename.
  renameSync(join(tmp, 'index.bin'), join(dir, `index-${generation}.bin`));
  renameSync(join(tmp, 'strings.json'), join(dir, `strings-${generation}.json`));
  renameSync(join(tmp, 'manifest.json'), join(dir, 'manifest.json'));
  rmSync(tmp, { recursive: true, force: true });
  removeStaleFiles(dir, { keep: previous?.generation ?? 'legacy' });
  return manifest;
}

/** The data files of a manifest's generation. */
function dataFiles(m: IndexManifest | null): { bin: string; strings: string; delta: string; removed: string } {
  const g = m?.generation;
  return g
    ? { bin: `index-${g}.bin`, strings: `strings-${g}.json`, delta: `delta-${g}.jsonl`, removed: `removed-${g}.json` }
    : { bin: 'index.bin', strings: 'strings.json', delta: 'delta.jsonl', removed: 'removed.json' };
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove what no reader needs: `.tmp-*` folders and unreferenced generations left by a build
 * that was killed (its process is gone; `ownToo` at start-up also takes this process's own, as a
 * pid can be reused), generations other than the current one and `keep`, and the files of an
 * index written before generations once a generation replaced it. Returns what was removed.
 */
export function removeStaleFiles(dir: string, opts: { keep?: string; ownToo?: boolean } = {}): string[] {
  if (!existsSync(dir)) return [];
  const current = readManifest(dir);
  const live = new Set([current?.generation ?? 'legacy', opts.keep ?? '']);
  const removed: string[] = [];
  const pidOf = (gen: string) => Number(gen.split('-')[0]);
  const dead = (gen: string) => (opts.ownToo && pidOf(gen) === process.pid) || !processAlive(pidOf(gen));
  for (const name of readdirSync(dir)) {
    let drop = false;
    const tmp = /^\.tmp-(.+)$/.exec(name);
    const gen = /^(?:index|strings|delta|removed)-(.+)\.(?:bin|jsonl?)$/.exec(name);
    if (tmp) drop = dead(tmp[1]);
    // Another live process may be between moving its files in and renaming its manifest: its
    // files are only taken once they are old.
    else if (gen) drop = !live.has(gen[1]) && (dead(gen[1]) || Date.now() - statSync(join(dir, name)).mtimeMs > 10 * 60_000);
    else if (['index.bin', 'strings.json', 'delta.jsonl', 'removed.json'].includes(name)) drop = current?.generation !== undefined && !live.has('legacy');
    if (drop) {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

export function readManifest(dir: string): IndexManifest | null {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as IndexManifest;
}

/** Check a manifest against what this code (and the configured embedder) expects. */
export function checkManifest(m: IndexManifest, expectedEmbedder: { id: string; dim: number } | 'builtin' | null): void {
  if (m.format !== INDEX_FORMAT) throw new IndexMismatchError(`index format ${m.format}, expected ${INDEX_FORMAT}`);
  if (m.tokenizer !== TOKENIZER_ID) throw new IndexMismatchError(`tokenizer ${m.tokenizer}, expected ${TOKENIZER_ID}`);
  const built = m.embedder ? `${m.embedder.id}/${m.embedder.dim}` : 'none';
  if (expectedEmbedder === 'builtin') {
    if (!m.embedder || !m.embedder.id.startsWith('builtin-')) throw new IndexMismatchError(`${built}, configured the built-in one`, 'embedder');
  } else if (expectedEmbedder) {
    if (!m.embedder || m.embedder.id !== expectedEmbedder.id || m.embedder.dim !== expectedEmbedder.dim)
      throw new IndexMismatchError(`${built}, configured ${expectedEmbedder.id}/${expectedEmbedder.dim}`, 'embedder');
  }
}

/** What opening the index on disk found: a result, never an exception for an expected case. */
export type LoadResult =
  | { kind: 'loaded'; engine: SearchEngine; manifest: IndexManifest }
  | { kind: 'missing'; message: string }
  /** Built before it had papers: no embedder recorded although the built-in one is configured. */
  | { kind: 'unembedded'; message: string; error: IndexMismatchError }
  | { kind: 'mismatch'; message: string; error: IndexMismatchError };

export function openIndex(dir: string, expectedEmbedder: { id: string; dim: number } | 'builtin' | null): LoadResult {
  // A reader racing a save can read a manifest whose files the save after it removed: read again.
  for (let attempt = 0; ; attempt++) {
    const m = readManifest(dir);
    if (!m) return { kind: 'missing', message: new IndexMissingError(dir).message };
    try {
      checkManifest(m, expectedEmbedder);
    } catch (e) {
      if (!(e instanceof IndexMismatchError)) throw e;
      return { kind: expectedEmbedder === 'builtin' && !m.embedder ? 'unembedded' : 'mismatch', message: e.message, error: e };
    }
    try {
      return { kind: 'loaded', engine: readEngine(dir, m, expectedEmbedder), manifest: m };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw e;
    }
  }
}

/** openIndex for callers that want an engine or an exception (tests, tools). */
export function loadEngine(dir: string, expectedEmbedder: { id: string; dim: number } | 'builtin' | null): SearchEngine {
  const r = openIndex(dir, expectedEmbedder);
  if (r.kind === 'loaded') return r.engine;
  if (r.kind === 'missing') throw new IndexMissingError(dir);
  throw r.error;
}

function readEngine(dir: string, m: IndexManifest, expectedEmbedder: { id: string; dim: number } | 'builtin' | null): SearchEngine {
  const names = dataFiles(m);
  const bin = readFileSync(join(dir, names.bin));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const get = <T extends Typed>(name: string): T => {
    const f = m.files[name];
    const C = CTORS[f.type];
    return new C(buffer, f.offset, f.length) as T;
  };
  const has = (name: string) => name in m.files;
  const s = JSON.parse(readFileSync(join(dir, names.strings), 'utf8')) as { ids: string[]; terms: string[]; catKeys: string[]; authKeys: string[]; embTerms: string[] | null; embDim: number; embTitleWeight?: number; vecDim: number };
  const lists = (keys: string[], offs: Uint32Array, all: Uint32Array) => {
    const mm = new Map<string, Uint32Array>();
    keys.forEach((k, i) => mm.set(k, all.subarray(offs[i], offs[i + 1])));
    return mm;
  };
  const lex = new LexicalIndex({
    terms: s.terms,
    ids: s.ids,
    offsets: get('offsets'),
    postDocs: get('postDocs'),
    postImpact: get('postImpact'),
    maxImpact: get('maxImpact'),
    days: get('days'),
    upvotes: get('upvotes'),
    hasCode: get('hasCode'),
    categories: lists(s.catKeys, get('catOffsets'), get('catDocs')),
    authors: lists(s.authKeys, get('authOffsets'), get('authDocs')),
    averages: m.averages,
    params: m.bm25f as LexicalIndex['params'],
  });
  const vec = has('vecCodes')
    ? new VectorIndex({
        dim: s.vecDim,
        codes: get('vecCodes'),
        scales: get('vecScales'),
        centroids: has('ivfCentroids') ? get('ivfCentroids') : null,
        listOffsets: has('ivfOffsets') ? get('ivfOffsets') : null,
        listDocs: has('ivfDocs') ? get('ivfDocs') : null,
        cellOrdered: has('vecCellOrdered'),
      })
    : null;
  const embedder = s.embTerms ? new CorpusEmbedder({ terms: s.embTerms, dim: s.embDim, vectors: get('embVectors'), weights: get('embWeights'), common: get('embCommon'), titleWeight: s.embTitleWeight ?? 1 }) : null;
  const pos = has('posTokens') && has('posOffsets') ? new PositionStore(get('posTokens'), get('posOffsets')) : null;
  const engine = new SearchEngine({ lex, vec, pos: pos && pos.size === lex.size ? pos : null }, embedder);
  if (expectedEmbedder && expectedEmbedder !== 'builtin') engine.externalDim = expectedEmbedder.dim;
  // Replay the changes recorded next to the snapshot since its build (an index written before
  // the change log; appendDelta). A server applies the store's change log instead.
  const removedPath = join(dir, names.removed);
  if (existsSync(removedPath)) engine.remove(JSON.parse(readFileSync(removedPath, 'utf8')) as string[]);
  const deltaPath = join(dir, names.delta);
  if (existsSync(deltaPath)) {
    const docs = new Map<string, SearchDoc>();
    for (const line of readFileSync(deltaPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const d = JSON.parse(line) as SearchDoc | { removed: string };
      if ('removed' in d) docs.delete(d.removed);
      else docs.set(d.id, d);
    }
    engine.upsert([...docs.values()]);
  }
  return engine;
}

/**
 * Record incremental changes next to an index written before generations, so a reload replays
 * them (a generation never changes: the store's change log says what changed since).
 */
export function appendDelta(dir: string, docs: SearchDoc[]): void {
  const m = readManifest(dir);
  if (!m) return;
  appendFileSync(join(dir, dataFiles(m).delta), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
}
