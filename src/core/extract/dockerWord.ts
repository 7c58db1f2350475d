import { LIMITS } from './limits';
import type { SourceText } from './sourceText';
import {
  applyModifier,
  isNameChar,
  isNameStart,
  newExpansion,
  noteProblem,
  noteVariable,
  type Expansion,
  type Lookup,
} from './substitute';

/**
 * Reads one Dockerfile word straight from the source text, as BuildKit's parser and shell lexer would see it:
 * line continuations (the escape character, optional blanks, a line break, then any comment or blank lines) are
 * dropped; single quotes are literal; double quotes allow `$` expansion; the escape character makes the next
 * character literal; `$NAME`, `${NAME}` and `${NAME<mod>word}` are substituted through `lookup`. Every character
 * of the result remembers its offset in the source, so a tag written in an `ARG` default maps back to that line.
 */
export function expandDockerWord(
  src: SourceText,
  start: number,
  end: number,
  escape: string,
  lookup: Lookup,
): Expansion {
  const lexer = new WordLexer(src, start, Math.min(end, src.text.length), escape, lookup);
  return lexer.word(false, false);
}

/**
 * Splits an instruction's arguments, `[start, end)` of the source, into words as BuildKit does: blanks and line
 * breaks separate words, except inside quotes or after the escape character; line continuations (and the comment
 * and blank lines after them) join. Returns each word's `[start, end)` offsets, quotes and escapes included.
 * `flagsOnly`: stop after the first word that does not start with `--` (when only the flags matter: the rest
 * of a long `RUN` script is not split).
 */
export function splitDockerWords(
  src: SourceText,
  start: number,
  end: number,
  escape: string,
  flagsOnly = false,
): [number, number][] {
  const text = src.text;
  const words: [number, number][] = [];
  let i = start;
  let wordStart = -1;
  let quote: string | null = null;
  let done = false;
  const close = (at: number) => {
    if (wordStart >= 0) {
      words.push([wordStart, at]);
      done = flagsOnly && !text.startsWith('--', wordStart);
    }
    wordStart = -1;
  };
  while (i < end && !done) {
    const c = text[i];
    if (c === escape && quote !== "'") {
      const after = continuationEnd(text, i);
      if (after !== null) {
        // A continuation ends a word only if blanks came before it; it never starts one.
        i = after;
        continue;
      }
      if (wordStart < 0) wordStart = i;
      i += 2;
      continue;
    }
    if (quote !== null) {
      if (c === quote) quote = null;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      close(i);
      i++;
      continue;
    }
    if (wordStart < 0) wordStart = i;
    if (c === '"' || c === "'") quote = c;
    i++;
  }
  if (!done) close(Math.min(i, end));
  return words;
}

/**
 * If a line continuation starts at `at` (the escape character, optional blanks, a line break), the offset after
 * it and after any comment or blank lines that follow; else null.
 */
function continuationEnd(text: string, at: number): number | null {
  const limit = text.length;
  let p = at + 1;
  while (p < limit && (text[p] === ' ' || text[p] === '\t')) p++;
  const c = text[p];
  if (c !== '\n' && c !== '\r') return null;
  p += c === '\r' && text[p + 1] === '\n' ? 2 : 1;
  // Comment lines and empty lines inside a continued instruction are dropped.
  for (;;) {
    let q = p;
    while (q < limit && (text[q] === ' ' || text[q] === '\t')) q++;
    const d = text[q];
    if (q >= limit || (d !== '\n' && d !== '\r' && d !== '#')) return p;
    while (q < limit && text[q] !== '\n' && text[q] !== '\r') q++;
    if (text[q] === '\r' && text[q + 1] === '\n') q++;
    p = q + 1;
  }
}

/** Characters that end a run of ordinary characters in `WordLexer.word` (besides the escape character). */
const STOP = new Set(["'", '"', '$', '}']);

/** Operators after `${NAME` that BuildKit evaluates and we do not (`#`, `%`, `/`): unresolved, not rejected. */
const UNEVALUATED = new Set(['#', '%', '/']);

class WordLexer {
  private pos: number;
  private readonly text: string;
  /** `${...}` nesting at the current position. */
  private depth = 0;

  constructor(
    private readonly src: SourceText,
    start: number,
    private readonly end: number,
    private readonly escape: string,
    private readonly lookup: Lookup,
  ) {
    this.pos = start;
    this.text = src.text;
  }

  /** At the escape character: if a line continuation starts here, skip it (and comment/blank lines after it). */
  private skipContinuation(): boolean {
    const after = continuationEnd(this.text, this.pos);
    if (after === null) return false;
    this.pos = after;
    return true;
  }

  private literal(out: Expansion, at: number): void {
    out.value.append(this.text[at] ?? '', this.src, at);
  }

  /** Appends source characters `[start, end)` as they are (what `literal` on each would do: adjacent runs merge). */
  private literalRun(out: Expansion, start: number, end: number): void {
    out.value.append(this.text.slice(start, end), this.src, start);
  }

