// Property: on random (and mutated) Dockerfiles, compose files and devcontainer.json files, every quick-fix edit
// changes only the range it means to — the tag or digest where it is written — and the edited file, extracted
// again, holds exactly the update: the same references elsewhere, the new tag/digest on the one fixed. The ignore
// comment likewise leaves every reference as it was and makes the engine's directive finder see `ignore`.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  extractCompose,
  extractDevcontainer,
  extractDockerfile,
  findOccurrenceDirective,
  type ExtractResult,
  type FindingUpdate,
  type Location,
  type Occurrence,
} from '../../src/core';
import { applyEdits, editsForUpdate, ignoreCommentEdit } from '../../src/core/edits';

const RUNS = Number(process.env.REGISTRY_LENS_FC_RUNS ?? 300);
const SEED = Number(process.env.REGISTRY_LENS_FC_SEED ?? 20261122);
const FILE = '/w/file';

const EOL = fc.constantFrom('\n', '\r\n');
const TAG = fc.oneof(
  fc.constantFrom('1.2.3', '20.11.1-alpine', 'v2', 'latest', '3.19', 'stable'),
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/),
);
const DIGEST = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);
const REPO = fc.constantFrom(
  'node',
  'library/alpine',
  'ghcr.io/acme/app',
  'localhost:5000/team/svc',
  'registry.example.com:8443/a/b/c',
  '[::1]:5000/x',
);
const REF = fc
  .tuple(REPO, fc.option(TAG, { nil: undefined }), fc.option(DIGEST, { nil: undefined }))
  .map(([r, t, d]) => `${r}${t ? `:${t}` : ''}${d ? `@${d}` : ''}`);

const DOCKER_LINE = fc.oneof(
  REF.map((r) => `FROM ${r}`),
  fc
    .tuple(fc.constantFrom('', '--platform=linux/arm64 '), REF, fc.constantFrom('', ' AS build', ' as final'))
    .map(([p, r, a]) => `FROM ${p}${r}${a}`),
  fc.tuple(fc.constantFrom('V', 'TAG', 'NODE_VERSION'), TAG).map(([n, t]) => `ARG ${n}=${t}`),
  fc
    .tuple(REPO, fc.constantFrom('V', 'TAG', 'NODE_VERSION'), fc.constantFrom('', '-alpine'))
    .map(([r, n, s]) => `FROM ${r}:\${${n}}${s}`),
  fc.tuple(REPO, TAG).map(([r, t]) => `FROM ${r}:\${X:-${t}}`),
  fc.tuple(REF, fc.constantFrom('  ', '\t')).map(([r, ws]) => `FROM --platform=linux/amd64 \\\n${ws}${r} AS cont`),
  REF.map((r) => `COPY --from=${r} /a /b`),
  REF.map((r) => `RUN --mount=type=cache,from=${r},target=/x true`),
  fc.constantFrom('# syntax=docker/dockerfile:1', '# a comment', '', 'RUN echo hi \\', '  && true', 'WORKDIR /src'),
);

const COMPOSE_DOC = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.constantFrom('web', 'db', 'cache', 'api', 'worker'),
        REF,
        fc.constantFrom('', '"', "'"),
        fc.constantFrom('', '  # note', '\n    build: .', '\n    ports: ["80:80"]'),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    fc.boolean(),
  )
  .map(([services, fragment]) => [
    ...(fragment ? ['x-base: &base', '  image: ghcr.io/acme/base:1.0.0', ''] : []),
    'services:',
    ...services.map(([name, ref, q, extra], i) => `  ${name}${i}:\n    image: ${q}${ref}${q}${extra}`),
    ...(fragment ? ['  derived:', '    <<: *base'] : []),
  ]);

const DEVCONTAINER = fc
  .tuple(REF, fc.constantFrom('', '  // comment\n'))
  .map(([r, c]) => ['{', `${c}  "name": "dev",`, `  "image": "${r}",`, '  "features": {}', '}']);

type Extract = (text: string) => ExtractResult;
const dockerfile: Extract = (t) => extractDockerfile(FILE, t);
const compose: Extract = (t) => extractCompose(FILE, t);
const devcontainer: Extract = (t) => extractDevcontainer(FILE, t);

/** An update the engine could offer this occurrence: another tag (maybe re-pinned), a refreshed digest, a pin. */
const UPDATE = fc.tuple(
  fc.constantFrom<FindingUpdate['kind']>('patch', 'minor', 'major', 'digest', 'pin'),
  TAG,
  fc.option(DIGEST, { nil: null }),
);

const checkable = (r: ExtractResult) => r.occurrences.filter((o) => !o.skip && o.reference);
const sameSpot = (a: Location, b: Location) =>
  a.file === b.file && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
const locations = (o: Occurrence): Location[] => [
  { file: o.file, range: o.range },
  ...(o.tagLocation ? [o.tagLocation] : []),
  ...(o.digestLocation ? [o.digestLocation] : []),
  ...(o.tagSegments ?? []).flatMap((s) => (s.location ? [s.location] : [])),
];
const inside = (e: Location, l: Location) =>
  e.file === l.file &&
  (e.range.start.line > l.range.start.line ||
    (e.range.start.line === l.range.start.line && e.range.start.character >= l.range.start.character)) &&
  (e.range.end.line < l.range.end.line ||
    (e.range.end.line === l.range.end.line && e.range.end.character <= l.range.end.character));

function sliceOf(text: string, loc: Location): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: { line: number; character: number }) => starts[p.line]! + p.character;
  return text.slice(offset(loc.range.start), offset(loc.range.end));
}

