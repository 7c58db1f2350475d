import { compileGlob } from './glob';

/** One `.gitignore` line, compiled. */
export interface IgnoreRule {
  pattern: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/**
 * Parses `.gitignore` text (gitignore(5)): blank lines and `#` comments skipped; trailing blanks dropped unless
 * escaped; `!` re-includes; a trailing `/` matches directories only; a pattern with a `/` at the start or in the
 * middle is anchored to the file's directory, one without matches a name at any depth; `*`, `?`, `[...]` stay in a
 * segment and `**` spans segments; `\` escapes (`\#`, `\!`, `\ `).
 */
export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.split(/\r\n|\n|\r/)) {
    let line = rawLine;
    if (line === '' || line.startsWith('#')) continue;
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
    const glob = anchored ? body : `**/${body}`;
    rules.push({ pattern: rawLine, regex: compileGlob(glob), negate, dirOnly });
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
      if (rule.negate === ignored && rule.regex.test(sub)) ignored = !rule.negate;
    }
  }
  return ignored;
}
