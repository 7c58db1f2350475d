import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  compareVersions,
  decideUpdates,
  indexTags,
  parseTag,
  resolvePolicy,
  compilePolicyRules,
  type ParsedTag,
  type UpdateDecision,
  type VersionTag,
} from '../../src/core';

/** Short description of a parsed tag, for compact table rows. */
function describeTag(t: ParsedTag): string {
  if (t.type === 'version') {
    const pre = t.prerelease ? ` pre=${t.prerelease.text}` : '';
    const build = t.build === null ? '' : ` build=${t.build}`;
    const commit = t.commit === null ? '' : ` commit=${t.commit}`;
    const prefix = t.prefix ? ` prefix=${t.prefix}` : '';
    return `version ${t.numbers.join('.')}${prefix}${pre}${build}${commit} suffix=${JSON.stringify(t.suffix)}`;
  }
  if (t.type === 'date')
    return `date ${t.shape} ${t.year}-${t.month}-${t.day} lead=${JSON.stringify(t.lead)} suffix=${JSON.stringify(t.suffix)}`;
  return t.type;
}

const PARSE: { input: string; expect: string }[] = [
  { input: '1.2.3', expect: 'version 1.2.3 suffix=""' },
  { input: 'v1.2.3', expect: 'version 1.2.3 prefix=v suffix=""' },
  { input: 'V2', expect: 'version 2 prefix=V suffix=""' },
  { input: '3.12-slim', expect: 'version 3.12 suffix="-slim"' },
  { input: '3.12-slim-bookworm', expect: 'version 3.12 suffix="-slim-bookworm"' },
  { input: '1.25.3-alpine3.19', expect: 'version 1.25.3 suffix="-alpine3.19"' },
  { input: '3.13.0rc1', expect: 'version 3.13.0 pre=rc1 suffix=""' },
  { input: '3.13.0rc1-slim', expect: 'version 3.13.0 pre=rc1 suffix="-slim"' },
  { input: '1.2.3b', expect: 'version 1.2.3 pre=b suffix=""' },
  { input: '1.2.3-rc.1', expect: 'version 1.2.3 pre=rc.1 suffix=""' },
  { input: '2.0-beta2-alpine', expect: 'version 2.0 pre=beta2 suffix="-alpine"' },
  { input: '1.2.3.rc1', expect: 'version 1.2.3 pre=rc1 suffix=""' },
  { input: '20-dev', expect: 'version 20 suffix="-dev"' },
  { input: '4.0.13-24-trixie', expect: 'version 4.0.13 build=24 suffix="-trixie"' },
  { input: '1.25.3-debian-12-r4', expect: 'version 1.25.3 build=4 suffix="-debian-12"' },
  { input: '3.20.1-r0', expect: 'version 3.20.1 build=0 suffix=""' },
  { input: '1.4.0-3f2a9c1', expect: 'version 1.4.0 commit=3f2a9c1 suffix=""' },
  { input: '8.0.1.minimal', expect: 'version 8.0.1 suffix=".minimal"' },
  { input: '22.04', expect: 'version 22.4 suffix=""' },
  { input: '20240101', expect: 'date YYYYMMDD 2024-1-1 lead="" suffix=""' },
  { input: '2024.01.31', expect: 'date YYYY.MM.DD 2024-1-31 lead="" suffix=""' },
  { input: '2024-02-29-slim', expect: 'date YYYY-MM-DD 2024-2-29 lead="" suffix="-slim"' },
  { input: 'bookworm-20240110', expect: 'date YYYYMMDD 2024-1-10 lead="bookworm-" suffix=""' },
  { input: '20241301', expect: 'version 20241301 suffix=""' },
  { input: 'latest', expect: 'latest' },
  { input: 'bookworm', expect: 'word' },
  { input: 'stable', expect: 'word' },
  { input: 'alpine3.19', expect: 'word' },
  { input: '3f2a9c1', expect: 'hash' },
  { input: 'deadbeefcafe', expect: 'hash' },
  { input: '0123456789abcdef0123456789abcdef01234567', expect: 'hash' },
  { input: 'sha-3f2a9c1', expect: 'hash' },
  { input: '1.2.3_4', expect: 'unparsed' },
  { input: '1.2.3-', expect: 'unparsed' },
  { input: '1.2..3', expect: 'unparsed' },
  { input: '_x', expect: 'unparsed' },
  { input: '1234567890123456.1', expect: 'unparsed' },
  { input: '', expect: 'unparsed' },
];

