import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractHelmValues } from '../../src/core';
import { applyEdits, editsForUpdate } from '../../src/core/edits';
import { assertInvariants, rangeOf } from '../support/ranges';

const FILE = '/ws/chart/values.yaml';

function extract(text: string) {
  const result = extractHelmValues(FILE, text);
  assertInvariants(result, { [FILE]: text });
  return result;
}

const VALUES = [
  'image:',
  '  registry: docker.io',
  '  repository: bitnami/redis',
  '  tag: 7.2.4',
  'metrics:',
  '  exporter:',
  '    image:',
  '      registry: ghcr.io',
  '      repository: acme/exporter',
  '      tag: "1.10"',
  '      digest: ""',
  '  sidecarImage: envoyproxy/envoy:v1.29.1',
  'backend:',
  '  image:',
  '    repository: acme/backend',
  '    tag: ""',
  'ui:',
  '  image: "{{ .Values.global.registry }}/ui:1"',
  'pullPolicy:',
  '  image: {pullPolicy: Always}',
  '',
].join('\n');

void describe('extractHelmValues', () => {
  void it('image maps at any depth (registry/repository/tag/digest) and image strings; tag ranges on the tag: values', () => {
    const { occurrences, errors } = extract(VALUES);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => [o.services[0], o.reference?.canonical ?? null, o.skip?.reason ?? null]),
      [
        ['image', 'docker.io/bitnami/redis:7.2.4', null],
        ['metrics.exporter.image', 'ghcr.io/acme/exporter:1.10', null],
        ['metrics.sidecarImage', 'docker.io/envoyproxy/envoy:v1.29.1', null],
        ['backend.image', 'docker.io/acme/backend', 'tag-elsewhere'],
        ['ui.image', null, 'templated'],
      ],
    );
    const [redis, exporter] = occurrences;
    assert.deepEqual(redis?.range, rangeOf(VALUES, 'bitnami/redis'));
    assert.equal(redis?.text, 'bitnami/redis');
    assert.deepEqual(redis?.tagLocation?.range, rangeOf(VALUES, '7.2.4'));
    assert.deepEqual(exporter?.tagLocation?.range, rangeOf(VALUES, '1.10'));
    assert.ok(occurrences.every((o) => o.source === 'helm' && o.kind === 'image'));
  });

  void it('a fix edits the tag: value; pinning appends @digest to it; an empty tag cannot be pinned inline', () => {
    const { occurrences } = extract(VALUES);
    const [redis, , , backend] = occurrences;
    const tagEdits = editsForUpdate(redis!, { kind: 'patch', tag: '7.2.5', digest: null });
    assert.ok(Array.isArray(tagEdits));
    assert.equal(applyEdits(VALUES, tagEdits).split('\n')[3], '  tag: 7.2.5');
    const pin = editsForUpdate(redis!, { kind: 'pin', tag: '7.2.4', digest: `sha256:${'d'.repeat(64)}` });
    assert.ok(Array.isArray(pin));
    assert.equal(applyEdits(VALUES, pin).split('\n')[3], `  tag: 7.2.4@sha256:${'d'.repeat(64)}`);
    assert.ok('refused' in editsForUpdate(backend!, { kind: 'pin', tag: '', digest: `sha256:${'d'.repeat(64)}` }));
  });
});
