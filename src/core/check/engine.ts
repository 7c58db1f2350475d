// The check engine: occurrences -> unique lookups -> findings mapped back to every occurrence.
//
// - One tag listing per repository, one HEAD per unique tag, one index GET per unique index digest, shared by every
//   occurrence in every file (a memo of promises: concurrent callers share one request).
// - Each lookup goes through the cache first; a fresh entry makes no request, so a warm re-check inside the TTLs
//   makes none at all. "Not found" answers are cached too (shorter).
// - Requests are bounded per registry (`concurrency`). A network, TLS or rate-limit failure marks that registry down
//   for the rest of the run: its other lookups fail at once (or use stale entries, marked), other registries go on.
// - Digests are multi-arch aware: a pinned index is refreshed to the tag's new index; a pinned single-platform
//   manifest to the same platform's manifest in the new index (the Dockerfile's `--platform`, else the platform the
//   pinned manifest had in the tag's index, else the host's, as docker does); unchanged children are no-ops.
import * as fs from 'node:fs';
import { familiarName, type ImageReference } from '../reference';
import type { Occurrence } from '../extract';
import {
  isAuthError,
  isIndexMediaType,
  isNetworkError,
  isNotFoundError,
  isProtocolError,
  isRateLimitError,
  isRegistryError,
  isTlsError,
  NotFoundError,
  type RegistryError,
  type RequestOptions,
} from '../registry';
import {
  decideUpdates,
  findOccurrenceDirective,
  indexTags,
  isOrderedTag,
  parseTag,
  resolvePolicy,
  type EffectivePolicy,
  type PolicyRule,
  type TagIndex,
  type UpdateDecision,
} from '../versioning';
import { DEFAULT_TTLS, isCacheEntry, type CacheEntry, type CacheStore, type CacheTtls } from './cache';
import { hostPlatform, normalizePlatform, samePlatform } from './platform';
import type { Finding, FindingCode, FindingError, FindingNote, FindingUpdate, StaleInfo } from './types';

/** What the engine needs of a registry client (`RegistryClient` fits; tests pass fakes). */
export interface RegistryLike {
  listTags(registry: string, repository: string, opts?: RequestOptions): Promise<{ tags: string[]; truncated: boolean; stoppedBecause?: string }>;
  headManifest(registry: string, repository: string, reference: string, opts?: RequestOptions): Promise<{ digest: string; mediaType: string | undefined }>;
  getIndex(
    registry: string,
    repository: string,
    reference: string,
    opts?: RequestOptions,
  ): Promise<{ digest: string; mediaType: string | undefined; isIndex: boolean; platforms: { platform: string; digest: string }[] }>;
}

export interface CheckProgress {
  done: number;
  total: number;
}

export interface CheckOptions {
  client: RegistryLike;
  /** Where answers are cached; none: every check asks the registries. */
  cache?: CacheStore;
  ttls?: Partial<CacheTtls>;
  /** Compiled policy rules (`compilePolicyRules`); inline `registry-lens:` directives apply on top. */
  rules?: readonly PolicyRule[];
  /** A file's lines, for inline directives (default: read from disk, once per file). */
  readLines?: (file: string) => readonly string[] | undefined;
  /** Concurrent lookups per registry (default 6). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Cache only: no request at all; a missing entry is a `not-cached` error. */
  offline?: boolean;
  /** For a pinned single-platform manifest when nothing else says which platform (default: the host's). */
  defaultPlatform?: string;
  now?: () => number;
  onProgress?: (p: CheckProgress) => void;
}

export interface CheckStats {
  occurrences: number;
  /** Occurrences looked up (not skipped). */
  checked: number;
  /** Unique lookups by kind. */
  lookups: { tags: number; digests: number; indexes: number; manifests: number };
  /** How lookups were answered. */
  cache: { fresh: number; stale: number; fetched: number; failed: number };
}

export interface CheckResult {
  findings: Finding[];
  stats: CheckStats;
}

/** Offline and no cache entry. */
export class NotCachedError extends Error {
  override readonly name = 'NotCachedError';
  readonly code = 'offline';
  constructor(readonly registry: string, what: string) {
    super(`${what}: not in the cache, and the check runs offline: run it once online`);
  }
}

interface Got<T> {
  value: T;
  stale: StaleInfo | null;
}

type LookupKind = 'tags' | 'digests' | 'indexes' | 'manifests';

