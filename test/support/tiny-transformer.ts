/**
 * A tiny BERT-shaped model folder that @huggingface/transformers (v4) loads fully offline, for
 * testing the transformers embedder against the real library without downloading weights.
 *
 *   config.json, tokenizer.json (WordPiece), tokenizer_config.json, onnx/model.onnx (the fp32 file
 *   transformers.js v4 loads by default in Node)
 *
 * The ONNX graph is hand-encoded protobuf (no onnx package here):
 *   last_hidden_state = (Gather(words, input_ids) + Gather(types, token_type_ids))
 *                       * Unsqueeze(Cast<float>(attention_mask), [2])
 * The word table is deterministic and has meaning: dimension 0 is shared by every token (so no
 * text embeds to the zero vector), dimension 1 is "machine learning" (graph, neural, network...),
 * dimension 2 is "biology" (protein, cell, gene...), and dimensions 3..D-1 give each word a small
 * identity of its own. Mean pooling then puts a text about one topic near other texts of it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIM = 8;
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const ML_WORDS = ['graph', 'graphs', 'neural', 'network', 'networks', 'learning', 'deep', 'training', 'gradient', 'attention', 'transformer', 'embedding', 'node', 'nodes'];
const BIO_WORDS = ['protein', 'proteins', 'cell', 'cells', 'folding', 'gene', 'genes', 'enzyme', 'dna', 'membrane', 'tissue', 'mutation', 'binding'];
const OTHER_WORDS = ['the', 'of', 'a', 'an', 'for', 'in', 'on', 'and', 'with', 'about', 'to', 'is', 'are', 'we', 'how', 'what', 'model', 'models', 'study', '.', ',', '?', '##s'];
/** Token ids are positions in this list (WordPiece vocabulary and rows of the word table). */
export const VOCAB = [...SPECIAL, ...ML_WORDS, ...BIO_WORDS, ...OTHER_WORDS];

/** Row of the word table for token `id` (exported so a test can compute expected vectors). */
export function wordVector(id: number): number[] {
  const word = VOCAB[id];
  const v = new Array<number>(DIM).fill(0);
  v[0] = 0.1;
  if (ML_WORDS.includes(word)) v[1] = 1;
  if (BIO_WORDS.includes(word)) v[2] = 1;
  // A small, deterministic identity per word on the remaining dimensions.
  for (let d = 3; d < DIM; d++) v[d] = 0.15 * Math.sin((id + 1) * (d + 1) * 0.7);
  return v;
}

// ---- protobuf encoding (just what ONNX needs: varints and length-delimited fields) ----

function varint(n: number | bigint): number[] {
  let x = BigInt(n);
  if (x < 0n) x += 1n << 64n; // int64 two's complement, as protobuf encodes negative int64
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return out;
}

type Bytes = Uint8Array;
const cat = (parts: (Bytes | number[])[]): Bytes => {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
/** Varint field (wire type 0). */
const int = (field: number, n: number | bigint): Bytes => cat([varint(field << 3), varint(n)]);
/** Length-delimited field (wire type 2): bytes, string or embedded message. */
const bytes = (field: number, b: Bytes | string): Bytes => {
  const body = typeof b === 'string' ? new TextEncoder().encode(b) : b;
  return cat([varint((field << 3) | 2), varint(body.length), body]);
};
const msg = (...fields: Bytes[]): Bytes => cat(fields);

// ---- ONNX messages (field numbers from onnx/onnx.proto) ----

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

function tensor(name: string, dataType: number, dims: number[], raw: Bytes): Bytes {
  return msg(...dims.map((d) => int(1, d)), int(2, dataType), bytes(8, name), bytes(9, raw));
}
function floatTensor(name: string, dims: number[], values: number[]): Bytes {
  return tensor(name, FLOAT, dims, new Uint8Array(Float32Array.from(values).buffer));
}
function int64Tensor(name: string, dims: number[], values: number[]): Bytes {
  return tensor(name, INT64, dims, new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer));
}
/** ValueInfoProto for a tensor; a string dim is symbolic (dim_param), a number fixed (dim_value). */
function valueInfo(name: string, elemType: number, dims: (string | number)[]): Bytes {
  const shape = msg(...dims.map((d) => bytes(1, typeof d === 'string' ? bytes(2, d) : int(1, d))));
  const tensorType = msg(int(1, elemType), bytes(2, shape));
  return msg(bytes(1, name), bytes(2, bytes(1, tensorType)));
}
function node(opType: string, inputs: string[], outputs: string[], name: string, attrs: Bytes[] = []): Bytes {
  return msg(...inputs.map((i) => bytes(1, i)), ...outputs.map((o) => bytes(2, o)), bytes(3, name), bytes(4, opType), ...attrs.map((a) => bytes(5, a)));
}
const intAttr = (name: string, i: number): Bytes => msg(bytes(1, name), int(3, i), int(20, ATTR_INT));

/** The ONNX model bytes (opset 13, IR version 7). */
export function tinyOnnxModel(): Uint8Array {
  const words = VOCAB.flatMap((_, id) => wordVector(id));
  const types = new Array<number>(2 * DIM).fill(0);
  const graph = msg(
    bytes(1, node('Gather', ['word_embeddings', 'input_ids'], ['words'], 'gather_words')),
    bytes(1, node('Gather', ['token_type_embeddings', 'token_type_ids'], ['types'], 'gather_types')),
    bytes(1, node('Add', ['words', 'types'], ['embeddings'], 'add_types')),
    bytes(1, node('Cast', ['attention_mask'], ['mask_float'], 'cast_mask', [intAttr('to', FLOAT)])),
    bytes(1, node('Unsqueeze', ['mask_float', 'unsqueeze_axes'], ['mask3'], 'unsqueeze_mask')),
    bytes(1, node('Mul', ['embeddings', 'mask3'], ['last_hidden_state'], 'apply_mask')),
    bytes(2, 'tiny-bert'),
    bytes(5, floatTensor('word_embeddings', [VOCAB.length, DIM], words)),
    bytes(5, floatTensor('token_type_embeddings', [2, DIM], types)),
    bytes(5, int64Tensor('unsqueeze_axes', [1], [2])),
    bytes(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    bytes(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    bytes(11, valueInfo('token_type_ids', INT64, ['batch', 'sequence'])),
    bytes(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', DIM])),
  );
  return msg(int(1, 7), bytes(2, 'papertide-test'), bytes(8, msg(bytes(1, ''), int(2, 13))), bytes(7, graph));
}

function tokenizerJson(): object {
  const id = (t: string) => VOCAB.indexOf(t);
  const special = (t: string) => ({ SpecialToken: { id: t, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((t) => ({ id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])) },
  };
}

/** Writes the model folder into `dir` (created if needed). */
export function writeTinyTransformer(dir: string): { dir: string; dim: number } {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, v: object) => writeFileSync(join(dir, name), JSON.stringify(v, null, 2) + '\n');
  json('config.json', {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: DIM,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: DIM,
    vocab_size: VOCAB.length,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
  });
  json('tokenizer.json', tokenizerJson());
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyOnnxModel());
  return { dir, dim: DIM };
}
