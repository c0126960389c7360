/**
 * Feature errors that keep codes of their own (ingest, embedder, search index) have a row in the
 * one error table: the HTTP status a page or the API answers and the exit code of the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_TABLE, toAppError, AppError } from '../../src/domain/errors.js';
import { IngestError } from '../../src/ingest/errors.js';
import { EmbedderError } from '../../src/search/embedder.js';
import { IndexMismatchError, IndexMissingError } from '../../src/search/persist.js';

const row = (e: unknown) => {
  const a = toAppError(e);
  return a && { code: a.code, http: a.status, exit: ERROR_TABLE[a.code].exit, message: a.message };
};

test('an ingest error answers by its kind: arXiv unreachable 503/7, unknown id 404/4, refused input 400/2', () => {
  assert.deepEqual(row(new IngestError('network', 'arxiv.org: connection refused')), { code: 'unavailable', http: 503, exit: 7, message: 'arxiv.org: connection refused' });
  assert.deepEqual(row(new IngestError('bad_xml', 'page 3 is truncated')), { code: 'unavailable', http: 503, exit: 7, message: 'page 3 is truncated' });
  assert.deepEqual(row(new IngestError('not_found', 'arXiv has no 2401.99999')), { code: 'not_found', http: 404, exit: 4, message: 'arXiv has no 2401.99999' });
  assert.deepEqual(row(new IngestError('bad_input', 'not an arXiv id')), { code: 'bad_request', http: 400, exit: 2, message: 'not an arXiv id' });
  assert.deepEqual(row(new IngestError('arxiv_error', 'bad query')), { code: 'bad_request', http: 400, exit: 2, message: 'bad query' });
  // the ingest code itself stays what callers branch on
  assert.equal(new IngestError('http', 'x').code, 'http');
});

test('an embedder that cannot answer and an index that must be rebuilt are 503 / exit 7 with their message', () => {
  assert.deepEqual(row(new EmbedderError('embeddings endpoint http://127.0.0.1:9/v1/embeddings answered HTTP 500')), {
    code: 'unavailable',
    http: 503,
    exit: 7,
    message: 'embeddings endpoint http://127.0.0.1:9/v1/embeddings answered HTTP 500',
  });
  const mismatch = row(new IndexMismatchError('tokenizer a, expected b'));
  assert.equal(mismatch?.http, 503);
  assert.match(mismatch!.message, /papertide reindex/);
  assert.equal(row(new IndexMissingError('/data/search'))?.exit, 7);
});

test('an AppError is itself; an unexpected error has no row (a logged 500, exit 1)', () => {
  const e = new AppError('conflict', 'taken');
  assert.equal(toAppError(e), e);
  assert.equal(toAppError(new Error('boom')), null);
  assert.equal(toAppError(Object.assign(new Error('x'), { appCode: 'no_such_code' })), null);
  assert.equal(toAppError('a string'), null);
});
