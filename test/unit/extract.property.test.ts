import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  extractCompose,
  extractDevcontainer,
  extractDockerfile,
  extractGithubActions,
  extractGitlabCi,
  extractHelmValues,
  extractKubernetes,
  extractKustomize,
  type ExtractResult,
} from '../../src/core';
import { assertInvariants } from '../support/ranges';

/**
 * Property tests: on random and mutated Dockerfiles, compose files and devcontainer.json files, the extractors
 * never throw, finish quickly, and every range they return slices the source back to the reported text (and
 * every tag/digest location back to the tag/digest). Fixed seeds keep runs reproducible; set
 * REGISTRY_LENS_FC_RUNS (and REGISTRY_LENS_FC_SEED) to search harder.
 */
const RUNS = Number(process.env.REGISTRY_LENS_FC_RUNS ?? 400);
const SEED = Number(process.env.REGISTRY_LENS_FC_SEED ?? 20260901);

const EOL = fc.constantFrom('\n', '\r\n', '\r');
/** Characters that matter to the lexers, to sprinkle in as mutations. */
const NASTY = fc.constantFrom(
  '$',
  '{',
  '}',
  '\\',
  '`',
  '"',
  "'",
  ':',
  '@',
  '/',
  '\n',
  '\r',
  '\r\n',
  '#',
  '-',
  '=',
  ' ',
  '\t',
  ',',
  '[',
  ']',
  '*',
  '&',
  '<<',
  '\uFEFF',
  'é',
  '😀',
  '\u0000',
);

const IMAGE = fc.constantFrom(
  'alpine',
  'alpine:3.19',
  'node:${NODE:-20}-alpine',
  '${IMG}',
  '$REG/app:${TAG}',
  'ghcr.io/o/a:1@sha256:' + 'a'.repeat(64),
  '[::1]:5000/x:1',
  'localhost:5000/app',
  'Bad:1',
  'scratch',
  'build',
  '"quoted:1"',
  'a:b:c',
  '${X:+y}',
  '${}',
  '${V%%x}',
  '',
);

const DOCKER_LINE = fc.oneof(
  IMAGE.map((i) => `FROM ${i}`),
  fc
    .tuple(
      fc.constantFrom('', '--platform=$BUILDPLATFORM ', '--platform=${P:-linux/amd64} '),
      IMAGE,
      fc.constantFrom('', ' AS build', ' as Final', ' AS'),
    )
    .map(([p, i, a]) => `FROM ${p}${i}${a}`),
  fc
    .tuple(
      fc.constantFrom('TAG', 'IMG', 'REG', 'NODE', 'P', 'X'),
      fc.constantFrom('=1.2', '="3 4"', "='x'", '=', '', '=${TAG}', '=alpine:3\\'),
    )
    .map(([n, v]) => `ARG ${n}${v}`),
  IMAGE.map((i) => `COPY --from=${i} /a /b`),
  IMAGE.map((i) => `RUN --mount=type=cache,from=${i},target=/x true`),
  IMAGE.map((i) => `RUN --mount="type=bind,from=${i}" true`),
  fc.constantFrom(
    '# syntax=docker/dockerfile:1',
    '# escape=`',
    '# escape=\\',
    '# a comment',
    '',
    '  # indented comment',
    'RUN echo \\',
    'RUN <<EOF',
    'EOF',
    '\\',
    '`',
    'ONBUILD COPY --from=x /a /b',
  ),
);

const COMPOSE_LINE = fc.oneof(
  fc.constantFrom(
    'services:',
    'x-base: &base',
    'x-img: &img alpine:3',
    '---',
    'include:',
    '  - other.yml',
    'version: "3"',
    'name: x',
  ),
  fc
    .tuple(
      fc.constantFrom('  ', '    ', '      '),
      fc.constantFrom(
        'web:',
        'db:',
        'build: .',
        'build:',
        '<<: *base',
        '<<: [*base]',
        'extends: web',
        'extends: { file: a.yml, service: b }',
        'image: *img',
        'ports: ["80:80"]',
      ),
    )
    .map(([indent, line]) => indent + line),
  fc
    .tuple(fc.constantFrom('  ', '    '), IMAGE, fc.constantFrom('', '"', "'"))
    .map(([indent, image, q]) => `${indent}image: ${q}${image}${q}`),
  fc.constantFrom(
    '  web: {image: nginx:${NGINX_TAG}}',
    '  a: { image: "x\\ty" }',
    '    image: >-',
    '      alpine:3',
    '    image: [a]',
    '    image: 42',
  ),
);

