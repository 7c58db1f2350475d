import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractGitlabCi } from '../../src/core';
import { applyEdits, editsForUpdate } from '../../src/core/edits';
import { assertInvariants, rangeOf } from '../support/ranges';

const FILE = '/ws/.gitlab-ci.yml';
const TEXT = [
  'include:',
  '  - local: /ci/jobs.yml',
  '  - ci/more.yml',
  '  - template: Security/SAST.gitlab-ci.yml',
  '  - remote: https://example.com/x.yml',
  '  - local: ci/*.yml',
  'variables:',
  '  PYTHON_TAG: "3.12.2"',
  '  DIND:',
  '    value: docker:25.0-dind',
  '    description: the daemon',
  'default:',
  '  image: python:${PYTHON_TAG}-slim',
  '  services:',
  '    - $DIND',
  'test:',
  '  variables:',
  '    PG: "16.1"',
  '  image:',
  '    name: postgres:$PG',
  '  services:',
  '    - name: redis:7.2',
  '      alias: cache',
  '.deploy:',
  '  image: $CI_REGISTRY_IMAGE/deployer:1.0',
  '',
].join('\n');

function extract(text: string) {
  const result = extractGitlabCi(FILE, text);
  assertInvariants(result, { [FILE]: text });
  return result;
}

void describe('extractGitlabCi', () => {
  void it('image and services of jobs and default; variables from the job and the file; others skipped, named', () => {
    const { occurrences, errors } = extract(TEXT);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => [o.kind, o.services[0], o.text, o.reference?.canonical ?? null, o.skip]),
      [
        ['image', 'default', 'python:${PYTHON_TAG}-slim', 'docker.io/library/python:3.12.2-slim', null],
        ['service', 'default', '$DIND', 'docker.io/library/docker:25.0-dind', null],
        ['image', 'test', 'postgres:$PG', 'docker.io/library/postgres:16.1', null],
        ['service', 'test', 'redis:7.2', 'docker.io/library/redis:7.2', null],
        [
          'image',
          '.deploy',
          '$CI_REGISTRY_IMAGE/deployer:1.0',
          null,
          { reason: 'unresolved-variable', detail: 'CI_REGISTRY_IMAGE' },
        ],
      ],
    );
    // The tag of `$DIND` is written in the variables: block; a fix edits it there.
    assert.deepEqual(occurrences[1]?.tagLocation?.range, rangeOf(TEXT, '25.0-dind'));
    const edits = editsForUpdate(occurrences[2]!, { kind: 'minor', tag: '16.2', digest: null });
    assert.ok(Array.isArray(edits));
    assert.equal(applyEdits(TEXT, edits).split('\n')[17], '    PG: "16.2"');
    const python = editsForUpdate(occurrences[0]!, { kind: 'patch', tag: '3.12.3-slim', digest: null });
    assert.ok(Array.isArray(python));
    assert.equal(applyEdits(TEXT, python).split('\n')[7], '  PYTHON_TAG: "3.12.3"');
  });

  void it('local includes are references relative to the project folder; globs, templates and remotes are not', () => {
    const { references } = extractGitlabCi('/ws/sub/.gitlab-ci.yml', TEXT, { root: '/ws' });
    assert.deepEqual(references, [
      { file: '/ws/ci/jobs.yml', source: 'gitlab-ci', root: '/ws' },
      { file: '/ws/ci/more.yml', source: 'gitlab-ci', root: '/ws' },
    ]);
  });
});
