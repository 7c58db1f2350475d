// The registry client's public types: options, per-host settings and the results of each operation.
import type { Dispatcher } from 'undici';
import type { Keychain } from '../credentials/types';
import type { RateLimitInfo } from './headers';
import type { MirrorTable } from './mirrors';
import type { TokenCache } from './tokens';

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
  /** Mirrors / pull-through caches to check a registry's images through (`buildMirrorTable`); default none. */
  mirrors?: MirrorTable;
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
  /**
   * Why the credential was withheld, when one exists but is not sent (plain HTTP to a registry not listed as
   * insecure). Then `authenticated` is not set: the registry never saw it.
   */
  credentialNotSent?: string;
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
  /** The mirror that answered (as configured), when a mirror did. */
  mirror?: string;
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
  /** The mirror that answered (as configured), when a mirror did. */
  mirror?: string;
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
