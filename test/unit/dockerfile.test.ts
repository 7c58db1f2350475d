import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractDockerfile, type Occurrence, type Range } from '../../src/core';
import { assertInvariants, r, rangeOf } from '../support/ranges';

const FILE = '/ws/Dockerfile';
const SHA = 'c0ffee00'.repeat(8);

function extract(text: string) {
  const result = extractDockerfile(FILE, text);
  assertInvariants(result, { [FILE]: text });
  return result;
}

/** What a test states about one occurrence; unstated fields are not checked. */
interface Expect {
  kind?: Occurrence['kind'];
  text?: string;
  canonical?: string | null;
  skip?: [reason: string, detail?: RegExp | string];
  range?: Range;
  tag?: Range | null;
  digest?: Range | null;
  platform?: string | null;
  stage?: { index: number; name: string | null; final: boolean } | null;
  variables?: string[];
}

function check(actual: Occurrence | undefined, e: Expect, label: string): void {
  assert.ok(actual, `${label}: missing`);
  if (e.kind !== undefined) assert.equal(actual.kind, e.kind, `${label}: kind`);
  if (e.text !== undefined) assert.equal(actual.text, e.text, `${label}: text`);
  if (e.canonical !== undefined) assert.equal(actual.reference?.canonical ?? null, e.canonical, `${label}: canonical`);
  if (e.skip !== undefined) {
    assert.equal(actual.skip?.reason, e.skip[0], `${label}: skip reason`);
    if (typeof e.skip[1] === 'string') assert.equal(actual.skip?.detail, e.skip[1], `${label}: skip detail`);
    else if (e.skip[1]) assert.match(actual.skip?.detail ?? '', e.skip[1], `${label}: skip detail`);
  } else {
    assert.equal(actual.skip, null, `${label}: unexpected skip ${JSON.stringify(actual.skip)}`);
  }
  if (e.range !== undefined) assert.deepEqual(actual.range, e.range, `${label}: range`);
  if (e.tag !== undefined) assert.deepEqual(actual.tagLocation?.range ?? null, e.tag, `${label}: tag range`);
  if (e.digest !== undefined)
    assert.deepEqual(actual.digestLocation?.range ?? null, e.digest, `${label}: digest range`);
  if (e.platform !== undefined) assert.equal(actual.platform, e.platform, `${label}: platform`);
  if (e.stage !== undefined) assert.deepEqual(actual.stage, e.stage, `${label}: stage`);
  if (e.variables !== undefined) assert.deepEqual(actual.variables, e.variables, `${label}: variables`);
}

interface Row {
  name: string;
  text: string;
  expect: Expect[];
  errors?: { line: number; message: RegExp }[];
}

