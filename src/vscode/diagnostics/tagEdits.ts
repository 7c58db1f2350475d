import type { Finding, FindingUpdate, Location, Occurrence } from '../../core';

/**
 * Where a fix writes, as plain data (no vscode import, unit-tested): the exact ranges that hold the tag and the
 * digest — the `ARG` default or `.env` value the tag came from when it was not written inline — and what each
 * range must still contain, so a fix refuses to edit a file that changed since the check.
 */
export interface TextEdit {
  location: Location;
  /** The text the range must hold now (what the check saw). */
  expected: string;
  newText: string;
}

/** The edits that turn the occurrence's tag (and digest) into `update`'s, or a reason why no safe edit exists. */
export function editsForUpdate(o: Occurrence, update: FindingUpdate): TextEdit[] | { refused: string } {
  const ref = o.reference;
  if (!ref) return { refused: 'the reference could not be parsed' };
  const edits: TextEdit[] = [];
  if (update.tag && ref.tag !== null && update.tag !== ref.tag) {
    const tagEdit = tagEditFor(o, ref.tag, update.tag);
    if ('refused' in tagEdit) return tagEdit;
    edits.push(tagEdit);
  }
  if (update.digest && update.digest !== ref.digest) {
    if (ref.digest !== null) {
      if (!o.digestLocation) return { refused: 'the digest is assembled from variables; edit it by hand' };
      edits.push({ location: o.digestLocation, expected: ref.digest, newText: update.digest });
    } else {
      // Pin: `@digest` goes at the end of the reference as written (after `${V}` too, so an ARG stays a tag), or
      // where the occurrence says (after a Helm `tag:` value); nowhere when it says so (a Kustomize entry).
      if (o.pinLocation === null) return { refused: 'this reference pins with a digest: field; add it by hand' };
      const end = o.pinLocation ? o.pinLocation.range.end : o.range.end;
      const file = o.pinLocation ? o.pinLocation.file : o.file;
      const inline = edits.find((e) => e.location.file === file && e.location.range.end.line === end.line && e.location.range.end.character === end.character);
      if (inline) inline.newText += `@${update.digest}`;
      else edits.push({ location: { file, range: { start: end, end } }, expected: '', newText: `@${update.digest}` });
    }
  }
  return edits.length ? edits : { refused: 'nothing to change' };
}

function tagEditFor(o: Occurrence, oldTag: string, newTag: string): TextEdit | { refused: string } {
  if (o.tagLocation) return { location: o.tagLocation, expected: oldTag, newText: newTag };
  // A tag built from pieces (`node:${V}-alpine`): change exactly one piece, the one the new tag differs in.
  const segs = o.tagSegments;
  if (!segs?.length) return { refused: 'the tag could not be located in the file' };
  const candidates: TextEdit[] = [];
  let prefix = '';
  for (let k = 0; k < segs.length; k++) {
    const seg = segs[k]!;
    const suffix = segs.slice(k + 1).map((s) => s.text).join('');
    if (seg.location && newTag.startsWith(prefix) && newTag.endsWith(suffix) && newTag.length >= prefix.length + suffix.length) {
      const middle = newTag.slice(prefix.length, newTag.length - suffix.length);
      if (middle !== seg.text) candidates.push({ location: seg.location, expected: seg.text, newText: middle });
    }
    prefix += seg.text;
  }
  if (candidates.length === 1) return candidates[0]!;
  return { refused: 'the tag is assembled from several variables; edit it by hand' };
}

/** Update kinds, safest first: the order of quick-fixes, hovers and tree descriptions. */
const UPDATE_ORDER: Record<string, number> = { patch: 0, minor: 1, major: 2, digest: 3, pin: 4 };

