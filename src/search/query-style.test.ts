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

test('a hyphenated compound is one term: its stop-word parts do not make a sentence', () => {
  for (const q of ['search-and-rescue', 'in-person', 'state-of-the-art retrieval', 'well-being', 'coherent-to-diffuse']) assert.equal(queryStyle(q), 'keywords', q);
  assert.equal(queryStyle('search and rescue'), 'sentence');
  assert.equal(queryStyle('state of the art retrieval'), 'sentence');
});

test("'connector' rule: stop words joining the words of a term do not make a sentence", () => {
  for (const q of ['mixture of experts', 'co-evolution of agent policies and environments, lifelong learning', 'graph networks for molecules', 'Cryptography and Security']) assert.equal(queryStyle(q, 'connector'), 'keywords', q);
  for (const q of ['for retrieval', 'what is a mixture of experts', 'the attention mechanism', 'models that reason', 'mixture of experts.']) assert.equal(queryStyle(q, 'connector'), 'sentence', q);
});
