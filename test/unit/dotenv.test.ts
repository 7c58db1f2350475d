import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SourceText } from '../../src/core';
import { parseDotenv } from '../../src/core/extract/dotenv';
import { sliceRange } from '../support/ranges';

void describe('parseDotenv', () => {
  const text = [
    '# comment',
    '',
    'PLAIN=1.2.3',
    '  SPACED =  value with spaces   # comment',
    'export EXPORTED=x',
    "SINGLE='a $b \\n'",
    'DOUBLE="line\\nnext \\"q\\""',
    'HASH=a#b',
    'EMPTY=',
    'not a line',
    'UNTERMINATED="abc',
    'CRLF=yes\r',
    'LAST=z',
  ].join('\n');
  const src = new SourceText('/ws/.env', text);
  const vars = parseDotenv(src);

  const rows: [string, string | undefined][] = [
    ['PLAIN', '1.2.3'],
    ['SPACED', 'value with spaces'],
    ['EXPORTED', 'x'],
    ['SINGLE', 'a $b \\n'],
    ['DOUBLE', 'line\nnext "q"'],
    ['HASH', 'a#b'],
    ['EMPTY', ''],
    ['UNTERMINATED', undefined],
    ['CRLF', 'yes'],
    ['LAST', 'z'],
  ];
  for (const [key, value] of rows) {
    void it(`${key} = ${JSON.stringify(value)}`, () => assert.equal(vars.get(key)?.value.toString(), value));
  }

  void it('values keep their position in the file', () => {
    const plain = vars.get('PLAIN')?.value;
    const loc = plain?.locate(0, plain.length);
    assert.ok(loc);
    assert.equal(loc.file, '/ws/.env');
    assert.equal(sliceRange(text, loc.range), '1.2.3');
    const single = vars.get('SINGLE')?.value;
    assert.equal(
      sliceRange(
        text,
        single?.locate(0, 4)?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      ),
      'a $b',
    );
    // An escape breaks the run: no range spans it.
    assert.equal(vars.get('DOUBLE')?.value.locate(0, 6), null);
  });
});
