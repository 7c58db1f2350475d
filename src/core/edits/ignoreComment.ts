import type { Occurrence } from '../extract';
import type { TextEdit } from './tagEdits';

/**
 * The comment line that makes the engine ignore an occurrence (`# registry-lens: ignore`, `// ...` in a
 * devcontainer.json), inserted above the line the reference starts on — above a Dockerfile instruction's first line
 * when the reference sits on a continuation — with that line's indentation. Refused for `# syntax=`: any line above
 * a parser directive ends the directives, which would change the build.
 */
export function ignoreCommentEdit(
  o: Pick<Occurrence, 'file' | 'source' | 'kind' | 'range'>,
  lines: readonly string[],
  eol: string,
): TextEdit | { refused: string } {
  if (o.kind === 'syntax')
    return {
      refused:
        'a comment above "# syntax=" would end the parser directives; ignore it with a registryLens.policies rule instead',
    };
  let line = o.range.start.line;
  if (o.source === 'dockerfile') while (line > 0 && /[\\`]\s*$/.test(lines[line - 1] ?? '')) line--;
  const text = lines[line] ?? '';
  const indent = /^[ \t]*/.exec(text)![0];
  const lead = o.source === 'devcontainer' ? '//' : '#';
  const at = { line, character: 0 };
  return {
    location: { file: o.file, range: { start: at, end: at } },
    expected: '',
    newText: `${indent}${lead} registry-lens: ignore${eol}`,
  };
}
