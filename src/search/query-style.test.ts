import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryStyle } from './query-style.js';

test('keyword queries: exact terms without function words or a sentence end', () => {
  for (const q of ['diffusion image editing', 'sparse attention long context', 'LoRA', 'vision-language models, retrieval, benchmark']) assert.equal(queryStyle(q), 'keywords', q);
});

test('sentences: a function word or a sentence end makes a query a sentence', () => {
  for (const q of ['methods that let small models reason', 'attention is all you need', 'Bariatric surgery reduces colorectal cancer.', 'does scaling help?', 'Active Ly49Q induces neutrophil polarization.', '']) assert.equal(queryStyle(q), 'sentence', q);
  // one stop word is enough; the boundary: the same words without it are keywords
  assert.equal(queryStyle('retrieval for long documents'), 'sentence');
  assert.equal(queryStyle('retrieval long documents'), 'keywords');
  assert.equal(queryStyle('retrieval long documents.'), 'sentence');
});