const ROWS: Row[] = [
  {
    name: 'FROM alpine:5 (a tag, not a host)',
    text: 'FROM alpine:5\n',
    expect: [
      {
        kind: 'from',
        text: 'alpine:5',
        canonical: 'docker.io/library/alpine:5',
        range: r(0, 5, 0, 13),
        tag: r(0, 12, 0, 13),
        digest: null,
        stage: { index: 0, name: null, final: true },
      },
    ],
  },
  {
    name: '# syntax= directive is an image too',
    text: '# syntax=docker/dockerfile:1.7\nFROM alpine\n',
    expect: [
      {
        kind: 'syntax',
        text: 'docker/dockerfile:1.7',
        canonical: 'docker.io/docker/dockerfile:1.7',
        range: r(0, 9, 0, 30),
        tag: r(0, 27, 0, 30),
        stage: null,
      },
      { kind: 'from', canonical: 'docker.io/library/alpine', tag: null },
    ],
  },
  {
    name: 'a comment after the first instruction is not a directive',
    text: 'FROM alpine\n# syntax=docker/dockerfile:1\n',
    expect: [{ kind: 'from' }],
  },
  {
    name: '# escape=` with a continuation and a comment inside FROM',
    text: '# escape=`\nFROM --platform=linux/amd64 `\n  # a comment inside the instruction\n  registry.example.com:5000/team/app:1.2 AS base\n',
    expect: [
      {
        kind: 'from',
        text: 'registry.example.com:5000/team/app:1.2',
        canonical: 'registry.example.com:5000/team/app:1.2',
        range: r(3, 2, 3, 40),
        tag: r(3, 37, 3, 40),
        platform: 'linux/amd64',
        stage: { index: 0, name: 'base', final: true },
      },
    ],
  },
  {
    name: 'a continuation splitting the image name, with a comment line between',
    text: 'FROM ghcr.io/owner/\\\n# comment\napp:2\n',
    expect: [
      {
        text: 'ghcr.io/owner/\\\n# comment\napp:2',
        canonical: 'ghcr.io/owner/app:2',
        range: r(0, 5, 2, 5),
        tag: r(2, 4, 2, 5),
      },
    ],
  },
  {
    name: 'a continuation splitting the tag: no tag range',
    text: 'FROM alpine:3.\\\n19\n',
    expect: [{ canonical: 'docker.io/library/alpine:3.19', tag: null }],
  },
  {
    name: 'BOM and CRLF: positions count from after the BOM, lines split on CRLF',
    text: '\uFEFFARG V=1.25\r\nFROM nginx:${V}\r\nRUN true\r\n',
    expect: [
      {
        text: 'nginx:${V}',
        canonical: 'docker.io/library/nginx:1.25',
        range: r(1, 5, 1, 15),
        tag: r(0, 6, 0, 10),
        variables: ['V'],
      },
    ],
  },
  {
    name: 'global ARGs assemble the reference; the tag range is the ARG default',
    text: 'ARG REG=docker.io\nARG IMG=library/node\nARG TAG=20-alpine\nFROM ${REG}/${IMG}:${TAG}\n',
    expect: [
      {
        canonical: 'docker.io/library/node:20-alpine',
        range: r(3, 5, 3, 25),
        tag: r(2, 8, 2, 17),
        variables: ['REG', 'IMG', 'TAG'],
      },
    ],
  },
  {
    name: 'a tag assembled from an ARG default and literal text: no one tag range, segments instead',
    text: 'ARG NODE_VERSION=20.11\nFROM node:${NODE_VERSION}-alpine\n',
    expect: [{ canonical: 'docker.io/library/node:20.11-alpine', tag: null }],
  },
  {
    name: 'a quoted ARG default',
    text: 'ARG TAG="3.12-slim"\nFROM python:$TAG\n',
    expect: [{ canonical: 'docker.io/library/python:3.12-slim', tag: r(0, 9, 0, 18) }],
  },
  {
    name: '${V:-x} with V undeclared uses the inline default',
    text: 'FROM node:${NODE_VERSION:-20.11}\n',
    expect: [{ canonical: 'docker.io/library/node:20.11', tag: r(0, 26, 0, 31), variables: ['NODE_VERSION'] }],
  },
  {
    name: '${V:-x} with V declared uses the ARG default',
    text: 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION:-20.11}\n',
    expect: [{ canonical: 'docker.io/library/node:22', tag: r(0, 17, 0, 19) }],
  },
  {
    name: '${V:-x} with V declared empty uses the inline default; ${V-x} keeps the empty value',
    text: 'ARG E=\nFROM node:${E:-20}\nFROM node${E-:18}\n',
    expect: [{ canonical: 'docker.io/library/node:20' }, { canonical: 'docker.io/library/node' }],
  },
  {
    name: 'the whole reference from one ARG, tag and digest in the ARG line',
    text: `ARG BASE=python:3.12-slim@sha256:${SHA}\nFROM \${BASE}\n`,
    expect: [
      {
        text: '${BASE}',
        canonical: `docker.io/library/python:3.12-slim@sha256:${SHA}`,
        tag: r(0, 16, 0, 25),
        digest: r(0, 26, 0, 97),
      },
    ],
  },
  {
    name: 'an ARG without a default is unresolved, named',
    text: 'ARG TAG\nFROM alpine:${TAG}\n',
    expect: [{ canonical: null, skip: ['unresolved-variable', 'TAG'] }],
  },
  {
    name: 'a stage ARG is not visible to the next FROM',
    text: 'FROM alpine AS a\nARG T=1\nFROM busybox:${T}\n',
    expect: [{ canonical: 'docker.io/library/alpine' }, { skip: ['unresolved-variable', 'T'] }],
  },
  {
    name: 'BuildKit platform args are unresolved in the image and kept raw in --platform',
    text: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM ${TARGETARCH}/alpine\n',
    expect: [
      { platform: '$BUILDPLATFORM', canonical: 'docker.io/library/golang:1.22' },
      { skip: ['unresolved-variable', 'TARGETARCH'] },
    ],
  },
  {
    name: '--platform from a global ARG is substituted',
    text: 'ARG P=linux/arm64\nFROM --platform=$P alpine\n',
    expect: [{ platform: 'linux/arm64' }],
  },
  {
    name: 'COPY --from sees a global ARG re-declared in the stage, not one that is not',
    text: 'ARG V=1.25\nFROM alpine\nARG V\nCOPY --from=nginx:${V} /a /b\nFROM alpine\nCOPY --from=nginx:${V} /a /b\n',
    expect: [
      { kind: 'from' },
      {
        kind: 'copy-from',
        canonical: 'docker.io/library/nginx:1.25',
        tag: r(0, 6, 0, 10),
        stage: { index: 0, name: null, final: false },
      },
      { kind: 'from' },
      { kind: 'copy-from', skip: ['unresolved-variable', 'V'], stage: { index: 1, name: null, final: true } },
    ],
  },
  {
    name: 'stage aliases in any case, scratch, stage indexes, mounts from stages and images',
    text: [
      'FROM golang:1.22 AS Builder',
      'FROM scratch',
      'COPY --from=builder /out /out',
      'COPY --from=0 /x /x',
      'FROM BUILDER AS again',
      'RUN --mount=type=cache,from=builder,target=/c true',
      'RUN --mount=type=bind,from=busybox:1.36,source=/bin,target=/b --mount=type=secret,id=x true',
      'COPY --from=later /x /x',
      'FROM alpine AS later',
      '',
    ].join('\n'),
    expect: [
      { kind: 'from', canonical: 'docker.io/library/golang:1.22', stage: { index: 0, name: 'Builder', final: false } },
      {
        kind: 'from',
        text: 'scratch',
        canonical: null,
        skip: ['scratch'],
        stage: { index: 1, name: null, final: false },
      },
      { kind: 'copy-from', skip: ['stage', 'builder'] },
      { kind: 'copy-from', skip: ['stage', 'stage 0'] },
      { kind: 'from', skip: ['stage', 'BUILDER'], stage: { index: 2, name: 'again', final: false } },
      { kind: 'mount-from', skip: ['stage', 'builder'] },
      {
        kind: 'mount-from',
        text: 'busybox:1.36',
        canonical: 'docker.io/library/busybox:1.36',
        range: r(6, 27, 6, 39),
        tag: r(6, 35, 6, 39),
      },
      { kind: 'copy-from', skip: ['stage', 'later'] },
      { kind: 'from', canonical: 'docker.io/library/alpine', stage: { index: 3, name: 'later', final: true } },
    ],
  },
  {
    name: 'a FROM naming a later stage is an image',
    text: 'FROM later\nFROM alpine AS later\n',
    expect: [{ canonical: 'docker.io/library/later' }, { canonical: 'docker.io/library/alpine' }],
  },
  {
    name: 'a quoted --mount flag and a quoted CSV field',
    text: 'RUN --mount="type=cache,from=redis:7,target=/x" --mount=type=bind,"from=memcached:1",target=/y true\n',
    expect: [
      { kind: 'mount-from', text: 'redis:7', canonical: 'docker.io/library/redis:7' },
      { kind: 'mount-from', text: 'memcached:1', canonical: 'docker.io/library/memcached:1' },
    ],
  },
  {
    name: 'lower-case instructions',
    text: 'from alpine:3 as x\ncopy --from=nginx:1 /a /b\n',
    expect: [
      { kind: 'from', stage: { index: 0, name: 'x', final: true } },
      { kind: 'copy-from', canonical: 'docker.io/library/nginx:1' },
    ],
  },
  {
    name: 'an IPv6 registry',
    text: 'FROM [2001:db8::1]:5000/app:1\n',
    expect: [{ canonical: '[2001:db8::1]:5000/app:1', tag: r(0, 28, 0, 29) }],
  },
  {
    name: 'a quoted image',
    text: 'FROM "alpine:3"\n',
    expect: [{ text: '"alpine:3"', canonical: 'docker.io/library/alpine:3', tag: r(0, 13, 0, 14) }],
  },
  {
    name: 'an upper-case repository is skipped with the parser message',
    text: 'FROM Alpine:3\n',
    expect: [{ canonical: null, skip: ['invalid-reference', /must be lower case/] }],
  },
  {
    name: 'a bad digest is skipped with the parser message',
    text: 'FROM alpine@sha256:xyz\n',
    expect: [{ canonical: null, skip: ['invalid-reference', /algorithm:hex/] }],
  },
  {
    name: 'heredoc bodies are not instructions',
    text: 'FROM alpine\nRUN <<EOF\nFROM notanimage\nEOF\n',
    expect: [{ canonical: 'docker.io/library/alpine' }],
  },
  {
    name: 'ONBUILD is not extracted',
    text: 'FROM alpine\nONBUILD COPY --from=nginx:1 /a /b\n',
    expect: [{ kind: 'from' }],
  },
  {
    name: 'FROM without an image is an error, not an occurrence',
    text: 'FROM alpine\nFROM\n',
    expect: [{ kind: 'from' }],
    errors: [{ line: 1, message: /FROM without an image/ }],
  },
  {
    name: 'an escaped dollar is literal (and invalid)',
    text: 'FROM alpine:\\$TAG\n',
    expect: [{ skip: ['invalid-reference', /tag/], variables: [] }],
  },
  {
    name: 'unsupported substitution operators are unresolved',
    text: 'ARG V=x\nFROM alpine:${V%%y}\n',
    expect: [{ skip: ['unresolved-variable', 'V'] }],
  },
  {
    // Found on a public Dockerfile: the ARG came out empty, giving the made-up reference `image:0-`.
    name: 'ARG VARIANT=${opt:variant} then FROM image:0-${VARIANT}: BuildKit rejects the modifier, a skip names it and the line',
    text: 'ARG VARIANT=${opt:variant}\nFROM image:0-${VARIANT}\n',
    expect: [{ skip: ['bad-substitution', 'unsupported modifier ":v" in ${opt:variant} on line 1'], canonical: null }],
  },
  {
    name: 'FROM alpine:${TAG:latest}: an unsupported modifier in FROM itself is a bad-substitution skip',
    text: 'FROM alpine:${TAG:latest}\n',
    expect: [{ skip: ['bad-substitution', 'unsupported modifier ":l" in ${TAG:latest} on line 1'], canonical: null }],
  },
  {
    // Found on a public Dockerfile: the tag came out truncated, `alpine:3.`.
    name: 'ARG TAG=3.${MINOR} with MINOR never declared, FROM alpine:${TAG}: the unresolved-variable skip names MINOR',
    text: 'ARG TAG=3.${MINOR}\nFROM alpine:${TAG}\n',
    expect: [{ skip: ['unresolved-variable', 'MINOR'], canonical: null }],
  },
  {
    name: 'ARG TAG=$UNSET then FROM alpine:${TAG:-3.19}: an empty value takes the default, as BuildKit does',
    text: 'ARG TAG=$UNSET\nFROM alpine:${TAG:-3.19}\n',
    expect: [{ canonical: 'docker.io/library/alpine:3.19' }],
  },
];

