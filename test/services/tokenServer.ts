// A Docker Registry v2 token server (node:crypto only), run in the process that starts the environment.
//
//   GET  /token?service=S&scope=A&scope=B     Basic auth (→ the user's access) or none (→ empty access)
//   POST /token  (application/x-www-form-urlencoded, OAuth2 "password" / "refresh_token" grants; access_type=offline
//                 → refresh_token in the answer)
//   GET  /_log   JSON array of TokenLogEntry     DELETE /_log  clears it
//   GET  /_config  current TokenServerConfig    POST /_config  JSON partial → merged (expiresIn, oauth, postDisabledStatus)
//
// Tokens: RS256 compact JWS, header kid = libtrust fingerprint of the signing certificate's key, claims
// iss, sub, aud (a string: distribution rejects arrays), exp, nbf, iat, jti, access.
import { createPrivateKey, randomBytes, randomUUID, sign, type KeyObject, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { libtrustKid } from './certs';
import type { TokenLogEntry, TokenServerConfig } from './types';

export interface TokenUser {
  username: string;
  password: string;
  /** all: whatever is asked for; pull: only the pull action. */
  access: 'all' | 'pull';
}

export interface TokenServerOptions {
  keyFile: string;
  certFile: string;
  issuer: string;
  service: string;
  users: TokenUser[];
  expiresIn?: number;
  port?: number;
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface RunningTokenServer {
  url: string;
  port: number;
  kid: string;
  log: TokenLogEntry[];
  config: TokenServerConfig;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** "repository:foo/bar:pull,push" → entry; the name may contain ':' (e.g. registry:catalog:*). */
export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || first === last) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

export function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}

function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const key = createPrivateKey(fs.readFileSync(options.keyFile));
  const cert = new X509Certificate(fs.readFileSync(options.certFile));
  const kid = libtrustKid(cert.publicKey);
  const users = new Map(options.users.map((u) => [u.username, u]));
  const refreshTokens = new Map<string, string>(); // refresh token → username
  const config: TokenServerConfig = { expiresIn: options.expiresIn ?? 300, oauth: true, postDisabledStatus: 404 };
  const log: TokenLogEntry[] = [];
  let seq = 0;

  const grant = (user: TokenUser | undefined, scopes: string[]): AccessEntry[] => {
    if (!user) return [];
    const out: AccessEntry[] = [];
    for (const s of scopes) {
      const a = parseScope(s);
      if (!a) continue;
      const actions = user.access === 'all' ? a.actions : a.actions.filter((x) => x === 'pull');
      if (actions.length > 0) out.push({ ...a, actions });
    }
    return out;
  };

  const issue = (user: TokenUser | undefined, service: string, access: AccessEntry[]) => {
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      {
        iss: options.issuer,
        sub: user?.username ?? '',
        aud: service || options.service,
        exp: now + config.expiresIn,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      },
      key,
      kid,
    );
    return { token, access_token: token, expires_in: config.expiresIn, issued_at: new Date(now * 1000).toISOString() };
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const data = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(data),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(data);
  };
  const unauthorized = (res: http.ServerResponse, message: string) =>
    send(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message, detail: null }] },
      { 'WWW-Authenticate': 'Basic realm="registry-lens-test-token"' },
    );

  const record = (e: Omit<TokenLogEntry, 'seq' | 'time'>) => {
    log.push({ seq: ++seq, time: new Date().toISOString(), ...e });
    if (log.length > 5000) log.splice(0, log.length - 5000);
  };

  const splitScopes = (values: string[]) => values.flatMap((s) => s.split(' ')).filter(Boolean);
  const granted = (a: AccessEntry[]) => a.map((x) => `${x.type}:${x.name}:${x.actions.join(',')}`);

  const handleGet = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const service = url.searchParams.get('service') ?? '';
    const scopes = splitScopes(url.searchParams.getAll('scope'));
    const offline = url.searchParams.get('offline_token') === 'true';
    const clientId = url.searchParams.get('client_id') ?? undefined;
    const base = { method: 'GET', path: url.pathname, service, scopes, offline, ...(clientId ? { clientId } : {}) };
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    let user: TokenUser | undefined;
    if (m) {
      const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const name = i < 0 ? decoded : decoded.slice(0, i);
      const password = i < 0 ? '' : decoded.slice(i + 1);
      user = users.get(name);
      if (!user || user.password !== password) {
        record({ ...base, grantType: 'basic', user: name, granted: [], status: 401, refreshToken: false });
        unauthorized(res, 'authentication failed: bad credentials');
        return;
      }
    }
    const access = grant(user, scopes);
    const body: Record<string, unknown> = issue(user, service, access);
    if (offline && user) {
      const rt = randomBytes(24).toString('base64url');
      refreshTokens.set(rt, user.username);
      body.refresh_token = rt;
    }
    record({
      ...base,
      grantType: user ? 'basic' : 'anonymous',
      user: user?.username ?? '',
      granted: granted(access),
      status: 200,
      refreshToken: 'refresh_token' in body,
    });
    send(res, 200, body);
  };

  const handlePost = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const form = new URLSearchParams(await readBody(req));
    const grantType = form.get('grant_type') ?? '';
    const service = form.get('service') ?? '';
    const scopes = splitScopes(form.getAll('scope'));
    const offline = form.get('access_type') === 'offline';
    const clientId = form.get('client_id') ?? undefined;
    const base = {
      method: 'POST',
      path: url.pathname,
      grantType,
      service,
      scopes,
      offline,
      ...(clientId ? { clientId } : {}),
    };
    if (!config.oauth) {
      record({ ...base, user: '', granted: [], status: config.postDisabledStatus, refreshToken: false });
      send(res, config.postDisabledStatus, {
        errors: [{ code: 'UNSUPPORTED', message: 'OAuth2 POST is disabled on this token server', detail: null }],
      });
      return;
    }
    let user: TokenUser | undefined;
    if (grantType === 'password') {
      const name = form.get('username') ?? '';
      user = users.get(name);
      if (!user || user.password !== (form.get('password') ?? '')) {
        record({ ...base, user: name, granted: [], status: 401, refreshToken: false });
        unauthorized(res, 'authentication failed: bad credentials');
        return;
      }
    } else if (grantType === 'refresh_token') {
      const name = refreshTokens.get(form.get('refresh_token') ?? '');
      user = name !== undefined ? users.get(name) : undefined;
      if (!user) {
        record({ ...base, user: '', granted: [], status: 401, refreshToken: false });
        unauthorized(res, 'invalid refresh token');
        return;
      }
    } else {
      record({ ...base, user: '', granted: [], status: 400, refreshToken: false });
      send(res, 400, {
        error: 'unsupported_grant_type',
        errors: [{ code: 'UNSUPPORTED', message: `unsupported grant_type "${grantType}"`, detail: null }],
      });
      return;
    }
    const access = grant(user, scopes);
    const body: Record<string, unknown> = { ...issue(user, service, access), scope: scopes.join(' ') };
    if (grantType === 'refresh_token') {
      body.refresh_token = form.get('refresh_token');
    } else if (offline) {
      const rt = randomBytes(24).toString('base64url');
      refreshTokens.set(rt, user.username);
      body.refresh_token = rt;
    }
    record({
      ...base,
      user: user.username,
      granted: granted(access),
      status: 200,
      refreshToken: 'refresh_token' in body,
    });
    send(res, 200, body);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fail = (e: unknown) => {
      if (!res.headersSent)
        send(res, 500, { errors: [{ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) }] });
    };
    try {
      if (url.pathname === '/_log') {
        if (req.method === 'DELETE') {
          log.length = 0;
          send(res, 200, []);
        } else send(res, 200, log);
      } else if (url.pathname === '/_config') {
        if (req.method === 'POST') {
          readBody(req)
            .then((text) => {
              const patch = JSON.parse(text || '{}') as Partial<TokenServerConfig>;
              if (typeof patch.expiresIn === 'number') config.expiresIn = patch.expiresIn;
              if (typeof patch.oauth === 'boolean') config.oauth = patch.oauth;
              if (typeof patch.postDisabledStatus === 'number') config.postDisabledStatus = patch.postDisabledStatus;
              send(res, 200, config);
            })
            .catch(fail);
        } else send(res, 200, config);
      } else if (url.pathname === '/token') {
        if (req.method === 'GET') handleGet(req, res, url);
        else if (req.method === 'POST') handlePost(req, res, url).catch(fail);
        else send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'GET or POST' }] });
      } else {
        send(res, 404, { errors: [{ code: 'NOT_FOUND', message: url.pathname }] });
      }
    } catch (e) {
      fail(e);
    }
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.unref(); // never keeps the owning process alive by itself
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    kid,
    log,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
