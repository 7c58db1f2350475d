import type { SourceText } from './sourceText';
import type { Location } from './types';

/** A run of `length` characters of a value that are the characters at `offset..offset+length` of `source`. */
interface Run {
  at: number;
  length: number;
  source: SourceText;
  offset: number;
}

/**
 * A string built from pieces of source files (after continuations, quotes, escapes and variable substitution),
 * remembering where each character came from. `locate()` maps a slice of the value back to one contiguous range
 * of one file, or null when that slice is not written in one piece anywhere.
 */
export class MappedString {
  private value = '';
  private readonly runs: Run[] = [];

  toString(): string {
    return this.value;
  }

  get length(): number {
    return this.value.length;
  }

  /** Appends `text` that is written verbatim at `offset` in `source` (or comes from nowhere: `source` undefined). */
  append(text: string, source?: SourceText, offset = 0): this {
    if (text === '') return this;
    if (source) {
      const last = this.runs[this.runs.length - 1];
      if (
        last &&
        last.source === source &&
        last.at + last.length === this.value.length &&
        last.offset + last.length === offset
      ) {
        last.length += text.length;
      } else {
        this.runs.push({ at: this.value.length, length: text.length, source, offset });
      }
    }
    this.value += text;
    return this;
  }

  appendMapped(other: MappedString): this {
    let cursor = 0;
    for (const run of other.runs) {
      if (run.at > cursor) this.append(other.value.slice(cursor, run.at));
      this.append(other.value.slice(run.at, run.at + run.length), run.source, run.offset);
      cursor = run.at + run.length;
    }
    if (cursor < other.value.length) this.append(other.value.slice(cursor));
    return this;
  }

  /** value[start, end) with its origins. */
  slice(start: number, end: number): MappedString {
    const out = new MappedString();
    let cursor = start;
    for (const run of this.runs) {
      const s = Math.max(start, run.at);
      const e = Math.min(end, run.at + run.length);
      if (e <= s) continue;
      if (s > cursor) out.append(this.value.slice(cursor, s));
      out.append(this.value.slice(s, e), run.source, run.offset + (s - run.at));
      cursor = e;
    }
    if (cursor < end) out.append(this.value.slice(cursor, end));
    return out;
  }

  /**
   * value[start, end) cut where its origin changes: each piece with the file range it is written at, or null for
   * characters written nowhere verbatim (escapes, values given as plain strings).
   */
  segments(start: number, end: number): { text: string; location: Location | null }[] {
    const out: { text: string; location: Location | null }[] = [];
    let cursor = start;
    for (const run of this.runs) {
      const s = Math.max(start, run.at);
      const e = Math.min(end, run.at + run.length);
      if (e <= s) continue;
      if (s > cursor) out.push({ text: this.value.slice(cursor, s), location: null });
      const from = run.offset + (s - run.at);
      out.push({ text: this.value.slice(s, e), location: run.source.location(from, from + (e - s)) });
      cursor = e;
    }
    if (cursor < end) out.push({ text: this.value.slice(cursor, end), location: null });
    return out;
  }

  /** The source text of `file` when some piece of this value was read from it. */
  sourceFor(file: string): SourceText | undefined {
    return this.runs.find((r) => r.source.file === file)?.source;
  }

  /** True when `test` holds for the source text of some piece of this value. */
  someSource(test: (source: SourceText) => boolean): boolean {
    return this.runs.some((r) => test(r.source));
  }

  /** The file range holding value[start, end), when it is one verbatim run; null otherwise (or when empty). */
  locate(start: number, end: number): Location | null {
    if (end <= start) return null;
    for (const run of this.runs) {
      if (run.at <= start && end <= run.at + run.length) {
        const from = run.offset + (start - run.at);
        return run.source.location(from, from + (end - start));
      }
    }
    return null;
  }
}
