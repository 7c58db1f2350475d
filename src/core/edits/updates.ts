import type { Finding, FindingUpdate } from '../check';

/** Update kinds, safest first: the order of quick-fixes, hovers and tree descriptions. */
const UPDATE_ORDER: Record<string, number> = { patch: 0, minor: 1, major: 2, digest: 3, pin: 4 };

/** `updates` safest first; with `tagsOnly`, just the patch / minor / major ones. */
export function safestFirst(updates: readonly FindingUpdate[], tagsOnly = false): FindingUpdate[] {
  return updates
    .filter((u) => !tagsOnly || u.kind === 'patch' || u.kind === 'minor' || u.kind === 'major')
    .sort((a, b) => (UPDATE_ORDER[a.kind] ?? 9) - (UPDATE_ORDER[b.kind] ?? 9));
}

/** How far a bulk update may go: the newest tag of at most this kind (digest refreshes always come along). */
export type BulkLevel = 'patch' | 'minor' | 'major';

const TAG_RANK: Record<string, number> = { patch: 0, minor: 1, major: 2 };

/**
 * The update a bulk action applies to a finding: the newest tag update of at most `level` (`major` holds a newer
 * tag than `minor`, which holds a newer one than `patch`), else the refreshed digest of a moved tag. Pins are never
 * bulk-applied: pinning is a decision per reference (its quick-fix, or a `pinDigests` policy that offers it).
 * With `level` undefined: the safest update, as the preferred quick-fix is (what "Fix all" applies).
 */
export function bulkUpdate(f: Pick<Finding, 'status' | 'updates'>, level?: BulkLevel): FindingUpdate | undefined {
  if (f.status !== 'update' && f.status !== 'digest-changed') return undefined;
  const candidates = f.updates.filter((u) => u.kind !== 'pin');
  if (level === undefined) return safestFirst(candidates)[0];
  const tags = candidates
    .filter((u) => (TAG_RANK[u.kind] ?? 9) <= TAG_RANK[level]!)
    .sort((a, b) => TAG_RANK[b.kind]! - TAG_RANK[a.kind]!);
  return tags[0] ?? candidates.find((u) => u.kind === 'digest');
}
