import { mentionsDirective } from './directiveComments';
import type { Location, Position, Range } from './types';

/**
 * A file's text with offset <-> position conversion. Line breaks are `\r\n`, `\n` and a lone `\r`, as in VS Code
 * (and vscode-languageserver-textdocument, which dockerfile-ast uses). A leading BOM is removed first, because
 * VS Code's document text does not contain it: positions count from the first character after it.
 */
export class SourceText {
  readonly text: string;
  private lineStarts: number[] | undefined;
  private lineTexts: readonly string[] | undefined;
  private marker: boolean | undefined;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const t = this.text;
    if (!t.includes('\r')) {
      // The common case, several times faster than a loop over every character.
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 13 /* \r */) {
          if (t.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        } else if (c === 10 /* \n */) {
          starts.push(i + 1);
        }
      }
    }
    this.lineStarts = starts;
    return starts;
  }

  /** The text split into lines (without their breaks). */
  get lines(): readonly string[] {
    return (this.lineTexts ??= this.text.split(/\r\n|\r|\n/));
  }

  /** True when the text mentions `registry-lens:` at all (no directive comment to look for otherwise). */
  get mentionsDirective(): boolean {
    return (this.marker ??= mentionsDirective(this.text));
  }

  get lineCount(): number {
    return this.starts().length;
  }

  positionAt(offset: number): Position {
    const starts = this.starts();
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (starts[lo] ?? 0) };
  }

  offsetAt(position: Position): number {
    const starts = this.starts();
    if (position.line < 0) return 0;
    if (position.line >= starts.length) return this.text.length;
    const start = starts[position.line] ?? 0;
    const next = starts[position.line + 1];
    let end = next ?? this.text.length;
    // A position past the end of a line clamps before its line break.
    if (next !== undefined) {
      end = next - 1;
      if (this.text.charCodeAt(end) === 10 && this.text.charCodeAt(end - 1) === 13) end--;
    }
    return Math.min(start + Math.max(0, position.character), end);
  }

  range(start: number, end: number): Range {
    const from = this.positionAt(start);
    // A range within one line (almost every reference): the end's line is the start's, no second search.
    const starts = this.starts();
    const lineStart = starts[from.line] ?? 0;
    const next = starts[from.line + 1] ?? Infinity;
    const e = Math.max(0, Math.min(end, this.text.length));
    return {
      start: from,
      end: e >= lineStart && e < next ? { line: from.line, character: e - lineStart } : this.positionAt(end),
    };
  }

  location(start: number, end: number): Location {
    return { file: this.file, range: this.range(start, end) };
  }

  slice(range: Range): string {
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
}
