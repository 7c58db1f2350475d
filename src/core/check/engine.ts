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
//
// The pieces: ./lookups.ts (memo, cache, limiter, registry-down, stale answers), ./decide.ts (one occurrence's
// finding), ./errors.ts (lookup errors -> error findings). Inline `registry-lens:` directives come attached to the
// occurrences by the extractors: the engine reads no files.
import type { Occurrence } from '../extract';
import type { PolicyRule } from '../versioning';
import { DEFAULT_TTLS, type CacheTtls } from './cache';
import { evaluate } from './decide';
import { abortError, Lookups, type CacheCounts, type LookupCounts, type LookupOptions } from './lookups';
import type { Finding } from './types';

export { errorFindingCode, NotCachedError } from './errors';
export type { RegistryLike } from './lookups';

export interface CheckProgress {
  done: number;
  total: number;
}

export interface CheckOptions extends LookupOptions {
  ttls?: Partial<CacheTtls>;
  /** Compiled policy rules (`compilePolicyRules`); inline `registry-lens:` directives apply on top. */
  rules?: readonly PolicyRule[];
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
  lookups: LookupCounts;
  /** How lookups were answered. */
  cache: CacheCounts;
}

export interface CheckResult {
  findings: Finding[];
  stats: CheckStats;
}

/**
 * What an occurrence's finding depends on besides the occurrence itself: its reference and its platform. Null for
 * one evaluated on its own (skipped: the message quotes its text; inline directives: their problems name lines).
 */
function questionKey(occ: Occurrence): string | null {
  if (occ.skip || !occ.reference || occ.directives.length > 0) return null;
  return `${occ.reference.canonical}\n${occ.platform ?? ''}`;
}

/**
 * Checks occurrences against their registries. Findings come back in the order of `occurrences`, one each.
 * Rejects only when `signal` aborts (with an `AbortError`); registry failures are `error` findings.
 */
export async function checkImages(occurrences: readonly Occurrence[], options: CheckOptions): Promise<CheckResult> {
  const now = options.now ?? Date.now;
  const ttls: CacheTtls = { ...DEFAULT_TTLS, ...options.ttls };
  const lookups = new Lookups(options, ttls, now);
  const rules = options.rules ?? [];
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);
  // One evaluation per distinct question: occurrences of the same reference (and platform, without inline
  // directives of their own) get the same answer, so a workspace naming one image in thousands of files costs one
  // decision, and each occurrence's finding is that answer with its own occurrence.
  const groups = new Map<string, number[]>();
  const alone: number[][] = [];
  for (let i = 0; i < occurrences.length; i++) {
    const key = questionKey(occurrences[i]!);
    const group = key === null ? undefined : groups.get(key);
    if (group) group.push(i);
    else if (key === null) alone.push([i]);
    else groups.set(key, [i]);
  }
  let done = 0;
  const total = occurrences.length;
  const env = { lookups, rules, signal, defaultPlatform: options.defaultPlatform };
  const findings: Finding[] = new Array<Finding>(total);
  const answer = async (group: readonly number[]): Promise<void> => {
    const first = await evaluate(occurrences[group[0]!]!, env);
    findings[group[0]!] = first;
    for (let k = 1; k < group.length; k++) findings[group[k]!] = { ...first, occurrence: occurrences[group[k]!]! };
    done += group.length;
    options.onProgress?.({ done, total });
  };
  await Promise.all([...groups.values(), ...alone].map(answer));
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
