// The shared lookups of one check run: a memo of promises (concurrent callers share one request), the cache in
// front of every request ("not found" cached too, shorter), per-registry concurrency, and the registry-down rule: a
// network, TLS or rate-limit failure stops requests to that registry for the rest of the run; its other lookups then
// fail at once, or use expired cache entries (stale, marked with why).
import { abortError as cancelled } from '../util/abort';
import { Limiter } from '../util/limiter';
import {
  isNetworkError,
  isNotFoundError,
  isRateLimitError,
  isRegistryError,
  isTlsError,
  NotFoundError,
  type RegistryError,
  type RequestOptions,
} from '../registry';
import { indexTags, type TagIndex } from '../versioning';
import { isCacheEntry, type CacheEntry, type CacheStore, type CacheTtls } from './cache';
import { errorBrief, NotCachedError } from './errors';
import type { StaleInfo } from './types';

/** What the engine needs of a registry client (`RegistryClient` fits; tests pass fakes). */
export interface RegistryLike {
  listTags(
    registry: string,
    repository: string,
    opts?: RequestOptions,
  ): Promise<{ tags: string[]; truncated: boolean; stoppedBecause?: string; mirror?: string }>;
  headManifest(
    registry: string,
    repository: string,
    reference: string,
    opts?: RequestOptions,
  ): Promise<{ digest: string; mediaType: string | undefined; mirror?: string }>;
  getIndex(
    registry: string,
    repository: string,
    reference: string,
    opts?: RequestOptions,
  ): Promise<{
    digest: string;
    mediaType: string | undefined;
    isIndex: boolean;
    platforms: { platform: string; digest: string }[];
  }>;
  /** A manifest's body by digest, to read a single-platform pin's config (optional: without it the pin's platform is assumed). */
  getManifest?(
    registry: string,
    repository: string,
    reference: string,
    opts?: RequestOptions,
  ): Promise<{ body: unknown }>;
  /** A JSON blob by digest (an image config: `os`, `architecture`, `variant`). */
  getJsonBlob?(registry: string, repository: string, digest: string, opts?: RequestOptions): Promise<unknown>;
}

/** What the lookups read of the check's options. */
export interface LookupOptions {
  client: RegistryLike;
  /** Where answers are cached; none: every check asks the registries. */
  cache?: CacheStore;
  /** Concurrent lookups per registry (default 6). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Cache only: no request at all; a missing entry is a `not-cached` error. */
  offline?: boolean;
  /** Ask the registries again even where the cache holds a fresh answer (and store the new answers). */
  refresh?: boolean;
}

/** Unique lookups by kind. */
export interface LookupCounts {
  tags: number;
  digests: number;
  indexes: number;
  manifests: number;
}

/** How lookups were answered. */
export interface CacheCounts {
  fresh: number;
  stale: number;
  fetched: number;
  failed: number;
}

export interface Got<T> {
  value: T;
  stale: StaleInfo | null;
}

type LookupKind = 'tags' | 'digests' | 'indexes' | 'manifests';

export interface TagsValue {
  tags: string[];
  truncated: boolean;
  stoppedBecause?: string;
  /** The mirror that answered (registryMirrors / daemon.json), when one did. */
  mirror?: string;
}
export interface DigestValue {
  digest: string;
  mediaType: string | null;
  mirror?: string;
}
export interface IndexValue {
  isIndex: boolean;
  platforms: { platform: string; digest: string }[];
}

/** The cancelled check's error (the signal's own AbortError when it has one). */
export function abortError(signal: AbortSignal): Error {
  return cancelled('check', signal);
}

/** What a manifest HEAD is cached as: its digest, media type and the mirror that answered. */
function digestValue(d: { digest: string; mediaType?: string | undefined; mirror?: string | undefined }): DigestValue {
  return { digest: d.digest, mediaType: d.mediaType ?? null, ...(d.mirror ? { mirror: d.mirror } : {}) };
}

/** Errors after which the registry is not asked again in this run. */
function registryWide(e: unknown): e is RegistryError {
  return isNetworkError(e) || isTlsError(e) || isRateLimitError(e);
}

