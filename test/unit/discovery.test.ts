import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyFile, discoverFiles, guessSource } from '../../src/core';
import { tempTrees } from '../support/tempTree';

const temp = tempTrees('rl-discovery-');
const tree = temp.tree;
after(() => temp.cleanup());

/** The files discovery claims by name (YAML files it lists only as candidates for the content sniff are left out). */
async function found(root: string, options: Parameters<typeof discoverFiles>[1] = {}) {
  const files = await discoverFiles(root, options);
  return files
    .filter((f) => !f.sniffed)
    .map((f) => `${path.relative(root, f.file).split(path.sep).join('/')} ${f.source}`);
}

void describe('classifyFile', () => {
  const rows: [string, string | null][] = [
    ['Dockerfile', 'dockerfile'],
    ['a/b/Dockerfile', 'dockerfile'],
    ['Dockerfile.prod', 'dockerfile'],
    ['api.Dockerfile', 'dockerfile'],
    ['api.dockerfile', 'dockerfile'],
    ['Containerfile', 'dockerfile'],
    ['Containerfile.dev', 'dockerfile'],
    ['Dockerfile.dockerignore', null],
    ['api.Dockerfile.dockerignore', null],
    ['dockerfile', null],
    ['MyDockerfile', null],
    ['compose.yaml', 'compose'],
    ['compose.yml', 'compose'],
    ['compose.override.yaml', 'compose'],
    ['compose.prod.local.yml', 'compose'],
    ['docker-compose.yml', 'compose'],
    ['docker-compose.override.yaml', 'compose'],
    ['docker-compose-dev.yml', 'compose'],
    ['compose.json', null],
    ['composer.yaml', null],
    ['my-compose.yml', null],
    ['.devcontainer.json', 'devcontainer'],
    ['.devcontainer/devcontainer.json', 'devcontainer'],
    ['.devcontainer/python/devcontainer.json', 'devcontainer'],
    ['x/.devcontainer/devcontainer.json', 'devcontainer'],
    ['devcontainer.json', null],
    ['.devcontainer/a/b/devcontainer.json', null],
    ['.devcontainer/other.json', null],
  ];
  for (const [p, source] of rows) void it(`${p} -> ${source}`, () => assert.equal(classifyFile(p), source));

  void it('guessSource falls back on the extension', () => {
    assert.equal(guessSource('deploy/stack.yml'), 'compose');
    assert.equal(guessSource('conf/dev.jsonc'), 'devcontainer');
    assert.equal(guessSource('images/base.docker'), 'dockerfile');
  });
});

void describe('discoverFiles', () => {
  void it('finds the known names, skips .git, node_modules and other files', async () => {
    const root = tree({
      Dockerfile: 'FROM a',
      'svc/api.Dockerfile': 'FROM a',
      'svc/compose.yaml': '',
      '.devcontainer/devcontainer.json': '{}',
      '.devcontainer/py/devcontainer.json': '{}',
      '.git/Dockerfile': 'FROM a',
      'node_modules/pkg/Dockerfile': 'FROM a',
      'deep/node_modules/x/compose.yaml': '',
      'README.md': '',
      'svc/Dockerfile.dockerignore': '',
    });
    assert.deepEqual(await found(root), [
      '.devcontainer/devcontainer.json devcontainer',
      '.devcontainer/py/devcontainer.json devcontainer',
      'Dockerfile dockerfile',
      'svc/api.Dockerfile dockerfile',
      'svc/compose.yaml compose',
    ]);
  });

  void it('honours .gitignore files at every level, negations included', async () => {
    const root = tree({
      '.gitignore': '# build output\ndist/\n*.local.yml\n!keep.local.yml\n/top-only\n',
      'dist/Dockerfile': 'FROM a',
      'dist-not/Dockerfile': 'FROM a',
      'docker-compose.local.yml': '',
      'docker-compose.keep.local.yml': '',
      'keep.local.yml': '',
      'top-only/Dockerfile': 'FROM a',
      'sub/top-only/Dockerfile': 'FROM a',
      'sub/.gitignore': 'Containerfile\n',
      'sub/Containerfile': 'FROM a',
      Containerfile: 'FROM a',
    });
    assert.deepEqual(await found(root), [
      'Containerfile dockerfile',
      'dist-not/Dockerfile dockerfile',
      'sub/top-only/Dockerfile dockerfile',
    ]);
    assert.equal((await found(root, { gitignore: false })).length, 8);
  });

  void it('applies the .gitignore files above the root up to the repository', async () => {
    const repo = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/info/exclude': 'excluded-by-info\n',
      '.gitignore': 'sub/generated/\n',
      'sub/.keep': '',
      'sub/generated/Dockerfile': 'FROM a',
      'sub/Dockerfile': 'FROM a',
      'sub/excluded-by-info/Dockerfile': 'FROM a',
    });
    assert.deepEqual(await found(path.join(repo, 'sub')), ['Dockerfile dockerfile']);
  });

  void it('include adds files by glob; exclude drops files and folders', async () => {
    const root = tree({
      'deploy/stack.yml': '',
      'deploy/notes.txt': '',
      'images/base.docker': 'FROM a',
      Dockerfile: 'FROM a',
      'legacy/Dockerfile': 'FROM a',
      'legacy/compose.yaml': '',
      'a/b/test/Dockerfile': 'FROM a',
    });
    assert.deepEqual(
      await found(root, { include: ['deploy/*.yml', '**/*.docker'], exclude: ['legacy', '**/test/**'] }),
      ['Dockerfile dockerfile', 'deploy/stack.yml compose', 'images/base.docker dockerfile'],
    );
  });

  void it('follows links to files, not to folders', async () => {
    const root = tree({ 'real/Dockerfile': 'FROM a', 'other/x': '' });
    symlinkSync(path.join(root, 'real'), path.join(root, 'linked-dir'));
    symlinkSync(path.join(root, 'real', 'Dockerfile'), path.join(root, 'other', 'Dockerfile'));
    symlinkSync(path.join(root, 'missing'), path.join(root, 'other', 'Containerfile'));
    assert.deepEqual(await found(root), ['other/Dockerfile dockerfile', 'real/Dockerfile dockerfile']);
  });

  void it('stops when the signal aborts', async () => {
    const root = tree({ Dockerfile: 'FROM a' });
    await assert.rejects(discoverFiles(root, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

void describe('discovery from inside a .devcontainer folder', () => {
  void it('finds devcontainer.json when the scan root is the .devcontainer folder itself', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rl-devc-'));
    try {
      mkdirSync(path.join(root, '.devcontainer', 'py'), { recursive: true });
      writeFileSync(path.join(root, '.devcontainer', 'devcontainer.json'), '{ "image": "alpine:3.20" }');
      writeFileSync(path.join(root, '.devcontainer', 'py', 'devcontainer.json'), '{ "image": "python:3.12" }');
      const found = (await discoverFiles(path.join(root, '.devcontainer')))
        .map((f) => f.file.slice(root.length + 1))
        .sort();
      assert.deepEqual(found, ['.devcontainer/devcontainer.json', '.devcontainer/py/devcontainer.json']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
