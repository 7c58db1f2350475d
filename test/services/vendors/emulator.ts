// The common part of the vendor emulators: an HTTPS server on 127.0.0.1 answering for one vendor's host names
// (routed by the Host header; the client reaches it through REGISTRY_LENS_TEST_RESOLVE, never a name lookup),
// deterministic image content, and a log of every request with its host and Authorization header, so tests can
// prove which origin saw which credential.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { makeCa } from '../certs';

export interface VendorCerts {
  /** PEM of the CA that signed the emulators' certificate (trust it with NODE_EXTRA_CA_CERTS or a `ca` option). */
  caPem: string;
  caFile: string;
  cert: string;
  key: string;
}

/** A CA and one server certificate for every vendor host name (and localhost, 127.0.0.1). */
export async function makeVendorCerts(dir: string, hostnames: string[]): Promise<VendorCerts> {
  fs.mkdirSync(dir, { recursive: true });
  const files = await makeCa(dir, {
    caName: 'Registry Lens Vendor Test CA',
    hostnames: ['localhost', ...hostnames],
    ips: ['127.0.0.1'],
    days: 30,
  });
  return {
    caPem: fs.readFileSync(files.caCert, 'utf8'),
    caFile: files.caCert,
    cert: fs.readFileSync(files.serverCert, 'utf8'),
    key: fs.readFileSync(files.serverKey, 'utf8'),
  };
}

export interface SeenRequest {
  /** The Host header's host name (no port): which origin the client believed it talked to. */
  host: string;
  scheme: 'https' | 'http';
  method: string;
  path: string;
  authorization: string | undefined;
  acceptEncoding: string | undefined;
  body: string;
}

export interface Req {
  host: string;
  scheme: 'https' | 'http';
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Req, res: http.ServerResponse) => void | Promise<void>;

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (https with `certs`, else plain http) and records every request into `seen`. */
export async function listen(handler: Handler, seen: SeenRequest[], certs?: VendorCerts): Promise<Listener> {
  const sockets = new Set<Socket>();
  const scheme = certs ? 'https' : 'http';
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      const url = new URL(req.url ?? '/', `${scheme}://${host || 'localhost'}`);
      const body = Buffer.concat(chunks).toString('utf8');
      const acceptEncoding = req.headers['accept-encoding'];
      seen.push({
        host,
        scheme,
        method: req.method ?? '',
        path: url.pathname + url.search,
        authorization: req.headers.authorization,
        acceptEncoding: Array.isArray(acceptEncoding) ? acceptEncoding.join(', ') : acceptEncoding,
        body,
      });
      Promise.resolve(
        handler({ host, scheme, method: req.method ?? 'GET', url, headers: req.headers, body }, res),
      ).catch((e: unknown) => {
        if (!res.headersSent) json(res, 500, { errors: [{ code: 'EMULATOR', message: String(e) }] });
      });
    });
  };
  const server = certs
    ? https.createServer({ cert: certs.cert, key: certs.key }, onRequest)
    : http.createServer(onRequest);
  server.on(certs ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length, ...headers });
  res.end(data);
}

export function text(
  res: http.ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const data = Buffer.from(body);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': data.length, ...headers });
  res.end(data);
}

/** The distribution error body. */
export function regError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { errors: [{ code, message, detail: null }] }, headers);
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A deterministic single-platform OCI manifest for repository:tag (its bytes, digest, media type). */
export function manifestFor(repository: string, tag: string): { body: Buffer; digest: string; mediaType: string } {
  const config = createHash('sha256').update(`config ${repository}:${tag}`).digest('hex');
  const layer = createHash('sha256').update(`layer ${repository}:${tag}`).digest('hex');
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${config}`, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layer}`, size: 32 }],
    }),
  );
  return { body, digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, mediaType: OCI_MANIFEST };
}

/** A repository's tags and its manifests by tag or digest. */
export class Repo {
  constructor(
    readonly name: string,
    readonly tags: string[],
  ) {}
  manifest(reference: string): { body: Buffer; digest: string; mediaType: string } | undefined {
    for (const t of this.tags) {
      const m = manifestFor(this.name, t);
      if (t === reference || m.digest === reference) return m;
    }
    return undefined;
  }
}

/** `/v2/<name>/tags/list` or `/v2/<name>/manifests/<ref>` split into parts (name may hold slashes). */
export function parseApiPath(
  pathname: string,
  prefix = '/v2/',
): { name: string; kind: 'tags' | 'manifests' | 'blobs'; reference?: string } | undefined {
  if (!pathname.startsWith(prefix)) return undefined;
  const rest = pathname.slice(prefix.length);
  const tags = /^(.+)\/tags\/list$/.exec(rest);
  if (tags?.[1]) return { name: tags[1], kind: 'tags' };
  const m = /^(.+)\/(manifests|blobs)\/([^/]+)$/.exec(rest);
  if (m?.[1] && m[3]) return { name: m[1], kind: m[2] as 'manifests' | 'blobs', reference: m[3] };
  return undefined;
}

/** The page of `tags` after `last` (lexical order as the spec asks), `n` long; `next` is the last tag when more follow. */
export function tagPage(
  tags: string[],
  n: number | undefined,
  last: string | undefined,
): { tags: string[]; next?: string } {
  const sorted = [...tags].sort();
  const start = last !== undefined ? sorted.findIndex((t) => t > last) : 0;
  const from = start < 0 ? sorted.length : start;
  const page = n !== undefined ? sorted.slice(from, from + n) : sorted.slice(from);
  const more = from + page.length < sorted.length;
  return { tags: page, ...(more && page.length > 0 ? { next: page[page.length - 1] } : {}) };
}

/** Parses `Basic base64(user:pass)`. */
export function basicCredentials(authorization: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
}

/** Opaque tokens this emulator issued: token -> who and which repositories (pull). */
export class TokenBook {
  private readonly tokens = new Map<string, { user: string | undefined; repos: Set<string>; expires: number }>();
  private n = 0;
  issue(user: string | undefined, repos: string[], ttlMs = 300_000): string {
    const token = `tok-${++this.n}-${createHash('sha256')
      .update(`${user ?? ''}${repos.join()}${this.n}`)
      .digest('hex')
      .slice(0, 16)}`;
    this.tokens.set(token, { user, repos: new Set(repos), expires: Date.now() + ttlMs });
    return token;
  }
  allows(authorization: string | undefined, repository: string | undefined): boolean {
    const t = bearerToken(authorization);
    const entry = t ? this.tokens.get(t) : undefined;
    if (!entry || entry.expires < Date.now()) return false;
    return repository === undefined || entry.repos.has(repository);
  }
}

/** The repositories a token request's `scope` parameters ask to pull. */
export function scopeRepos(url: URL): string[] {
  const out: string[] = [];
  for (const s of url.searchParams.getAll('scope').flatMap((v) => v.split(' '))) {
    const m = /^repository:(.+):([^:]*)$/.exec(s);
    if (m?.[1] && (m[2] ?? '').split(',').includes('pull')) out.push(m[1]);
  }
  return out;
}

/** Serves a manifest (HEAD or GET) with the headers a vendor chooses. */
export function sendManifest(
  req: Req,
  res: http.ServerResponse,
  m: { body: Buffer; digest: string; mediaType: string },
  opts: { digestHeader: boolean; headers?: Record<string, string>; body?: Buffer },
): void {
  const body = opts.body ?? m.body;
  res.writeHead(200, {
    'content-type': m.mediaType,
    'content-length': body.length,
    ...(opts.digestHeader ? { 'docker-content-digest': m.digest } : {}),
    ...(opts.headers ?? {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
