// The token service conversation (Docker token auth and its OAuth2 variant), called by `auth.ts` on a cache miss.
// Token auth: https://distribution.github.io/distribution/spec/auth/token/
// OAuth2:     https://distribution.github.io/distribution/spec/auth/oauth/
//
// - A refresh token (ours, or the credential's identity token) or `oauth2: true` with a password: POST the form.
//   A 404 means the service has no OAuth2 endpoint: fall back to GET. A stale refresh token of ours is forgotten.
// - Otherwise GET `realm?service=&scope=&account=` with Basic credentials, or anonymously.
// The realm was checked by `auth.ts` before we get here (scheme, private address, plain HTTP).
import type { Credential } from '../credentials/types';
import { ProtocolError } from './errors';
import { basicHeader } from './challenge';
import { tokenStatusError } from './status';
import { parseTokenResponse, type TokenResponse } from './tokens';
import type { ClientStats } from './types';
import type { Resp, Wire } from './wire';

export interface TokenRequest {
  registry: string;
  realm: URL;
  service: string;
  scopes: string[];
  cred: Credential | undefined;
  /** `credentialIdentity(cred)`: keys the refresh tokens we keep. */
  credId: string;
  /** Ask with the OAuth2 password grant (the registry's `oauth2` option). */
  oauth2: boolean;
  signal: AbortSignal | undefined;
}

export interface TokenServiceOptions {
  wire: Wire;
  now: () => number;
  clientId: string;
  marginMs: number;
  stats: ClientStats;
}

export class TokenService {
  /** Refresh tokens handed out by token services, per realm + credential identity. */
  private readonly refreshTokens = new Map<string, string>();

  constructor(private readonly options: TokenServiceOptions) {}

  reset(): void {
    this.refreshTokens.clear();
  }

  async fetch(req: TokenRequest): Promise<TokenResponse> {
    const { registry, realm, service, scopes, cred, credId, signal } = req;
    const { wire, clientId, stats } = this.options;
    const now = this.options.now;
    const refreshKey = `${realm.toString()}|${credId}`;
    const refresh = this.refreshTokens.get(refreshKey) ?? cred?.identityToken;
    const usePost =
      refresh !== undefined || (req.oauth2 && cred?.username !== undefined && cred.password !== undefined);
    const ctx = { registry, what: 'token', cred, now, scopes };
    const take = (res: Resp): TokenResponse => {
      let data: unknown;
      try {
        data = JSON.parse(res.body.toString('utf8'));
      } catch {
        throw new ProtocolError(`${registry}: the token service answered invalid JSON`, {
          registry,
          status: res.status,
          url: res.url.toString(),
        });
      }
      let t: TokenResponse;
      try {
        t = parseTokenResponse(data, { now: now(), marginMs: this.options.marginMs });
      } catch (e) {
        throw new ProtocolError(`${registry}: ${(e as Error).message}`, { registry, url: res.url.toString() });
      }
      if (t.refreshToken) this.refreshTokens.set(refreshKey, t.refreshToken);
      return t;
    };

    if (usePost && cred) {
      const form = new URLSearchParams();
      if (refresh !== undefined) {
        form.set('grant_type', 'refresh_token');
        form.set('refresh_token', refresh);
      } else {
        form.set('grant_type', 'password');
        form.set('username', cred.username ?? '');
        form.set('password', cred.password ?? '');
      }
      form.set('client_id', clientId);
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      form.set('access_type', 'offline');
      stats.token++;
      const res = await wire.send(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
        registry: undefined,
      });
      if (res.status === 200) return take(res);
      if (res.status !== 404) {
        // a stale refresh token we stored ourselves: forget it and fall back to the credential
        if (
          (res.status === 401 || res.status === 400) &&
          this.refreshTokens.has(refreshKey) &&
          refresh !== cred.identityToken
        ) {
          this.refreshTokens.delete(refreshKey);
        } else throw tokenStatusError(res, 'OAuth2 POST', ctx);
      }
      // 404: this token server has no OAuth2 endpoint; use GET.
    }

    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (cred?.username !== undefined) {
      url.searchParams.set('account', cred.username);
      const secret = cred.password ?? cred.identityToken;
      if (secret !== undefined) headers.authorization = basicHeader(cred.username, secret);
    }
    if (url.searchParams.get('client_id') === null) url.searchParams.set('client_id', clientId);
    stats.token++;
    const res = await wire.send(url, { method: 'GET', headers, signal, registry: undefined });
    if (res.status === 200) return take(res);
    throw tokenStatusError(res, 'GET', ctx);
  }
}
