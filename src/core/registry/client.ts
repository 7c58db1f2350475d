// The registry client: the OCI distribution API over an injected undici Dispatcher, with the Docker token flow.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
// Token auth: https://distribution.github.io/distribution/spec/auth/token/ and .../auth/oauth/
//
// Safety rules (DESIGN.md, security model):
// - a credential goes only to the registry's own origin or to the realm its challenge named;
// - never over plain HTTP unless the user marked the registry insecure (we then fall back to anonymous);
// - redirects are followed here (the dispatcher never follows them) and lose `Authorization` across origins;
// - realms must be http(s), and a public registry may not name a private/loopback realm (SSRF guard).
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { USER_AGENT } from '../product';
import { type Credential, describeCredential, type Keychain } from '../credentials/types';
import { type Challenge, challengeScopes, findChallenge, parseWwwAuthenticate } from './challenge';
import {
  AuthError,
  classifyTransportError,
  describeErrors,
  NetworkError,
  NotFoundError,
  parseErrorBody,
  ProtocolError,
  RateLimitError,
  redactUrl,
  refreshHint,
  RegistryError,
} from './errors';
import { header, type HeaderBag, headerAll, nextLink, parseRateLimit, parseRetryAfter, type RateLimitInfo } from './headers';
import { endpointHost, hostnameOf, isLoopbackHostname, isPrivateHostname, sameOrigin } from './hosts';
import { baseMediaType, isIndexMediaType, MANIFEST_MEDIA_TYPES } from './mediaTypes';
import { credentialIdentity, parseTokenResponse, TokenCache, type TokenResponse, tokenKey } from './tokens';

/** Chooses the dispatcher for a URL (per-host CA, insecure TLS, proxy). See `RegistryTransport`. */
export interface DispatcherSource {
  dispatcherFor(url: URL): Dispatcher;
}

/** Per-registry behaviour the user configures. */
export interface RegistryHostOptions {
  /** Plain HTTP and unverified TLS allowed, credentials over HTTP allowed. Only for hosts the user listed. */
  insecure?: boolean;
  /** Force a scheme instead of https-first (with an http fallback for insecure and loopback hosts). */
  scheme?: 'https' | 'http';
  /** Ask for tokens with the OAuth2 password grant (POST), like `docker login`, instead of GET with Basic. */
  oauth2?: boolean;
  /** Concurrent requests to this host (default: the client's `maxConcurrentPerHost`). */
  maxConcurrent?: number;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff delay, ms (default 500); doubles per retry, with jitter. */
  baseDelayMs?: number;
  /** Longest backoff or Retry-After we wait, ms (default 30 000); a longer Retry-After fails at once. */
  maxDelayMs?: number;
}