void describe('parseTag', () => {
  for (const row of PARSE) {
    void it(`${JSON.stringify(row.input)} -> ${row.expect}`, () => {
      assert.equal(describeTag(parseTag(row.input)), row.expect);
    });
  }

  void it('orders numerically, not lexically (1.10.0 > 1.9.0; 1.2.3 > 1.2.3rc1 > 1.2.3b1 > 1.2.3a1)', () => {
    const v = (s: string) => parseTag(s) as VersionTag;
    assert.ok(compareVersions(v('1.10.0'), v('1.9.0')) > 0);
    assert.ok(compareVersions(v('1.2.3'), v('1.2.3rc1')) > 0);
    assert.ok(compareVersions(v('1.2.3rc1'), v('1.2.3b1')) > 0);
    assert.ok(compareVersions(v('1.2.3b1'), v('1.2.3a1')) > 0);
    assert.ok(compareVersions(v('1.2.3-rc.10'), v('1.2.3-rc.9')) > 0);
    assert.equal(compareVersions(v('v1.3'), v('1.3')), 0);
  });
});

interface DecideRow {
  name: string;
  tag: string | null;
  tags: string[];
  /** `kind:tag` list, major first. */
  updates?: string[];
  status?: UpdateDecision['status'];
  reason?: UpdateDecision['reason'];
  /** Substrings expected in the notes, in order. */
  notes?: string[];
  rules?: unknown;
  pinned?: boolean;
}

const NODE = [
  '18',
  '20',
  '22',
  '20.11.0',
  '20.11.1',
  '20.12.2',
  '22.3.0',
  '18-alpine',
  '20-alpine',
  '22-alpine',
  '22.3.0-alpine',
  'latest',
  'lts',
  'lts-alpine',
];