const INDENT = fc.constantFrom('', '  ', '    ', '      ', '        ');
const Q = fc.constantFrom('', '"', "'");
const IMAGE_LIKE = fc.oneof(
  IMAGE,
  fc.constantFrom(
    '{{ .Values.image }}',
    '${{ matrix.img }}',
    'docker://alpine:3',
    '$CI_IMAGE',
    '${TAG}',
    'nginx:$V',
    '1.25',
    '""',
  ),
);

/** YAML lines of the shapes the new extractors read (Kubernetes, Helm, Kustomize, GitHub Actions, GitLab CI), mixed. */
const YAML_IMAGE_LINE = fc.oneof(
  fc.constantFrom(
    'apiVersion: v1',
    'kind: Pod',
    'kind: Deployment',
    'metadata:',
    '  name: x',
    'spec:',
    '---',
    '...',
    'images:',
    'jobs:',
    'variables:',
    'default:',
    'runs:',
  ),
  fc.constantFrom(
    '{{- if .Values.x }}',
    '{{- end }}',
    'include:',
    '  - local: /ci/a.yml',
    '  - b.yml',
    '  V: "1.2"',
    '  TAG: {value: "3"}',
    '<<: *a',
    'x: &a',
    'x: *a',
  ),
  fc
    .tuple(
      INDENT,
      fc.constantFrom(
        'containers:',
        'initContainers:',
        'ephemeralContainers:',
        'template:',
        'spec:',
        'services:',
        'steps:',
        'container:',
        'image:',
        'db:',
        'test:',
        '- name: a',
        '- ',
        'registry: ghcr.io',
        'repository: acme/app',
        'newName: ghcr.io/x',
        'name: nginx',
        'digest: ""',
        'tag: ""',
        'newTag: 1.2',
      ),
    )
    .map(([i, l]) => i + l),
  fc
    .tuple(
      INDENT,
      fc.constantFrom(
        'image: ',
        '- image: ',
        'tag: ',
        'newTag: ',
        'digest: ',
        'name: ',
        'uses: ',
        'container: ',
        '- name: ',
        'sidecarImage: ',
        'repository: ',
      ),
      Q,
      IMAGE_LIKE,
    )
    .map(([i, k, q, v]) => `${i}${k}${q}${v}${q}`),
  fc
    .tuple(INDENT, fc.constantFrom('- {name: a, image: ', 'image: {name: ', 'container: {image: '), IMAGE_LIKE)
    .map(([i, k, v]) => `${i}${k}${v}}`),
);

const DEVCONTAINER = fc
  .tuple(
    IMAGE,
    fc.constantFrom('', '// c\n', '/* c */'),
    fc.constantFrom('', ',', ', "build": {"dockerfile": "Dockerfile"}', ', "dockerComposeFile": ["a.yml", 1]'),
  )
  .map(([image, comment, rest]) => `${comment}{\n  "image": "${image.replace(/"/g, '\\"')}"${rest},\n}\n`);

/** A document from generated lines, then mutated by inserting and deleting characters at random places. */
function documents(line: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const base = fc
    .tuple(fc.array(line, { maxLength: 14 }), EOL, fc.boolean())
    .map(([lines, eol, bom]) => (bom ? '\uFEFF' : '') + lines.join(eol) + eol);
  return mutate(base);
}

function mutate(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.boolean(),
    NASTY,
    fc.integer({ min: 1, max: 3 }),
  );
  return fc.tuple(base, fc.array(edit, { maxLength: 4 })).map(([text, edits]) => {
    let t = text;
    for (const [where, insert, chars, count] of edits) {
      const at = Math.floor(where * t.length);
      t = insert ? t.slice(0, at) + chars + t.slice(at) : t.slice(0, at) + t.slice(at + count);
    }
    return t;
  });
}