interface TagsValue {
  tags: string[];
  truncated: boolean;
  stoppedBecause?: string;
}
interface DigestValue {
  digest: string;
  mediaType: string | null;
}
interface IndexValue {
  isIndex: boolean;
  platforms: { platform: string; digest: string }[];
}

class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name === 'AbortError' ? signal.reason : Object.assign(new Error('check cancelled'), { name: 'AbortError' });
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
class Lookups {
  private readonly memo = new Map<string, Promise<Got<unknown>>>();
  private readonly limiters = new Map<string, Limiter>();
  private readonly down = new Map<string, Error>();
  private readonly indexes = new Map<string, TagIndex>();
  readonly stats: CheckStats['lookups'] = { tags: 0, digests: 0, indexes: 0, manifests: 0 };
  readonly cacheStats: CheckStats['cache'] = { fresh: 0, stale: 0, fetched: 0, failed: 0 };

  constructor(
    private readonly options: CheckOptions,
    private readonly ttls: CacheTtls,
    private readonly now: () => number,
  ) {}

  private limiter(registry: string): Limiter {
    let l = this.limiters.get(registry);
    if (!l) this.limiters.set(registry, (l = new Limiter(Math.max(1, this.options.concurrency ?? 6))));
    return l;
  }

  private lookup<T>(kind: LookupKind, registry: string, key: string, ttlMs: number, what: string, fetch: () => Promise<T>): Promise<Got<T>> {
    let p = this.memo.get(key) as Promise<Got<T>> | undefined;
    if (!p) {
      this.stats[kind]++;
      p = this.resolve(registry, key, ttlMs, what, fetch);
      this.memo.set(key, p);
    }
    return p;
  }

