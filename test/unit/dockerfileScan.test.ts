import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import fc from 'fast-check';
import { SourceText } from '../../src/core';
import { scanDockerfile } from '../../src/core/extract/dockerfileScan';

/** `KEYWORD@startLine-endLine` for each instruction (zero-based lines). */
function shape(text: string): string[] {
  const src = new SourceText('/w/Dockerfile', text);
  return scanDockerfile(src).instructions.map(
    (i) => `${i.keyword}@${src.positionAt(i.start).line}-${src.positionAt(i.end).line}`,
  );
}

function directives(text: string): Record<string, string> {
  const src = new SourceText('/w/Dockerfile', text);
  const s = scanDockerfile(src);
  const out: Record<string, string> = {};
  for (const d of s.directives) out[d.name] = src.text.slice(d.valueStart, d.valueEnd);
  out['(escape)'] = s.escape;
  return out;
}

void describe('scanDockerfile', () => {
  const rows: [name: string, text: string, expected: string[]][] = [
    ['one instruction per line', 'FROM a\nRUN b\n', ['FROM@0-0', 'RUN@1-1']],
    ['blank and comment lines between instructions', '\n# c\nFROM a\n\n  # indented\nRUN b', ['FROM@2-2', 'RUN@5-5']],
    [
      'a continuation with comment and blank lines inside',
      'RUN a \\\n# c\n\n  b \\\n  c\nFROM x',
      ['RUN@0-4', 'FROM@5-5'],
    ],
    ['an escaped escape character does not continue', 'RUN echo \\\\\nFROM x\n', ['RUN@0-0', 'FROM@1-1']],
    ['a lone escape character line continues', 'RUN a \\\n\\\nb\nFROM x', ['RUN@0-2', 'FROM@3-3']],
    ['a line of only the escape character continues into the instruction', '\\\nFROM a\n', ['FROM@1-1']],
    ['blanks after the escape still continue', 'RUN a \\  \t\nb\n', ['RUN@0-1']],
    ['a continuation at the end of the file', 'RUN a \\\n', ['RUN@0-0']],
    ['CRLF and CR line breaks', 'FROM a\r\nRUN b \\\r\n c\rCOPY d e\r\n', ['FROM@0-0', 'RUN@1-2', 'COPY@3-3']],
    ['a heredoc body is not instructions', 'RUN <<EOF\nFROM x\nEOF\nFROM y\n', ['RUN@0-2', 'FROM@3-3']],
    ['two heredocs in one instruction', 'COPY <<A <<"B" /dst/\na\nA\nb\nB\nFROM y', ['COPY@0-4', 'FROM@5-5']],
    [
      '<<- ignores leading tabs on the delimiter line',
      'RUN <<-EOT bash\n\techo hi\n\tEOT\nFROM y',
      ['RUN@0-2', 'FROM@3-3'],
    ],
    ['<< inside FROM is not a heredoc', 'FROM <<x\nRUN y', ['FROM@0-0', 'RUN@1-1']],
    ['an unterminated heredoc runs to the end', 'RUN <<EOF\nFROM x\n', ['RUN@0-1']],
    ['lower-case keywords are upper-cased', 'from a\ncopy --from=b c d', ['FROM@0-0', 'COPY@1-1']],
  ];
  for (const [name, text, expected] of rows) void it(name, () => assert.deepEqual(shape(text), expected));

  void it('directives: only at the top, each once, names in any case, blanks around', () => {
    assert.deepEqual(directives('#  Syntax = docker/dockerfile:1  \n# escape=`\nFROM a'), {
      syntax: 'docker/dockerfile:1',
      escape: '`',
      '(escape)': '`',
    });
    assert.deepEqual(directives('FROM a\n# syntax=x'), { '(escape)': '\\' });
    assert.deepEqual(directives('\n# syntax=x\nFROM a'), { '(escape)': '\\' });
    assert.deepEqual(directives('# note=1\n# syntax=x\nFROM a'), { '(escape)': '\\' });
    assert.deepEqual(directives('# syntax=x\n# syntax=y\nFROM a'), { syntax: 'x', '(escape)': '\\' });
    assert.deepEqual(directives('# escape=x\nFROM a'), { escape: 'x', '(escape)': '\\' });
    assert.deepEqual(directives('# check=skip=all\n# syntax=x\n'), {
      check: 'skip=all',
      syntax: 'x',
      '(escape)': '\\',
    });
  });

  void it('the escape directive changes the continuation character', () => {
    assert.deepEqual(shape('# escape=`\nRUN a `\n  b\nRUN c \\\nFROM d'), ['RUN@1-2', 'RUN@3-3', 'FROM@4-4']);
  });

  // The instructions found (keyword and first line) must be the same; where a dangling continuation ends is a
  // convention (dockerfile-ast stretches it over the line break), so end lines are not compared.
  void it('agrees with dockerfile-ast on the instructions of generated Dockerfiles (property)', () => {
    const line = fc.oneof(
      fc.constantFrom(
        'FROM alpine',
        'FROM a AS b',
        'RUN echo hi',
        'COPY --from=x a b',
        'ARG A=1',
        'ENV X=y',
        'LABEL a=b',
      ),
      fc.constantFrom(
        'RUN a \\',
        '  b \\',
        '  c',
        '# comment',
        '',
        '   ',
        '\\',
        'RUN <<EOF',
        'echo in heredoc',
        'EOF',
        'copy a b',
        'WORKDIR /x',
      ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol) + eol;
        const ast = DockerfileParser.parse(text);
        // dockerfile-ast calls a line holding only `\` an instruction; BuildKit continues it into the next line.
        const theirs = ast
          .getInstructions()
          .filter((i) => /^[A-Z]/.test(i.getKeyword()))
          .map((i) => `${i.getKeyword()}@${i.getRange().start.line}`);
        assert.deepEqual(
          shape(text).map((s) => s.replace(/-\d+$/, '')),
          theirs,
          JSON.stringify(text),
        );
      }),
      {
        numRuns: Number(process.env.REGISTRY_LENS_FC_RUNS ?? 1000),
        seed: Number(process.env.REGISTRY_LENS_FC_SEED ?? 7),
      },
    );
  });
});
