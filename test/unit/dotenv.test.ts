import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FILE_SIZE_LIMITS, readDotenvBeside, scanWorkspace, SourceText } from '../../src/core';
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

void describe('readDotenvBeside (the scan and the editor read the .env of a compose file through it)', () => {
  void it('reads the .env beside the file, none when absent, and reports one over its limit without reading it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-dotenv-'));
    try {
      const compose = path.join(dir, 'compose.yaml');
      writeFileSync(compose, 'services:\n  app:\n    image: alpine:${TAG}\n');
      assert.deepEqual(readDotenvBeside(compose), { dotenv: null, error: null });
      const env = path.join(dir, '.env');
      writeFileSync(env, 'TAG=3.19\n');
      assert.deepEqual(readDotenvBeside(compose), { dotenv: { file: env, content: 'TAG=3.19\n' }, error: null });
      const max = FILE_SIZE_LIMITS.dotenv ?? 0;
      assert.ok(max > 0);
      writeFileSync(env, 'TAG=3.19\n' + '#'.repeat(max));
      const big = readDotenvBeside(compose);
      assert.equal(big.dotenv, null);
      assert.equal(big.error?.file, env);
      assert.equal(big.error?.limit, 'file-size');
      // The scan gives the same verdict: the error once, the variable unresolved.
      const scan = await scanWorkspace([dir]);
      assert.deepEqual(scan.errors, [big.error]);
      assert.equal(scan.occurrences[0]?.skip?.reason, 'unresolved-variable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