  private async resolve<T>(registry: string, key: string, ttlMs: number, what: string, fetch: () => Promise<T>): Promise<Got<T>> {
    const { cache, signal, offline } = this.options;
    const raw = cache ? await cache.get(key) : undefined;
    const entry = isCacheEntry(raw) ? (raw as CacheEntry<T>) : undefined;
    const fromEntry = (e: CacheEntry<T>, stale: StaleInfo | null): Got<T> => {
      if (e.nf !== undefined) throw new NotFoundError(e.nf, { registry, status: 404 });
      return { value: e.v as T, stale };
    };
    const staleInfo = (e: CacheEntry<T>, because: { code: string; message: string }): StaleInfo => ({ fetchedAt: new Date(e.at).toISOString(), because });
    if (entry && this.now() - entry.at < (entry.nf !== undefined ? this.ttls.notFoundMs : ttlMs)) {
      this.cacheStats.fresh++;
      return fromEntry(entry, null);
    }
    if (offline) {
      if (entry) {
        this.cacheStats.stale++;
        return fromEntry(entry, staleInfo(entry, { code: 'offline', message: 'offline: cached answer past its time to live' }));
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
    const got = await this.lookup('tags', registry, key, this.ttls.tagsMs, `${registry}/${repository} tags`, async () => {
      const t = await this.options.client.listTags(registry, repository, this.opts());
      return { tags: t.tags, truncated: t.truncated, ...(t.stoppedBecause ? { stoppedBecause: t.stoppedBecause } : {}) } satisfies TagsValue;
    });
    let index = this.indexes.get(key);
    if (!index) this.indexes.set(key, (index = indexTags(got.value.tags)));
    return { ...got, index };
  }

  digest(registry: string, repository: string, tag: string): Promise<Got<DigestValue>> {
    return this.lookup('digests', registry, `digest|${registry}|${repository}|${tag}`, this.ttls.digestMs, `${registry}/${repository}:${tag}`, async () => {
      const d = await this.options.client.headManifest(registry, repository, tag, this.opts());
      return { digest: d.digest, mediaType: d.mediaType ?? null } satisfies DigestValue;
    });
  }

  /** The children of an index, by its digest (immutable content). */
  index(registry: string, repository: string, digest: string): Promise<Got<IndexValue>> {
    return this.lookup('indexes', registry, `index|${registry}|${repository}|${digest}`, this.ttls.contentMs, `${registry}/${repository}@${digest}`, async () => {
      const i = await this.options.client.getIndex(registry, repository, digest, this.opts());
      return { isIndex: i.isIndex, platforms: i.platforms.map((p) => ({ platform: p.platform, digest: p.digest })) } satisfies IndexValue;
    });
  }

  /** The media type of a manifest by digest (immutable content). */
  manifestType(registry: string, repository: string, digest: string): Promise<Got<DigestValue>> {
    return this.lookup('manifests', registry, `manifest|${registry}|${repository}|${digest}`, this.ttls.contentMs, `${registry}/${repository}@${digest}`, async () => {
      const d = await this.options.client.headManifest(registry, repository, digest, this.opts());
      return { digest: d.digest, mediaType: d.mediaType ?? null } satisfies DigestValue;
    });
  }
}

function errorBrief(e: unknown): { code: string; message: string } {
  if (isRegistryError(e)) return { code: e.code, message: e.message };
  if (e instanceof NotCachedError) return { code: e.code, message: e.message };
  return { code: 'error', message: e instanceof Error ? e.message : String(e) };
}

/** The finding code for an error from a lookup. */
export function errorFindingCode(e: unknown): FindingCode {
  if (e instanceof NotCachedError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'NotCachedError')) return 'not-cached';
  if (isAuthError(e)) return 'auth-failed';
  if (isNotFoundError(e)) return 'not-found';
  if (isRateLimitError(e)) return 'rate-limited';
  if (isTlsError(e)) return 'tls-error';
  if (isNetworkError(e)) return 'registry-unreachable';
  if (isProtocolError(e)) return 'protocol-error';
  return 'registry-error';
}

function findingError(e: unknown): FindingError {
  const brief = errorBrief(e);
  const r = isRegistryError(e) ? e : undefined;
  return {
    code: brief.code,
    message: brief.message,
    name: e instanceof Error ? e.name : 'Error',
    registry: r?.registry ?? (e instanceof NotCachedError ? e.registry : null),
    status: r?.status ?? null,
    temporary: r?.temporary ?? false,
    ...(isRateLimitError(e) ? { retryAt: e.retryAt ?? null } : {}),
  };
}

const short = (digest: string) => (digest.length > 19 ? `${digest.slice(0, 19)}…` : digest);

function lineReader(): (file: string) => readonly string[] | undefined {
  const files = new Map<string, readonly string[] | undefined>();
  return (file) => {
    if (files.has(file)) return files.get(file);
    let lines: readonly string[] | undefined;
    try {
      lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    } catch {
      lines = undefined;
    }
    files.set(file, lines);
    return lines;
  };
}

interface Evaluation {
  stale: StaleInfo | null;
}

function mergeStale(ctx: Evaluation, got: { stale: StaleInfo | null }): void {
  if (got.stale && (!ctx.stale || got.stale.fetchedAt < ctx.stale.fetchedAt)) ctx.stale = got.stale;
}

/**
 * Checks occurrences against their registries. Findings come back in the order of `occurrences`, one each.
 * Rejects only when `signal` aborts (with an `AbortError`); registry failures are `error` findings.
 */
export async function checkImages(occurrences: readonly Occurrence[], options: CheckOptions): Promise<CheckResult> {
  const now = options.now ?? Date.now;
  const ttls: CacheTtls = { ...DEFAULT_TTLS, ...options.ttls };
  const lookups = new Lookups(options, ttls, now);
  const readLines = options.readLines ?? lineReader();
  const rules = options.rules ?? [];
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);
  let done = 0;
  const total = occurrences.length;
  const findings = await Promise.all(
    occurrences.map(async (occ) => {
      const f = await evaluate(occ, { lookups, readLines, rules, signal, defaultPlatform: options.defaultPlatform });
      done++;
      options.onProgress?.({ done, total });
      return f;
    }),
  );
  if (signal?.aborted) throw abortError(signal);
  await options.cache?.flush?.();
  return {
    findings,
    stats: {
      occurrences: occurrences.length,
      checked: findings.filter((f) => f.status !== 'skipped').length,
      lookups: lookups.stats,
      cache: lookups.cacheStats,
    },
  };
}

interface EvalEnv {
  lookups: Lookups;
  readLines: (file: string) => readonly string[] | undefined;
  rules: readonly PolicyRule[];
  signal: AbortSignal | undefined;
  defaultPlatform: string | undefined;
}

function base(occ: Occurrence): Omit<Finding, 'status' | 'code' | 'message'> {
  return { occurrence: occ, updates: [], notes: [], error: null, currentDigest: null, platform: null, stale: null, policy: [] };
}

