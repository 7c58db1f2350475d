import { splitDockerWords } from './dockerWord';
import type { SourceText } from './sourceText';

/** A parser directive at the top of a Dockerfile (`# syntax=...`, `# escape=...`, `# check=...`); offsets. */
export interface DockerDirective {
  name: string;
  valueStart: number;
  valueEnd: number;
}

/** One instruction: its keyword (upper case), where it starts, where its arguments start, where it ends. */
export interface DockerInstruction {
  keyword: string;
  start: number;
  argsStart: number;
  end: number;
}

export interface DockerfileStructure {
  escape: string;
  directives: DockerDirective[];
  instructions: DockerInstruction[];
}

/** BuildKit's directive line (moby/buildkit frontend/dockerfile/parser/directives.go). */
const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
/** A heredoc word: optional fd, `<<` or `<<-`, the (possibly quoted) delimiter. */
const HEREDOC = /^\d*<<(-?)(.+)$/;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * Splits a Dockerfile into parser directives and instructions the way BuildKit's parser does
 * (frontend/dockerfile/parser/parser.go): directives only before anything else (a blank line, a comment, an
 * unknown directive or an instruction ends them; `escape` sets the escape character); blank and comment lines
 * between instructions are skipped; a line ending with the escape character (not itself escaped) continues on
 * the next line that is not blank or a comment; `RUN`/`COPY`/`ADD` with `<<EOF` words take the following lines up
 * to each delimiter line (`<<-` ignores leading tabs there) as heredoc bodies.
 *
 * This replaces dockerfile-ast on the extraction path: it is all we need from a parser, and several times
 * faster (extraction of a large workspace was dominated by dockerfile-ast's parse and argument getters).
 * The unit tests compare the two on generated Dockerfiles.
 */
export function scanDockerfile(src: SourceText): DockerfileStructure {
  const text = src.text;
  const lines = lineSpans(text);
  const directives: DockerDirective[] = [];
  let escape = '\\';
  let i = 0;

  for (; i < lines.length; i++) {
    const [s, e] = lines[i] ?? [0, 0];
    let lead = s;
    while (lead < e && (text[lead] === ' ' || text[lead] === '\t')) lead++;
    const m = text[lead] === '#' ? DIRECTIVE.exec(text.slice(lead, e)) : null;
    const name = m?.[1]?.toLowerCase();
    if (!m || !name || !KNOWN_DIRECTIVES.has(name) || directives.some((d) => d.name === name)) break;
    const value = m[2] ?? '';
    let valueEnd = e;
    while (valueEnd > lead && (text[valueEnd - 1] === ' ' || text[valueEnd - 1] === '\t')) valueEnd--;
    directives.push({ name, valueStart: valueEnd - value.length, valueEnd });
    if (name === 'escape' && (value === '\\' || value === '`')) escape = value;
  }

  const instructions: DockerInstruction[] = [];
  const isBlankOrComment = (s: number, e: number) => {
    let p = s;
    while (p < e && (text[p] === ' ' || text[p] === '\t')) p++;
    return p >= e || text[p] === '#';
  };
  const continues = (s: number, e: number) => {
    let p = e;
    while (p > s && (text[p - 1] === ' ' || text[p - 1] === '\t')) p--;
    if (p <= s || text[p - 1] !== escape) return false;
    // `([^E])E[ \t]*$|^E[ \t]*$`: an escaped escape character does not continue the line.
    return p - 1 === s || text[p - 2] !== escape;
  };

  // The first `<<` at or after the current instruction (-1: none left), so heredoc detection does not search the
  // rest of the file for each RUN/COPY/ADD.
  let heredocMark = text.indexOf('<<');
  while (i < lines.length) {
    const [s, e] = lines[i] ?? [0, 0];
    i++;
    if (isBlankOrComment(s, e)) continue;
    let start = s;
    while (text[start] === ' ' || text[start] === '\t') start++;
    // A line holding only the escape character continues into the next line: that one starts the instruction.
    if (text[start] === escape && continues(s, e) && text.slice(start + 1, e).trim() === '') continue;
    let keywordEnd = start;
    while (keywordEnd < e && isLetter(text.charCodeAt(keywordEnd))) keywordEnd++;
    const keyword = text.slice(start, keywordEnd).toUpperCase();
    let end = e;
    let more = continues(s, e);
    while (more && i < lines.length) {
      const [ls, le] = lines[i] ?? [0, 0];
      i++;
      if (isBlankOrComment(ls, le)) continue;
      end = le;
      more = continues(ls, le);
    }
    if (heredocMark >= 0 && heredocMark < keywordEnd) heredocMark = text.indexOf('<<', keywordEnd);
    if (HEREDOC_INSTRUCTIONS.has(keyword) && heredocMark >= 0 && heredocMark < end) {
      for (const [ws, we] of splitDockerWords(src, keywordEnd, end, escape)) {
        const h = HEREDOC.exec(text.slice(ws, we));
        if (!h) continue;
        const chomp = h[1] === '-';
        const delimiter = unquote(h[2] ?? '');
        if (delimiter === '') continue;
        // The body runs to the delimiter line (or to the end of the file: BuildKit calls that an error).
        while (i < lines.length) {
          const [bs, be] = lines[i] ?? [0, 0];
          i++;
          end = be;
          let candidate = text.slice(bs, be);
          if (chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === delimiter) break;
        }
      }
    }
    // A line that does not start with a word (a stray escape character, punctuation) is no instruction.
    if (keyword !== '') instructions.push({ keyword, start, argsStart: keywordEnd, end });
  }
  return { escape, directives, instructions };
}

/** ASCII `A-Z` or `a-z`. */
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function unquote(word: string): string {
  const q = word[0];
  return (q === '"' || q === "'") && word.endsWith(q) && word.length >= 2 ? word.slice(1, -1) : word;
}

/** `[start, end)` of every line, without its line break (`\r\n`, `\n` or `\r`). */
function lineSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      spans.push([start, i]);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans;
}