const DECIDE: DecideRow[] = [
  {
    name: 'precision kept: 20 -> 22, never 22.3.0',
    tag: '20',
    tags: NODE,
    updates: ['major:22'],
  },
  {
    name: 'newest of each kind: 20.11.0 -> major 22.3.0, minor 20.12.2, patch 20.11.1',
    tag: '20.11.0',
    tags: NODE,
    updates: ['major:22.3.0', 'minor:20.12.2', 'patch:20.11.1'],
  },
  {
    name: 'suffix is a line: 20-alpine -> 22-alpine only',
    tag: '20-alpine',
    tags: NODE,
    updates: ['major:22-alpine'],
  },
  {
    name: '3.12-slim -> 3.13-slim, never 3.13.1-slim or 3.13-slim-bookworm',
    tag: '3.12-slim',
    tags: ['3.12-slim', '3.13-slim', '3.13.1-slim', '3.13-slim-bookworm', '3.13', '3.14rc1-slim'],
    updates: ['minor:3.13-slim'],
  },
  {
    name: '-alpine3.19 stays on -alpine3.19 and notes the newer -alpine3.20 line (Renovate never says: immich PR #30411)',
    tag: '1.25.3-alpine3.19',
    tags: [
      '1.25.3-alpine3.19',
      '1.25.4-alpine3.19',
      '1.26.0-alpine3.20',
      '1.27.1-alpine3.20',
      '1.27.1-alpine3.18',
      '1.27.1-alpine',
    ],
    updates: ['patch:1.25.4-alpine3.19'],
    notes: ['newer compatibility line -alpine3.20 exists (newest: 1.27.1-alpine3.20)'],
  },
  {
    name: 'codename lines: 3.12-slim-bookworm notes -slim-trixie',
    tag: '3.12-slim-bookworm',
    tags: ['3.12-slim-bookworm', '3.13-slim-bookworm', '3.13-slim-trixie', '3.11-slim-bullseye'],
    updates: ['minor:3.13-slim-bookworm'],
    notes: ['-slim-trixie exists (newest: 3.13-slim-trixie)'],
  },
  {
    name: '1.2.0-alpine only to x.y.z-alpine',
    tag: '1.2.0-alpine',
    tags: ['1.2.1-alpine', '1.3-alpine', '1.3.0', '1.3.0-alpine3.20', '2.0.0-alpine'],
    updates: ['major:2.0.0-alpine', 'patch:1.2.1-alpine'],
  },
  {
    name: 'numeric ordering: 1.9.0 -> 1.10.0 (lexically smaller)',
    tag: '1.9.0',
    tags: ['1.10.0', '1.9.1', '1.8.9'],
    updates: ['minor:1.10.0', 'patch:1.9.1'],
  },
  {
    name: 'stable never goes to a prerelease',
    tag: '3.12.1',
    tags: ['3.13.0rc1', '3.13.0b2', '3.12.2rc1', '3.12.2-rc.1', '4.0.0a1', '3.12.1'],
    updates: [],
  },
  {
    name: 'prerelease moves within its release, or to a release',
    tag: '3.13.0b2',
    tags: ['3.13.0b3', '3.13.0rc1', '3.14.0a1', '3.13.0', '3.13.1'],
    updates: ['patch:3.13.1'],
  },
  {
    name: 'prerelease without a release yet: the newest prerelease of the same release',
    tag: '3.13.0b2',
    tags: ['3.13.0b1', '3.13.0b3', '3.13.0rc1', '3.14.0a1'],
    updates: ['patch:3.13.0rc1'],
  },
  {
    name: 'dash prerelease in a line: 2.0-beta2-alpine -> 2.0-rc1-alpine, not 2.0-rc1 nor 2.1-beta1-alpine',
    tag: '2.0-beta2-alpine',
    tags: ['2.0-rc1-alpine', '2.0-rc1', '2.1-beta1-alpine'],
    updates: ['patch:2.0-rc1-alpine'],
  },
  {
    name: 'trailing letter prerelease 1.2.3b only from a prerelease',
    tag: '1.2.2',
    tags: ['1.2.3b', '1.2.3'],
    updates: ['patch:1.2.3'],
  },
  {
    name: 'leading v kept as the registry spells it',
    tag: 'v1.2.0',
    tags: ['v1.2.1', 'v1.3.0', 'v2.0.0'],
    updates: ['major:v2.0.0', 'minor:v1.3.0', 'patch:v1.2.1'],
  },
  {
    name: 'v and plain spellings of one version: the current spelling wins',
    tag: 'v1.2.0',
    tags: ['1.3.0', 'v1.3.0', '1.4.0'],
    updates: ['minor:1.4.0'],
  },
  {
    name: 'v and plain, same newest version: prefer v for a v tag',
    tag: 'v1.2.0',
    tags: ['1.3.0', 'v1.3.0'],
    updates: ['minor:v1.3.0'],
  },
  {
    name: 'build number orders within a line (dependabot-core#15530 offered 4-22-trixie)',
    tag: '4.0.13-24-trixie',
    tags: ['4.0.13-25-trixie', '4-22-trixie', '4.0.14-1-trixie', '4.0.13-25-bookworm'],
    updates: ['patch:4.0.14-1-trixie'],
  },
  {
    name: 'bitnami revision -rN',
    tag: '1.25.3-debian-12-r4',
    tags: ['1.25.3-debian-12-r5', '1.25.4-debian-12-r0', '1.26.0-debian-12-r1', '1.26.0-debian-13-r0'],
    updates: ['minor:1.26.0-debian-12-r1', 'patch:1.25.4-debian-12-r0'],
  },
  {
    name: '.minimal stays (dependabot-core#10667 dropped it)',
    tag: '8.0.1.minimal',
    tags: ['8.0.2', '8.0.2.minimal', '8.1.0.minimal'],
    updates: ['minor:8.1.0.minimal', 'patch:8.0.2.minimal'],
  },
  {
    name: 'version with a commit: 1.4.0-3f2a9c1 -> 1.5.0-9b8e7d6',
    tag: '1.4.0-3f2a9c1',
    tags: ['1.4.0-aaaa111', '1.5.0-9b8e7d6', '1.5.0'],
    updates: ['minor:1.5.0-9b8e7d6'],
  },
  {
    name: 'ubuntu 20.04 -> 24.04 is major; 22.10 too',
    tag: '20.04',
    tags: ['22.04', '24.04', '22.10', '20.10'],
    updates: ['major:24.04', 'minor:20.10'],
  },
  {
    name: 'no latest-as-ceiling: a tag newer than what latest points at is offered (dependabot-core#10452)',
    tag: '1.0.0',
    tags: ['latest', '1.0.0', '1.1.0', '2.0.0'],
    updates: ['major:2.0.0', 'minor:1.1.0'],
  },
  {
    name: 'date 20240101 -> newest same-shape date',
    tag: '20240101',
    tags: ['20240102', '20240215', '20250101', '2025.01.02', '2025-01-03', '20241301'],
    updates: ['major:20250101', 'minor:20240215', 'patch:20240102'],
  },
  {
    name: 'dotted date keeps its shape',
    tag: '2024.01.01',
    tags: ['20250101', '2024.01.05', '2024-12-01'],
    updates: ['patch:2024.01.05'],
  },
  {
    name: 'dated codename tags: bookworm-20240110 -> bookworm-20240211, not trixie-',
    tag: 'bookworm-20240110',
    tags: ['bookworm-20240211', 'trixie-20250101', 'bookworm-20240110-slim'],
    updates: ['minor:bookworm-20240211'],
  },
  {
    name: 'dated codename tags note the newer codename line',
    tag: 'bookworm-20240110',
    tags: ['bookworm-20240211', 'trixie-20250101', 'bullseye-20250101'],
    updates: ['minor:bookworm-20240211'],
    notes: ['newer compatibility line trixie-YYYYMMDD exists (newest: trixie-20250101)'],
  },
  {
    name: 'a newer line with only older releases is not worth a note',
    tag: '1.27.0-alpine3.19',
    tags: ['1.26.0-alpine3.20'],
    updates: [],
    notes: [],
  },
  {
    name: 'alpine 3.19 never jumps to a dated edge snapshot (Renovate needs a preset for this)',
    tag: '3.19',
    tags: ['3.20', '20240606', '20250108', 'edge'],
    updates: ['minor:3.20'],
  },
  {
    name: 'one listing, two stages: each keeps its own suffix (dependabot-core#3261 swapped them)',
    tag: '22-slim',
    tags: ['22-alpine', '24-alpine', '24-slim', '24'],
    updates: ['major:24-slim'],
  },
  {
    name: 'date kinds follow the calendar: a new day is a patch',
    tag: '2024-03-01',
    tags: ['2024-03-09'],
    updates: ['patch:2024-03-09'],
  },
  {
    name: 'latest: digest only',
    tag: 'latest',
    tags: NODE,
    status: 'digest-only',
    reason: 'latest',
  },
  {
    name: 'no tag: digest only',
    tag: null,
    tags: NODE,
    status: 'digest-only',
    reason: 'no-tag',
  },
  {
    name: 'word tag: digest only, with the reason (not silently "up to date": dependabot-core#12525)',
    tag: 'stable',
    tags: ['stable', 'mainline', '1.27'],
    status: 'digest-only',
    reason: 'word',
    notes: [],
  },
  {
    name: 'codename word: digest only, newer codename noted',
    tag: 'bookworm',
    tags: ['bookworm', 'trixie', 'bullseye', 'sid'],
    status: 'digest-only',
    reason: 'word',
    notes: ['a newer line trixie exists beside bookworm'],
  },
  {
    name: 'alpine3.19 word notes alpine3.20',
    tag: 'alpine3.19',
    tags: ['alpine3.18', 'alpine3.20', 'alpine'],
    status: 'digest-only',
    reason: 'word',
    notes: ['a newer line alpine3.20 exists'],
  },
  {
    name: 'hash tag: never updated by tag',
    tag: '3f2a9c1',
    tags: ['4a5b6c7', '3f2a9c2'],
    status: 'digest-only',
    reason: 'hash',
  },
  {
    name: 'unparsed current tag: digest only',
    tag: '1.2.3_4',
    tags: ['1.2.3_5'],
    status: 'digest-only',
    reason: 'unparsed',
  },
  {
    name: 'unparsable registry tags are ignored as candidates',
    tag: '1.2.3',
    tags: ['1.2.3_4', '-', '', '1.2.4-', '9'.repeat(200), '1.2.4', 'ÿ'],
    updates: ['patch:1.2.4'],
  },
  {
    name: 'already newest: no updates',
    tag: '22',
    tags: NODE,
    updates: [],
  },
  {
    name: 'policy allow=patch holds back minor and major with notes',
    tag: '20.11.0',
    tags: NODE,
    rules: [{ match: 'node', allow: ['patch'] }],
    updates: ['patch:20.11.1'],
    notes: ['major update to 22.3.0 exists, but the policy allows only patch', 'minor update to 20.12.2 exists'],
  },
  {
    name: 'policy exclude regex drops candidates',
    tag: '20.11.0',
    tags: NODE,
    rules: [{ match: 'node', exclude: '^22' }],
    updates: ['minor:20.12.2', 'patch:20.11.1'],
  },
  {
    name: 'policy include regex keeps only matching candidates',
    tag: '20.11.0',
    tags: NODE,
    rules: [{ match: 'node', include: '^20\\.11\\.' }],
    updates: ['patch:20.11.1'],
  },
  {
    name: 'policy ignore',
    tag: '20',
    tags: NODE,
    rules: [{ match: 'docker.io/library/*', ignore: true }],
    status: 'ignored',
  },
];