export interface RegistryClientOptions {
  /** The transport: one dispatcher for everything, or a per-URL source (`RegistryTransport`). Never the global one. */
  dispatcher: Dispatcher | DispatcherSource;
  /** Where credentials come from; default: none (anonymous). */
  keychain?: Keychain;
  userAgent?: string;
  /** Per-registry options by registry key (`ghcr.io`, `localhost:5000`), or a function of the key. */
  hosts?: Record<string, RegistryHostOptions> | ((registry: string) => RegistryHostOptions | undefined);
  /** Shared token cache (default: one per client). */
  tokenCache?: TokenCache;
  /** Taken off every token's lifetime, ms (default 5000). */
  tokenMarginMs?: number;
  /** OAuth2 `client_id` (default `registry-lens`). */
  clientId?: string;
  /** Clock, epoch ms (tests). */
  now?: () => number;
  /** Time to response headers / between body chunks, ms (defaults 30 000 / 30 000). */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  retry?: RetryOptions;
  /** Concurrent requests per host (default 6). */
  maxConcurrentPerHost?: number;
  /** Largest response body read, bytes (default 4 MiB); error bodies are capped at 64 KiB. */
  maxBodyBytes?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  /** How long a keychain answer is reused, ms (default 60 000). */
  credentialTtlMs?: number;
  /** Audit and diagnostic lines (credential *sources*, retries). Never receives a secret. */
  log?: (line: string) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export type AuthScheme = 'none' | 'basic' | 'bearer';

export interface PingResult {
  registry: string;
  /** The API base URL used (`https://registry-1.docker.io/v2/`). */
  url: string;
  scheme: 'https' | 'http';
  /** Status of the anonymous `GET /v2/`. */
  status: number;
  auth: AuthScheme;
  realm?: string;
  service?: string;
  /** `Docker-Distribution-Api-Version`, when sent. */
  apiVersion?: string;
  /** Where the credential for this registry comes from, or undefined when anonymous. */
  credentialSource?: string;
  /** Whether an authenticated request succeeded (only checked when a credential exists and auth is required). */
  authenticated?: boolean;
  rateLimit?: RateLimitInfo;
}

export interface TagListOptions extends RequestOptions {
  /** `n` per page (default 1000; some registries ignore it). */
  pageSize?: number;
  /** Pages followed at most (default 50). */
  maxPages?: number;
}

export interface TagList {
  registry: string;
  repository: string;
  tags: string[];
  pages: number;
  /** True when the page cap stopped the listing, or a next page was refused. */
  truncated: boolean;
  /** Why a next page was not followed (cross-origin Link, page cap). */
  stoppedBecause?: string;
}

export interface ManifestDescriptor {
  registry: string;
  repository: string;
  reference: string;
  digest: string;
  mediaType: string | undefined;
  size: number | undefined;
  /** 'head' normally; 'get' when the registry's HEAD had no digest and the body was hashed. */
  via: 'head' | 'get';
  rateLimit?: RateLimitInfo;
}

export interface Manifest extends ManifestDescriptor {
  /** The parsed JSON body. */
  body: unknown;
  raw: Buffer;
}

export interface PlatformEntry {
  /** `linux/amd64`, `linux/arm64/v8`. */
  platform: string;
  os: string;
  architecture: string;
  variant?: string;
  digest: string;
  mediaType: string | undefined;
  size: number | undefined;
}

export interface ImageIndex {
  digest: string;
  mediaType: string | undefined;
  /** True for an index / manifest list; false for a single-platform manifest (then `platforms` is empty). */
  isIndex: boolean;
  platforms: PlatformEntry[];
}

/** Request counts by kind, for benchmarks and tests. */
export interface ClientStats {
  ping: number;
  token: number;
  head: number;
  get: number;
  tags: number;
  retries: number;
  redirects: number;
}

interface HostState {
  registry: string;
  base: URL; // scheme://endpoint/
  scheme: 'https' | 'http';
  insecure: boolean;
  challenges: Challenge[];
  pingStatus: number;
  apiVersion: string | undefined;
}

interface Resp {
  status: number;
  headers: HeaderBag;
  body: Buffer;
  url: URL;
}

interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal | undefined;
  /** Body cap; error bodies are always capped at 64 KiB. */
  maxBytes?: number;
  registry: string | undefined;
  repository?: string;
  retries?: number;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const ERROR_BODY_CAP = 64 * 1024;

class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  /** No request starts before this time (epoch ms): a 429/503 slows the whole host down. */
  notBefore = 0;
  constructor(private readonly limit: number) {}
  /** Takes a slot; waits while all are busy. An abort while waiting leaves the queue and rejects with its reason. */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(take);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const take = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(take);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  /** Frees a slot, or hands it straight to the next waiter (so no newcomer slips in between). */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(Object.assign(new Error('request cancelled'), { name: 'AbortError' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function isDispatcherSource(d: Dispatcher | DispatcherSource): d is DispatcherSource {
  return typeof (d as Partial<DispatcherSource>).dispatcherFor === 'function';
}

/** A connect-level failure that means "this port does not speak TLS" (so http may be tried for eligible hosts). */
function notTls(e: RegistryError): boolean {
  const code = (e as { tlsCode?: string; networkCode?: string }).tlsCode ?? (e as { networkCode?: string }).networkCode;
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG';
}

function repoScope(repository: string, actions = 'pull'): string {
  return `repository:${repository}:${actions}`;
}

/**
 * Talks to registries. Construct it with a dispatcher (or a `RegistryTransport`) and a keychain:
 * `new RegistryClient({ dispatcher, keychain, userAgent })`.
 */
export class RegistryClient {
  private readonly source: DispatcherSource;
  private readonly keychain: Keychain | undefined;
  private readonly userAgent: string;
  private readonly tokens: TokenCache;
  private readonly now: () => number;
  private readonly hostStates = new Map<string, Promise<HostState>>();
  private readonly semaphores = new Map<string, Semaphore>();
  private readonly credentials = new Map<string, { at: number; value: Promise<Credential | undefined> }>();
  private readonly refreshTokens = new Map<string, string>();
  /** Scopes a registry asked for beyond pull, per registry+repository (merged after a 401). */
  private readonly extraScopes = new Map<string, string[]>();
  private readonly rateLimits = new Map<string, RateLimitInfo>();
  private readonly audited = new Set<string>();
  readonly stats: ClientStats = { ping: 0, token: 0, head: 0, get: 0, tags: 0, retries: 0, redirects: 0 };

  constructor(private readonly options: RegistryClientOptions) {
    const d = options.dispatcher;
    this.source = isDispatcherSource(d) ? d : { dispatcherFor: () => d };
    this.keychain = options.keychain;
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.now = options.now ?? Date.now;
    this.tokens = options.tokenCache ?? new TokenCache(this.now);
  }

  // ------------------------------------------------------------------------------------------------------
  // Public operations

  /** `GET /v2/`: reachability, auth scheme, and (with a credential) whether it is accepted. */
  async ping(registry: string, opts: RequestOptions = {}): Promise<PingResult> {
    this.hostStates.delete(registry);
    const state = await this.hostState(registry, opts.signal);
    const challenge = this.authChallenge(state);
    const cred = await this.credential(registry, opts.signal);
    const result: PingResult = {
      registry,
      url: new URL('/v2/', state.base).toString(),
      scheme: state.scheme,
      status: state.pingStatus,
      auth: challenge ? (challenge.scheme as AuthScheme) : 'none',
      ...(challenge?.params.realm ? { realm: challenge.params.realm } : {}),
      ...(challenge?.params.service ? { service: challenge.params.service } : {}),
      ...(state.apiVersion ? { apiVersion: state.apiVersion } : {}),
      ...(cred ? { credentialSource: cred.source } : {}),
    };
    if (challenge && cred) {
      // An authenticated /v2/ (Basic directly, Bearer with a scope-less token) proves the credential works.
      const res = await this.registryRequest(registry, undefined, 'GET', '/v2/', { signal: opts.signal, kind: 'ping', throwOnError: false });
      result.authenticated = res.status === 200;
      if (res.status === 401 || res.status === 403) {
        // Name the credential that was refused, so the message says "rejected", not "sign in".
        throw this.statusError(res, registry, undefined, 'ping', cred);
      }
    }
    const rl = this.rateLimits.get(registry);
    if (rl) result.rateLimit = rl;
    return result;
  }

  /**
   * All tags of a repository, following `Link rel="next"` on the same origin up to a page cap. Where a registry's
   * Link is unusable — a next URL for another repository path (Artifactory drops the repository key, Nexus names
   * `/repository/<name>/`) or one that answers 400/404 — and where a full page comes without a Link, the next page
   * is asked from the original URL with `last=` (distribution spec, "Listing Tags"). A registry that refuses `n`
   * over 100 (Quay) is asked again with 100.
   */
  async listTags(registry: string, repository: string, opts: TagListOptions = {}): Promise<TagList> {
    let pageSize = opts.pageSize ?? 1000;
    const maxPages = opts.maxPages ?? 50;
    const tags: string[] = [];
    const seen = new Set<string>();
    const tagsPath = `/v2/${repository}/tags/list`;
    const fromOriginal = (last: string): string => `${tagsPath}?n=${pageSize}&last=${encodeURIComponent(last)}`;
    let path: string | undefined = `${tagsPath}?n=${pageSize}`;
    let viaLink = false;
    let probing = false;
    let lastTag: string | undefined;
    let pages = 0;
    let stoppedBecause: string | undefined;
    let origin: URL | undefined;
    while (path !== undefined) {
      if (pages >= maxPages) {
        stoppedBecause = `page cap of ${maxPages} reached`;
        break;
      }
      const res = await this.registryRequest(registry, repository, 'GET', path, { signal: opts.signal, kind: 'tags', accept: 'application/json', tolerate: [400, 404] });
      if (res.status >= 400) {
        if (pages === 0 && res.status === 400 && pageSize > 100) {
          this.log(`${registry}/${repository}: the tag list refused n=${pageSize}; asking with n=100`);
          pageSize = 100;
          path = `${tagsPath}?n=${pageSize}`;
          continue;
        }
        if (viaLink && lastTag !== undefined && (res.status === 400 || res.status === 404)) {
          this.log(`${registry}/${repository}: the Link next page answered ${res.status}; paging from the original URL with last=`);
          viaLink = false;
          path = fromOriginal(lastTag);
          continue;
        }
        throw this.statusError(res, registry, repository, 'tags', await this.credential(registry, opts.signal, repository));
      }
      pages++;
      origin ??= res.url;
      const data = this.json(res, registry, repository) as { tags?: unknown; name?: unknown } | null;
      const pageTags = data && Array.isArray(data.tags) ? data.tags.filter((t): t is string => typeof t === 'string') : data && data.tags === null ? [] : undefined;
      if (pageTags === undefined) throw new ProtocolError(`${registry}/${repository}: the tag list has no "tags" array`, { registry, repository, status: res.status, url: res.url.toString() });
      let fresh = 0;
      for (const t of pageTags) {
        if (!seen.has(t)) {
          seen.add(t);
          tags.push(t);
          fresh++;
        }
      }
      if (pageTags.length > 0 && fresh === 0) {
        // A probe after a full page without Link that repeats it: the registry ignores `last`, and sent everything.
        if (pages > 1 && !probing) stoppedBecause = 'next page repeated tags already seen (registry ignores last)';
        break;
      }
      const pageLast = pageTags[pageTags.length - 1];
      const link = nextLink(headerAll(res.headers, 'link'));
      path = undefined;
      viaLink = false;
      probing = false;
      if (link !== undefined) {
        let next: URL;
        try {
          next = new URL(link, res.url);
        } catch {
          stoppedBecause = 'unparsable Link header';
          break;
        }
        if (!sameOrigin(next, origin)) {
          stoppedBecause = `next page on another origin refused (${redactUrl(next.origin)})`;
          this.log(`${registry}/${repository}: ${stoppedBecause}`);
          break;
        }
        if (next.pathname === tagsPath) {
          path = next.pathname + next.search;
          viaLink = true;
        } else if (pageLast !== undefined) {
          this.log(`${registry}/${repository}: the Link next page names another path (${redactUrl(next.pathname)}); paging from the original URL with last=`);
          path = fromOriginal(pageLast);
        }
      } else if (pageLast !== undefined && pageTags.length >= pageSize) {
        // A full page and no Link: some registries (Nexus) page without saying so.
        path = fromOriginal(pageLast);
        probing = true;
      }
      // Otherwise no Link: the listing is complete (registries that ignore `n` send everything in one page).
      lastTag = pageLast ?? lastTag;
    }
    return { registry, repository, tags, pages, truncated: stoppedBecause !== undefined, ...(stoppedBecause ? { stoppedBecause } : {}) };
  }

  /**
   * The digest of a tag or digest reference by `HEAD` with all four manifest media types. Falls back to `GET`
   * and sha256 of the body only when HEAD has no `Docker-Content-Digest` (HEAD does not count as a Hub pull).
   */
  async headManifest(registry: string, repository: string, reference: string, opts: RequestOptions = {}): Promise<ManifestDescriptor> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const res = await this.registryRequest(registry, repository, 'HEAD', path, { signal: opts.signal, kind: 'head', accept: MANIFEST_MEDIA_TYPES.join(', ') });
    const digest = header(res.headers, 'docker-content-digest');
    const len = Number.parseInt(header(res.headers, 'content-length') ?? '', 10);
    const rl = this.rateLimits.get(registry);
    if (digest && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) {
      return {
        registry,
        repository,
        reference,
        digest,
        mediaType: baseMediaType(header(res.headers, 'content-type')),
        size: Number.isFinite(len) ? len : undefined,
        via: 'head',
        ...(rl ? { rateLimit: rl } : {}),
      };
    }
    const m = await this.getManifest(registry, repository, reference, opts);
    return { ...m, via: 'get' };
  }

  /** `GET` a manifest; the digest is the registry's (verified against the body) or the body's sha256. */
  async getManifest(registry: string, repository: string, reference: string, opts: RequestOptions = {}): Promise<Manifest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const res = await this.registryRequest(registry, repository, 'GET', path, { signal: opts.signal, kind: 'get', accept: MANIFEST_MEDIA_TYPES.join(', ') });
    const computed = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    const said = header(res.headers, 'docker-content-digest');
    const refDigest = reference.includes(':') ? reference : undefined;
    for (const expected of [said, refDigest]) {
      if (expected === undefined) continue;
      if (expected.startsWith('sha256:') && expected !== computed) {
        throw new ProtocolError(`${registry}/${repository}@${expected}: the manifest body hashes to ${computed}, not the digest the registry named`, {
          registry,
          repository,
          status: res.status,
          url: res.url.toString(),
        });
      }
    }
    const body = this.json(res, registry, repository);
    const declared = typeof body === 'object' && body !== null && typeof (body as { mediaType?: unknown }).mediaType === 'string' ? (body as { mediaType: string }).mediaType : undefined;
    const contentType = baseMediaType(header(res.headers, 'content-type'));
    if (declared !== undefined && contentType !== undefined && MANIFEST_MEDIA_TYPES.includes(contentType) && declared !== contentType) {
      throw new ProtocolError(`${registry}/${repository}:${reference}: Content-Type ${contentType} but the manifest says ${declared}`, { registry, repository, url: res.url.toString() });
    }
    const rl = this.rateLimits.get(registry);
    return {
      registry,
      repository,
      reference,
      digest: said?.startsWith('sha256:') ? said : (said ?? computed),
      mediaType: declared ?? contentType,
      size: res.body.length,
      via: 'get',
      body,
      raw: res.body,
      ...(rl ? { rateLimit: rl } : {}),
    };
  }

  /** The platforms and child digests of an index / manifest list (a single manifest gives `isIndex: false`). */
  async getIndex(registry: string, repository: string, reference: string, opts: RequestOptions = {}): Promise<ImageIndex> {
    return indexOf(await this.getManifest(registry, repository, reference, opts));
  }

  /**
   * A JSON blob by digest (an image's config: its labels, created time, platform), verified against the digest.
   * Blob GETs often redirect to storage on another host: `send` follows them without `Authorization` there.
   */
  async getJsonBlob(registry: string, repository: string, digest: string, opts: RequestOptions = {}): Promise<unknown> {
    const res = await this.registryRequest(registry, repository, 'GET', `/v2/${repository}/blobs/${digest}`, { signal: opts.signal, kind: 'get' });
    if (digest.startsWith('sha256:')) {
      const computed = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
      if (computed !== digest) {
        throw new ProtocolError(`${registry}/${repository}@${digest}: the blob hashes to ${computed}`, { registry, repository, status: res.status, url: res.url.toString() });
      }
    }
    return this.json(res, registry, repository);
  }

  /** The last rate-limit headers seen from a registry, or undefined (none sent: unlimited). */
  rateLimit(registry: string): RateLimitInfo | undefined {
    return this.rateLimits.get(registry);
  }

  /** Forgets cached host probes, credentials and tokens (after settings or credentials change). */
  reset(): void {
    this.hostStates.clear();
    this.credentials.clear();
    this.tokens.clear();
    this.refreshTokens.clear();
    this.extraScopes.clear();
  }

  // ------------------------------------------------------------------------------------------------------
  // Host state: scheme and challenge, one probe per host (single flight)

  private hostOptions(registry: string): RegistryHostOptions {
    const h = this.options.hosts;
    if (!h) return {};
    return (typeof h === 'function' ? h(registry) : h[registry]) ?? {};
  }

  private hostState(registry: string, signal: AbortSignal | undefined): Promise<HostState> {
    let p = this.hostStates.get(registry);
    if (!p) {
      p = this.probe(registry, signal);
      this.hostStates.set(registry, p);
      p.catch(() => this.hostStates.delete(registry));
    }
    return p;
  }

  private async probe(registry: string, signal: AbortSignal | undefined): Promise<HostState> {
    const opts = this.hostOptions(registry);
    const host = endpointHost(registry);
    const insecure = opts.insecure === true;
    const httpAllowed = insecure || isLoopbackHostname(hostnameOf(host));
    const schemes: ('https' | 'http')[] = opts.scheme ? [opts.scheme] : httpAllowed ? ['https', 'http'] : ['https'];
    let lastError: RegistryError | undefined;
    for (const scheme of schemes) {
      const base = new URL(`${scheme}://${host}/`);
      this.stats.ping++;
      let res: Resp;
      try {
        res = await this.send(new URL('/v2/', base), { method: 'GET', headers: {}, signal, registry, retries: scheme === 'https' && schemes.length > 1 ? 0 : undefined });
      } catch (e) {
        const err = classifyTransportError(e, { registry });
        if (scheme === 'https' && schemes.length > 1 && notTls(err)) {
          lastError = err;
          continue;
        }
        throw err;
      }
      if (res.status >= 500 || res.status === 429) throw this.statusError(res, registry, undefined, 'ping');
      if (res.status === 404) throw new ProtocolError(`${registry}: no registry API at ${redactUrl(res.url.toString())} (GET /v2/ answered 404)`, { registry, status: 404 });
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

  private authChallenge(state: HostState): Challenge | undefined {
    return findChallenge(state.challenges, 'bearer') ?? findChallenge(state.challenges, 'basic');
  }

  // ------------------------------------------------------------------------------------------------------
  // Credentials

  private credential(registry: string, signal: AbortSignal | undefined, repository?: string): Promise<Credential | undefined> {
    if (!this.keychain) return Promise.resolve(undefined);
    const ttl = this.options.credentialTtlMs ?? 60_000;
    // Keyed by repository too: a keychain may hold a repository-scoped credential (`quay.io/acme/app`).
    const cacheKey = repository !== undefined ? `${registry}/${repository}` : registry;
    const hit = this.credentials.get(cacheKey);
    if (hit && this.now() - hit.at < ttl) return hit.value;
    const keychain = this.keychain;
    const value = keychain.resolve(registry, signal, repository).then((c) => {
      const line = `${repository !== undefined ? `${registry}/${repository}` : registry}: credentials: ${describeCredential(c)}`;
      if (!this.audited.has(line)) {
        this.audited.add(line);
        this.log(line);
      }
      return c;
    });
    this.credentials.set(cacheKey, { at: this.now(), value });
    value.catch(() => this.credentials.delete(cacheKey));
    return value;
  }

  /** The credential we may use for this registry over its scheme (none over plain HTTP unless insecure). */
  private async usableCredential(state: HostState, signal: AbortSignal | undefined, repository?: string): Promise<{ cred: Credential | undefined; refused?: string }> {
    const cred = await this.credential(state.registry, signal, repository);
    if (!cred) return { cred: undefined };
    if (state.scheme === 'http' && !state.insecure) {
      const refused = `credentials (${cred.source}) not sent to ${state.registry} over plain HTTP: mark the registry insecure in settings if you trust this network`;
      const line = `${state.registry}: ${refused}`;
      if (!this.audited.has(line)) {
        this.audited.add(line);
        this.log(line);
      }
      return { cred: undefined, refused };
    }
    return { cred };
  }

  // ------------------------------------------------------------------------------------------------------
  // Authorization

  private scopesFor(registry: string, repository: string | undefined): string[] {
    if (repository === undefined) return [];
    return [...(this.extraScopes.get(`${registry}/${repository}`) ?? []), repoScope(repository)].filter((s, i, a) => a.indexOf(s) === i);
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
    if (!realmText) throw new ProtocolError(`${state.registry}: Bearer challenge without a realm`, { registry: state.registry });
    const realm = this.checkRealm(state, realmText, cred);
    const service = challenge.params.service ?? '';
    const credId = credentialIdentity(cred);
    const key = tokenKey({ realm: realm.toString(), service, scopes, credential: credId });
    if (forceRefresh) this.tokens.invalidate(key);
    const t = await this.tokens.get(key, () => this.fetchToken(state, realm, service, scopes, cred, credId, signal));
    return `Bearer ${t.token}`;
  }

  /** Realm checks: http(s) only; plain HTTP with credentials only for insecure registries; no private realm for a public registry. */
  private checkRealm(state: HostState, realmText: string, cred: Credential | undefined): URL {
    let realm: URL;
    try {
      realm = new URL(realmText, state.base);
    } catch {
      throw new ProtocolError(`${state.registry}: unusable token realm in the challenge`, { registry: state.registry });
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new ProtocolError(`${state.registry}: token realm must be http(s), got ${realm.protocol}`, { registry: state.registry });
    }
    if (realm.protocol === 'http:' && state.scheme === 'https' && realm.hostname === state.base.hostname && (realm.port === '' || realm.port === '80')) {
      // Harbor behind a TLS proxy advertises http:// for its own https host (and redirects there): ask over https
      // at once, so no credential travels in the clear and the token is not lost to a refused redirect.
      realm = new URL(realm.toString().replace(/^http:/, 'https:'));
      realm.port = state.base.port;
    }
    if (isPrivateHostname(realm.hostname) && !isPrivateHostname(state.base.hostname)) {
      throw new AuthError(`${state.registry}: refusing token realm ${redactUrl(realm.origin)} on a private address named by a public registry`, { registry: state.registry });
    }
    if (realm.protocol === 'http:' && cred && !state.insecure) {
      throw new AuthError(
        `${state.registry}: refusing to send credentials (${cred.source}) to the token realm ${redactUrl(realm.origin)} over plain HTTP: mark ${state.registry} insecure in settings if you trust this network`,
        { registry: state.registry },
      );
    }
    return realm;
  }

  private async fetchToken(
    state: HostState,
    realm: URL,
    service: string,
    scopes: string[],
    cred: Credential | undefined,
    credId: string,
    signal: AbortSignal | undefined,
  ): Promise<TokenResponse> {
    const registry = state.registry;
    const clientId = this.options.clientId ?? 'registry-lens';
    const refreshKey = `${realm.toString()}|${credId}`;
    const refresh = this.refreshTokens.get(refreshKey) ?? cred?.identityToken;
    const usePost = refresh !== undefined || (this.hostOptions(registry).oauth2 === true && cred?.username !== undefined && cred.password !== undefined);
    const take = (res: Resp): TokenResponse => {
      let data: unknown;
      try {
        data = JSON.parse(res.body.toString('utf8'));
      } catch {
        throw new ProtocolError(`${registry}: the token service answered invalid JSON`, { registry, status: res.status, url: res.url.toString() });
      }
      let t: TokenResponse;
      try {
        t = parseTokenResponse(data, { now: this.now(), marginMs: this.options.tokenMarginMs ?? 5000 });
      } catch (e) {
        throw new ProtocolError(`${registry}: ${(e as Error).message}`, { registry, url: res.url.toString() });
      }
      if (t.refreshToken) this.refreshTokens.set(refreshKey, t.refreshToken);
      return t;
    };
    const reject = (res: Resp, how: string): never => {
      const errors = parseErrorBody(res.body.toString('utf8'));
      if (res.status === 401 || res.status === 403) {
        throw new AuthError(
          cred
            ? `credentials for ${registry} were rejected by its token service (${how}, ${cred.source})${describeErrors(errors)}: check the user name and password or token, and that it may read ${scopes.join(' ') || 'this registry'}`
            : `${registry} refused an anonymous token${describeErrors(errors)}: sign in (docker login ${registry}) or add credentials in Registry Lens`,
          { registry, status: res.status, errors, url: res.url.toString() },
        );
      }
      if (res.status === 429) throw this.statusError(res, registry, undefined, 'token');
      throw new RegistryError(`${registry}: the token service answered ${res.status} (${how})${describeErrors(errors)}`, {
        registry,
        status: res.status,
        errors,
        temporary: res.status >= 500,
        url: res.url.toString(),
      });
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
      this.stats.token++;
      const res = await this.send(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
        registry: undefined,
      });
      if (res.status === 200) return take(res);
      if (res.status !== 404) {
        // a stale refresh token we stored ourselves: forget it and fall back to the credential
        if ((res.status === 401 || res.status === 400) && this.refreshTokens.has(refreshKey) && refresh !== cred.identityToken) {
          this.refreshTokens.delete(refreshKey);
        } else reject(res, 'OAuth2 POST');
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
    this.stats.token++;
    const res = await this.send(url, { method: 'GET', headers, signal, registry: undefined });
    if (res.status === 200) return take(res);
    return reject(res, 'GET');
  }

  // ------------------------------------------------------------------------------------------------------
  // Registry requests: auth header, one re-auth on 401 with merged scopes, status → typed errors

  private async registryRequest(
    registry: string,
    repository: string | undefined,
    method: 'GET' | 'HEAD',
    path: string,
    opts: { signal: AbortSignal | undefined; kind: 'ping' | 'tags' | 'head' | 'get'; accept?: string; throwOnError?: boolean; tolerate?: number[] },
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
      this.stats[opts.kind]++;
      const res = await this.send(url, { method, headers, signal, registry, ...(repository !== undefined ? { repository } : {}) });
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
            this.extraScopes.set(key, [...asked, ...(this.extraScopes.get(key) ?? [])].filter((s, i, a) => a.indexOf(s) === i));
          }
        }
        if (bearer || basic) {
          forceRefresh = true;
          continue;
        }
      }
      if (res.status >= 400 && opts.throwOnError !== false && !opts.tolerate?.includes(res.status)) throw this.statusError(res, registry, repository, opts.kind, cred, refused);
      return res;
    }
  }

  private statusError(res: Resp, registry: string, repository: string | undefined, what: string, cred?: Credential, refused?: string): RegistryError {
    const errors = parseErrorBody(res.body.toString('utf8'));
    const init = { registry, ...(repository !== undefined ? { repository } : {}), status: res.status, errors, url: res.url.toString() };
    const target = repository !== undefined ? `${registry}/${repository}` : registry;
    const detail = describeErrors(errors);
    if ((res.status === 401 || res.status === 403) && cred && errors.some((e) => /token has expired|expired token|token is expired/i.test(e.message))) {
      return new AuthError(`the login for ${registry} (${cred.source}) has expired${detail}: refresh it with ${refreshHint(registry)}`, { ...init, expired: true });
    }
    if (res.status === 401) {
      if (refused) return new AuthError(`${target} requires authentication, and ${refused}`, init);
      return new AuthError(
        cred
          ? `credentials for ${registry} (${cred.source}) were rejected${detail}: check the user name and password or token, and that it may read ${repository ?? 'this registry'}`
          : `${target} requires authentication${detail}: sign in (docker login ${registry}) or add credentials in Registry Lens`,
        init,
      );
    }
    if (res.status === 403) {
      return new AuthError(`access to ${target} denied${detail}${cred ? ` for ${cred.source}` : ''}: check the credential may read this repository`, init);
    }
    if (res.status === 404) {
      return new NotFoundError(`${target}: not found${detail}${cred ? '' : ' (private repositories also answer 404 to anonymous requests: add credentials)'}`, init);
    }
    if (res.status === 429 || (res.status === 503 && errors.some((e) => /TOOMANYREQUESTS/i.test(e.code)))) {
      const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), this.now());
      const rl = parseRateLimit(res.headers);
      return new RateLimitError(
        `${registry}: rate limit reached${rl?.limit !== undefined ? ` (${rl.limit} requests${rl.windowSeconds ? ` per ${rl.windowSeconds} s` : ''})` : ''}${
          retryAfter !== undefined ? `; retry after ${retryAfter} s` : ''
        }${detail}: wait, or sign in to raise the limit`,
        { ...init, ...(retryAfter !== undefined ? { retryAfter } : {}) },
      );
    }
    return new RegistryError(`${target}: ${what} failed with HTTP ${res.status}${detail}`, { ...init, temporary: res.status >= 500 || res.status === 408 });
  }

  private json(res: Resp, registry: string, repository: string | undefined): unknown {
    try {
      return JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new ProtocolError(`${registry}${repository ? `/${repository}` : ''}: the registry answered invalid JSON (${res.body.length} bytes from ${redactUrl(res.url.toString())})`, {
        registry,
        ...(repository !== undefined ? { repository } : {}),
        status: res.status,
        url: res.url.toString(),
      });
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // The wire: per-host concurrency, backoff with Retry-After, manual redirects, capped bodies

  private semaphore(host: string, registry: string | undefined): Semaphore {
    let s = this.semaphores.get(host);
    if (!s) {
      const registryOpt = this.hostOptions(registry !== undefined && endpointHost(registry) === host ? registry : host).maxConcurrent;
      s = new Semaphore(Math.max(1, registryOpt ?? this.options.maxConcurrentPerHost ?? 6));
      this.semaphores.set(host, s);
    }
    return s;
  }

  private async send(url0: URL, opts: SendOptions): Promise<Resp> {
    const retry = this.options.retry ?? {};
    const retries = opts.retries ?? retry.retries ?? 3;
    const baseDelay = retry.baseDelayMs ?? 500;
    const maxDelay = retry.maxDelayMs ?? 30_000;
    const maxRedirects = this.options.maxRedirects ?? 5;
    let url = url0;
    // identity: undici hands us the bytes as sent, and a gzipping CDN (Red Hat's) would break JSON and digests.
    let headers = { 'user-agent': this.userAgent, 'accept-encoding': 'identity', ...opts.headers };
    let method = opts.method;
    let body = opts.body;
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      const sem = this.semaphore(url.host, opts.registry);
      const wait = sem.notBefore - Date.now();
      if (wait > 0) await sleep(Math.min(wait, maxDelay), opts.signal);
      await sem.acquire(opts.signal);
      let res: Resp;
      try {
        res = await this.once(url, method, headers, body, opts);
      } catch (e) {
        const err = classifyTransportError(e, { ...(opts.registry !== undefined ? { registry: opts.registry } : {}), host: url.host, url: url.toString() });
        if (err.temporary && attempt < retries && !opts.signal?.aborted && (err.name === 'NetworkError' || err.temporary)) {
          const delay = Math.min(maxDelay, baseDelay * 2 ** attempt) * (0.8 + Math.random() * 0.4);
          attempt++;
          this.stats.retries++;
          this.log(`${url.host}: ${err.message}; retry ${attempt}/${retries} in ${Math.round(delay)} ms`);
          await sleep(delay, opts.signal);
          continue;
        }
        throw err;
      } finally {
        sem.release();
      }
      const rl = parseRateLimit(res.headers);
      if (rl && opts.registry !== undefined) this.rateLimits.set(opts.registry, rl);

      if (RETRY_STATUS.has(res.status) && attempt < retries) {
        const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), Date.now());
        let delay = Math.min(maxDelay, baseDelay * 2 ** attempt) * (0.8 + Math.random() * 0.4);
        if (retryAfter !== undefined) {
          if (retryAfter * 1000 > maxDelay) return res; // too long to wait here: the caller reports when to retry
          delay = Math.max(retryAfter * 1000, 0);
        }
        if (res.status === 429 || res.status === 503) sem.notBefore = Math.max(sem.notBefore, Date.now() + delay);
        attempt++;
        this.stats.retries++;
        this.log(`${url.host}: HTTP ${res.status}; retry ${attempt}/${retries} in ${Math.round(delay)} ms`);
        await sleep(delay, opts.signal);
        continue;
      }

      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        const location = header(res.headers, 'location');
        if (!location) return res;
        if (redirects >= maxRedirects) {
          throw new ProtocolError(`${url.host}: too many redirects`, { ...(opts.registry !== undefined ? { registry: opts.registry } : {}), status: res.status, url: url.toString() });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new ProtocolError(`${url.host}: redirect to an unparsable location`, { status: res.status });
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new ProtocolError(`${url.host}: redirect to ${next.protocol} refused`, { status: res.status });
        redirects++;
        this.stats.redirects++;
        if (!sameOrigin(next, url) || (url.protocol === 'https:' && next.protocol === 'http:')) {
          // Another host (blob storage, a CDN): it gets no credentials of ours.
          const { authorization: _dropped, ...rest } = headers as Record<string, string>;
          headers = rest as typeof headers;
        }
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      return res;
    }
  }

  private async once(url: URL, method: string, headers: Record<string, string>, body: string | undefined, opts: SendOptions): Promise<Resp> {
    const dispatcher = this.source.dispatcherFor(url);
    const res = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: opts.signal ?? null,
      headersTimeout: this.options.headersTimeoutMs ?? 30_000,
      bodyTimeout: this.options.bodyTimeoutMs ?? 30_000,
    });
    const hdrs = res.headers;
    const isError = res.statusCode >= 300;
    const cap = isError ? ERROR_BODY_CAP : (opts.maxBytes ?? this.options.maxBodyBytes ?? 4 * 1024 * 1024);
    if (method === 'HEAD') {
      await res.body.dump().catch(() => undefined);
      return { status: res.statusCode, headers: hdrs, body: Buffer.alloc(0), url };
    }
    const declared = Number.parseInt(header(hdrs, 'content-length') ?? '', 10);
    if (!isError && Number.isFinite(declared) && declared > cap) {
      res.body.destroy();
      throw this.tooLarge(url, opts, declared, cap);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > cap) {
          if (isError) break; // keep what fits of an error body
          res.body.destroy();
          throw this.tooLarge(url, opts, size, cap);
        }
        chunks.push(b);
      }
    } finally {
      if (!res.body.destroyed && size > cap) res.body.destroy();
    }
    return { status: res.statusCode, headers: hdrs, body: Buffer.concat(chunks), url };
  }

  private tooLarge(url: URL, opts: SendOptions, size: number, cap: number): ProtocolError {
    return new ProtocolError(`${url.host}: response body larger than the ${cap} byte limit (${size} bytes or more from ${redactUrl(url.toString())})`, {
      ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
      ...(opts.repository !== undefined ? { repository: opts.repository } : {}),
      url: url.toString(),
    });
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** The platforms and child digests of a fetched manifest when it is an index / manifest list (else `isIndex: false`). */
export function indexOf(m: Manifest): ImageIndex {
  const { registry, repository, reference } = m;
  if (!isIndexMediaType(m.mediaType)) return { digest: m.digest, mediaType: m.mediaType, isIndex: false, platforms: [] };
  const manifests = (m.body as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests)) throw new ProtocolError(`${registry}/${repository}:${reference}: index without "manifests"`, { registry, repository });
  const platforms: PlatformEntry[] = [];
  for (const d of manifests as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const desc = d as { digest?: unknown; mediaType?: unknown; size?: unknown; platform?: { os?: unknown; architecture?: unknown; variant?: unknown } };
    const p = desc.platform;
    if (typeof desc.digest !== 'string' || !p || typeof p.os !== 'string' || typeof p.architecture !== 'string') continue;
    if (p.os === 'unknown' && p.architecture === 'unknown') continue; // attestation manifests (buildx)
    const variant = typeof p.variant === 'string' && p.variant ? p.variant : undefined;
    platforms.push({
      platform: [p.os, p.architecture, ...(variant ? [variant] : [])].join('/'),
      os: p.os,
      architecture: p.architecture,
      ...(variant ? { variant } : {}),
      digest: desc.digest,
      mediaType: typeof desc.mediaType === 'string' ? desc.mediaType : undefined,
      size: typeof desc.size === 'number' ? desc.size : undefined,
    });
  }
  return { digest: m.digest, mediaType: m.mediaType, isIndex: true, platforms };
}
