// A small HTTP client over node:http / node:https for the test services: always reads the whole body
// (Node 20 keeps a socket alive otherwise), supports a CA, a unix socket and a keep-alive agent.
// Loopback only: every URL must name 127.0.0.1, ::1 or localhost.
import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string | number | string[]>;
  body?: Buffer | string;
  /** PEM CA(s) for https (the per-run test CA). */
  ca?: string | Buffer;
  /** Talk HTTP over this unix socket (the Docker engine API); the URL's host is then ignored. */
  socketPath?: string;
  agent?: http.Agent;
  timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function assertLoopback(url: URL): void {
  if (!LOOPBACK.has(url.hostname)) throw new Error(`test services talk to loopback only, not ${url.host}`);
}

export function httpRequest(urlString: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const url = new URL(urlString);
  if (!options.socketPath) assertLoopback(url);
  const isHttps = url.protocol === 'https:';
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string | number | string[]> = { ...(options.headers ?? {}) };
  if (body && headers['Content-Length'] === undefined && headers['content-length'] === undefined) {
    headers['Content-Length'] = body.length;
  }
  const reqOptions: https.RequestOptions = {
    method: options.method ?? 'GET',
    headers,
    agent: options.agent ?? false,
    ...(options.socketPath
      ? { socketPath: options.socketPath, path: url.pathname + url.search }
      : {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: url.pathname + url.search,
        }),
    ...(isHttps && options.ca ? { ca: options.ca } : {}),
  };
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = (isHttps ? https : http).request(reqOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: buf,
          text: () => buf.toString('utf8'),
          json: <T>() => JSON.parse(buf.toString('utf8')) as T,
        });
      });
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`timeout after ${timeoutMs} ms: ${reqOptions.method} ${urlString}`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One header value (first of a repeated header). */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (one challenge; good enough for distribution). */
export function parseChallenge(value: string | undefined): Challenge | undefined {
  if (!value) return undefined;
  const m = /^\s*(\S+)\s*(.*)$/.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2] ?? '')) !== null) {
    params[(p[1] ?? '').toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

export const basicAuth = (user: string, password: string): string =>
  'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

export interface RegistryClientOptions {
  /** Base URL: http://127.0.0.1:PORT or https://localhost:PORT */
  url: string;
  username?: string;
  password?: string;
  ca?: string | Buffer;
}

/**
 * A minimal distribution-API client that answers 401 challenges itself: Basic (htpasswd registries)
 * or Bearer (fetches a token from the realm with Basic credentials, cached per scope). Used for seeding
 * and by tests that need "just give me the response".
 */
export class RegistryClient {
  private readonly agent: http.Agent;
  private basic = false;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: RegistryClientOptions) {
    const isHttps = options.url.startsWith('https:');
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: 8, ...(options.ca ? { ca: options.ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  get url(): string {
    return this.options.url;
  }

  /** `scope` is a hint ("repository:foo:pull,push"): a token cached for it is sent up front. */
  async request(
    method: string,
    pathOrUrl: string,
    init: { headers?: Record<string, string | number>; body?: Buffer | string; scope?: string } = {},
  ): Promise<HttpResponse> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : this.options.url + pathOrUrl;
    const send = (auth?: string) =>
      httpRequest(url, {
        method,
        agent: this.agent,
        ...(this.options.ca ? { ca: this.options.ca } : {}),
        headers: { ...(init.headers ?? {}), ...(auth ? { Authorization: auth } : {}) },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    const cached = init.scope !== undefined ? this.tokens.get(init.scope) : undefined;
    let res = await send(this.preemptive(cached));
    if (res.status !== 401) return res;
    const ch = parseChallenge(header(res, 'www-authenticate'));
    if (!ch || this.options.username === undefined) return res;
    if (ch.scheme === 'basic') {
      this.basic = true;
      return send(this.preemptive(undefined));
    }
    if (ch.scheme === 'bearer' && ch.params.realm) {
      const scopes = [
        ...new Set([...(ch.params.scope ?? '').split(' '), ...(init.scope ?? '').split(' ')].filter(Boolean)),
      ];
      const token = await this.fetchToken(ch.params.realm, ch.params.service ?? '', scopes);
      if (init.scope !== undefined) this.tokens.set(init.scope, token);
      res = await send(`Bearer ${token}`);
    }
    return res;
  }

  async fetchToken(realm: string, service: string, scopes: string[]): Promise<string> {
    const u = new URL(realm);
    u.searchParams.set('service', service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const res = await httpRequest(u.toString(), {
      agent: undefined,
      headers:
        this.options.username !== undefined
          ? { Authorization: basicAuth(this.options.username, this.options.password ?? '') }
          : {},
    });
    if (res.status !== 200) throw new Error(`token fetch from ${realm} failed: ${res.status} ${res.text()}`);
    return res.json<{ token: string }>().token;
  }

  private preemptive(token: string | undefined): string | undefined {
    if (token) return `Bearer ${token}`;
    if (this.basic && this.options.username !== undefined)
      return basicAuth(this.options.username, this.options.password ?? '');
    return undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}
