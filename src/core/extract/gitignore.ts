import { parseGlob, type GlobMatcher } from './glob';
import { LIMITS, type LimitName } from './limits';

/** One `.gitignore` line, compiled. */
export interface IgnoreRule {
  pattern: string;
  glob: GlobMatcher;
  negate: boolean;
  dirOnly: boolean;
}

/** Something about a `.gitignore` line worth telling (a pattern ignored, a limit reached); `line` zero-based. */
export interface IgnoreNote {
  line: number;
  message: string;
  limit?: LimitName;
}

/**
 * Parses `.gitignore` text (gitignore(5)): blank lines and `#` comments skipped; trailing blanks dropped unless
 * escaped; `!` re-includes; a trailing `/` matches directories only; a pattern with a `/` at the start or in the
 * middle is anchored to the file's directory, one without matches a name at any depth; `*`, `?`, `[...]` stay in a
 * segment and `**` spans segments; `\` escapes (`\#`, `\!`, `\ `). A pattern git cannot use (a trailing lone
 * `\`) is ignored, as git does; a reversed range `[z-a]` matches nothing, as in git; both are noted in `notes`, as
 * are the bounds: patterns longer than LIMITS.patternLength are ignored, lines after the first
 * LIMITS.patternCount patterns are not read.
 */
export function parseGitignore(text: string, notes: IgnoreNote[] = []): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  let lineNo = -1;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = lineStart;
    while (lineEnd < text.length && text.charCodeAt(lineEnd) !== 10 && text.charCodeAt(lineEnd) !== 13) lineEnd++;
    const rawLine = text.slice(lineStart, lineEnd);
    lineNo++;
    lineStart = lineEnd + (text.charCodeAt(lineEnd) === 13 && text.charCodeAt(lineEnd + 1) === 10 ? 2 : 1);
    let line = rawLine;
    if (line === '' || line.startsWith('#')) continue;
    if (rules.length >= LIMITS.patternCount) {
      notes.push({
        line: lineNo,
        message: `more than ${LIMITS.patternCount} patterns (the limit); this line and the rest are not read`,
        limit: 'pattern-count',
      });
      break;
    }
    // Trailing blanks go unless the last one is escaped.
    let end = line.length;
    while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t') && line[end - 2] !== '\\') end--;
    line = line.slice(0, end);
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    }
    let dirOnly = false;
    if (line.endsWith('/') && !line.endsWith('\\/')) {
      dirOnly = true;
      line = line.replace(/\/+$/, '');
    }
    if (line === '') continue;
    const anchored = line.includes('/');
    const body = line.startsWith('/') ? line.slice(1) : line;
    const { matcher, problem } = parseGlob(anchored ? body : `**/${body}`, { gitignore: true });
    if (problem)
      notes.push({ line: lineNo, message: problem.message, ...(problem.limit ? { limit: problem.limit } : {}) });
    if (problem?.ignored) continue;
    rules.push({ pattern: rawLine, glob: matcher, negate, dirOnly });
  }
  return rules;
}

/** The rules of one `.gitignore` and the directory (relative to the walk root, `''` for the root) it sits in. */
export interface IgnoreLevel {
  base: string;
  rules: IgnoreRule[];
  /** For a `.gitignore` above the walk root: the root's path relative to that file's directory, with a final `/`. */
  prefix?: string;
}

/**
 * Whether `relPath` (relative to the walk root, `/`-separated) is ignored by the `.gitignore` files that apply to
 * it, outermost first: the last matching rule decides, so deeper files and later lines override. A path whose
 * parent directory is ignored is never asked about: the walk does not enter ignored directories, which is how git
 * makes "you cannot re-include a file whose directory is excluded" true.
 */
export function isIgnored(levels: readonly IgnoreLevel[], relPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const level of levels) {
    let sub = level.prefix === undefined ? relPath : level.prefix + relPath;
    if (level.base !== '') {
      if (!relPath.startsWith(level.base + '/')) continue;
      sub = relPath.slice(level.base.length + 1);
    }
    for (const rule of level.rules) {
      if (rule.dirOnly && !isDir) continue;
      if (rule.negate === ignored && rule.glob.test(sub)) ignored = !rule.negate;
    }
  }
  return ignored;
}