/** `updates` safest first; with `tagsOnly`, just the patch / minor / major ones. */
export function safestFirst(updates: readonly FindingUpdate[], tagsOnly = false): FindingUpdate[] {
  return updates
    .filter((u) => !tagsOnly || u.kind === 'patch' || u.kind === 'minor' || u.kind === 'major')
    .sort((a, b) => (UPDATE_ORDER[a.kind] ?? 9) - (UPDATE_ORDER[b.kind] ?? 9));
}

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
  const tags = candidates.filter((u) => (TAG_RANK[u.kind] ?? 9) <= TAG_RANK[level]!).sort((a, b) => TAG_RANK[b.kind]! - TAG_RANK[a.kind]!);
  return tags[0] ?? candidates.find((u) => u.kind === 'digest');
}

/**
 * Merges the edits of several fixes into one set: the same range with the same text once (two stages reading one
 * `ARG` default), and a conflict (the same range, different texts; or overlapping ranges) refused for both, so a
 * bulk edit never writes half of two fixes.
 */
export function mergeEdits(groups: { label: string; edits: TextEdit[] }[]): { edits: TextEdit[]; conflicts: string[] } {
  const byKey = new Map<string, { edit: TextEdit; labels: string[] }>();
  const conflicted = new Set<string>();
  const key = (e: TextEdit) => `${e.location.file}\n${e.location.range.start.line}:${e.location.range.start.character}-${e.location.range.end.line}:${e.location.range.end.character}`;
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
  const all = [...byKey.entries()].sort(([, a], [, b]) => a.edit.location.file.localeCompare(b.edit.location.file) || cmp(a.edit.location.range.start, b.edit.location.range.start));
  for (let i = 1; i < all.length; i++) {
    const [pk, p] = all[i - 1]!;
    const [ck, c] = all[i]!;
    if (p.edit.location.file === c.edit.location.file && cmp(c.edit.location.range.start, p.edit.location.range.end) < 0) {
      conflicted.add(pk);
      conflicted.add(ck);
    }
  }
  const badLabels = new Set([...conflicted].flatMap((k) => byKey.get(k)!.labels));
  // An edit shared by a refused fix and a good one stays: the good one needs it.
  const edits = all.filter(([k, v]) => !conflicted.has(k) && v.labels.some((l) => !badLabels.has(l))).map(([, v]) => v.edit);
  return { edits, conflicts: [...badLabels] };
}

const cmp = (a: { line: number; character: number }, b: { line: number; character: number }): number => a.line - b.line || a.character - b.character;

/**
 * The comment line that makes the engine ignore an occurrence (`# registry-lens: ignore`, `// ...` in a
 * devcontainer.json), inserted above the line the reference starts on — above a Dockerfile instruction's first line
 * when the reference sits on a continuation — with that line's indentation. Refused for `# syntax=`: any line above
 * a parser directive ends the directives, which would change the build.
 */
export function ignoreCommentEdit(o: Pick<Occurrence, 'file' | 'source' | 'kind' | 'range'>, lines: readonly string[], eol: string): TextEdit | { refused: string } {
  if (o.kind === 'syntax') return { refused: 'a comment above "# syntax=" would end the parser directives; ignore it with a registryLens.policies rule instead' };
  let line = o.range.start.line;
  if (o.source === 'dockerfile') while (line > 0 && /[\\`]\s*$/.test(lines[line - 1] ?? '')) line--;
  const text = lines[line] ?? '';
  const indent = /^[ \t]*/.exec(text)![0];
  const lead = o.source === 'devcontainer' ? '//' : '#';
  const at = { line, character: 0 };
  return { location: { file: o.file, range: { start: at, end: at } }, expected: '', newText: `${indent}${lead} registry-lens: ignore${eol}` };
}

/** Applies plain edits to a text (no overlaps; used by tests and by nothing that writes files). */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'location' | 'newText'>[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  const offset = (p: { line: number; character: number }) => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.location.range.start) - offset(a.location.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.location.range.start)) + e.newText + out.slice(offset(e.location.range.end));
  return out;
}
