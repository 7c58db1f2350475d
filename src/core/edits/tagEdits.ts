import type { FindingUpdate } from '../check';
import type { Location, Occurrence } from '../extract';

/**
 * Where a fix writes, as plain data (plain data, unit-tested under plain Node): the exact ranges that hold the tag and the
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
      const inline = edits.find(
        (e) =>
          e.location.file === file &&
          e.location.range.end.line === end.line &&
          e.location.range.end.character === end.character,
      );
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
    const suffix = segs
      .slice(k + 1)
      .map((s) => s.text)
      .join('');
    if (
      seg.location &&
      newTag.startsWith(prefix) &&
      newTag.endsWith(suffix) &&
      newTag.length >= prefix.length + suffix.length
    ) {
      const middle = newTag.slice(prefix.length, newTag.length - suffix.length);
      if (middle !== seg.text) candidates.push({ location: seg.location, expected: seg.text, newText: middle });
    }
    prefix += seg.text;
  }
  if (candidates.length === 1) return candidates[0]!;
  return { refused: 'the tag is assembled from several variables; edit it by hand' };
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
  for (const e of sorted)
    out = out.slice(0, offset(e.location.range.start)) + e.newText + out.slice(offset(e.location.range.end));
  return out;
}
