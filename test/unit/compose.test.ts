import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractCompose, type ComposeOptions, type Occurrence } from '../../src/core';
import { assertInvariants, r, rangeOf } from '../support/ranges';

const FILE = '/ws/compose.yaml';
const ENV = '/ws/.env';

function extract(text: string, env?: string, options: ComposeOptions = {}) {
  const result = extractCompose(FILE, text, {
    ...options,
    dotenv: env === undefined ? null : { file: ENV, content: env },
  });
  assertInvariants(result, { [FILE]: text, [ENV]: env ?? '' });
  for (const o of result.occurrences) {
    assert.equal(o.source, 'compose');
    assert.equal(o.kind, 'service');
    assert.equal(o.stage, null);
  }
  return result;
}

const brief = (o: Occurrence | undefined) => ({
  services: o?.services,
  canonical: o?.reference?.canonical ?? null,
  skip: o?.skip?.reason ?? null,
});

void describe('extractCompose', () => {
  void it('services.*.image with exact ranges (plain, double- and single-quoted, flow mapping)', () => {
    const text = [
      'services:',
      '  web:',
      '    image: nginx:1.25',
      '  api:',
      '    image: "ghcr.io/acme/api:2.0"',
      "  db: { image: 'postgres:16' }",
      '',
    ].join('\n');
    const { occurrences, errors } = extract(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(occurrences.map(brief), [
      { services: ['web'], canonical: 'docker.io/library/nginx:1.25', skip: null },
      { services: ['api'], canonical: 'ghcr.io/acme/api:2.0', skip: null },
      { services: ['db'], canonical: 'docker.io/library/postgres:16', skip: null },
    ]);
    assert.deepEqual(occurrences[0]?.range, r(2, 11, 2, 21));
    assert.deepEqual(occurrences[0]?.tagLocation?.range, r(2, 17, 2, 21));
    assert.deepEqual(occurrences[1]?.range, r(4, 12, 4, 32)); // inside the quotes
    assert.deepEqual(occurrences[2]?.range, r(5, 16, 5, 27));
  });

  void it('x-* fragments, anchors, aliases and << merge keys: one occurrence per written image', () => {
    const text = [
      'x-base: &base',
      '  image: redis:7.2',
      '  restart: always',
      'x-unused:',
      '  image: memcached:1.6',
      'services:',
      '  cache:',
      '    <<: *base',
      '  cache2:',
      '    <<: [*base]',
      '    environment: {}',
      '  own:',
      '    <<: *base',
      '    image: redis:7.4',
      '  aliased: *base',
      '',
    ].join('\n');
    const { occurrences } = extract(text);
    assert.deepEqual(occurrences.map(brief), [
      { services: ['cache', 'cache2', 'aliased', 'x-base'], canonical: 'docker.io/library/redis:7.2', skip: null },
      { services: ['x-unused'], canonical: 'docker.io/library/memcached:1.6', skip: null },
      { services: ['own'], canonical: 'docker.io/library/redis:7.4', skip: null },
    ]);
    assert.deepEqual(occurrences[0]?.range, rangeOf(text, 'redis:7.2'));
  });

  void it('${V}, ${V:-x}, ${V-x} and $$ with values from the .env beside the file', () => {
    const env = [
      '# versions',
      'REDIS_TAG=7.2.4',
      'export PG="16.3"',
      "QUOTED='a b'",
      'EMPTY=',
      'REG=ghcr.io # trailing comment',
      '',
    ].join('\n');
    const text = [
      'services:',
      '  a:',
      '    image: redis:${REDIS_TAG}',
      '  b:',
      '    image: postgres:${PG:-15}',
      '  c:',
      '    image: node:${NODE:-20.11}',
      '  d:',
      '    image: node${EMPTY-:18}',
      '  e:',
      '    image: node:${EMPTY:-22}',
      '  f:',
      '    image: $REG/acme/app:1',
      '  g:',
      '    image: busybox:${MISSING}',
      '  h:',
      '    image: busybox:$${NOT_A_VAR}',
      '',
    ].join('\n');
    const { occurrences } = extract(text, env);
    const byService = new Map(occurrences.map((o) => [o.services[0], o]));
    const a = byService.get('a');
    assert.equal(a?.reference?.canonical, 'docker.io/library/redis:7.2.4');
    assert.deepEqual(a?.tagLocation, { file: ENV, range: r(1, 10, 1, 15) });
    assert.deepEqual(a?.variables, ['REDIS_TAG']);
    const b = byService.get('b');
    assert.equal(b?.reference?.tag, '16.3');
    assert.deepEqual(b?.tagLocation, { file: ENV, range: r(2, 11, 2, 15) });
    const c = byService.get('c');
    assert.equal(c?.reference?.tag, '20.11');
    assert.deepEqual(c?.tagLocation, { file: FILE, range: rangeOf(text, '20.11') });
    assert.equal(byService.get('d')?.reference?.canonical, 'docker.io/library/node');
    assert.equal(byService.get('e')?.reference?.canonical, 'docker.io/library/node:22');
    assert.equal(byService.get('f')?.reference?.canonical, 'ghcr.io/acme/app:1');
    assert.deepEqual(byService.get('g')?.skip, { reason: 'unresolved-variable', detail: 'MISSING' });
    assert.equal(byService.get('h')?.value, 'busybox:${NOT_A_VAR}');
    assert.equal(byService.get('h')?.skip?.reason, 'invalid-reference');
  });

  void it('the given environment wins over .env and maps to no file', () => {
    const { occurrences } = extract('services:\n  a:\n    image: redis:${T}\n', 'T=7.0\n', {
      environment: { T: '7.4' },
    });
    assert.equal(occurrences[0]?.reference?.tag, '7.4');
    assert.equal(occurrences[0]?.tagLocation, null);
  });

  void it('services with build: are built locally (own, merged, inherited through extends)', () => {
    const text = [
      'x-build: &build',
      '  build: .',
      'services:',
      '  app:',
      '    build: ./app',
      '    image: acme/app:dev',
      '  merged:',
      '    <<: *build',
      '    image: acme/merged:dev',
      '  base:',
      '    build: .',
      '  child:',
      '    extends: base',
      '    image: acme/child:dev',
      '  plain:',
      '    image: acme/plain:1',
      '  nobuild:',
      '    build:',
      '    image: acme/nobuild:1',
      '',
    ].join('\n');
    const { occurrences } = extract(text);
    assert.deepEqual(
      occurrences.map((o) => [o.services[0], o.skip?.reason ?? null, o.reference?.canonical]),
      [
        ['app', 'built-locally', 'docker.io/acme/app:dev'],
        ['merged', 'built-locally', 'docker.io/acme/merged:dev'],
        ['child', 'built-locally', 'docker.io/acme/child:dev'],
        ['plain', null, 'docker.io/acme/plain:1'],
        ['nobuild', null, 'docker.io/acme/nobuild:1'],
      ],
    );
    assert.equal(occurrences[0]?.skip?.detail, 'app has build:');
  });

  void it('an image shared by a built service and a pulled one is checked', () => {
    const text = 'x-img: &img acme/shared:1\nservices:\n  a:\n    image: *img\n    build: .\n  b:\n    image: *img\n';
    const { occurrences } = extract(text);
    assert.deepEqual(occurrences.map(brief), [
      { services: ['a', 'b'], canonical: 'docker.io/acme/shared:1', skip: null },
    ]);
  });

  void it('extends: within the file (string and map forms), and to other files as references', () => {
    const text = [
      'services:',
      '  base:',
      '    image: python:3.12-slim',
      '  worker:',
      '    extends: base',
      '  web:',
      '    extends: { service: worker }',
      '  remote:',
      '    extends:',
      '      file: common/services.yml',
      '      service: db',
      '  loop1:',
      '    extends: loop2',
      '  loop2:',
      '    extends: loop1',
      'include:',
      '  - other/compose.yaml',
      '  - path: ../outside/compose.yaml',
      '  - path: [a.yml, b.yml]',
      '',
    ].join('\n');
    const { occurrences, references } = extract(text);
    assert.deepEqual(occurrences.map(brief), [
      { services: ['base', 'worker', 'web'], canonical: 'docker.io/library/python:3.12-slim', skip: null },
    ]);
    assert.deepEqual(
      references.map((ref) => [ref.file, ref.source]),
      [
        ['/ws/common/services.yml', 'compose'],
        ['/ws/other/compose.yaml', 'compose'],
        ['/outside/compose.yaml', 'compose'],
        ['/ws/a.yml', 'compose'],
        ['/ws/b.yml', 'compose'],
      ],
    );
  });

  void it('multiple YAML documents are read one by one', () => {
    const text = 'services:\n  a:\n    image: alpine:3\n---\nservices:\n  b:\n    image: busybox:1\n';
    const { occurrences } = extract(text);
    assert.deepEqual(occurrences.map(brief), [
      { services: ['a'], canonical: 'docker.io/library/alpine:3', skip: null },
      { services: ['b'], canonical: 'docker.io/library/busybox:1', skip: null },
    ]);
    assert.deepEqual(occurrences[1]?.range, r(6, 11, 6, 20));
  });

  void it('CRLF line endings and a BOM', () => {
    const text = '\uFEFFservices:\r\n  web:\r\n    image: nginx:1.25\r\n';
    const { occurrences } = extract(text);
    assert.deepEqual(occurrences[0]?.range, r(2, 11, 2, 21));
    assert.deepEqual(occurrences[0]?.tagLocation?.range, r(2, 17, 2, 21));
  });

  void it('the old layout without services:', () => {
    const { occurrences } = extract('version: "2"\nweb:\n  image: nginx:1\nvolumes: {}\n');
    assert.deepEqual(occurrences.map(brief), [
      { services: ['web'], canonical: 'docker.io/library/nginx:1', skip: null },
    ]);
  });

  void it('escapes in a double-quoted value: the value is right, no tag range is claimed', () => {
    const { occurrences } = extract('services:\n  a:\n    image: "alpine:\\x33"\n');
    assert.equal(occurrences[0]?.reference?.canonical, 'docker.io/library/alpine:3');
    assert.equal(occurrences[0]?.tagLocation, null);
  });

  void it('invalid references are skipped with the parser message; a non-string image is an error', () => {
    const { occurrences, errors } = extract(
      'services:\n  a:\n    image: Alpine\n  b:\n    image: [x]\n  c:\n    image:\n',
    );
    assert.equal(occurrences.length, 1);
    assert.equal(occurrences[0]?.skip?.reason, 'invalid-reference');
    assert.match(occurrences[0]?.skip?.detail ?? '', /lower case/);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.line, 4);
    assert.match(errors[0]?.message ?? '', /image of b is not a string/);
  });

  void it('a YAML error is reported with its line; what parsed is still extracted', () => {
    const text = 'services:\n  a:\n    image: alpine:3\n  b: [\n';
    const { occurrences, errors } = extract(text);
    assert.equal(occurrences[0]?.reference?.canonical, 'docker.io/library/alpine:3');
    assert.ok(errors.length >= 1);
    assert.equal(errors[0]?.file, FILE);
    assert.ok((errors[0]?.line ?? 0) >= 3, JSON.stringify(errors));
    assert.match(errors[0]?.message ?? '', /^YAML: /);
  });

  // Found on public repositories: compose interpolates .env values; we kept `${BASE}` literally.
  void it('.env TAG=${BASE}-slim, TAG2="${MISSING:-3.12}-alpine", TAG3=\'${BASE}\': unquoted and double-quoted values are interpolated, single-quoted stay literal', () => {
    const env = [
      'BASE=3.13',
      'TAG=${BASE}-slim',
      'TAG2="${MISSING:-3.12}-alpine"',
      "TAG3='${BASE}'",
      'TAG4=$NOPE',
      '',
    ].join('\n');
    const text =
      'services:\n  a:\n    image: python:${TAG}\n  b:\n    image: python:${TAG2}\n  c:\n    image: python:${TAG3}\n  d:\n    image: python:${TAG4}\n';
    const { occurrences } = extract(text, env);
    assert.equal(occurrences[0]?.reference?.canonical, 'docker.io/library/python:3.13-slim');
    // The tag maps back into .env piece by piece: `3.13` on the BASE line, `-slim` on the TAG line.
    assert.deepEqual(occurrences[0]?.tagSegments, [
      { text: '3.13', location: { file: ENV, range: r(0, 5, 0, 9) } },
      { text: '-slim', location: { file: ENV, range: r(1, 11, 1, 16) } },
    ]);
    assert.equal(occurrences[1]?.reference?.canonical, 'docker.io/library/python:3.12-alpine');
    assert.deepEqual(occurrences[2]?.skip, { reason: 'invalid-reference', detail: occurrences[2]?.skip?.detail });
    assert.equal(occurrences[2]?.value, 'python:${BASE}');
    assert.deepEqual(occurrences[3]?.skip, { reason: 'unresolved-variable', detail: 'NOPE' });
  });

  // Found on public repositories: compose refuses these files; we listed them silently.
  void it('image: *img with no &img anchor: an unresolved-alias error at its line', () => {
    const text = 'services:\n  web:\n    image: nginx:1\n  db:\n    image: *img\n';
    const { occurrences, errors } = extract(text);
    assert.equal(occurrences[0]?.reference?.canonical, 'docker.io/library/nginx:1');
    assert.deepEqual(
      errors.map((e) => [e.line, e.message]),
      [[4, 'YAML: Unresolved alias *img: no anchor &img before it']],
    );
  });

  void it('ports: indented under services instead of under web: compose refuses it, an error at its line', () => {
    const text = 'services:\n  web:\n    image: nginx:1\n  ports:\n    - "80:80"\n';
    const { errors } = extract(text);
    assert.deepEqual(
      errors.map((e) => [e.line, e.message]),
      [[4, 'services.ports must be a mapping (compose refuses this file; is a key indented under the wrong parent?)']],
    );
  });

  void it('an empty file, a scalar document and a list are not compose files, quietly', () => {
    for (const text of ['', '# nothing\n', 'just a string\n', '- a\n- b\n']) {
      assert.deepEqual(extract(text), { occurrences: [], errors: [], references: [] });
    }
  });
});
