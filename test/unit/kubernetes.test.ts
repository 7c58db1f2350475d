import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractKubernetes, looksLikeKubernetes } from '../../src/core';
import { assertInvariants, rangeOf, sliceRange } from '../support/ranges';

const FILE = '/ws/k8s/app.yaml';

function extract(text: string) {
  const result = extractKubernetes(FILE, text);
  assertInvariants(result, { [FILE]: text });
  return result;
}

void describe('extractKubernetes', () => {
  void it('a container list reused through an alias is one occurrence used by both Pods', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Pod',
      '    metadata: {name: one}',
      '    spec:',
      '      containers: &shared',
      '        - name: app',
      '          image: nginx:1.25',
      '  - &base',
      '    apiVersion: v1',
      '    kind: Pod',
      '    metadata: {name: two}',
      '  - <<: *base',
      '    spec:',
      '      containers: *shared',
      '',
    ].join('\n');
    const { occurrences, errors } = extract(text);
    assert.deepEqual(errors, []);
    // The image is written once: one occurrence (one diagnostic, one fix), used by both Pods' containers.
    assert.deepEqual(
      occurrences.map((o) => [o.reference?.canonical, o.services]),
      [['docker.io/library/nginx:1.25', ['Pod/one/app', 'Pod/two/app']]],
    );
  });

  void it('a List item whose metadata comes through a merge key is named by it', () => {
    const text = [
      'x-meta: &meta',
      '  name: merged',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - kind: Pod',
      '    <<: {metadata: *meta}',
      '    spec:',
      '      containers:',
      '        - name: c',
      '          image: redis:7',
      '',
    ].join('\n');
    const { occurrences } = extract(text);
    assert.deepEqual(
      occurrences.map((o) => [o.reference?.canonical, o.services[0]]),
      [['docker.io/library/redis:7', 'Pod/merged/c']],
    );
  });

  void it('containers, initContainers and ephemeralContainers of a Pod, exact ranges, Kind/name/container', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: debug',
      'spec:',
      '  initContainers:',
      '    - name: init',
      '      image: "busybox:1.36"',
      '  containers:',
      '    - {name: main, image: nginx:1.25.3}',
      '  ephemeralContainers:',
      '    - name: shell',
      "      image: 'ghcr.io/acme/debug:2@sha256:" + 'c'.repeat(64) + "'",
      '',
    ].join('\n');
    const { occurrences, errors } = extract(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => [o.kind, o.reference?.canonical, o.services[0]]),
      [
        ['init-container', 'docker.io/library/busybox:1.36', 'Pod/debug/init'],
        ['container', 'docker.io/library/nginx:1.25.3', 'Pod/debug/main'],
        ['ephemeral-container', `ghcr.io/acme/debug:2@sha256:${'c'.repeat(64)}`, 'Pod/debug/shell'],
      ],
    );
    assert.deepEqual(occurrences[0]?.range, rangeOf(text, 'busybox:1.36'));
    assert.deepEqual(occurrences[1]?.tagLocation?.range, rangeOf(text, '1.25.3'));
    assert.deepEqual(occurrences[2]?.digestLocation?.range, rangeOf(text, `sha256:${'c'.repeat(64)}`));
    assert.ok(occurrences.every((o) => o.source === 'kubernetes' && o.skip === null));
  });

  void it('pod templates of every workload kind, in a multi-document file with CRLF', () => {
    const docs = [
      [
        'apps/v1',
        'Deployment',
        'spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: a:1',
      ],
      [
        'apps/v1',
        'StatefulSet',
        'spec:\n  template:\n    spec:\n      containers:\n        - name: b\n          image: b:2',
      ],
      [
        'apps/v1',
        'DaemonSet',
        'spec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: c:3',
      ],
      [
        'apps/v1',
        'ReplicaSet',
        'spec:\n  template:\n    spec:\n      containers:\n        - name: d\n          image: d:4',
      ],
      ['batch/v1', 'Job', 'spec:\n  template:\n    spec:\n      containers:\n        - name: e\n          image: e:5'],
      [
        'batch/v1',
        'CronJob',
        'spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: f\n              image: f:6',
      ],
      ['v1', 'ConfigMap', 'data:\n  image: not-an-image:1'],
    ];
    const text = docs
      .map(([api, kind, body]) => `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: x\n${body}\n`)
      .join('---\n')
      .replace(/\n/g, '\r\n');
    const { occurrences, errors } = extract(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      occurrences.map((o) => `${o.services[0]} ${o.value}`),
      [
        'Deployment/x/a a:1',
        'StatefulSet/x/b b:2',
        'DaemonSet/x/c c:3',
        'ReplicaSet/x/d d:4',
        'Job/x/e e:5',
        'CronJob/x/f f:6',
      ],
    );
    for (const o of occurrences) assert.equal(sliceRange(text, o.range), o.value);
  });

  void it('a Helm template: values with {{ }} skipped as templated, action lines do not hide the YAML around them', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ include "app.fullname" . }}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      '{{- if .Values.sidecar }}',
      '        - name: sidecar',
      '          image: envoyproxy/envoy:v1.29.1',
      '{{- end }}',
      '',
    ].join('\n');
    const { occurrences, errors } = extract(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(occurrences[0]?.skip, { reason: 'templated', detail: '{{ .Values.image.repository }}' });
    assert.equal(occurrences[1]?.reference?.canonical, 'docker.io/envoyproxy/envoy:v1.29.1');
    assert.deepEqual(occurrences[1]?.range, rangeOf(text, 'envoyproxy/envoy:v1.29.1'));
  });

  void it('documents without apiVersion and kind are not manifests; a broken manifest reports its line', () => {
    assert.deepEqual(extract('image: nope:1\ncontainers:\n  - image: nope:2\n').occurrences, []);
    assert.equal(looksLikeKubernetes('apiVersion: v1\nkind: Pod\n'), true);
    assert.equal(looksLikeKubernetes('name: ci\non: push\n'), false);
    const broken = extract('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: a:1\n   bad: [\n');
    assert.ok(broken.errors.length > 0 && broken.errors[0]!.message.startsWith('YAML: '));
  });
});
