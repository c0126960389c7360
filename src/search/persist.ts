/**
 * On-disk format of the search index (DATA_DIR/search/):
 *   manifest.json   { format, tokenizer, embedder: {id, dim}, bm25f, docs, builtAt, files }
 *   index.bin       every typed array back to back (8-byte aligned), located by manifest.files
 *   strings.json    doc ids, terms, embedder vocabulary, category/author list keys
 *   delta.jsonl     papers upserted since the build (replayed into the delta segment at load)
 *   removed.json    ids removed since the build
 * A manifest whose format, tokenizer or embedder differs from what the running code expects is
 * refused with IndexMismatchError ("run papertide reindex").
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
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
  files: Record<string, { type: string; offset: number; length: number }>;
}

export class IndexMismatchError extends Error {
  constructor(reason: string, what: 'version' | 'embedder' = 'version') {
    super(`${what === 'embedder' ? 'The search index was built with another embedder' : 'The search index does not match this version'} (${reason}). Run \`papertide reindex\` to rebuild it.`);
    this.name = 'IndexMismatchError';
  }
}
export class IndexMissingError extends Error {
  constructor(dir: string) {
    super(`No search index in ${dir}. Run \`papertide reindex\` to build it.`);
    this.name = 'IndexMissingError';
  }
}

type Typed = Uint32Array | Uint16Array | Uint8Array | Int32Array | Int8Array | Float32Array;
const CTORS: Record<string, new (b: ArrayBuffer, o: number, l: number) => Typed> = {
  Uint32Array, Uint16Array, Uint8Array, Int32Array, Int8Array, Float32Array,
};

export function saveEngine(engine: SearchEngine, dir: string, embedderMeta?: { id: string; dim: number } | null): IndexManifest {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
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
  writeFileSync(join(tmp, 'strings.json'), JSON.stringify({ ids: lex.ids, terms: lex.terms, catKeys, authKeys, embTerms: emb?.model.terms ?? null, embDim: emb?.dim ?? 0, vecDim: vec?.dim ?? 0 }));
  const manifest: IndexManifest = {
    format: INDEX_FORMAT,
    tokenizer: TOKENIZER_ID,
    embedder: embedderMeta !== undefined ? embedderMeta : emb ? { id: emb.id, dim: emb.dim } : null,
    bm25f: lex.params,
    averages: lex.averages,
    docs: lex.size,
    builtAt: new Date().toISOString(),
    files,
  };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  // Swap in: the previous index stays readable until the rename.
  for (const f of ['index.bin', 'strings.json', 'manifest.json']) renameSync(join(tmp, f), join(dir, f));
  rmSync(join(dir, 'delta.jsonl'), { force: true });
  rmSync(join(dir, 'removed.json'), { force: true });
  rmSync(tmp, { recursive: true, force: true });
  return manifest;
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

/**
 * Thrown by loadEngine when more papers changed since the build than `maxDelta`: `engine` is
 * the last build (removals applied), `docs` the changed papers, which the caller can replay
 * (`engine.upsert(docs)`) or, better, rebuild in the background.
 */
export class DeltaTooLargeError extends Error {
  constructor(
    readonly engine: SearchEngine,
    readonly docs: SearchDoc[],
  ) {
    super(`${docs.length} papers changed since the search index was built`);
    this.name = 'DeltaTooLargeError';
  }
  get pending(): number {
    return this.docs.length;
  }
}

export function loadEngine(dir: string, expectedEmbedder: { id: string; dim: number } | 'builtin' | null, opts: { maxDelta?: number } = {}): SearchEngine {
  const m = readManifest(dir);
  if (!m) throw new IndexMissingError(dir);
  checkManifest(m, expectedEmbedder);
  const bin = readFileSync(join(dir, 'index.bin'));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const get = <T extends Typed>(name: string): T => {
    const f = m.files[name];
    const C = CTORS[f.type];
    return new C(buffer, f.offset, f.length) as T;
  };
  const has = (name: string) => name in m.files;
  const s = JSON.parse(readFileSync(join(dir, 'strings.json'), 'utf8')) as { ids: string[]; terms: string[]; catKeys: string[]; authKeys: string[]; embTerms: string[] | null; embDim: number; vecDim: number };
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
  const embedder = s.embTerms ? new CorpusEmbedder({ terms: s.embTerms, dim: s.embDim, vectors: get('embVectors'), weights: get('embWeights'), common: get('embCommon') }) : null;
  const pos = has('posTokens') && has('posOffsets') ? new PositionStore(get('posTokens'), get('posOffsets')) : null;
  const engine = new SearchEngine({ lex, vec, pos: pos && pos.size === lex.size ? pos : null }, embedder);
  if (expectedEmbedder && expectedEmbedder !== 'builtin') engine.externalDim = expectedEmbedder.dim;
  // Replay changes made since the build.
  const removedPath = join(dir, 'removed.json');
  if (existsSync(removedPath)) engine.remove(JSON.parse(readFileSync(removedPath, 'utf8')) as string[]);
  const deltaPath = join(dir, 'delta.jsonl');
  if (existsSync(deltaPath)) {
    const docs = new Map<string, SearchDoc>();
    for (const line of readFileSync(deltaPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const d = JSON.parse(line) as SearchDoc | { removed: string };
      if ('removed' in d) docs.delete(d.removed);
      else docs.set(d.id, d);
    }
    if (docs.size > (opts.maxDelta ?? Infinity)) throw new DeltaTooLargeError(engine, [...docs.values()]);
    engine.upsert([...docs.values()]);
  }
  return engine;
}

/** Record incremental changes next to the index so a restart replays them. */
export function appendDelta(dir: string, docs: SearchDoc[]): void {
  if (!existsSync(join(dir, 'manifest.json'))) return;
  appendFileSync(join(dir, 'delta.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
}
export function appendRemoved(dir: string, ids: string[]): void {
  if (!existsSync(join(dir, 'manifest.json'))) return;
  const p = join(dir, 'removed.json');
  const cur = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as string[]) : [];
  writeFileSync(p, JSON.stringify([...new Set([...cur, ...ids])]));
  appendFileSync(join(dir, 'delta.jsonl'), ids.map((id) => JSON.stringify({ removed: id })).join('\n') + '\n');
}
