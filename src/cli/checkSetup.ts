// What `check` and `check --local` share once their arguments are read: the registry flags checked, the policy
// file compiled, the cache, the registry client, and Ctrl-C (SIGINT) cancelling the check instead of the process.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  checkCacheFile,
  compilePolicyRules,
  defaultCacheDir,
  isPolicyError,
  MemoryCacheStore,
  type CacheStore,
  type PolicyRule,
  type RegistryClient,
  type RegistrySettings,
} from '../core';
import type { CliIo } from './io';
import { checkRegistryFlags, cliRegistryClient } from './registryFlags';

/** The options both check commands take (their parsers fill them in). */
export interface SharedCheckOptions {
  policy?: string;
  concurrency: number;
  cacheDir?: string;
  noCache: boolean;
  hosts: Record<string, RegistrySettings>;
  proxy?: string;
  mirrors?: Record<string, string[]>;
}

/** The registry flags and the policy file, checked before anything is opened: the rules, or what is wrong. */
export async function prepareCheck(
  o: SharedCheckOptions,
  io: CliIo,
): Promise<{ rules: PolicyRule[] } | { error: string }> {
  const flagError = await checkRegistryFlags({ hosts: o.hosts }, io.cwd);
  if (flagError) return { error: flagError };
  if (o.policy === undefined) return { rules: [] };
  let data: unknown;
  try {
    data = JSON.parse(await fs.readFile(path.resolve(io.cwd, o.policy), 'utf8'));
  } catch (e) {
    return {
      error: `--policy ${o.policy}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`}`,
    };
  }
  const list =
    typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { rules?: unknown }).rules : data;
  try {
    return { rules: compilePolicyRules(list, o.policy) };
  } catch (e) {
    if (isPolicyError(e)) return { error: e.message };
    throw e;
  }
}

export interface CheckSession {
  cache: CacheStore;
  client: RegistryClient;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
  /** Registry requests sent so far (pings, tokens, HEADs, GETs, tag pages). */
  requests(): number;
  /** Stops listening for Ctrl-C and closes the client's connections. */
  close(): Promise<void>;
}

/** Opens the cache and the registry client and routes Ctrl-C to the check; `close()` it in a `finally`. */
export function openCheckSession(o: SharedCheckOptions, io: CliIo): CheckSession {
  const cache: CacheStore = o.noCache
    ? new MemoryCacheStore()
    : checkCacheFile(path.resolve(io.cwd, o.cacheDir ?? defaultCacheDir(io.env)));
  const { client, close } = cliRegistryClient(
    io,
    { hosts: o.hosts, ...(o.proxy ? { proxy: o.proxy } : {}), ...(o.mirrors ? { mirrors: o.mirrors } : {}) },
    {
      maxConcurrentPerHost: o.concurrency,
      retry: { retries: 2, baseDelayMs: 250, maxDelayMs: 10_000 },
      connectTimeoutMs: 5_000,
    },
  );
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return {
    cache,
    client,
    signal: controller.signal,
    requests: () => {
      const s = client.stats;
      return s.ping + s.token + s.head + s.get + s.tags;
    },
    close: async () => {
      process.off('SIGINT', onSigint);
      await close();
    },
  };
}
