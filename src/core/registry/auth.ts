// Where auth happens. Every registry request of the operations goes through `AuthSession.request`:
//
//   probe (GET /v2/, once per registry, single flight) -> scheme (https, or http for insecure/loopback) + challenge
//   credential gate  -> the keychain's credential, withheld over plain HTTP unless the registry is insecure
//   authorization    -> Basic directly, or a Bearer token from the realm (checked here, fetched by tokenService.ts,
//                       cached in tokens.ts by realm + service + scopes + credential hash)
//   one re-auth      -> on 401, the scopes the registry asked for merged in front, the token refreshed
//
// Safety rules (DESIGN.md, security model):
// - a credential goes only to the registry's own origin or to the realm its challenge named;
// - never over plain HTTP unless the user marked the registry insecure (we then fall back to anonymous), and to
//   a token realm over plain HTTP only when the realm's own host:port is marked insecure;
// - never across a redirect to another origin (`wire.ts` drops `Authorization`);
// - realms must be http(s), and a public registry may not name a private/loopback realm (SSRF guard).
import { type Credential, describeCredential, type Keychain } from '../credentials/types';
import { basicHeader, type Challenge, challengeScopes, findChallenge, parseWwwAuthenticate } from './challenge';
import {
  AuthError,
  classifyTransportError,
  NetworkError,
  ProtocolError,
  redactUrl,
  type RegistryError,
} from './errors';
import { header, headerAll } from './headers';
import { endpointHost, hostnameOf, isLoopbackHostname, isPrivateHostname } from './hosts';
import { statusError } from './status';
import { credentialIdentity, type TokenCache, tokenKey } from './tokens';
import type { TokenService } from './tokenService';
import type { ClientStats, RegistryHostOptions } from './types';
import type { Resp, Wire } from './wire';

/** What the probe of a registry found: the API base, the scheme that answered, and its auth challenges. */
export interface HostState {
  registry: string;
  base: URL; // scheme://endpoint/
  scheme: 'https' | 'http';
  insecure: boolean;
  challenges: Challenge[];
  pingStatus: number;
  apiVersion: string | undefined;
}

export type RequestKind = 'ping' | 'tags' | 'head' | 'get';

export interface AuthRequestOptions {
  signal: AbortSignal | undefined;
  kind: RequestKind;
  accept?: string;
  /** false: return 4xx/5xx answers instead of throwing the mapped error. */
  throwOnError?: boolean;
  /** These statuses are returned instead of thrown (the operation decides; tags: 400/404 of a Link page). */
  tolerate?: number[];
}

export interface AuthSessionOptions {
  wire: Wire;
  tokenService: TokenService;
  tokens: TokenCache;
  keychain: Keychain | undefined;
  hostOptions: (registry: string) => RegistryHostOptions;
  credentialTtlMs: number;
  now: () => number;
  stats: ClientStats;
  log: (line: string) => void;
}

/** A connect-level failure that means "this port does not speak TLS" (so http may be tried for eligible hosts). */
function notTls(e: RegistryError): boolean {
  const code = (e as { tlsCode?: string; networkCode?: string }).tlsCode ?? (e as { networkCode?: string }).networkCode;
  return (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'EPROTO' ||
    code === 'ECONNRESET' ||
    code === 'UND_ERR_SOCKET' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG'
  );
}

function repoScope(repository: string, actions = 'pull'): string {
  return `repository:${repository}:${actions}`;
}

/** The auth state of one client: probes, credentials, scopes. Tokens live in the shared `TokenCache`. */
export class AuthSession {
  private readonly hostStates = new Map<string, Promise<HostState>>();
  private readonly credentials = new Map<string, { at: number; value: Promise<Credential | undefined> }>();
  /** Scopes a registry asked for beyond pull, per registry+repository (merged after a 401). */
  private readonly extraScopes = new Map<string, string[]>();
  private readonly audited = new Set<string>();

  constructor(private readonly options: AuthSessionOptions) {}

  /** Forgets probes, credentials, tokens and learned scopes. */
  reset(): void {
    this.hostStates.clear();
    this.credentials.clear();
    this.options.tokens.clear();
    this.options.tokenService.reset();
    this.extraScopes.clear();
  }

  /** Drops the probe of one registry, so the next request probes again (ping does this). */
  forgetHost(registry: string): void {
    this.hostStates.delete(registry);
  }

  private auditOnce(line: string): void {
    if (this.audited.has(line)) return;
    this.audited.add(line);
    this.options.log(line);
  }

  // ---- probe: scheme and challenge, one per registry (single flight) ----

  hostState(registry: string, signal: AbortSignal | undefined): Promise<HostState> {
    let p = this.hostStates.get(registry);
    if (!p) {
      p = this.probe(registry, signal);
      this.hostStates.set(registry, p);
      p.catch(() => this.hostStates.delete(registry));
    }
    return p;
  }

