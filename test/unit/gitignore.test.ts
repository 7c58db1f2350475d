import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compileGlob, isIgnored, parseGitignore, type IgnoreLevel } from '../../src/core';

void describe('compileGlob', () => {
  const rows: [glob: string, path: string, matches: boolean][] = [
    ['*.yml', 'a.yml', true],
    ['*.yml', 'dir/a.yml', false],
    ['**/*.yml', 'a.yml', true],
    ['**/*.yml', 'x/y/a.yml', true],
    ['deploy/**', 'deploy/a/b', true],
    ['deploy/**', 'deploy', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'ab/b', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', '/.txt', false],
    ['[abc].txt', 'b.txt', true],
    ['[!abc].txt', 'b.txt', false],
    ['[a-c].txt', 'c.txt', true],
    ['file.{yml,yaml}', 'file.yaml', true],
    ['file.{yml,yaml}', 'file.json', false],
    ['{a,b/{c,d}}/x', 'b/d/x', true],
    ['a.b', 'aXb', false],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a**b', 'aXXb', true],
    ['a**b', 'a/b', false],
  ];
  for (const [glob, path, matches] of rows) {
    void it(`${glob} ${matches ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(compileGlob(glob, { braces: true }).test(path), matches);
    });
  }
  void it('braces are literal without the braces option (gitignore)', () => {
    assert.ok(compileGlob('{a,b}').test('{a,b}'));
    assert.ok(!compileGlob('{a,b}').test('a'));
  });
});

void describe('.gitignore', () => {
  const level = (text: string, base = ''): IgnoreLevel => ({ base, rules: parseGitignore(text) });
  const rows: [name: string, levels: IgnoreLevel[], path: string, isDir: boolean, ignored: boolean][] = [
    ['a bare name matches at any depth', [level('build')], 'a/b/build', true, true],
    ['a bare name matches files too', [level('Dockerfile.tmp')], 'x/Dockerfile.tmp', false, true],
    ['a leading slash anchors', [level('/build')], 'a/build', true, false],
    ['a leading slash anchors (root)', [level('/build')], 'build', true, true],
    ['a middle slash anchors', [level('docs/gen')], 'x/docs/gen', true, false],
    ['a trailing slash is directories only', [level('tmp/')], 'tmp', false, false],
    ['a trailing slash matches a directory', [level('tmp/')], 'a/tmp', true, true],
    ['negation re-includes', [level('*.yml\n!keep.yml')], 'keep.yml', false, false],
    ['the last match wins', [level('!keep.yml\n*.yml')], 'keep.yml', false, true],
    ['comments and blank lines are skipped', [level('# build\n\n')], 'build', true, false],
    ['an escaped hash is a name', [level('\\#notes')], '#notes', false, true],
    ['trailing blanks are dropped', [level('build   ')], 'build', true, true],
    ['an escaped trailing blank is kept', [level('build\\ ')], 'build ', true, true],
    ['** spans folders', [level('vendor/**/Dockerfile')], 'vendor/a/b/Dockerfile', false, true],
    ['a nested .gitignore is relative to its folder', [level('/gen', 'svc')], 'svc/gen', true, true],
    ['a nested .gitignore does not reach siblings', [level('/gen', 'svc')], 'other/gen', true, false],
    ['a deeper file overrides a shallower one', [level('*.yaml'), level('!compose.yaml', 'svc')], 'svc/compose.yaml', false, false],
    ['a .gitignore above the root sees the root prefix', [{ base: '', prefix: 'sub/', rules: parseGitignore('/sub/skip') }], 'skip', true, true],
    ['CRLF lines', [level('a\r\nb\r\n')], 'b', false, true],
  ];
  for (const [name, levels, path, isDir, ignored] of rows) {
    void it(name, () => assert.equal(isIgnored(levels, path, isDir), ignored));
  }
});
