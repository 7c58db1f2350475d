import { interpolateCompose } from './composeTemplate';
import { checkTime, LIMITS } from './limits';
import { MappedString } from './mapped';
import type { SourceText } from './sourceText';
import { newExpansion, type Expansion, type Lookup } from './substitute';

/**
 * The `.env` file compose reads beside a compose file: `KEY=value` lines, an optional `export ` prefix, `#`
 * comments, blank lines. Values are unquoted (trimmed, ` #` starts a comment), single-quoted (literal) or
 * double-quoted (`\n`, `\t`, `\"`, `\\` escapes). Unquoted and double-quoted values are interpolated as compose
 * does (`${X}`, `${X:-d}`, ...: `environment` first, then the lines above); single-quoted ones stay literal. Each
 * value keeps its position so a tag read from `.env` can be edited there. Not supported (documented): multi-line
 * quoted values.
 */
export function parseDotenv(src: SourceText, environment: Lookup = () => undefined): Map<string, Expansion> {
  const vars = new Map<string, Expansion>();
  const text = src.text;
  const lookup: Lookup = (name) => environment(name) ?? vars.get(name);
  let spent = 0;
  const define = (key: string, value: MappedString, interpolate: boolean) => {
    checkTime();
    let e: Expansion;
    if (spent > LIMITS.expansionBudget) {
      e = newExpansion();
      e.problem = {
        reason: 'limit',
        detail: `${key} in ${src.file}: the file's substitutions produce more than ${LIMITS.expansionBudget} characters (the limit per file)`,
      };
    } else if (interpolate && value.toString().includes('$')) {
      e = interpolateCompose(value, lookup);
      if (e.problem?.reason === 'limit' && e.problem.detail.startsWith('expands to'))
        e.problem = { reason: 'limit', detail: `${key} in ${src.file}: ${e.problem.detail}` };
    } else {
      e = newExpansion();
      e.value = value;
    }
    spent += e.value.length;
    vars.set(key, e);
  };
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = lineStart;
    while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    parseLine(src, lineStart, lineEnd, define);
    if (lineEnd >= text.length) break;
    lineStart = lineEnd + (text[lineEnd] === '\r' && text[lineEnd + 1] === '\n' ? 2 : 1);
  }
  return vars;
}

function parseLine(
  src: SourceText,
  start: number,
  end: number,
  define: (key: string, value: MappedString, interpolate: boolean) => void,
): void {
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
    define(key, value, quote === '"');
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
  define(key, value, true);
}