void describe('extractDockerfile', () => {
  for (const row of ROWS) {
    void it(row.name, () => {
      const result = extract(row.text);
      assert.equal(result.occurrences.length, row.expect.length, JSON.stringify(result.occurrences.map((o) => o.text)));
      row.expect.forEach((e, i) => check(result.occurrences[i], e, `#${i}`));
      assert.equal(result.errors.length, row.errors?.length ?? 0, JSON.stringify(result.errors));
      row.errors?.forEach((e, i) => {
        assert.equal(result.errors[i]?.line, e.line);
        assert.match(result.errors[i]?.message ?? '', e.message);
        assert.equal(result.errors[i]?.file, FILE);
      });
      for (const o of result.occurrences) {
        assert.equal(o.file, FILE);
        assert.equal(o.source, 'dockerfile');
      }
    });
  }

  void it('ranges found by text agree with the literal ranges (self-check of the helpers)', () => {
    const text = 'ARG TAG=3.19\nFROM alpine:${TAG}\n';
    const [o] = extract(text).occurrences;
    assert.deepEqual(o?.range, rangeOf(text, 'alpine:${TAG}'));
    assert.deepEqual(o?.tagLocation, { file: FILE, range: rangeOf(text, '3.19') });
  });

  void it('tag segments say which piece of the tag is written where', () => {
    const text = 'ARG NODE_VERSION=20.11\nFROM node:${NODE_VERSION}-alpine\n';
    const [o] = extract(text).occurrences;
    assert.deepEqual(o?.tagSegments, [
      { text: '20.11', location: { file: FILE, range: r(0, 17, 0, 22) } },
      { text: '-alpine', location: { file: FILE, range: r(1, 25, 1, 32) } },
    ]);
  });

  void it('an empty file and a file of comments have no occurrences and no errors', () => {
    assert.deepEqual(extract(''), { occurrences: [], errors: [], references: [] });
    assert.deepEqual(extract('# just a comment\n\n'), { occurrences: [], errors: [], references: [] });
  });
});