  /** Reads up to `end` (or an unquoted `}` when `inBraces`); `inDouble` when the word continues a double-quoted string. */
  word(inBraces: boolean, inDouble: boolean): Expansion {
    const out = newExpansion();
    let dq = inDouble;
    while (this.pos < this.end) {
      const ch = this.text[this.pos];
      if (ch === this.escape && this.skipContinuation()) continue;
      if (inBraces && ch === '}') return out;
      if (ch === "'" && !dq) {
        this.pos++;
        while (this.pos < this.end && this.text[this.pos] !== "'") {
          if (this.text[this.pos] === this.escape) {
            if (!this.skipContinuation()) this.literal(out, this.pos++);
            continue;
          }
          const run = this.pos;
          while (this.pos < this.end && this.text[this.pos] !== "'" && this.text[this.pos] !== this.escape) this.pos++;
          this.literalRun(out, run, this.pos);
        }
        this.pos++; // closing quote (or the end)
        continue;
      }
      if (ch === '"') {
        dq = !dq;
        this.pos++;
        continue;
      }
      if (ch === this.escape) {
        const next = this.text[this.pos + 1];
        if (this.pos + 1 >= this.end || next === undefined) {
          this.literal(out, this.pos++);
          continue;
        }
        if (dq && next !== '"' && next !== '$' && next !== this.escape) {
          // Inside double quotes the escape only protects `"`, `$` and itself.
          this.literal(out, this.pos++);
          continue;
        }
        this.literal(out, this.pos + 1);
        this.pos += 2;
        continue;
      }
      if (ch === '$') {
        this.variable(out, dq);
        continue;
      }
      // Ordinary characters: the whole run at once (stopping at anything the cases above handle).
      const run = this.pos++;
      while (this.pos < this.end && !STOP.has(this.text[this.pos] ?? '') && this.text[this.pos] !== this.escape)
        this.pos++;
      this.literalRun(out, run, this.pos);
    }
    return out;
  }

  private variable(out: Expansion, dq: boolean): void {
    const dollar = this.pos;
    const next = this.text[this.pos + 1];
    if (next === '{') {
      this.pos += 2;
      if (this.depth >= LIMITS.substitutionDepth) {
        this.skipToBrace();
        const line = this.src.positionAt(dollar).line + 1;
        noteProblem(out, {
          reason: 'limit',
          detail: `substitutions nested deeper than ${LIMITS.substitutionDepth} levels on line ${line} (the limit)`,
        });
        return;
      }
      const nameStart = this.pos;
      while (this.pos < this.end && isNameChar(this.text[this.pos])) this.pos++;
      const name = this.text.slice(nameStart, this.pos);
      let modifier: string | null = null;
      const c = this.text[this.pos];
      if (c === ':' && '-+?'.includes(this.text[this.pos + 1] ?? 'x')) {
        modifier = this.text.slice(this.pos, this.pos + 2);
        this.pos += 2;
      } else if (c !== undefined && '-+?'.includes(c) && this.pos < this.end) {
        modifier = c;
        this.pos++;
      }
      if (
        name !== '' &&
        modifier === null &&
        c !== undefined &&
        c !== '}' &&
        !UNEVALUATED.has(c) &&
        this.pos < this.end
      ) {
        // BuildKit refuses the Dockerfile here ("unsupported modifier (v) in substitution"): no value at all.
        const op = c === ':' ? `:${this.text[this.pos + 1] ?? ''}` : c;
        this.skipToBrace();
        const line = this.src.positionAt(dollar).line + 1;
        noteProblem(out, {
          reason: 'bad-substitution',
          detail: `unsupported modifier "${op}" in ${clip(this.text.slice(dollar, this.pos))} on line ${line}`,
        });
        return;
      }
      if (name === '' || (modifier === null && this.text[this.pos] !== '}')) {
        // `${}` or an operator we do not evaluate (`#`, `%`, `/`): unresolved, named by its text.
        this.skipToBrace();
        noteVariable(out, name === '' ? this.text.slice(dollar, this.pos) : name, false);
        return;
      }
      let word: Expansion | null = null;
      if (modifier !== null) {
        this.depth++;
        word = this.word(true, dq);
        this.depth--;
      }
      if (this.text[this.pos] !== '}') {
        noteVariable(out, name, false); // unterminated `${`
        return;
      }
      this.pos++;
      applyModifier(out, name, modifier === '?' ? null : modifier, this.lookup(name), word);
      return;
    }
    if (isNameStart(next)) {
      this.pos++;
      const nameStart = this.pos;
      while (this.pos < this.end && isNameChar(this.text[this.pos])) this.pos++;
      const name = this.text.slice(nameStart, this.pos);
      applyModifier(out, name, null, this.lookup(name), null);
      return;
    }
    this.literal(out, this.pos++);
  }

  private skipToBrace(): void {
    let depth = 1;
    while (this.pos < this.end) {
      const c = this.text[this.pos++];
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return;
    }
  }
}

/** At most 80 characters of `text`, for messages. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