async function evaluate(occ: Occurrence, env: EvalEnv): Promise<Finding> {
  const ref = occ.reference;
  if (occ.skip || !ref) {
    const why = occ.skip ? `${occ.skip.reason}${occ.skip.detail ? ` (${occ.skip.detail})` : ''}` : 'no image reference';
    return { ...base(occ), status: 'skipped', code: 'skipped', message: `${occ.text}: not checked: ${why}` };
  }
  const notes: FindingNote[] = [];
  const found = findOccurrenceDirective(occ, env.readLines);
  for (const p of found?.problems ?? []) notes.push({ code: 'directive', message: `${p.file ?? occ.file}:${p.line + 1}:${p.character + 1}: ${p.message}` });
  const policy: EffectivePolicy = resolvePolicy(env.rules, ref, found?.directive ?? null);
  const name = familiarName(ref);
  const common = { ...base(occ), notes, policy: [...policy.sources] };
  if (policy.ignore) {
    return { ...common, status: 'skipped', code: 'ignored', message: `${name}: ignored by policy (${policy.sources.join(', ')})` };
  }
  const ctx: Evaluation = { stale: null };
  try {
    return await decide(occ, ref, name, policy, common, ctx, env);
  } catch (e) {
    if (env.signal?.aborted) throw abortError(env.signal);
    const error = findingError(e);
    return { ...common, stale: ctx.stale, status: 'error', code: errorFindingCode(e), error, message: `${name}: ${error.message}` };
  }
}

