/**
 * A local OpenAI-compatible embeddings endpoint (POST /v1/embeddings, the documented request
 * and response shapes) for tests: it embeds texts as bags of hashed words, so texts that share
 * words get similar vectors, and it can be switched to fail the ways real endpoints fail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenize } from '../../src/search/tokenizer.js';

export type EndpointMode = 'ok' | 'down' | 'slow' | 'garbage';

export interface EmbeddingsServer {
  url: string;
  dim: number;
  mode: EndpointMode;
  /** Every request body received, in order. */
  requests: { model: string; input: string[] }[];
  close(): Promise<void>;
}

function embed(text: string, dim: number): number[] {
  const v = new Array<number>(dim).fill(0);
  for (const t of tokenize(text)) {
    let h = 2166136261;
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    v[(h >>> 0) % dim] += 1;
  }
  v[dim - 1] += 0.01; // never the zero vector
  return v;
}

export async function startEmbeddingsServer(dim = 64): Promise<EmbeddingsServer> {
  const state: EmbeddingsServer = { url: '', dim, mode: 'ok', requests: [], close: async () => {} };
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.statusCode = 404;
        return void res.end('{"error":{"message":"not found"}}');
      }
      const { model, input } = JSON.parse(body) as { model: string; input: string[] };
      state.requests.push({ model, input });
      if (state.mode === 'down') {
        res.statusCode = 503;
        return void res.end('{"error":{"message":"model is loading"}}');
      }
      if (state.mode === 'slow') return void setTimeout(() => res.end('{}'), 3000).unref();
      res.setHeader('content-type', 'application/json');
      if (state.mode === 'garbage') return void res.end('<html>gateway error</html>');
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: embed(t, dim) }));
      res.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: input.length, total_tokens: input.length } }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    });
  return state;
}