function holds(
  text: string,
  run: (text: string) => ExtractResult,
  files: (text: string) => Record<string, string>,
): void {
  const started = Date.now();
  const result = run(text);
  assert.ok(Date.now() - started < 1000, 'extraction took over a second');
  assertInvariants(result, files(text));
  for (const e of result.errors) {
    assert.ok(
      Number.isInteger(e.line) && e.line >= 0 && Number.isInteger(e.character) && e.character >= 0,
      JSON.stringify(e),
    );
  }
}

const ENV = 'TAG=1.0\nNGINX_TAG="1.27"\nIMG=alpine:3\nREG=ghcr.io # c\n';

void describe('extractors on random input (property)', { timeout: 60_000 }, () => {
  void it('Dockerfiles: never throw, ranges slice back to the text', () => {
    fc.assert(
      fc.property(documents(DOCKER_LINE), (text) =>
        holds(
          text,
          (t) => extractDockerfile('/w/Dockerfile', t),
          (t) => ({ '/w/Dockerfile': t }),
        ),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  void it('compose files: never throw, ranges slice back to the text (and into .env)', () => {
    fc.assert(
      fc.property(documents(COMPOSE_LINE), (text) =>
        holds(
          text,
          (t) => extractCompose('/w/compose.yaml', t, { dotenv: { file: '/w/.env', content: ENV } }),
          (t) => ({ '/w/compose.yaml': t, '/w/.env': ENV }),
        ),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  void it('devcontainer.json: never throw, ranges slice back to the text', () => {
    fc.assert(
      fc.property(mutate(DEVCONTAINER), (text) =>
        holds(
          text,
          (t) => extractDevcontainer('/w/.devcontainer.json', t),
          (t) => ({ '/w/.devcontainer.json': t }),
        ),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  const yamlExtractors: [string, (file: string, text: string) => ExtractResult][] = [
    ['/w/k8s/app.yaml', extractKubernetes],
    ['/w/chart/values.yaml', extractHelmValues],
    ['/w/kustomization.yaml', extractKustomize],
    ['/w/.github/workflows/ci.yml', extractGithubActions],
    ['/w/.gitlab-ci.yml', (f, t) => extractGitlabCi(f, t)],
  ];

  void it('Kubernetes, Helm, Kustomize, GitHub Actions and GitLab CI files: never throw, ranges slice back to the text', () => {
    fc.assert(
      fc.property(documents(YAML_IMAGE_LINE), (text) => {
        for (const [file, run] of yamlExtractors)
          holds(
            text,
            (t) => run(file, t),
            (t) => ({ [file]: t }),
          );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  void it('devcontainer.json features: never throw, ranges slice back to the text', () => {
    const features = fc
      .array(
        fc.tuple(fc.constantFrom('ghcr.io/devcontainers/features/', 'localhost:5000/', './', 'https://x/', ''), IMAGE),
        { maxLength: 5 },
      )
      .map(
        (fs) =>
          `{\n  "features": {\n${fs.map(([p, i]) => `    "${(p + i).replace(/"/g, '\\"')}": {}`).join(',\n')}\n  }\n}\n`,
      );
    fc.assert(
      fc.property(mutate(features), (text) =>
        holds(
          text,
          (t) => extractDevcontainer('/w/.devcontainer.json', t),
          (t) => ({ '/w/.devcontainer.json': t }),
        ),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  void it('arbitrary strings through every extractor', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        holds(
          text,
          (t) => extractDockerfile('/w/Dockerfile', t),
          (t) => ({ '/w/Dockerfile': t }),
        );
        holds(
          text,
          (t) => extractCompose('/w/compose.yaml', t),
          (t) => ({ '/w/compose.yaml': t }),
        );
        holds(
          text,
          (t) => extractDevcontainer('/w/.devcontainer.json', t),
          (t) => ({ '/w/.devcontainer.json': t }),
        );
        for (const [file, run] of yamlExtractors)
          holds(
            text,
            (t) => run(file, t),
            (t) => ({ [file]: t }),
          );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
