import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compareDates,
  compareVersions,
  compilePolicyRules,
  decideUpdates,
  indexTags,
  lineKey,
  parseTag,
  resolvePolicy,
  updateKind,
  type DateTag,
  type ParsedTag,
  type TagUpdateKind,
  type VersionTag,
} from '../../src/core';

/**
 * Property checks over generated tag sets: whatever the registry lists, an offered update is in the current tag's
 * line (same suffix, precision, build and commit presence), strictly newer, a prerelease only from a prerelease of
 * the same release, of the kind it says, and the newest of that kind (checked against a brute-force oracle).
 * Fixed seed; REGISTRY_LENS_FC_RUNS / REGISTRY_LENS_FC_SEED to search harder.
 */
const RUNS = Number(process.env.REGISTRY_LENS_FC_RUNS ?? 300);
const SEED = Number(process.env.REGISTRY_LENS_FC_SEED ?? 20261122);
const opts = { numRuns: RUNS, seed: SEED };

const SUFFIXES = [
  '',
  '',
  '',
  '-alpine',
  '-alpine3.19',
  '-alpine3.20',
  '-slim',
  '-slim-bookworm',
  '-slim-trixie',
  '.minimal',
  '-debian-12',
  '-dev',
];
const PRERELEASES = ['', '', '', '', 'rc1', 'rc2', 'b1', 'a3', '-rc.1', '-beta2', '-alpha'];

/** A version-shaped tag from small numbers, so that collisions (equal versions, same lines) happen often. */
const VERSION_TAG = fc
  .record({
    v: fc.constantFrom('', '', '', 'v'),
    numbers: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }),
    pre: fc.constantFrom(...PRERELEASES),
    build: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 5 }),
    revision: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 6 }),
    suffix: fc.constantFrom(...SUFFIXES),
  })
  .map(({ v, numbers, pre, build, revision, suffix }) => {
    let tag = v + numbers.join('.') + pre;
    if (build !== null) tag += `-${build}`;
    tag += suffix;
    if (revision !== null && !suffix.startsWith('.')) tag += `-r${revision}`;
    return tag;
  });