const NODE_REF = {
  registry: 'docker.io',
  repository: 'library/node',
  tag: null,
  digest: null,
  name: 'docker.io/library/node',
  canonical: 'docker.io/library/node',
};

void describe('decideUpdates', () => {
  for (const row of DECIDE) {
    void it(row.name, () => {
      const policy = row.rules ? resolvePolicy(compilePolicyRules(row.rules), NODE_REF) : undefined;
      const d = decideUpdates({ tag: row.tag, tags: row.tags, policy, digestPinned: row.pinned });
      assert.equal(d.status, row.status ?? 'tag-updates');
      if (row.reason !== undefined) assert.equal(d.reason, row.reason);
      if (row.updates)
        assert.deepEqual(
          d.updates.map((u) => `${u.kind}:${u.tag}`),
          row.updates,
        );
      if (row.notes) {
        assert.equal(d.notes.length, row.notes.length, `notes: ${JSON.stringify(d.notes)}`);
        row.notes.forEach((n, i) =>
          assert.ok(d.notes[i]?.message.includes(n), `note ${i}: ${d.notes[i]?.message} lacks ${n}`),
        );
      }
      if (d.status === 'digest-only') assert.match(d.message, /digest only/);
    });
  }

  void it('one index serves many decisions and equals the raw-list answer', () => {
    const index = indexTags(NODE);
    for (const tag of ['18', '20', '20.11.0', '20-alpine', 'lts']) {
      assert.deepEqual(decideUpdates({ tag, tags: index }), decideUpdates({ tag, tags: NODE }));
    }
  });

  void it('digest and pin flags follow the policy and the pinned digest', () => {
    const pins = resolvePolicy(compilePolicyRules([{ match: '**', pinDigests: true }]), NODE_REF);
    const unpinned = decideUpdates({ tag: '20', tags: NODE, policy: pins });
    assert.deepEqual([unpinned.checkDigest, unpinned.offerPin, unpinned.pinCandidates], [true, true, true]);
    const pinned = decideUpdates({ tag: '20', tags: NODE, policy: pins, digestPinned: true });
    assert.deepEqual([pinned.checkDigest, pinned.offerPin, pinned.pinCandidates], [true, false, true]);
    const plain = decideUpdates({ tag: '20', tags: NODE });
    assert.deepEqual([plain.checkDigest, plain.offerPin, plain.pinCandidates], [true, false, false]);
    const noDigest = decideUpdates({
      tag: '20',
      tags: NODE,
      policy: resolvePolicy(compilePolicyRules([{ match: '**', allow: ['major'] }]), NODE_REF),
    });
    assert.deepEqual([noDigest.checkDigest, noDigest.offerPin], [false, false]);
  });

  void it('accepts any iterable of tags (a Set, a generator)', () => {
    function* gen() {
      yield '1.0';
      yield '1.1';
    }
    assert.deepEqual(decideUpdates({ tag: '1.0', tags: gen() }).updates, [{ kind: 'minor', tag: '1.1' }]);
    assert.deepEqual(decideUpdates({ tag: '1.0', tags: new Set(['2.0']) }).updates, [{ kind: 'major', tag: '2.0' }]);
  });
});