  private async probe(registry: string, signal: AbortSignal | undefined): Promise<HostState> {
    const opts = this.options.hostOptions(registry);
    const host = endpointHost(registry);
    const insecure = opts.insecure === true;
    const httpAllowed = insecure || isLoopbackHostname(hostnameOf(host));
    const schemes: ('https' | 'http')[] = opts.scheme ? [opts.scheme] : httpAllowed ? ['https', 'http'] : ['https'];
    let lastError: RegistryError | undefined;
    for (const scheme of schemes) {
      const base = new URL(`${scheme}://${host}/`);
      this.options.stats.ping++;
      let res: Resp;
      try {
        res = await this.options.wire.send(new URL('/v2/', base), {
          method: 'GET',
          headers: {},
          signal,
          registry,
          retries: scheme === 'https' && schemes.length > 1 ? 0 : undefined,
        });
      } catch (e) {
        const err = classifyTransportError(e, { registry });
        if (scheme === 'https' && schemes.length > 1 && notTls(err)) {
          lastError = err;
          continue;
        }
        throw err;
      }
      if (res.status >= 500 || res.status === 429)
        throw statusError(res, { registry, what: 'ping', now: this.options.now });
      if (res.status === 404)
        throw new ProtocolError(
          `${registry}: no registry API at ${redactUrl(res.url.toString())} (GET /v2/ answered 404)`,
          { registry, status: 404 },
        );
      return {
        registry,
        base,
        scheme,
        insecure,
        challenges: res.status === 401 ? parseWwwAuthenticate(headerAll(res.headers, 'www-authenticate')) : [],
        pingStatus: res.status,
        apiVersion: header(res.headers, 'docker-distribution-api-version'),
      };
    }
    throw lastError ?? new NetworkError(`${registry}: unreachable`, { registry });
  }

  /** The challenge we answer: Bearer over Basic. */
  authChallenge(state: HostState): Challenge | undefined {
    return findChallenge(state.challenges, 'bearer') ?? findChallenge(state.challenges, 'basic');
  }

  // ---- credential gate ----

  /** The keychain's credential for a registry (reused for `credentialTtlMs`); its source is logged once. */
  credential(registry: string, signal: AbortSignal | undefined, repository?: string): Promise<Credential | undefined> {
    const keychain = this.options.keychain;
    if (!keychain) return Promise.resolve(undefined);
    const now = this.options.now;
    // Keyed by repository too: a keychain may hold a repository-scoped credential (`quay.io/acme/app`).
    const key = repository !== undefined ? `${registry}/${repository}` : registry;
    const hit = this.credentials.get(key);
    if (hit && now() - hit.at < this.options.credentialTtlMs) return hit.value;
    const value = keychain.resolve(registry, signal, repository).then((c) => {
      this.auditOnce(`${key}: credentials: ${describeCredential(c)}`);
      return c;
    });
    this.credentials.set(key, { at: now(), value });
    value.catch(() => this.credentials.delete(key));
    return value;
  }

  /** The credential we may use for this registry over its scheme (none over plain HTTP unless insecure). */
  async usableCredential(
    state: HostState,
    signal: AbortSignal | undefined,
    repository?: string,
  ): Promise<{ cred: Credential | undefined; refused?: string }> {
    const cred = await this.credential(state.registry, signal, repository);
    if (!cred) return { cred: undefined };
    if (state.scheme === 'http' && !state.insecure) {
      const refused = `credentials (${cred.source}) not sent to ${state.registry} over plain HTTP: mark the registry insecure in settings if you trust this network`;
      this.auditOnce(`${state.registry}: ${refused}`);
      return { cred: undefined, refused };
    }
    return { cred };
  }

  // ---- authorization: Basic, or a Bearer token from a checked realm ----

  private scopesFor(registry: string, repository: string | undefined): string[] {
    if (repository === undefined) return [];
    return [...(this.extraScopes.get(`${registry}/${repository}`) ?? []), repoScope(repository)].filter(
      (s, i, a) => a.indexOf(s) === i,
    );
  }

