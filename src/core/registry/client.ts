// The registry client: the OCI distribution API over an injected undici Dispatcher, with the Docker token flow.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
//
// This file only composes the layers, top to bottom:
//   operations/*.ts  one file per operation family (ping, tags, manifests, blobs, image index)
//   auth.ts          probe, credential gate, realm checks, token flow (tokenService.ts) and cache (tokens.ts)
//   status.ts        HTTP status -> typed RegistryError
//   wire.ts          per-host limiter, retry/backoff on the injected clock, redirects, capped bodies
// It has no load-time side effects: nothing runs until a client is constructed.
import { type Mirror, throughMirrors } from './mirrors';
import type { Dispatcher } from 'undici';
import { USER_AGENT } from '../product';
import { AuthSession } from './auth';
import { endpointHost } from './hosts';
import { getJsonBlob } from './operations/blobs';
import type { OperationContext } from './operations/context';
import { indexOf } from './operations/imageIndex';
import { getManifest, headManifest } from './operations/manifests';
import { ping } from './operations/ping';
import { listTags } from './operations/tags';
import type { RateLimitInfo } from './headers';
import { TokenCache } from './tokens';
import { TokenService } from './tokenService';
import type {
  ClientStats,
  DispatcherSource,
  ImageIndex,
  Manifest,
  ManifestDescriptor,
  PingResult,
  RegistryClientOptions,
  RegistryHostOptions,
  RequestOptions,
  TagList,
  TagListOptions,
} from './types';
import { Wire } from './wire';

export { indexOf } from './operations/imageIndex';
export type {
  AuthScheme,
  ClientStats,
  DispatcherSource,
  ImageIndex,
  Manifest,
  ManifestDescriptor,
  PingResult,
  PlatformEntry,
  RegistryClientOptions,
  RegistryHostOptions,
  RequestOptions,
  RetryOptions,
  TagList,
  TagListOptions,
} from './types';

function isDispatcherSource(d: Dispatcher | DispatcherSource): d is DispatcherSource {
  return typeof (d as Partial<DispatcherSource>).dispatcherFor === 'function';
}

/**
 * Talks to registries. Construct it with a dispatcher (or a `RegistryTransport`) and a keychain:
 * `new RegistryClient({ dispatcher, keychain, userAgent })`.
 */
export class RegistryClient {
  readonly stats: ClientStats = { ping: 0, token: 0, head: 0, get: 0, tags: 0, retries: 0, redirects: 0 };
  private readonly wire: Wire;
  private readonly auth: AuthSession;
  private readonly ctx: OperationContext;

  constructor(private readonly options: RegistryClientOptions) {
    const d = options.dispatcher;
    const source: DispatcherSource = isDispatcherSource(d) ? d : { dispatcherFor: () => d };
    const now = options.now ?? Date.now;
    const log = (line: string): void => this.options.log?.(line);
    const hostOptions = (registry: string): RegistryHostOptions => {
      const h = this.options.hosts;
      if (!h) return {};
      return (typeof h === 'function' ? h(registry) : h[registry]) ?? {};
    };
    this.wire = new Wire({
      source,
      userAgent: options.userAgent ?? USER_AGENT,
      now,
      ...(options.retry ? { retry: options.retry } : {}),
      concurrencyFor: (host, registry) =>
        hostOptions(registry !== undefined && endpointHost(registry) === host ? registry : host).maxConcurrent ??
        options.maxConcurrentPerHost ??
        6,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.maxRedirects !== undefined ? { maxRedirects: options.maxRedirects } : {}),
      ...(options.headersTimeoutMs !== undefined ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
      ...(options.bodyTimeoutMs !== undefined ? { bodyTimeoutMs: options.bodyTimeoutMs } : {}),
      stats: this.stats,
      log,
    });
    const tokenService = new TokenService({
      wire: this.wire,
      now,
      clientId: options.clientId ?? 'registry-lens',
      marginMs: options.tokenMarginMs ?? 5000,
      stats: this.stats,
    });
    this.auth = new AuthSession({
      wire: this.wire,
      tokenService,
      tokens: options.tokenCache ?? new TokenCache(now),
      keychain: options.keychain,
      hostOptions,
      credentialTtlMs: options.credentialTtlMs ?? 60_000,
      now,
      stats: this.stats,
      log,
    });
    this.ctx = { auth: this.auth, rateLimit: (registry) => this.wire.rateLimits.get(registry), now, log };
  }

  /** `GET /v2/`: reachability, auth scheme, and (with a credential) whether it is accepted. */
  ping(registry: string, opts: RequestOptions = {}): Promise<PingResult> {
    return ping(this.ctx, registry, opts);
  }

  /** All tags of a repository, following `Link rel="next"` on the same origin up to a page cap (through its mirrors). */
  async listTags(registry: string, repository: string, opts: TagListOptions = {}): Promise<TagList> {
    const { value, mirror } = await this.mirrored(registry, repository, (r, p) => listTags(this.ctx, r, p, opts));
    return mirror ? { ...value, registry, repository, mirror: mirror.text } : value;
  }

  /** `op` through the registry's mirrors in order, then the registry itself (mirrors.ts). */
  private mirrored<T>(
    registry: string,
    repository: string,
    op: (registry: string, repository: string) => Promise<T>,
  ): Promise<{ value: T; mirror: Mirror | undefined }> {
    return throughMirrors(this.options.mirrors, registry, repository, op, (line) => this.options.log?.(line));
  }

  /**
   * The digest of a tag or digest reference by `HEAD` with all four manifest media types. Falls back to `GET`
   * and sha256 of the body only when HEAD has no `Docker-Content-Digest` (HEAD does not count as a Hub pull).
   */
  async headManifest(
    registry: string,
    repository: string,
    reference: string,
    opts: RequestOptions = {},
  ): Promise<ManifestDescriptor> {
    const { value, mirror } = await this.mirrored(registry, repository, (r, p) =>
      headManifest(this.ctx, r, p, reference, opts),
    );
    return mirror ? { ...value, registry, repository, mirror: mirror.text } : value;
  }

  /** `GET` a manifest; the digest is the registry's (verified against the body) or the body's sha256. */
  async getManifest(
    registry: string,
    repository: string,
    reference: string,
    opts: RequestOptions = {},
  ): Promise<Manifest> {
    const { value, mirror } = await this.mirrored(registry, repository, (r, p) =>
      getManifest(this.ctx, r, p, reference, opts),
    );
    return mirror ? { ...value, registry, repository, mirror: mirror.text } : value;
  }

  /** The platforms and child digests of an index / manifest list (a single manifest gives `isIndex: false`). */
  async getIndex(
    registry: string,
    repository: string,
    reference: string,
    opts: RequestOptions = {},
  ): Promise<ImageIndex> {
    return indexOf(await this.getManifest(registry, repository, reference, opts));
  }

  /** A JSON blob by digest (an image's config), verified against the digest. */
  async getJsonBlob(registry: string, repository: string, digest: string, opts: RequestOptions = {}): Promise<unknown> {
    return (await this.mirrored(registry, repository, (r, p) => getJsonBlob(this.ctx, r, p, digest, opts))).value;
  }

  /** The last rate-limit headers seen from a registry, or undefined (none sent: unlimited). */
  rateLimit(registry: string): RateLimitInfo | undefined {
    return this.wire.rateLimits.get(registry);
  }

  /** Forgets cached host probes, credentials and tokens (after settings or credentials change). */
  reset(): void {
    this.auth.reset();
  }
}
