import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractKustomize } from '../../src/core';
import { applyEdits, editsForUpdate } from '../../src/core/edits';
import { assertInvariants, rangeOf } from '../support/ranges';

const FILE = '/ws/overlays/prod/kustomization.yaml';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const TEXT = [
  'apiVersion: kustomize.config.k8s.io/v1beta1',
  'kind: Kustomization',
  'images:',
  '  - name: nginx',
  '    newTag: 1.25.4',
  '  - name: ghcr.io/acme/report',
  '    newName: registry.example.com:5000/acme/report',
  '    newTag: "0.9.1"',
  '  - name: busybox',
  `    digest: ${DIGEST}`,
  '  - name: alpine',
  '    newName: mirror.example.com/alpine',
  '',
].join('\n');

function extract(text: string) {
  const result = extractKustomize(FILE, text);
  assertInvariants(result, { [FILE]: text });
  return result;
}

void describe('extractKustomize', () => {
  void it('images entries: newName (else name) with newTag and digest; ranges on the values a fix edits', () => {
    const { occurrences, errors } = extract(TEXT);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => [o.text, o.reference?.canonical, o.skip?.reason ?? null]),
      [
        ['nginx', 'docker.io/library/nginx:1.25.4', null],
        ['registry.example.com:5000/acme/report', 'registry.example.com:5000/acme/report:0.9.1', null],
        ['busybox', `docker.io/library/busybox@${DIGEST}`, null],
        ['mirror.example.com/alpine', 'mirror.example.com/alpine', 'tag-elsewhere'],
      ],
    );
    assert.deepEqual(occurrences[0]?.range, rangeOf(TEXT, 'nginx'));
    assert.deepEqual(occurrences[1]?.tagLocation?.range, rangeOf(TEXT, '0.9.1'));
    assert.deepEqual(occurrences[2]?.digestLocation?.range, rangeOf(TEXT, DIGEST));
  });

  void it('a fix edits newTag; pinning is refused (a digest: field is written by hand)', () => {
    const [nginx] = extract(TEXT).occurrences;
    const edits = editsForUpdate(nginx!, { kind: 'patch', tag: '1.25.5', digest: null });
    assert.ok(Array.isArray(edits));
    assert.equal(applyEdits(TEXT, edits).split('\n')[4], '    newTag: 1.25.5');
    assert.ok('refused' in editsForUpdate(nginx!, { kind: 'pin', tag: '1.25.4', digest: DIGEST }));
  });
});
