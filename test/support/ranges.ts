import { strict as assert } from 'node:assert';
import type { ExtractResult, Range } from '../../src/core';

/**
 * Range helpers for extraction tests, written independently of src/core/extract/sourceText.ts so the tests do not
 * check the code against itself. Positions are zero-based over the text without its BOM; `\r\n`, `\r` and `\n`
 * end lines (as in VS Code).
 */
function lineStarts(text: string): number[] {
  const starts = [0];
  const re = /\r\n|\r|\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

const noBom = (text: string) => (text.startsWith('\uFEFF') ? text.slice(1) : text);

/** `text` is already without its BOM. */
function offsetIn(text: string, line: number, character: number): number {
  const start = lineStarts(text)[line];
  assert.ok(start !== undefined, `line ${line} is past the end`);
  return start + character;
}

export function offsetOf(text: string, line: number, character: number): number {
  return offsetIn(noBom(text), line, character);
}

/** The text `range` covers. */
export function sliceRange(text: string, range: Range): string {
  const t = noBom(text);
  return t.slice(
    offsetIn(t, range.start.line, range.start.character),
    offsetIn(t, range.end.line, range.end.character),
  );
}

/** The range of the `nth` (0-based) occurrence of `needle` in `text`. */
export function rangeOf(text: string, needle: string, nth = 0): Range {
  const t = noBom(text);
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = t.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" #${nth} not found`);
  }
  const pos = (offset: number) => {
    const starts = lineStarts(t);
    let line = 0;
    while (line + 1 < starts.length && (starts[line + 1] ?? Infinity) <= offset) line++;
    return { line, character: offset - (starts[line] ?? 0) };
  };
  return { start: pos(at), end: pos(at + needle.length) };
}

/** `[startLine, startChar, endLine, endChar]` -> Range, for literal expectations. */
export function r(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

/**
 * The extraction invariants: `text` is what `range` covers; a tag/digest location covers exactly the tag/digest.
 * `files` maps each file name an occurrence or location may name to its text.
 */
export function assertInvariants(result: ExtractResult, files: Record<string, string>): void {
  for (const o of result.occurrences) {
    const text = files[o.file];
    assert.ok(text !== undefined, `unexpected file ${o.file}`);
    assert.equal(sliceRange(text, o.range), o.text, `range of ${JSON.stringify(o.text)}`);
    if (o.tagLocation) {
      const tagText = files[o.tagLocation.file];
      assert.ok(tagText !== undefined, `unexpected tag file ${o.tagLocation.file}`);
      assert.equal(sliceRange(tagText, o.tagLocation.range), o.reference?.tag, `tag of ${o.text}`);
    }
    if (o.digestLocation) {
      const digestText = files[o.digestLocation.file];
      assert.ok(digestText !== undefined, `unexpected digest file ${o.digestLocation.file}`);
      assert.equal(sliceRange(digestText, o.digestLocation.range), o.reference?.digest, `digest of ${o.text}`);
    }
    if (o.tagSegments) {
      assert.equal(o.tagSegments.map((s) => s.text).join(''), o.reference?.tag, `tag segments of ${o.text}`);
      for (const s of o.tagSegments) {
        if (!s.location) continue;
        const segText = files[s.location.file];
        assert.ok(segText !== undefined, `unexpected segment file ${s.location.file}`);
        assert.equal(sliceRange(segText, s.location.range), s.text, `tag segment of ${o.text}`);
      }
    } else {
      assert.equal(o.reference?.tag ?? null, null, `${o.text} has a tag but no tag segments`);
    }
    if (o.skip === null) assert.ok(o.reference, `${o.text} has neither a reference nor a skip`);
  }
}
