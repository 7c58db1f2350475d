import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { extractFile, scanWorkspace } from '../../src/core';
import { tempTrees } from '../support/tempTree';

const temp = tempTrees('rl-scan-');
after(() => temp.cleanup());

const rel = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

void describe('scanWorkspace', () => {
  void it('follows include:/extends:/devcontainer references inside the workspace, not outside it', async () => {
    const outer = temp.tree({
      'outside/base.yml': 'services:\n  x:\n    image: outside:1\n',
      'ws/compose.yaml': [
        'services:',
        '  a:',
        '    extends: { file: shared/base.yml, service: b }',
        '  c:',
        '    extends: { file: ../outside/base.yml, service: x }',
        'include:',
        '  - more/stack.yml',
        '  - more/missing.yml',
        '',
      ].join('\n'),
      'ws/shared/base.yml': 'services:\n  b:\n    image: redis:7\n',
      'ws/more/stack.yml': 'include: [../shared/base.yml]\nservices:\n  q:\n    image: rabbitmq:3\n',
      'ws/.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "dev.docker" } }',
      'ws/.devcontainer/dev.docker': 'FROM mcr.microsoft.com/devcontainers/base:1\n',
    });
    const root = path.join(outer, 'ws');
    const result = await scanWorkspace([root]);
    assert.deepEqual(
      result.files.map((f) => `${rel(root, f.file)} ${f.source}`),
      [
        '.devcontainer/dev.docker dockerfile',
        '.devcontainer/devcontainer.json devcontainer',
        'compose.yaml compose',
        'more/missing.yml compose',
        'more/stack.yml compose',
        'shared/base.yml compose',
      ],
    );
    assert.deepEqual(
      result.occurrences.map((o) => `${rel(root, o.file)} ${o.reference?.canonical}`),
      [
        '.devcontainer/dev.docker mcr.microsoft.com/devcontainers/base:1',
        'more/stack.yml docker.io/library/rabbitmq:3',
        'shared/base.yml docker.io/library/redis:7',
      ],
    );
    // A referenced file that does not exist is an error entry at the line that names it, not a crash.
    assert.deepEqual(
      result.errors.map((e) => `${rel(root, e.file)}:${e.line + 1}: ${e.message}`),
      ['compose.yaml:8: more/missing.yml: no such file (named here)'],
    );
  });

  void it('a compose file gets the .env beside it; a named file is read whatever its name', async () => {
    const root = temp.tree({
      'a/compose.yaml': 'services:\n  s:\n    image: redis:${T}\n',
      'a/.env': 'T=7.2\n',
      'b/compose.yaml': 'services:\n  s:\n    image: redis:${T}\n',
      'c/stack.yml': 'services:\n  s:\n    image: postgres:16\n',
    });
    const result = await scanWorkspace([root, path.join(root, 'c', 'stack.yml')]);
    const tags = result.occurrences.map((o) => [rel(root, o.file), o.reference?.tag ?? o.skip?.reason]);
    assert.deepEqual(tags, [
      ['a/compose.yaml', '7.2'],
      ['b/compose.yaml', 'unresolved-variable'],
      ['c/stack.yml', '16'],
    ]);
    assert.equal(result.occurrences[0]?.tagLocation?.file, path.join(root, 'a', '.env'));
  });

  // Found on public repositories: the error named only the missing file, not the compose file that wants it.
  void it('extends: { file: gone.yml } and a devcontainer build.dockerfile that do not exist: errors at the lines naming them', async () => {
    const root = temp.tree({
      'compose.yaml': 'services:\n  a:\n    extends: { file: gone.yml, service: x }\n',
      '.devcontainer/devcontainer.json': '{\n  "build": { "dockerfile": "Missing.Dockerfile" }\n}\n',
    });
    const result = await scanWorkspace([root]);
    assert.deepEqual(
      result.errors.map((e) => `${rel(root, e.file)}:${e.line + 1}: ${e.message}`),
      [
        '.devcontainer/devcontainer.json:2: Missing.Dockerfile: no such file (named here)',
        'compose.yaml:3: gone.yml: no such file (named here)',
      ],
    );
  });

  void it("a file over its kind's size limit and a 100,000-line .gitignore: typed limit errors naming each file; the rest is scanned", async () => {
    const root = temp.tree({
      Dockerfile: 'FROM alpine:3\n',
      'big/compose.yaml': `services:\n  a:\n    image: alpine:3\n${'#'.repeat(1024 * 1024)}\n`,
      '.gitignore': Array.from({ length: 100_000 }, (_, i) => `gen${i}/`).join('\n'),
    });
    const result = await scanWorkspace([root]);
    assert.deepEqual(
      result.errors.map((e) => [rel(root, e.file), e.line, e.limit, e.message]),
      [
        [
          '.gitignore',
          10_000,
          'pattern-count',
          '.gitignore: more than 10000 patterns (the limit); this line and the rest are not read',
        ],
        ['big/compose.yaml', 0, 'file-size', 'larger than 1 MiB, the limit for compose files; not read'],
      ],
    );
    assert.deepEqual(
      result.occurrences.map((o) => rel(root, o.file)),
      ['Dockerfile'],
    );
  });

  void it('missing paths, binary files and files over the size limit are errors; the rest is scanned', async () => {
    const root = temp.tree({
      Dockerfile: 'FROM alpine:3\n',
      'bin/Dockerfile': Buffer.from([0x46, 0x52, 0x00, 0x01]),
      'big/Dockerfile': `FROM alpine:3\n${'# padding\n'.repeat(200)}`,
    });
    const result = await scanWorkspace([root, path.join(root, 'nope')], { maxFileSize: 1000 });
    assert.deepEqual(
      result.errors.map((e) => `${rel(root, e.file)}: ${e.message}`),
      [
        'big/Dockerfile: larger than 1000 bytes, the limit for Dockerfiles; not read',
        'bin/Dockerfile: not a text file',
        'nope: no such file or directory',
      ],
    );
    assert.deepEqual(
      result.occurrences.map((o) => rel(root, o.file)),
      ['Dockerfile'],
    );
  });

  void it('each file once, even when named twice or reached twice', async () => {
    const root = temp.tree({ 'compose.yaml': 'include: [compose.yaml]\nservices:\n  a:\n    image: alpine:3\n' });
    const result = await scanWorkspace([root, root, path.join(root, 'compose.yaml')]);
    assert.equal(result.files.length, 1);
    assert.equal(result.occurrences.length, 1);
  });

  void it('discovery options pass through (exclude)', async () => {
    const root = temp.tree({ Dockerfile: 'FROM a:1\n', 'skip/Dockerfile': 'FROM b:1\n' });
    const result = await scanWorkspace([root], { exclude: ['skip'] });
    assert.deepEqual(
      result.occurrences.map((o) => o.reference?.canonical),
      ['docker.io/library/a:1'],
    );
  });
});

void describe('extractFile', () => {
  void it('dispatches on the source and passes compose options', () => {
    assert.equal(extractFile('/w/Dockerfile', 'FROM a:1', 'dockerfile').occurrences[0]?.kind, 'from');
    const compose = extractFile('/w/compose.yaml', 'services:\n  a:\n    image: b:${T}\n', 'compose', {
      environment: { T: '2' },
    });
    assert.equal(compose.occurrences[0]?.reference?.canonical, 'docker.io/library/b:2');
    assert.equal(extractFile('/w/.devcontainer.json', '{"image":"c:3"}', 'devcontainer').occurrences[0]?.kind, 'image');
  });
});
