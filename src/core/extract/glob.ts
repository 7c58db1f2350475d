import { LIMITS, type LimitName } from './limits';

/**
 * Glob patterns over `/`-separated relative paths: `*` and `?` stay inside one path segment, `**` as a whole
 * segment spans any number of segments (zero included; a trailing `**` at least one), `[abc]`, `[a-z]`,
 * `[!a]`/`[^a]` classes, `\x` escapes, and (with `braces`) `{a,b}` alternatives as VS Code globs have them.
 * `.gitignore` patterns use the same compiler without braces (see gitignore.ts).
 *
 * Matching never backtracks more than one star: within a segment, and over segments for `**`, a mismatch
 * resumes after the last star only (the classic wildcard algorithm, correct because every other token matches
 * exactly one character or segment). A test costs at most pattern length times path length, so
 * `*a*a*a*a*a*a*a*a*a*a*b` against a long name or `**\/**\/**\/x` against a deep path stay fast, where a
 * backtracking regular expression takes exponential time.
 */
export interface GlobMatcher {
  readonly pattern: string;
  test(path: string): boolean;
}

/** What is wrong with a pattern: `ignored` when it matches nothing because of it (too long, too many alternatives). */
export interface GlobProblem {
  message: string;
  ignored: boolean;
  limit?: LimitName;
}

export interface GlobOptions {
  braces?: boolean;
  /** gitignore rules: a trailing lone `\` makes the pattern invalid (git never matches it). */
  gitignore?: boolean;
}

/** Compiles `pattern`; never throws. A pattern with a problem that makes it unusable matches nothing. */
export function compileGlob(pattern: string, options: GlobOptions = {}): GlobMatcher {
  return parseGlob(pattern, options).matcher;
}

/** Compiles `pattern` and says what is wrong with it, if anything (for notes such as git's). Never throws. */
export function parseGlob(
  pattern: string,
  options: GlobOptions = {},
): { matcher: GlobMatcher; problem: GlobProblem | null } {
  const none = { pattern, test: () => false };
  if (pattern.length > LIMITS.patternLength) {
    return {
      matcher: none,
      problem: {
        message: `pattern longer than ${LIMITS.patternLength} characters (the limit); ignored`,
        ignored: true,
        limit: 'pattern-length',
      },
    };
  }
  if (options.gitignore && endsWithLoneBackslash(pattern)) {
    return {
      matcher: none,
      problem: { message: 'pattern ends with a lone backslash; ignored, as git does', ignored: true },
    };
  }
  let alternatives: string[];
  try {
    alternatives = options.braces ? expandBraces(pattern, 0) : [pattern];
  } catch (err) {
    if (err !== TOO_MANY) throw err;
    const message = `pattern expands to more than ${LIMITS.braceAlternatives} alternatives or nests braces too deep (the limit); ignored`;
    return { matcher: none, problem: { message, ignored: true, limit: 'brace-alternatives' } };
  }
  const problems: string[] = [];
  const compiled = alternatives.map((a) => compileSegments(a, problems));
  const matcher: GlobMatcher = {
    pattern,
    test: (path) => {
      const segments = splitPath(path);
      return compiled.some((c) => matchSegments(c, path, segments));
    },
  };
  return { matcher, problem: problems.length ? { message: problems[0] ?? '', ignored: false } : null };
}