/** Checks one fix on one document: edits only where the tag/digest is written, and the result re-extracts right. */
function checkFix(
  text: string,
  extract: Extract,
  pick: number,
  update: [FindingUpdate['kind'], string, string | null],
): void {
  const before = checkable(extract(text));
  if (!before.length) return;
  const o = before[pick % before.length]!;
  const ref = o.reference!;
  const [kind, tag, digest] = update;
  const u: FindingUpdate =
    kind === 'digest'
      ? { kind, tag: ref.tag ?? 'latest', digest: digest ?? 'sha256:' + 'f'.repeat(64) }
      : kind === 'pin'
        ? { kind, tag: ref.tag ?? 'latest', digest: digest ?? 'sha256:' + 'f'.repeat(64) }
        : { kind, tag, digest };
  const edits = editsForUpdate(o, u);
  if ('refused' in edits) return; // refusing is always safe
  for (const e of edits) {
    assert.equal(sliceOf(text, e.location), e.expected, `an edit does not hold what it expects: ${JSON.stringify(e)}`);
    assert.ok(
      locations(o).some(
        (l) =>
          inside(e.location, l) ||
          (e.expected === '' &&
            sameSpot(e.location, { file: l.file, range: { start: l.range.end, end: l.range.end } })),
      ),
      `an edit outside the reference, its tag and its digest: ${JSON.stringify(e)} for ${JSON.stringify(o.text)}`,
    );
  }
  const after = applyEdits(text, edits);
  assert.equal(after.split(/\r\n|\n/).length, text.split(/\r\n|\n/).length, 'a fix added or removed lines');
  const now = checkable(extract(after));
  assert.equal(now.length, before.length, `the fix changed the number of references:\n${text}\n---\n${after}`);
  const touched = (x: Occurrence) =>
    edits.some((e) =>
      locations(x).some((l) => inside(e.location, l) || inside(l, e.location) || sameSpot(l, e.location)),
    );
  for (const [i, x] of before.entries()) {
    const y = now[i]!;
    if (x === o) {
      const wantTag = u.tag && ref.tag !== null ? u.tag : ref.tag;
      assert.equal(y.reference?.tag ?? null, wantTag, `tag after the fix:\n${after}`);
      assert.equal(y.reference?.digest ?? null, u.digest ?? ref.digest, `digest after the fix:\n${after}`);
      assert.equal(y.reference?.repository, ref.repository);
      assert.equal(y.reference?.registry, ref.registry);
    } else if (!touched(x)) {
      assert.equal(y.value, x.value, `another reference changed:\n${text}\n---\n${after}`);
    }
  }
}

/** The ignore comment: nothing else changes, and the directive finder reads `ignore` for that reference. */
function checkIgnore(text: string, extract: Extract, source: Occurrence['source'], pick: number): void {
  const before = checkable(extract(text));
  if (!before.length) return;
  const o = before[pick % before.length]!;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edit = ignoreCommentEdit(o, text.split(/\r\n|\n/), eol);
  if ('refused' in edit) {
    assert.equal(o.kind, 'syntax');
    return;
  }
  const after = applyEdits(text, [edit]);
  const now = checkable(extract(after));
  assert.deepEqual(
    now.map((x) => x.value),
    before.map((x) => x.value),
    `the ignore comment changed a reference:\n${after}`,
  );
  const y = now[before.indexOf(o)]!;
  const lines = after.split(/\r\n|\n/);
  const found = findOccurrenceDirective({ ...y, source }, () => lines);
  assert.equal(found?.directive.ignore, true, `no ignore directive found for ${y.text}:\n${after}`);
}

void describe('quick-fixes on random documents (property)', { timeout: 120_000 }, () => {
  const doc = (line: fc.Arbitrary<string>) =>
    fc
      .tuple(fc.array(line, { minLength: 1, maxLength: 12 }), EOL)
      .map(([l, eol]) => l.join('\n').split('\n').join(eol) + eol);
  const lined = (lines: fc.Arbitrary<string[]>) =>
    fc.tuple(lines, EOL).map(([l, eol]) => l.join('\n').split('\n').join(eol) + eol);

  void it('Dockerfiles: each fix edits only the tag/digest it targets (ARG defaults included)', () => {
    fc.assert(
      fc.property(doc(DOCKER_LINE), fc.nat(), UPDATE, (text, pick, u) => checkFix(text, dockerfile, pick, u)),
      { numRuns: RUNS, seed: SEED },
    );
  });
  void it('compose files: each fix edits only the tag/digest it targets', () => {
    fc.assert(
      fc.property(lined(COMPOSE_DOC), fc.nat(), UPDATE, (text, pick, u) => checkFix(text, compose, pick, u)),
      { numRuns: RUNS, seed: SEED },
    );
  });
  void it('devcontainer.json: each fix edits only the tag/digest it targets', () => {
    fc.assert(
      fc.property(lined(DEVCONTAINER), fc.nat(), UPDATE, (text, pick, u) => checkFix(text, devcontainer, pick, u)),
      { numRuns: RUNS, seed: SEED },
    );
  });
  void it('the ignore comment changes no reference and is read back as ignore', () => {
    fc.assert(
      fc.property(doc(DOCKER_LINE), fc.nat(), (text, pick) => checkIgnore(text, dockerfile, 'dockerfile', pick)),
      { numRuns: RUNS, seed: SEED },
    );
    fc.assert(
      fc.property(lined(COMPOSE_DOC), fc.nat(), (text, pick) => checkIgnore(text, compose, 'compose', pick)),
      { numRuns: RUNS, seed: SEED },
    );
    fc.assert(
      fc.property(lined(DEVCONTAINER), fc.nat(), (text, pick) => checkIgnore(text, devcontainer, 'devcontainer', pick)),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