async function decide(
  occ: Occurrence,
  ref: ImageReference,
  name: string,
  policy: EffectivePolicy,
  common: Omit<Finding, 'status' | 'code' | 'message'>,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<Finding> {
  const { lookups } = env;
  const { registry, repository } = ref;
  const parsed = ref.tag === null ? null : parseTag(ref.tag);
  const needTags = parsed !== null && (isOrderedTag(parsed) || parsed.type === 'word');
  let tags: TagIndex | readonly string[] = [];
  if (needTags) {
    const got = await lookups.tags(registry, repository);
    mergeStale(ctx, got);
    tags = got.index;
    if (got.value.truncated) common.notes.push({ code: 'truncated', message: `the tag list of ${registry}/${repository} was cut short (${got.value.stoppedBecause ?? 'page cap'}): newer tags may be missing` });
  }
  const decision: UpdateDecision = decideUpdates({ tag: ref.tag, digestPinned: ref.digest !== null, tags, policy });
  common.notes.push(...decision.notes.map((n) => ({ code: n.code, message: n.message, tag: n.tag })));
  const digestTag = ref.tag ?? 'latest';
  const pinned = ref.digest;
  const updates: FindingUpdate[] = decision.updates.map((u) => ({ kind: u.kind, tag: u.tag, digest: null }));

  // The pinned digest against the tag's current one.
  let changedTo: string | null = null;
  /** Set when the pin is a single-platform manifest: candidates get that platform's child. */
  let pinPlatform: string | null = null;
  if (pinned !== null && decision.checkDigest) {
    const cur = await lookups.digest(registry, repository, digestTag);
    mergeStale(ctx, cur);
    common.currentDigest = cur.value.digest;
    if (cur.value.digest !== pinned) {
      const r = await refreshPin(occ, registry, repository, digestTag, pinned, cur.value, ctx, env);
      changedTo = r.digest;
      pinPlatform = r.platform;
      if (r.note) common.notes.push({ code: 'platform', message: r.note });
    } else if (!isIndexMediaType(cur.value.mediaType ?? undefined)) {
      pinPlatform = null; // a single manifest pinned as the tag itself: candidates keep whatever they are
    }
  }
  if (pinPlatform) common.platform = pinPlatform;

  // Candidates carry digests when the reference is pinned (or pins are wanted).
  if (decision.pinCandidates && updates.length > 0) {
    for (const u of updates) u.digest = await candidateDigest(registry, repository, u.tag, pinPlatform, ctx, env);
  }
  if (changedTo !== null) updates.push({ kind: 'digest', tag: digestTag, digest: changedTo });

  // A rolling tag without a pin: nothing to compare against. Commit-hash tags are immutable by convention: current.
  const rolling = pinned === null && decision.status === 'digest-only' && decision.reason !== 'hash';
  const wantPin = decision.offerPin || (rolling && policy.allow.has('pin'));
  if (wantPin) {
    const cur = await lookups.digest(registry, repository, digestTag);
    mergeStale(ctx, cur);
    common.currentDigest = cur.value.digest;
    updates.push({ kind: 'pin', tag: digestTag, digest: cur.value.digest });
  }
  if (ctx.stale) common.notes.push({ code: 'stale', message: `cached answers from ${ctx.stale.fetchedAt} used: ${ctx.stale.because.message}` });
  const out = { ...common, updates, stale: ctx.stale };

  const tagUpdates = updates.filter((u) => u.kind === 'major' || u.kind === 'minor' || u.kind === 'patch');
  if (tagUpdates.length > 0) {
    const list = [...tagUpdates].reverse().map((u) => `${u.tag} (${u.kind})`).join(', ');
    return { ...out, status: 'update', code: 'update-available', message: `${name}: newer tags: ${list}${changedTo ? `; the pinned digest is also outdated` : ''}` };
  }
  if (changedTo !== null && pinned !== null) {
    return { ...out, status: 'digest-changed', code: 'digest-changed', message: `${name}: ${digestTag} now points at ${short(changedTo)}, not the pinned ${short(pinned)}` };
  }
  if (rolling || decision.offerPin) {
    const why = rolling ? decision.message : `${digestTag} has no pinned digest and the policy asks for pins`;
    const pin = updates.find((u) => u.kind === 'pin');
    return { ...out, status: 'unpinned', code: 'not-pinned', message: `${name}: ${why}${pin?.digest ? `; pin ${digestTag}@${short(pin.digest)} to notice changes` : ''}` };
  }
  const digestOnly = decision.status === 'digest-only' ? ` (${decision.message})` : '';
  return { ...out, status: 'current', code: 'up-to-date', message: `${name}: up to date${digestOnly}` };
}

/** Which digest replaces a pinned one that is no longer the tag's. */
async function refreshPin(
  occ: Occurrence,
  registry: string,
  repository: string,
  tag: string,
  pinned: string,
  cur: DigestValue,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<{ digest: string | null; platform: string | null; note: string | null }> {
  if (!isIndexMediaType(cur.mediaType ?? undefined)) return { digest: cur.digest, platform: null, note: null };
  const idx = await env.lookups.index(registry, repository, cur.digest);
  mergeStale(ctx, idx);
  const child = idx.value.platforms.find((p) => p.digest === pinned);
  if (child) {
    // The pin is this platform's manifest of the tag's current index: nothing changed for what is built.
    return { digest: null, platform: child.platform, note: `pinned to the ${child.platform} manifest of ${tag}'s index, which is still current` };
  }
  let pinnedIsIndex: boolean | null = null;
  try {
    const t = await env.lookups.manifestType(registry, repository, pinned);
    mergeStale(ctx, t);
    pinnedIsIndex = isIndexMediaType(t.value.mediaType ?? undefined);
  } catch (e) {
    if (!isNotFoundError(e)) throw e;
  }
  if (pinnedIsIndex !== false) {
    return { digest: cur.digest, platform: null, note: pinnedIsIndex === null ? `the pinned digest is gone from the registry: offering ${tag}'s index digest` : null };
  }
  const { platform, assumed } = platformOf(occ, env);
  const match = idx.value.platforms.find((p) => samePlatform(p.platform, platform));
  if (!match) {
    return { digest: cur.digest, platform: null, note: `the pin is a single-platform manifest, but ${tag}'s index has no ${platform} manifest: offering the index digest` };
  }
  return {
    digest: match.digest,
    platform: match.platform,
    note: `the pin is a single-platform manifest: refreshed to ${tag}'s ${match.platform} manifest${assumed ? ` (no --platform in the Dockerfile: assumed the host's platform)` : ''}`,
  };
}

function platformOf(occ: Occurrence, env: EvalEnv): { platform: string; assumed: boolean } {
  const fromFile = occ.platform !== null ? normalizePlatform(occ.platform) : null;
  if (fromFile) return { platform: fromFile, assumed: false };
  return { platform: normalizePlatform(env.defaultPlatform ?? '') ?? hostPlatform(), assumed: true };
}

/** A candidate tag's digest: its index's `platform` child for single-platform pins, else what the tag points at. */
async function candidateDigest(registry: string, repository: string, tag: string, platform: string | null, ctx: Evaluation, env: EvalEnv): Promise<string> {
  const d = await env.lookups.digest(registry, repository, tag);
  mergeStale(ctx, d);
  if (platform === null || !isIndexMediaType(d.value.mediaType ?? undefined)) return d.value.digest;
  const idx = await env.lookups.index(registry, repository, d.value.digest);
  mergeStale(ctx, idx);
  return idx.value.platforms.find((p) => samePlatform(p.platform, platform))?.digest ?? d.value.digest;
}
