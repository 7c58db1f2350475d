/**
 * Glob patterns over `/`-separated relative paths, compiled to anchored regular expressions:
 * `*` and `?` stay inside one path segment, `**` as a whole segment spans any number of segments (zero included),
 * `[abc]`, `[a-z]`, `[!a]`/`[^a]` classes, `\x` escapes, and (with `braces`) `{a,b}` alternatives as VS Code
 * globs have them. `.gitignore` patterns use the same compiler without braces (see gitignore.ts).
 */
export function compileGlob(pattern: string, options: { braces?: boolean } = {}): RegExp {
  return new RegExp(`^${globSource(pattern, options.braces ?? false)}$`);
}

const SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const escapeRe = (s: string) => s.replace(SPECIAL, '\\$&');

function globSource(p: string, braces: boolean): string {
  let re = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i] ?? '';
    if (c === '\\' && i + 1 < p.length) {
      re += escapeRe(p[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === '*') {
      let j = i;
      while (p[j] === '*') j++;
      const wholeSegment = j - i >= 2 && (i === 0 || p[i - 1] === '/') && (j === p.length || p[j] === '/');
      if (wholeSegment) {
        if (j === p.length) {
          re += '.*';
        } else {
          re += '(?:[^/]*/)*'; // `**/`: zero or more whole segments
          j++;
        }
      } else {
        re += '[^/]*';
      }
      i = j;
      continue;
    }
    if (c === '?') {
      re += '[^/]';
      i++;
      continue;
    }
    if (c === '[') {
      const cls = readClass(p, i);
      if (cls) {
        re += cls.source;
        i = cls.end;
        continue;
      }
    }
    if (braces && c === '{') {
      const alt = readBraces(p, i);
      if (alt) {
        re += `(?:${alt.options.map((o) => globSource(o, true)).join('|')})`;
        i = alt.end;
        continue;
      }
    }
    re += escapeRe(c);
    i++;
  }
  return re;
}

/** `[...]` starting at `start`: its regex source (never matching `/`) and the index after it, or null if unclosed. */
function readClass(p: string, start: number): { source: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (p[i] === '!' || p[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < p.length) {
    const c = p[i] ?? '';
    if (c === ']' && !first) {
      return { source: negate ? `[^/${body}]` : `(?!/)[${body}]`, end: i + 1 };
    }
    if (c === '\\' && i + 1 < p.length) {
      body += `\\${p[i + 1] ?? ''}`;
      i += 2;
    } else {
      body += c === '-' ? '-' : c === ']' || c === '[' || c === '^' ? `\\${c}` : c;
      i++;
    }
    first = false;
  }
  return null;
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
