import type { TextEdit } from './tagEdits';

/**
 * Merges the edits of several fixes into one set: the same range with the same text once (two stages reading one
 * `ARG` default), and a conflict (the same range, different texts; or overlapping ranges) refused for both, so a
 * bulk edit never writes half of two fixes.
 */
export function mergeEdits(groups: { label: string; edits: TextEdit[] }[]): { edits: TextEdit[]; conflicts: string[] } {
  const byKey = new Map<string, { edit: TextEdit; labels: string[] }>();
  const conflicted = new Set<string>();
  const key = (e: TextEdit) =>
    `${e.location.file}\n${e.location.range.start.line}:${e.location.range.start.character}-${e.location.range.end.line}:${e.location.range.end.character}`;
  for (const g of groups) {
    for (const e of g.edits) {
      const k = key(e);
      const seen = byKey.get(k);
      if (!seen) byKey.set(k, { edit: e, labels: [g.label] });
      else if (seen.edit.newText === e.newText && seen.edit.expected === e.expected) seen.labels.push(g.label);
      else {
        conflicted.add(k);
        seen.labels.push(g.label);
      }
    }
  }
  // Overlaps between different ranges of one file (an insertion at a boundary does not overlap).
  const all = [...byKey.entries()].sort(
    ([, a], [, b]) =>
      a.edit.location.file.localeCompare(b.edit.location.file) ||
      cmp(a.edit.location.range.start, b.edit.location.range.start),
  );
  for (let i = 1; i < all.length; i++) {
    const [pk, p] = all[i - 1]!;
    const [ck, c] = all[i]!;
    if (
      p.edit.location.file === c.edit.location.file &&
      cmp(c.edit.location.range.start, p.edit.location.range.end) < 0
    ) {
      conflicted.add(pk);
      conflicted.add(ck);
    }
  }
  const badLabels = new Set([...conflicted].flatMap((k) => byKey.get(k)!.labels));
  // An edit shared by a refused fix and a good one stays: the good one needs it.
  const edits = all
    .filter(([k, v]) => !conflicted.has(k) && v.labels.some((l) => !badLabels.has(l)))
    .map(([, v]) => v.edit);
  return { edits, conflicts: [...badLabels] };
}

const cmp = (a: { line: number; character: number }, b: { line: number; character: number }): number =>
  a.line - b.line || a.character - b.character;