const DATE_TAG = fc
  .record({
    lead: fc.constantFrom('', '', 'bookworm-'),
    y: fc.integer({ min: 2022, max: 2025 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    sep: fc.constantFrom('', '.', '-'),
    suffix: fc.constantFrom('', '', '-slim'),
  })
  .map(
    ({ lead, y, m, d, sep, suffix }) =>
      `${lead}${y}${sep}${String(m).padStart(2, '0')}${sep}${String(d).padStart(2, '0')}${suffix}`,
  );

const ODD_TAG = fc.oneof(
  fc.constantFrom(
    'latest',
    'stable',
    'bookworm',
    'trixie',
    'alpine3.19',
    '3f2a9c1',
    'sha-deadbee',
    '1.2.3_4',
    '1.2.3-',
    '',
    '-',
    'v',
    'V1.x',
  ),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[\w][\w.-]{0,30}$/),
);

const ANY_TAG = fc.oneof(
  { weight: 6, arbitrary: VERSION_TAG },
  { weight: 2, arbitrary: DATE_TAG },
  { weight: 2, arbitrary: ODD_TAG },
);

function compareOrdered(a: VersionTag | DateTag, b: VersionTag | DateTag): number {
  if (a.type === 'version' && b.type === 'version') return compareVersions(a, b);
  if (a.type === 'date' && b.type === 'date') return compareDates(a, b);
  throw new Error('mixed kinds');
}

/** The brute-force answer: per kind, the newest compatible candidate (no index, no early exit). */
function oracle(current: VersionTag | DateTag, tags: readonly string[]): Map<TagUpdateKind, VersionTag | DateTag> {
  const best = new Map<TagUpdateKind, VersionTag | DateTag>();
  for (const raw of tags) {
    const t = parseTag(raw);
    if (t.type !== current.type || (t.type !== 'version' && t.type !== 'date')) continue;
    if (lineKey(t) !== lineKey(current) || compareOrdered(t, current) <= 0) continue;
    if (t.type === 'version' && current.type === 'version' && t.prerelease) {
      if (!current.prerelease || t.numbers.join('.') !== current.numbers.join('.')) continue;
    }
    const kind = updateKind(current, t);
    const prev = best.get(kind);
    if (!prev || compareOrdered(t, prev) > 0) best.set(kind, t);
  }
  return best;
}

function ordered(t: ParsedTag): t is VersionTag | DateTag {
  return t.type === 'version' || t.type === 'date';
}

void describe('versioning properties', () => {
  void it('parseTag and decideUpdates never throw on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 140 }),
        fc.array(fc.oneof(fc.string({ maxLength: 40 }), ANY_TAG), { maxLength: 40 }),
        (tag, tags) => {
          parseTag(tag);
          decideUpdates({ tag, tags });
        },
      ),
      opts,
    );
  });

  void it('an update is in the same line, strictly newer, of the kind it says, and the newest of its kind', () => {
    fc.assert(
      fc.property(fc.oneof(VERSION_TAG, DATE_TAG), fc.array(ANY_TAG, { maxLength: 60 }), (tag, listed) => {
        const current = parseTag(tag);
        fc.pre(ordered(current));
        const tags = [...listed, tag];
        const d = decideUpdates({ tag, tags });
        assert.equal(d.status, 'tag-updates');
        const expect = oracle(current, tags);
        assert.deepEqual(
          d.updates.map((u) => u.kind),
          (['major', 'minor', 'patch'] as const).filter((k) => expect.has(k)),
        );
        for (const u of d.updates) {
          const t = parseTag(u.tag);
          assert.ok(ordered(t) && t.type === current.type, `${u.tag} is not a ${current.type}`);
          assert.ok(tags.includes(u.tag), 'spelled as listed');
          assert.equal(lineKey(t), lineKey(current), `${u.tag} left the line of ${tag}`);
          if (t.type === 'version' && current.type === 'version') {
            assert.equal(t.suffix, current.suffix);
            assert.equal(t.precision, current.precision);
            if (t.prerelease)
              assert.ok(
                current.prerelease && t.numbers.join('.') === current.numbers.join('.'),
                `prerelease ${u.tag} from ${tag}`,
              );
          }
          assert.ok(compareOrdered(t, current) > 0, `${u.tag} is not newer than ${tag}`);
          assert.equal(updateKind(current, t), u.kind);
          const best = expect.get(u.kind);
          assert.ok(best && compareOrdered(t, best) === 0, `${u.tag} is not the newest ${u.kind} (${best?.raw})`);
        }
      }),
      opts,
    );
  });

  void it('an indexed listing gives the same decision as the raw list, whatever the order', () => {
    fc.assert(
      fc.property(ANY_TAG, fc.array(ANY_TAG, { maxLength: 50 }), (tag, tags) => {
        const reversed = [...tags].reverse();
        const raw = decideUpdates({ tag, tags });
        assert.deepEqual(decideUpdates({ tag, tags: indexTags(tags) }), raw);
        // Order of the listing never changes the versions offered (spelling ties aside).
        const other = decideUpdates({ tag, tags: reversed });
        assert.deepEqual(
          other.updates.map((u) => u.kind),
          raw.updates.map((u) => u.kind),
        );
      }),
      opts,
    );
  });

  void it('compareVersions is a total preorder consistent with numeric order', () => {
    const version = VERSION_TAG.map((t) => parseTag(t)).filter((t): t is VersionTag => t.type === 'version');
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        assert.equal(Math.sign(compareVersions(a, b)), -Math.sign(compareVersions(b, a)));
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) assert.ok(compareVersions(a, c) <= 0);
        const na = a.numbers.join('.');
        const nb = b.numbers.join('.');
        if (na !== nb && a.precision === b.precision) {
          const first = a.numbers.findIndex((x, k) => x !== b.numbers[k]);
          assert.equal(Math.sign(compareVersions(a, b)), Math.sign((a.numbers[first] ?? 0) - (b.numbers[first] ?? 0)));
        }
      }),
      opts,
    );
  });

  void it('policy: only allowed kinds are offered, include/exclude hold, the rest are held back', () => {
    const kinds = fc.subarray(['major', 'minor', 'patch', 'digest', 'pin'] as const, { minLength: 1 });
    const ref = {
      registry: 'docker.io',
      repository: 'library/x',
      tag: null,
      digest: null,
      name: 'docker.io/library/x',
      canonical: 'docker.io/library/x',
    };
    fc.assert(
      fc.property(
        VERSION_TAG,
        fc.array(VERSION_TAG, { maxLength: 60 }),
        kinds,
        fc.constantFrom(undefined, '-r[0-4]$', '^v'),
        (tag, tags, allow, exclude) => {
          const policy = resolvePolicy(
            compilePolicyRules([{ match: '**', allow: [...allow], ...(exclude ? { exclude } : {}) }]),
            ref,
          );
          const d = decideUpdates({ tag, tags, policy });
          for (const u of d.updates) {
            assert.ok((allow as readonly string[]).includes(u.kind));
            if (exclude) assert.ok(!new RegExp(exclude).test(u.tag));
          }
          for (const h of d.heldBack) assert.ok(!(allow as readonly string[]).includes(h.kind));
          const all = decideUpdates({
            tag,
            tags,
            policy: resolvePolicy(compilePolicyRules([{ match: '**', ...(exclude ? { exclude } : {}) }]), ref),
          });
          // Restricting kinds never changes which tag is the newest of an allowed kind.
          for (const u of d.updates)
            assert.deepEqual(
              all.updates.find((x) => x.kind === u.kind),
              u,
            );
        },
      ),
      opts,
    );
  });
});