/** Errors for which an expired cache entry is better than nothing. */
function unreachable(e: unknown): boolean {
  return registryWide(e) || (isRegistryError(e) && e.temporary);
}

/** The shared lookups of one check run. */
export class Lookups {
  private readonly memo = new Map<string, Promise<Got<unknown>>>();
  private readonly limiters = new Map<string, Limiter>();
  private readonly down = new Map<string, Error>();
  private readonly indexes = new Map<string, TagIndex>();
  readonly stats: LookupCounts = { tags: 0, digests: 0, indexes: 0, manifests: 0 };
  readonly cacheStats: CacheCounts = { fresh: 0, stale: 0, fetched: 0, failed: 0 };

  constructor(
    private readonly options: LookupOptions,
    private readonly ttls: CacheTtls,
    private readonly now: () => number,
  ) {}

  private limiter(registry: string): Limiter {
    let l = this.limiters.get(registry);
    if (!l) this.limiters.set(registry, (l = new Limiter(Math.max(1, this.options.concurrency ?? 6))));
    return l;
  }

  private lookup<T>(
    kind: LookupKind,
    registry: string,
    key: string,
    ttlMs: number,
    what: string,
    fetch: () => Promise<T>,
  ): Promise<Got<T>> {
    let p = this.memo.get(key) as Promise<Got<T>> | undefined;
    if (!p) {
      this.stats[kind]++;
      p = this.resolve(registry, key, ttlMs, what, fetch);
      this.memo.set(key, p);
    }
    return p;
  }

  private async resolve<T>(
    registry: string,
    key: string,
    ttlMs: number,
    what: string,
    fetch: () => Promise<T>,
  ): Promise<Got<T>> {
    const { cache, signal, offline } = this.options;
    const raw = cache ? await cache.get(key) : undefined;
    const entry = isCacheEntry(raw) ? (raw as CacheEntry<T>) : undefined;
    const fromEntry = (e: CacheEntry<T>, stale: StaleInfo | null): Got<T> => {
      if (e.nf !== undefined) throw new NotFoundError(e.nf, { registry, status: 404 });
      return { value: e.v as T, stale };
    };
    const staleInfo = (e: CacheEntry<T>, because: { code: string; message: string }): StaleInfo => ({
      fetchedAt: new Date(e.at).toISOString(),
      because,
    });
    if (
      entry &&
      !this.options.refresh &&
      this.now() - entry.at < (entry.nf !== undefined ? this.ttls.notFoundMs : ttlMs)
    ) {
      this.cacheStats.fresh++;
      return fromEntry(entry, null);
    }
    if (offline) {
      if (entry) {
        this.cacheStats.stale++;
        return fromEntry(
          entry,
          staleInfo(entry, { code: 'offline', message: 'offline: cached answer past its time to live' }),
        );
      }
      this.cacheStats.failed++;
      throw new NotCachedError(registry, what);
    }
    const down = this.down.get(registry);
    if (down !== undefined) {
      if (entry) {
        this.cacheStats.stale++;
        return fromEntry(entry, staleInfo(entry, errorBrief(down)));
      }
      this.cacheStats.failed++;
      throw down;
    }
    if (signal?.aborted) throw abortError(signal);
    try {
      const value = await this.limiter(registry).run(() => {
        if (signal?.aborted) throw abortError(signal);
        // A registry found down while this lookup waited for its turn: no request.
        const d = this.down.get(registry);
        if (d !== undefined) throw d;
        return fetch().catch((e: unknown) => {
          // Marked before the slot is released, so no queued lookup of this registry starts a request.
          if (registryWide(e) && !this.down.has(registry)) this.down.set(registry, e);
          throw e;
        });
      });
      this.cacheStats.fetched++;
      await cache?.set(key, { at: this.now(), v: value } satisfies CacheEntry<T>);
      return { value, stale: null };
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      if (isNotFoundError(e)) {
        this.cacheStats.fetched++;
        await cache?.set(key, { at: this.now(), nf: e.message } satisfies CacheEntry<T>);
        throw e;
      }
      if (registryWide(e) && !this.down.has(registry)) this.down.set(registry, e);
      if (entry && unreachable(e)) {
        this.cacheStats.stale++;
        return fromEntry(entry, staleInfo(entry, errorBrief(e)));
      }
      this.cacheStats.failed++;
      throw e;
    }
  }

