import { MappedString } from './mapped';
import type { SourceText } from './sourceText';

/**
 * The `.env` file compose reads beside a compose file: `KEY=value` lines, an optional `export ` prefix, `#`
 * comments, blank lines. Values are unquoted (trimmed, ` #` starts a comment), single-quoted (literal) or
 * double-quoted (`\n`, `\t`, `\"`, `\\` escapes). Each value keeps its position so a tag read from `.env` can be
 * edited there. Not supported (documented): multi-line quoted values and `${VAR}` inside values, which are kept
 * literally.
 */
export function parseDotenv(src: SourceText): Map<string, MappedString> {
  const vars = new Map<string, MappedString>();
  const text = src.text;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = lineStart;
    while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    parseLine(src, lineStart, lineEnd, vars);
    if (lineEnd >= text.length) break;
    lineStart = lineEnd + (text[lineEnd] === '\r' && text[lineEnd + 1] === '\n' ? 2 : 1);
  }
  return vars;
}

function parseLine(src: SourceText, start: number, end: number, vars: Map<string, MappedString>): void {
  const text = src.text;
  let i = start;
  const skipBlanks = () => {
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  skipBlanks();
  if (i >= end || text[i] === '#') return;
  if (text.startsWith('export ', i)) {
    i += 7;
    skipBlanks();
  }
  const keyStart = i;
  while (i < end && /[A-Za-z0-9_.-]/.test(text[i] ?? '')) i++;
  const key = text.slice(keyStart, i);
  skipBlanks();
  if (key === '' || text[i] !== '=') return;
  i++;
  skipBlanks();
  const value = new MappedString();
  const quote = text[i];
  if (quote === "'" || quote === '"') {
    let close = i + 1;
    while (close < end && text[close] !== quote) close += quote === '"' && text[close] === '\\' ? 2 : 1;
    if (close >= end) return; // unterminated (or multi-line): not supported
    for (let j = i + 1; j < close; j++) {
      const c = text[j] ?? '';
      if (quote === '"' && c === '\\' && j + 1 < close) {
        const n = text[++j] ?? '';
        value.append(n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n);
        continue;
      }
      value.append(c, src, j);
    }
    vars.set(key, value);
    return;
  }
  let valueEnd = end;
  for (let j = i; j < end; j++) {
    if (text[j] === '#' && (text[j - 1] === ' ' || text[j - 1] === '\t')) {
      valueEnd = j;
      break;
    }
  }
  while (valueEnd > i && (text[valueEnd - 1] === ' ' || text[valueEnd - 1] === '\t')) valueEnd--;
  value.append(text.slice(i, valueEnd), src, i);
  vars.set(key, value);
}