function endsWithLoneBackslash(p: string): boolean {
  let n = 0;
  for (let i = p.length - 1; i >= 0 && p[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** One token of a segment: a literal character, `?`, `*`, or a class of ranges (`[a-c]` is [[97, 99]]). */
type Token =
  | { kind: 'char'; code: number }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'class'; negate: boolean; ranges: [number, number][] };

/** A pattern segment: `**` (any number of path segments) or tokens matching exactly one path segment. */
type Segment = { kind: 'globstar' } | { kind: 'segment'; tokens: Token[] };

const ANY_SEGMENT: Segment = { kind: 'segment', tokens: [{ kind: 'star' }] };

/** Splits a brace-free pattern into segments; reversed ranges are noted in `problems` (they match nothing, as in git). */
function compileSegments(p: string, problems: string[]): Segment[] {
  const segments: Segment[] = [];
  let tokens: Token[] = [];
  let onlyStars = true;
  let stars = 0;
  const close = () => {
    segments.push(onlyStars && stars >= 2 ? { kind: 'globstar' } : { kind: 'segment', tokens });
    tokens = [];
    onlyStars = true;
    stars = 0;
  };
  let i = 0;
  while (i < p.length) {
    const c = p.charCodeAt(i);
    if (c === 47 /* / */) {
      close();
      i++;
      continue;
    }
    if (c === 42 /* * */) {
      stars++;
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
      continue;
    }
    onlyStars = false;
    if (c === 92 /* \ */ && i + 1 < p.length) {
      tokens.push({ kind: 'char', code: p.charCodeAt(i + 1) });
      i += 2;
      continue;
    }
    if (c === 63 /* ? */) {
      tokens.push({ kind: 'any' });
      i++;
      continue;
    }
    if (c === 91 /* [ */) {
      const cls = readClass(p, i, problems);
      if (cls) {
        tokens.push(cls.token);
        i = cls.end;
        continue;
      }
    }
    tokens.push({ kind: 'char', code: c });
    i++;
  }
  close();
  // A trailing `**` needs at least one segment (`deploy/**` matches `deploy/a`, not `deploy`).
  if (segments.length > 1 && segments[segments.length - 1]?.kind === 'globstar')
    segments.splice(segments.length - 1, 0, ANY_SEGMENT);
  return segments;
}

/** `[...]` starting at `start`: the class token and the index after it, or null if unclosed (then `[` is literal). */
function readClass(p: string, start: number, problems: string[]): { token: Token; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (p[i] === '!' || p[i] === '^') {
    negate = true;
    i++;
  }
  const ranges: [number, number][] = [];
  let first = true;
  while (i < p.length) {
    if (p[i] === ']' && !first) return { token: { kind: 'class', negate, ranges }, end: i + 1 };
    first = false;
    let lo = p.charCodeAt(i);
    if (lo === 92 /* \ */ && i + 1 < p.length) lo = p.charCodeAt(++i);
    i++;
    if (p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']') {
      i++;
      let hi = p.charCodeAt(i);
      if (hi === 92 && i + 1 < p.length) hi = p.charCodeAt(++i);
      i++;
      if (hi < lo)
        problems.push(
          `reversed range ${String.fromCharCode(lo)}-${String.fromCharCode(hi)} matches no character (as in git)`,
        );
      ranges.push([lo, hi]);
    } else {
      ranges.push([lo, lo]);
    }
  }
  return null;
}

/** `[start, end)` of each `/`-separated segment of `path`, flattened. */
function splitPath(path: string): number[] {
  const out: number[] = [];
  let start = 0;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', start)) {
    out.push(start, i);
    start = i + 1;
  }
  out.push(start, path.length);
  return out;
}

/** Pattern segments against path segments: `**` is the star, a segment matches one path segment. */
function matchSegments(pattern: Segment[], path: string, bounds: number[]): boolean {
  const count = bounds.length / 2;
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < count) {
    const seg = pattern[p];
    if (seg?.kind === 'globstar') {
      starP = p++;
      starS = s;
      continue;
    }
    if (seg && matchSegment(seg.tokens, path, bounds[2 * s] ?? 0, bounds[2 * s + 1] ?? 0)) {
      p++;
      s++;
      continue;
    }
    if (starP < 0) return false;
    p = starP + 1;
    s = ++starS;
  }
  while (pattern[p]?.kind === 'globstar') p++;
  return p === pattern.length;
}

/** Tokens against `path[start, end)`: the same algorithm one level down, `*` the star. */
function matchSegment(tokens: Token[], path: string, start: number, end: number): boolean {
  let t = 0;
  let i = start;
  let starT = -1;
  let starI = 0;
  while (i < end) {
    const tok = tokens[t];
    if (tok?.kind === 'star') {
      starT = t++;
      starI = i;
      continue;
    }
    if (tok && matchOne(tok, path.charCodeAt(i))) {
      t++;
      i++;
      continue;
    }
    if (starT < 0) return false;
    t = starT + 1;
    i = ++starI;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

function matchOne(tok: Token, code: number): boolean {
  switch (tok.kind) {
    case 'char':
      return tok.code === code;
    case 'any':
      return true;
    case 'star':
      return false;
    case 'class': {
      let inside = false;
      for (const [lo, hi] of tok.ranges) {
        if (code >= lo && code <= hi) {
          inside = true;
          break;
        }
      }
      return inside !== tok.negate;
    }
  }
}

/** Thrown (one instance) when brace expansion passes its bounds. */
const TOO_MANY = new Error('too many alternatives');

/**
 * Every brace-free pattern the `{a,b}` groups of `p` stand for (escapes kept): at most LIMITS.braceAlternatives,
 * groups nested at most 32 deep.
 */
function expandBraces(p: string, depth: number): string[] {
  if (depth > 32) throw TOO_MANY;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c !== '{') continue;
    const group = readBraces(p, i);
    if (!group) continue;
    const prefix = p.slice(0, i);
    const options: string[] = [];
    for (const o of group.options) for (const x of expandBraces(o, depth + 1)) options.push(x);
    const rests = expandBraces(p.slice(group.end), depth);
    if (options.length * rests.length > LIMITS.braceAlternatives) throw TOO_MANY;
    const out: string[] = [];
    for (const o of options) for (const r of rests) out.push(prefix + o + r);
    return out;
  }
  return [p];
}

/** `{a,b,...}` starting at `start`: the top-level alternatives and the index after `}`, or null if unclosed. */
function readBraces(p: string, start: number): { options: string[]; end: number } | null {
  let depth = 0;
  let current = '';
  const options: string[] = [];
  for (let i = start; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '\\' && i + 1 < p.length) {
      current += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '{') {
      depth++;
      if (depth === 1) continue;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        options.push(current);
        return { options, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      options.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  return null;
}