  private opts(): RequestOptions {
    return this.options.signal ? { signal: this.options.signal } : {};
  }

  async tags(registry: string, repository: string): Promise<Got<TagsValue> & { index: TagIndex }> {
    const key = `tags|${registry}|${repository}`;
    const got = await this.lookup(
      'tags',
      registry,
      key,
      this.ttls.tagsMs,
      `${registry}/${repository} tags`,
      async () => {
        const t = await this.options.client.listTags(registry, repository, this.opts());
        return {
          tags: t.tags,
          truncated: t.truncated,
          ...(t.stoppedBecause ? { stoppedBecause: t.stoppedBecause } : {}),
          ...(t.mirror ? { mirror: t.mirror } : {}),
        } satisfies TagsValue;
      },
    );
    let index = this.indexes.get(key);
    if (!index) this.indexes.set(key, (index = indexTags(got.value.tags)));
    return { ...got, index };
  }

  digest(registry: string, repository: string, tag: string): Promise<Got<DigestValue>> {
    return this.lookup(
      'digests',
      registry,
      `digest|${registry}|${repository}|${tag}`,
      this.ttls.digestMs,
      `${registry}/${repository}:${tag}`,
      async () => {
        return digestValue(await this.options.client.headManifest(registry, repository, tag, this.opts()));
      },
    );
  }

  /** The children of an index, by its digest (immutable content). */
  index(registry: string, repository: string, digest: string): Promise<Got<IndexValue>> {
    return this.lookup(
      'indexes',
      registry,
      `index|${registry}|${repository}|${digest}`,
      this.ttls.contentMs,
      `${registry}/${repository}@${digest}`,
      async () => {
        const i = await this.options.client.getIndex(registry, repository, digest, this.opts());
        return {
          isIndex: i.isIndex,
          platforms: i.platforms.map((p) => ({ platform: p.platform, digest: p.digest })),
        } satisfies IndexValue;
      },
    );
  }

  /**
   * The platform a single-platform manifest was built for, from its config (`os/architecture[/variant]`; immutable
   * content); null when the client cannot read configs or the config names none.
   */
  manifestPlatform(registry: string, repository: string, digest: string): Promise<Got<{ platform: string | null }>> {
    const client = this.options.client;
    if (!client.getManifest || !client.getJsonBlob) return Promise.resolve({ value: { platform: null }, stale: null });
    return this.lookup(
      'manifests',
      registry,
      `platform|${registry}|${repository}|${digest}`,
      this.ttls.contentMs,
      `${registry}/${repository}@${digest} config`,
      async () => {
        const m = await client.getManifest!(registry, repository, digest, this.opts());
        const configDigest = (m.body as { config?: { digest?: unknown } } | null)?.config?.digest;
        if (typeof configDigest !== 'string') return { platform: null };
        const c = (await client.getJsonBlob!(registry, repository, configDigest, this.opts())) as {
          os?: unknown;
          architecture?: unknown;
          variant?: unknown;
        } | null;
        if (typeof c?.os !== 'string' || typeof c.architecture !== 'string') return { platform: null };
        return {
          platform: [c.os, c.architecture, ...(typeof c.variant === 'string' && c.variant ? [c.variant] : [])].join(
            '/',
          ),
        };
      },
    );
  }

  /** The media type of a manifest by digest (immutable content). */
  manifestType(registry: string, repository: string, digest: string): Promise<Got<DigestValue>> {
    return this.lookup(
      'manifests',
      registry,
      `manifest|${registry}|${repository}|${digest}`,
      this.ttls.contentMs,
      `${registry}/${repository}@${digest}`,
      async () => {
        return digestValue(await this.options.client.headManifest(registry, repository, digest, this.opts()));
      },
    );
  }
}
