/**
 * The HTTP server around the Hono app. One addition to `@hono/node-server`'s `serve`: answers the
 * app gives without looking at the request (today: search's full-line refusal) are written
 * straight to the socket by the Node request listener, so a flood of refused searches costs
 * neither a Request object nor the middleware chain, and the pages read meanwhile keep the loop.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { EarlyAnswer, RawRequest } from './middleware/search-guard.js';

export interface Servable {
  fetch: (request: Request, env: any) => Response | Promise<Response>;
  early(req: RawRequest): EarlyAnswer | null;
}

export function listen(web: Servable, opts: { port: number; hostname?: string }, onListening?: (info: AddressInfo) => void): ServerType {
  const createServer = ((options: http.ServerOptions, listener: http.RequestListener) =>
    http.createServer(options, (req, res) => {
      const answer = web.early(req);
      if (!answer) return listener(req, res);
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    })) as typeof http.createServer;
  return serve({ fetch: web.fetch, port: opts.port, hostname: opts.hostname, createServer }, onListening);
}
