/**
 * Bounds on the work one workspace file can cause. Scanning runs in every workspace, untrusted ones included, so
 * a cloned repository is hostile input: values that double at each `ARG`, defaults nested a hundred thousand
 * deep, `extends` chains of thousands of services, patterns built to backtrack. Each bound, when reached, becomes
 * a typed skip or error that names the file, the place and the limit, and the scan goes on with the next file.
 * The numbers are far above anything a real file needs.
 */
export const LIMITS = {
  /** Characters of one expanded value (an `ARG` default, an image, a `.env` value). */
  valueLength: 64 * 1024,
  /** Characters produced by all substitutions of one file together (a chain of `ARG`s each using the last). */
  expansionBudget: 4 * 1024 * 1024,
  /** `${A:-${B:-...}}` nesting. */
  substitutionDepth: 32,
  /** Services one `extends` chain may pass through. */
  extendsDepth: 64,
  /** `include:` entries and `extends: {file}` targets of one compose file. */
  referenceCount: 256,
  /** Nesting of YAML and JSONC collections (flow brackets or block indentation). */
  nestingDepth: 256,
  /** Lines of one `.gitignore` that are read; the rest are ignored with a note. */
  patternCount: 10_000,
  /** Characters of one glob or `.gitignore` pattern. */
  patternLength: 4096,
  /** Alternatives a `{a,b}` glob may expand to. */
  braceAlternatives: 1024,
  /** YAML errors in one file read by the `yaml` library; past them it is refused (reading costs per error). */
  yamlErrors: 500,
  /** Milliseconds one file's extraction may take (a backstop: the bounds above already keep it far lower). */
  timeBudgetMs: 2000,
} as const;

/** Bytes per kind of file; larger files are reported and not read. */
export const FILE_SIZE_LIMITS: Readonly<Record<string, number>> = {
  dockerfile: 1024 * 1024,
  compose: 1024 * 1024,
  devcontainer: 256 * 1024,
  dotenv: 256 * 1024,
  gitignore: 1024 * 1024,
};

/** For kinds without their own entry. */
export const DEFAULT_FILE_SIZE_LIMIT = 1024 * 1024;

/** Which bound was reached (stable strings: JSON consumers may match on them). */
export type LimitName =
  | 'value-length'
  | 'expansion-budget'
  | 'substitution-depth'
  | 'extends-depth'
  | 'reference-count'
  | 'nesting-depth'
  | 'file-size'
  | 'pattern-count'
  | 'pattern-length'
  | 'brace-alternatives'
  | 'yaml-errors'
  | 'time-budget';

/** Thrown inside an extractor when its time budget is spent; `extractFile` turns it into an error entry. */
export class LimitError extends Error {
  override name = 'LimitError' as const;
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super(message);
  }
}

export function isLimitError(err: unknown): err is LimitError {
  return err instanceof Error && err.name === 'LimitError';
}

/** `65536` -> `64 KiB`, for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

let deadline = Infinity;

/**
 * Runs `fn` with a time budget: extractors call `checkTime()` in their loops, which throws a `LimitError` once
 * `ms` have passed. Extraction is synchronous, so one deadline at a time is all there is.
 */
export function withTimeBudget<T>(ms: number, fn: () => T): T {
  const outer = deadline;
  deadline = Math.min(outer, Date.now() + ms);
  try {
    return fn();
  } finally {
    deadline = outer;
  }
}

let calls = 0;

/** Throws a `LimitError('time-budget')` when the current budget is spent (reads the clock every 1024 calls). */
export function checkTime(): void {
  if (deadline === Infinity || (++calls & 1023) !== 0) return;
  if (Date.now() > deadline)
    throw new LimitError(
      'time-budget',
      `extraction took longer than ${LIMITS.timeBudgetMs} ms, the limit per file; not read`,
    );
}

/**
 * The deepest nesting of `[`/`{` in JSON(C) text outside strings and comments, stopping early once `max` is
 * passed (the parsers recurse per level: a file nested a hundred thousand deep would overflow the stack).
 * Returns the offset where `max` was passed, or -1.
 */
export function jsonNestingOver(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34 || d === 10 || d === 13) break;
      }
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return i;
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/**
 * The deepest nesting of YAML collections, over-estimated cheaply: flow brackets outside quotes and comments, plus
 * block levels (each line indented deeper than the open ones, or starting a `- ` item, opens one). Returns the
 * offset where `max` was passed, or -1.
 */
export function yamlNestingOver(text: string, max: number): number {
  const indents: number[] = [];
  let flow = 0;
  let lineStart = 0;
  // The next `[` or `{` at or after the line (text.length: none): outside a flow collection, a line without one
  // cannot change the depth past its indentation, so its characters need no look (most lines of most files).
  let nextOpen = -1;
  while (lineStart < text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    if (nextOpen < lineStart) nextOpen = nextOpening(text, lineStart);
    let i = lineStart;
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (flow === 0 && i < end && text.charCodeAt(i) !== 35 /* # */ && text.charCodeAt(i) !== 13) {
      let indent = i - lineStart;
      while (indents.length && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
      indents.push(indent);
      // `- - - x` opens one level per dash.
      while (text.charCodeAt(i) === 45 /* - */ && (text.charCodeAt(i + 1) === 32 || i + 1 === end)) {
        i += 2;
        indent = i - lineStart;
        indents.push(indent);
        while (i < end && text.charCodeAt(i) === 32) i++;
      }
      if (indents.length > max) return lineStart;
    }
    if (flow === 0 && nextOpen >= end) {
      lineStart = end + 1;
      continue;
    }
    // The last non-blank character before `i` on this line (-1: none): `[`/`{` open a collection only where a
    // value starts (or inside one), not inside a plain scalar such as `${A:-x}`.
    let prev = -1;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9) continue;
      if (c === 35 /* # */ && (i === lineStart || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) break;
      const valueStart = flow > 0 || prev === -1 || prev === 58 /* : */ || prev === 45 /* - */ || prev === 63; /* ? */
      if ((c === 34 /* " */ || c === 39) /* ' */ && valueStart) {
        const close = text.indexOf(String.fromCharCode(c), i + 1);
        if (close >= 0 && close < end) i = close;
      } else if ((c === 91 || c === 123) && valueStart) {
        if (indents.length + ++flow > max) return i;
      } else if ((c === 93 || c === 125) && flow > 0) flow--;
      prev = c;
    }
    lineStart = end + 1;
  }
  return -1;
}

/** The offset of the first `[` or `{` at or after `from`, else `text.length`. */
function nextOpening(text: string, from: number): number {
  const square = text.indexOf('[', from);
  const curly = text.indexOf('{', from);
  if (square < 0) return curly < 0 ? text.length : curly;
  return curly < 0 || square < curly ? square : curly;
}
