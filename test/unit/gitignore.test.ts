import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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
    [
      'a deeper file overrides a shallower one',
      [level('*.yaml'), level('!compose.yaml', 'svc')],
      'svc/compose.yaml',
      false,
      false,
    ],
    [
      'a .gitignore above the root sees the root prefix',
      [{ base: '', prefix: 'sub/', rules: parseGitignore('/sub/skip') }],
      'skip',
      true,
      true,
    ],
    ['CRLF lines', [level('a\r\nb\r\n')], 'b', false, true],
  ];
  for (const [name, levels, path, isDir, ignored] of rows) {
    void it(name, () => assert.equal(isIgnored(levels, path, isDir), ignored));
  }
});

void describe('compileGlob agrees with a regular-expression reading of the same globs (property)', () => {
  /** An independent reading: globs as anchored regular expressions (exponential on hostile patterns, fine here). */
  function reference(glob: string): RegExp {
    let re = '';
    const segments = glob.split('/');
    segments.forEach((seg, i) => {
      const last = i === segments.length - 1;
      if (seg === '**' || /^\*{2,}$/.test(seg)) {
        re += last ? (segments.length === 1 ? '.*' : '[^/]*(?:/[^/]*)*') : '(?:[^/]*/)*';
        return;
      }
      for (let j = 0; j < seg.length; j++) {
        const c = seg[j] ?? '';
        if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else if (c === '[') {
          const close = seg.indexOf(']', j + 2);
          if (close < 0) re += '\\[';
          else {
            const body = seg.slice(j + 1, close);
            re += body.startsWith('!') ? `[^/${body.slice(1)}]` : `[${body}]`;
            j = close;
          }
        } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
      }
      if (!last) re += '/';
    });
    return new RegExp(`^${re}$`);
  }
  const PIECES = ['a', 'b', '/', '*', '**', '?', '[ab]', '[!a]', '[a-b]', 'ab'];
  const glob = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
  const filePath = fc.array(fc.constantFrom('a', 'b', '/', 'ab', 'ba'), { maxLength: 10 }).map((p) => p.join(''));

  void it('on random globs and paths', () => {
    fc.assert(
      fc.property(glob, filePath, (g, p) => {
        // Trailing `**` needs one segment in both readings; `***` within a segment is a star in both.
        assert.equal(compileGlob(g).test(p), reference(g).test(p), `${g} vs ${p}`);
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });
});
