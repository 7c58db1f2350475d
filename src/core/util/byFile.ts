/**
 * Replaces one file's entries in a list sorted by file path (the scan's order: plain string comparison), keeping
 * the order: the file's run is found by binary search and the rest is copied in two slices, so a re-extraction of
 * one file in a workspace of 50,000 occurrences costs two block copies, not a comparison per entry. `entries` are
 * the file's new entries, in their own order; an absent file is inserted where it sorts.
 */
export function replaceFileEntries<T extends { file: string }>(
  list: readonly T[],
  file: string,
  entries: readonly T[],
): T[] {
  const from = firstAtOrAfter(list, file, false);
  const to = firstAtOrAfter(list, file, true, from);
  return list.slice(0, from).concat(entries, list.slice(to));
}

/** The first index whose file sorts at or after `file` (after it when `past`), from `lo` on. */
function firstAtOrAfter<T extends { file: string }>(list: readonly T[], file: string, past: boolean, lo = 0): number {
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const f = list[mid]!.file;
    if (f < file || (past && f === file)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
