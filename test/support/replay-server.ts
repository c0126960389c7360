/**
 * A local HTTP server on 127.0.0.1 that replays recorded payloads: no request leaves the
 * machine in tests. `handle` decides the reply per request; every request is recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string (sent as UTF-8) or bytes already encoded. */
  body?: string | Buffer;
  /** Destroy the socket without answering (a network failure). */
  hangUp?: boolean;
}

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  userAgent: string | undefined;
  at: number;
}

export interface ReplayServer {
  url: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  handle: (req: RecordedRequest) => Reply | Promise<Reply>;
  close(): Promise<void>;
}

export async function startReplayServer(handle: ReplayServer['handle'] = () => ({ status: 404 })): Promise<ReplayServer> {
  let inFlight = 0;
  const state: ReplayServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    handle,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = http.createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec: RecordedRequest = { path: u.pathname, query: u.searchParams, userAgent: req.headers['user-agent'], at: Date.now() };
    state.requests.push(rec);
    try {
      const r = await state.handle(rec);
      if (r.hangUp) {
        req.socket.destroy();
        return;
      }
      res.writeHead(r.status ?? 200, { 'content-type': 'application/xml; charset=utf-8', ...r.headers });
      res.end(r.body ?? '');
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** A virtual clock: sleep advances time instantly, so politeness is checked without waiting. */
export function virtualClock(start = 1_700_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => void (t += ms),
    sleeps,
  };
}
