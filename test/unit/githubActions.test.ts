import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractGithubActions } from '../../src/core';
import { assertInvariants, rangeOf } from '../support/ranges';

function extract(file: string, text: string) {
  const result = extractGithubActions(file, text);
  assertInvariants(result, { [file]: text });
  return result;
}

void describe('extractGithubActions', () => {
  void it('a workflow: job containers (string and image), services, docker:// steps; expressions skipped', () => {
    const text = [
      'on: push',
      'jobs:',
      '  test:',
      '    container: node:20.11-bookworm',
      '    services:',
      '      db:',
      '        image: postgres:16.2',
      '      cache:',
      '        image: ${{ matrix.cache }}',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - id: lint',
      '        uses: docker://ghcr.io/acme/linter:3.1',
      '  build:',
      '    container:',
      "      image: 'golang:1.22-alpine'",
      '    steps:',
      '      - uses: "docker://alpine:3.19"',
      '',
    ].join('\n');
    const { occurrences, errors } = extract('/ws/.github/workflows/ci.yml', text);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => [o.kind, o.services[0], o.value, o.skip?.reason ?? null]),
      [
        ['container', 'test', 'node:20.11-bookworm', null],
        ['service', 'test/db', 'postgres:16.2', null],
        ['service', 'test/cache', '${{ matrix.cache }}', 'templated'],
        ['step', 'test/lint', 'ghcr.io/acme/linter:3.1', null],
        ['container', 'build', 'golang:1.22-alpine', null],
        ['step', 'build/step 1', 'alpine:3.19', null],
      ],
    );
    assert.deepEqual(occurrences[3]?.range, rangeOf(text, 'ghcr.io/acme/linter:3.1'));
    assert.deepEqual(occurrences[5]?.range, rangeOf(text, 'alpine:3.19'));
    assert.deepEqual(occurrences[4]?.tagLocation?.range, rangeOf(text, '1.22-alpine'));
    assert.deepEqual(occurrences[2]?.skip, { reason: 'templated', detail: '${{ matrix.cache }}' });
  });

  void it('an action: runs.image docker://, or a Dockerfile as a reference', () => {
    const docker = extract('/ws/act/action.yml', 'runs:\n  using: docker\n  image: docker://debian:12.5-slim\n');
    assert.equal(docker.occurrences[0]?.kind, 'action');
    assert.equal(docker.occurrences[0]?.text, 'debian:12.5-slim');
    const built = extract('/ws/act/action.yml', 'runs:\n  using: docker\n  image: Dockerfile\n');
    assert.deepEqual(built.occurrences, []);
    assert.deepEqual(built.references, [{ file: '/ws/act/Dockerfile', source: 'dockerfile' }]);
  });
});
