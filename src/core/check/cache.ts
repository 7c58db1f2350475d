// The check cache: what registries answered, with the time, behind a tiny storage interface (get/set JSON by key).
// The CLI stores it in one JSON file (`--cache-dir`); the extension will plug in its global storage.
// Expired entries are kept (up to `keepMs`): when a registry cannot be reached, the check serves them, marked stale.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where cache entries live. Values are plain JSON. */
export interface CacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  /** Persist pending writes (a file store); optional. */
  flush?(): Promise<void>;
}

/** Entries kept in memory only (tests, one-shot runs with `--no-cache`). */
export class MemoryCacheStore implements CacheStore {
  readonly entries = new Map<string, unknown>();
  get(key: string): Promise<unknown> {
    return Promise.resolve(this.entries.get(key));
  }
  set(key: string, value: unknown): Promise<void> {
    this.entries.set(key, value);
    return Promise.resolve();
  }
}

interface FileShape {
  version: 1;
  entries: Record<string, unknown>;
}

/**
 * One JSON file: read once on first use, written by `flush()` (to a temporary file, then renamed, so a crash never
 * leaves half a file). An unreadable or foreign file is treated as empty and replaced on flush.
 */
export class JsonFileCacheStore implements CacheStore {
  private entries: Map<string, unknown> | undefined;
  private loading: Promise<Map<string, unknown>> | undefined;
  private dirty = false;

  constructor(
    readonly file: string,
    private readonly options: { prune?: (key: string, value: unknown) => boolean } = {},
  ) {}

  private load(): Promise<Map<string, unknown>> {
    if (this.entries) return Promise.resolve(this.entries);
    return (this.loading ??= (async () => {
      const map = new Map<string, unknown>();
      try {
        const data = JSON.parse(await fsp.readFile(this.file, 'utf8')) as Partial<FileShape>;
        if (data.version === 1 && data.entries && typeof data.entries === 'object') {
          for (const [k, v] of Object.entries(data.entries)) map.set(k, v);
        }
      } catch {
        /* missing or broken: start empty */
      }
      this.entries = map;
      return map;
    })());
  }

  async get(key: string): Promise<unknown> {
    return (await this.load()).get(key);
  }

  async set(key: string, value: unknown): Promise<void> {
    (await this.load()).set(key, value);
    this.dirty = true;
  }

  async flush(): Promise<void> {
    if (!this.dirty || !this.entries) return;
    const entries: Record<string, unknown> = {};
    for (const [k, v] of this.entries) if (!this.options.prune?.(k, v)) entries[k] = v;
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify({ version: 1, entries } satisfies FileShape));
    await fsp.rename(tmp, this.file);
    this.dirty = false;
  }
}

/** The user's cache folder for Registry Lens: `$XDG_CACHE_HOME/registry-lens`, `~/.cache/registry-lens`, ... */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'registry-lens', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'registry-lens');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'registry-lens');
}

export interface CacheTtls {
  /** Tag listings (default 30 min). */
  tagsMs: number;
  /** Tag -> digest answers (default 10 min: tags move). */
  digestMs: number;
  /** Content addressed by digest (index children, a digest's media type): immutable (default 28 days). */
  contentMs: number;
  /** "not found" answers (default 10 min). */
  notFoundMs: number;
  /** Expired entries are kept this long for the unreachable-registry fallback (default 7 days). */
  keepMs: number;
}

export const DEFAULT_TTLS: CacheTtls = Object.freeze({
  tagsMs: 30 * 60_000,
  digestMs: 10 * 60_000,
  contentMs: 28 * 24 * 3_600_000,
  notFoundMs: 10 * 60_000,
  keepMs: 7 * 24 * 3_600_000,
});

/** A stored answer: `v` the value, or `nf` a not-found message; `at` epoch ms when fetched. */
export interface CacheEntry<T> {
  at: number;
  v?: T;
  nf?: string;
}

export function isCacheEntry(x: unknown): x is CacheEntry<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { at?: unknown }).at === 'number';
}

/** A JSON file store that drops entries older than `keepMs` when it writes. */
export function checkCacheFile(
  dir: string,
  ttls: CacheTtls = DEFAULT_TTLS,
  now: () => number = Date.now,
): JsonFileCacheStore {
  return new JsonFileCacheStore(path.join(dir, 'check-cache.json'), {
    prune: (_k, v) => !isCacheEntry(v) || now() - v.at > ttls.keepMs,
  });
}