  private async authorization(
    state: HostState,
    cred: Credential | undefined,
    scopes: string[],
    signal: AbortSignal | undefined,
    forceRefresh: boolean,
  ): Promise<string | undefined> {
    const challenge = this.authChallenge(state);
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      if (!cred) return undefined;
      if (cred.registryToken) return `Bearer ${cred.registryToken}`;
      if (cred.username === undefined) return undefined;
      return basicHeader(cred.username, cred.password ?? cred.identityToken ?? '');
    }
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`;
    const realmText = challenge.params.realm;
    if (!realmText)
      throw new ProtocolError(`${state.registry}: Bearer challenge without a realm`, { registry: state.registry });
    const realm = this.checkRealm(state, realmText, cred);
    const service = challenge.params.service ?? '';
    const credId = credentialIdentity(cred);
    const key = tokenKey({ realm: realm.toString(), service, scopes, credential: credId });
    const tokens = this.options.tokens;
    if (forceRefresh) tokens.invalidate(key);
    const oauth2 = this.options.hostOptions(state.registry).oauth2 === true;
    const t = await tokens.get(key, () =>
      this.options.tokenService.fetch({
        registry: state.registry,
        realm,
        service,
        scopes,
        cred,
        credId,
        oauth2,
        signal,
      }),
    );
    return `Bearer ${t.token}`;
  }

  /** Realm checks: http(s) only; plain HTTP with credentials only to a realm whose host:port is insecure; no private realm for a public registry. */
  private checkRealm(state: HostState, realmText: string, cred: Credential | undefined): URL {
    let realm: URL;
    try {
      realm = new URL(realmText, state.base);
    } catch {
      throw new ProtocolError(`${state.registry}: unusable token realm in the challenge`, { registry: state.registry });
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new ProtocolError(`${state.registry}: token realm must be http(s), got ${realm.protocol}`, {
        registry: state.registry,
      });
    }
    if (
      realm.protocol === 'http:' &&
      state.scheme === 'https' &&
      realm.hostname === state.base.hostname &&
      (realm.port === '' || realm.port === '80')
    ) {
      // Harbor behind a TLS proxy advertises http:// for its own https host (and redirects there): ask over https
      // at once, so no credential travels in the clear and the token is not lost to a refused redirect.
      realm = new URL(realm.toString().replace(/^http:/, 'https:'));
      realm.port = state.base.port;
    }
    if (isPrivateHostname(realm.hostname) && !isPrivateHostname(state.base.hostname)) {
      throw new AuthError(
        `${state.registry}: refusing token realm ${redactUrl(realm.origin)} on a private address named by a public registry`,
        { registry: state.registry },
      );
    }
    // Plain HTTP to a realm only when the realm's own host:port is marked insecure: marking the registry covers
    // the realm only when the realm is on the registry's own host:port.
    const realmInsecure =
      realm.host === state.base.host ? state.insecure : this.options.hostOptions(realm.host).insecure === true;
    if (realm.protocol === 'http:' && cred && !realmInsecure) {
      throw new AuthError(
        `not sent: ${realm.host} is plain HTTP. ${state.registry}: refusing to send credentials (${cred.source}) to the token realm ${redactUrl(realm.origin)} over plain HTTP: mark ${realm.host} insecure in settings if you trust this network`,
        { registry: state.registry, plainHttpHost: realm.host },
      );
    }
    return realm;
  }

  // ---- the authenticated request: auth header, one re-auth on 401 with merged scopes, status -> typed errors ----

  async request(
    registry: string,
    repository: string | undefined,
    method: 'GET' | 'HEAD',
    path: string,
    opts: AuthRequestOptions,
  ): Promise<Resp> {
    const signal = opts.signal;
    let state = await this.hostState(registry, signal);
    const { cred, refused } = await this.usableCredential(state, signal, repository);
    const url = new URL(path, state.base);
    let reauthed = false;
    let forceRefresh = false;
    for (;;) {
      const scopes = this.scopesFor(registry, repository);
      const auth = await this.authorization(state, cred, scopes, signal, forceRefresh);
      const headers: Record<string, string> = {};
      if (opts.accept) headers.accept = opts.accept;
      if (auth) headers.authorization = auth;
      this.options.stats[opts.kind]++;
      const res = await this.options.wire.send(url, {
        method,
        headers,
        signal,
        registry,
        ...(repository !== undefined ? { repository } : {}),
      });
      if (res.status === 401 && !reauthed) {
        // One re-auth: the registry may want other scopes (merged, new ones first), a fresh token, or auth at all.
        reauthed = true;
        const challenges = parseWwwAuthenticate(headerAll(res.headers, 'www-authenticate'));
        const bearer = findChallenge(challenges, 'bearer');
        const basic = findChallenge(challenges, 'basic');
        if (!this.authChallenge(state) && (bearer || basic)) {
          state = { ...state, challenges };
          this.hostStates.set(registry, Promise.resolve(state));
        }
        if (bearer && repository !== undefined) {
          const asked = challengeScopes(bearer).filter((s) => s !== repoScope(repository));
          if (asked.length > 0) {
            const key = `${registry}/${repository}`;
            this.extraScopes.set(
              key,
              [...asked, ...(this.extraScopes.get(key) ?? [])].filter((s, i, a) => a.indexOf(s) === i),
            );
          }
        }
        if (bearer || basic) {
          forceRefresh = true;
          continue;
        }
      }
      if (res.status >= 400 && opts.throwOnError !== false && !opts.tolerate?.includes(res.status))
        throw statusError(res, { registry, repository, what: opts.kind, cred, refused, now: this.options.now });
      return res;
    }
  }
}
