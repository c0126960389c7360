import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { stem, tokenize, words } from './tokenizer.js';

// The Snowball project's own English stemmer, ported to JS (what the index used before the
// faster `porter2` package): the reference the product's stems must match word for word, since
// a different stem would silently change every index built with the same TOKENIZER_ID.
const require = createRequire(import.meta.url);
const reference = (require('snowball-stemmers') as { newStemmer(l: string): { stem(w: string): string } }).newStemmer('english');
const refStem = (w: string) => (w.length <= 2 ? w : reference.stem(w));

const dataDir = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');

test('stem: the English stems users search with', () => {
  assert.equal(stem('running'), 'run');
  assert.equal(stem('networks'), 'network');
  assert.equal(stem('generalization'), 'general');
  assert.equal(stem('transformers'), 'transform');
  assert.equal(stem('studies'), 'studi');
  assert.equal(stem('news'), 'news'); // Porter2's exception list
  assert.equal(stem('ai'), 'ai');
  assert.deepEqual(tokenize('Attention Is All You Need: transformers generalize'), ['attent', 'need', 'transform', 'general']);
});

test('stem equals the Snowball reference on every word of the SciFact corpus and the seed papers', () => {
  const vocab = new Set<string>();
  const scifact = path.join(dataDir, 'beir-scifact', 'corpus.jsonl.gz');
  const seed = path.join(dataDir, 'seed-papers', 'papers.jsonl');
  const texts: string[] = [];
  if (fs.existsSync(scifact)) {
    for (const line of zlib.gunzipSync(fs.readFileSync(scifact)).toString('utf8').split('\n')) {
      if (line) {
        const d = JSON.parse(line) as { title: string; text: string };
        texts.push(d.title, d.text);
      }
    }
  }
  if (fs.existsSync(seed)) texts.push(fs.readFileSync(seed, 'utf8'));
  assert.ok(texts.length > 0, `no corpus found under ${dataDir}`);
  for (const t of texts) for (const w of words(t)) vocab.add(w);
  assert.ok(vocab.size > 20_000, `vocabulary of ${vocab.size} words`);
  const differ: string[] = [];
  for (const w of vocab) if (stem(w) !== refStem(w)) differ.push(`${w}: ${stem(w)} ≠ ${refStem(w)}`);
  assert.deepEqual(differ.slice(0, 20), []);
});

test('stem equals the Snowball reference on random words (letters, digits, accented and Greek letters)', () => {
  const ch = fc.constantFrom(...'aaeeiioouuybcdfghjklmnpqrstvwxyz0123456789ßéαβ'.split(''));
  fc.assert(
    fc.property(fc.array(ch, { minLength: 1, maxLength: 16 }), (cs) => {
      const w = cs.join('');
      assert.equal(stem(w), refStem(w), w);
    }),
    { numRuns: 20_000 },
  );
  // Suffix-heavy words exercise every step of the algorithm.
  const suffix = fc.constantFrom('', 'ing', 'ed', 'ly', 'ness', 'ational', 'ization', 'fulness', 'ies', 'sses', 'eed', 'eedly', 'ement', 'ative', 'alli', 'logi', 'ousli', 'y', 's', "'s");
  const stemPart = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), { minLength: 1, maxLength: 8 });
  fc.assert(
    fc.property(stemPart, suffix, suffix, (cs, a, b) => {
      const w = (cs.join('') + a + b).replace(/'/g, '');
      assert.equal(stem(w), refStem(w), w);
    }),
    { numRuns: 20_000 },
  );
});
