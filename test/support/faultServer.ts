// A scripted HTTP server on 127.0.0.1 for what a real registry will not do on demand: 429s, 5xx, slow headers and
// bodies, malformed JSON, huge bodies, hostile Link headers, redirects to other hosts, 401 loops.
// Every request is recorded (method, path, headers) so tests can assert what reached the wire.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type FaultHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: { url: URL; body: string; count: number; server: FaultServer },
) => void | Promise<void>;

export interface FaultServer {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replace the handler (one per test). */
  handle(h: FaultHandler): void;
  close(): Promise<void>;
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

export async function startFaultServer(): Promise<FaultServer> {
  let handler: FaultHandler = (_req, res) =>
    sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no handler' }] });
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body });
      count++;
      Promise.resolve(handler(req, res, { url, body, count, server: self })).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 'TEST', message: String(e) }] });
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const self: FaultServer = {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle: (h) => {
      handler = h;
      requests.length = 0;
      count = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return self;
}
