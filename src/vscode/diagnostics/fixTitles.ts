import type { Finding, FindingUpdate } from '../../core';

/** The title of the quick-fix (and refactor-preview label) that applies `u` to `f`'s reference. */
export function fixTitle(f: Finding, u: FindingUpdate): string {
  switch (u.kind) {
    case 'digest':
      return `Refresh the digest of ${f.occurrence.reference?.tag ?? 'the image'} (the tag moved)`;
    case 'pin':
      return `Pin ${f.occurrence.reference?.tag ?? 'the image'} to its digest`;
    default:
      return `Update to ${u.tag} (${u.kind})${u.digest && f.occurrence.reference?.digest ? ' and re-pin' : ''}`;
  }
}
