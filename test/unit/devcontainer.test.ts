import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractDevcontainer } from '../../src/core';
import { assertInvariants, r } from '../support/ranges';

const FILE = '/ws/.devcontainer/devcontainer.json';

function extract(text: string) {
  const result = extractDevcontainer(FILE, text);
  assertInvariants(result, { [FILE]: text });
  return result;
}

void describe('extractDevcontainer', () => {
  void it('the image property, with comments and trailing commas, range inside the quotes', () => {
    const text = [
      '// Dev container for the API',
      '{',
      '  "name": "api", /* block comment */',
      '  "image": "mcr.microsoft.com/devcontainers/typescript-node:1-20-bookworm",',
      '  "features": {},',
      '}',
      '',
    ].join('\n');
    const { occurrences, errors, references } = extract(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(references, []);
    assert.equal(occurrences.length, 1);
    const o = occurrences[0];
    assert.equal(o?.source, 'devcontainer');
    assert.equal(o?.kind, 'image');
    assert.equal(o?.reference?.canonical, 'mcr.microsoft.com/devcontainers/typescript-node:1-20-bookworm');
    assert.deepEqual(o?.range, r(3, 12, 3, 73));
    assert.deepEqual(o?.tagLocation?.range, r(3, 60, 3, 73));
  });

  void it('features that name OCI artifacts are checked like images; local folders, URLs and short ids are not', () => {
    const text = [
      '{',
      '  "image": "mcr.microsoft.com/devcontainers/base:1-bookworm",',
      '  "features": {',
      '    "ghcr.io/devcontainers/features/node:1": { "version": "20" },',
      '    "localhost:5000/features/tool@sha256:' + 'e'.repeat(64) + '": {},',
      '    "./local-feature": {},',
      '    "https://example.com/feature.tgz": {},',
      '    "node": {}',
      '  }',
      '}',
      '',
    ].join('\n');
    const { occurrences, errors } = extract(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => [o.kind, o.reference?.canonical]),
      [
        ['image', 'mcr.microsoft.com/devcontainers/base:1-bookworm'],
        ['feature', 'ghcr.io/devcontainers/features/node:1'],
        ['feature', `localhost:5000/features/tool@sha256:${'e'.repeat(64)}`],
      ],
    );
    assert.deepEqual(occurrences[1]?.range, r(3, 5, 3, 42));
    assert.deepEqual(occurrences[1]?.tagLocation?.range, r(3, 41, 3, 42));
  });

  void it('CRLF and a BOM', () => {
    const text = '\uFEFF{\r\n  "image": "alpine:3.20"\r\n}\r\n';
    const { occurrences } = extract(text);
    assert.deepEqual(occurrences[0]?.range, r(1, 12, 1, 23));
  });

  void it('a dev container variable in the image is unresolved, named', () => {
    const { occurrences } = extract('{ "image": "mcr.microsoft.com/devcontainers/python:${localEnv:PY_VARIANT}" }');
    assert.deepEqual(occurrences[0]?.skip, { reason: 'unresolved-variable', detail: 'localEnv:PY_VARIANT' });
    assert.equal(occurrences[0]?.reference, null);
  });

  void it('an escaped string keeps its value and claims no tag range', () => {
    const { occurrences } = extract('{ "image": "alpine:\\u0033" }');
    assert.equal(occurrences[0]?.reference?.canonical, 'docker.io/library/alpine:3');
    assert.equal(occurrences[0]?.tagLocation, null);
  });

  void it('build.dockerfile, dockerFile and dockerComposeFile are references, relative to the file', () => {
    const { occurrences, references } = extract(
      '{ "build": { "dockerfile": "../Dockerfile.dev" }, "dockerFile": "old.Dockerfile", "dockerComposeFile": ["../compose.yaml", "extra.yml"] }',
    );
    assert.deepEqual(occurrences, []);
    // Each with where the file names it (a missing target is reported there).
    assert.deepEqual(references, [
      { file: '/ws/Dockerfile.dev', source: 'dockerfile', from: { line: 0, character: 27 } },
      { file: '/ws/.devcontainer/old.Dockerfile', source: 'dockerfile', from: { line: 0, character: 64 } },
      { file: '/ws/compose.yaml', source: 'compose', from: { line: 0, character: 104 } },
      { file: '/ws/.devcontainer/extra.yml', source: 'compose', from: { line: 0, character: 123 } },
    ]);
  });

  void it('a nested "image" is not the dev container image', () => {
    assert.deepEqual(extract('{ "customizations": { "image": "alpine" } }').occurrences, []);
  });

  void it('syntax errors are reported with their line; a non-string image is an error', () => {
    const broken = extract('{\n  "image": "alpine:3",\n  "name": \n}\n');
    assert.equal(broken.occurrences[0]?.reference?.canonical, 'docker.io/library/alpine:3');
    assert.equal(broken.errors[0]?.line, 3);
    assert.match(broken.errors[0]?.message ?? '', /^JSON: ValueExpected/);
    const wrong = extract('{ "image": 42 }');
    assert.deepEqual(wrong.occurrences, []);
    assert.match(wrong.errors[0]?.message ?? '', /"image" is not a string/);
  });

  void it('an empty file and a non-object are quiet', () => {
    assert.deepEqual(extract(''), { occurrences: [], errors: [], references: [] });
    assert.deepEqual(extract('[]'), { occurrences: [], errors: [], references: [] });
  });
});
