// The check engine against an in-process fake registry: unique lookups, findings per occurrence, multi-arch pins,
// per-registry errors and concurrency, the cache (warm = zero calls, stale fallback, not-found), offline, abort.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  checkCacheFile,
  checkImages,
  compilePolicyRules,
  extractCompose,
  extractDevcontainer,
  extractDockerfile,
  MemoryCacheStore,
  NetworkError,
  normalizePlatform,
  NotFoundError,
  sarifRegion,
  toSarif,
  type CheckOptions,
  type Finding,
  type Occurrence,
  type RegistryLike,
} from '../../src/core';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const SINGLE = 'application/vnd.oci.image.manifest.v1+json';
const dg = (s: string) => `sha256:${s.padEnd(64, '0')}`;

interface Manifest {
  mediaType: string;
  platforms?: { platform: string; digest: string }[];
}

/** A scripted registry: repositories with tag -> digest, manifests by digest; records every call. */
class FakeRegistry implements RegistryLike {
  calls: string[] = [];
  down = new Set<string>();
  inFlight = new Map<string, number>();
  maxInFlight = new Map<string, number>();
  delayMs = 0;
  constructor(
    public repos: Record<string, Record<string, string>>,
    public manifests: Record<string, Manifest>,
  ) {}

  private async call<T>(registry: string, what: string, fn: () => T): Promise<T> {
    this.calls.push(`${registry} ${what}`);
    const n = (this.inFlight.get(registry) ?? 0) + 1;
    this.inFlight.set(registry, n);
    this.maxInFlight.set(registry, Math.max(n, this.maxInFlight.get(registry) ?? 0));
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.down.has(registry))
        throw new NetworkError(`${registry}: connection refused: is the registry running and the port right?`, {
          registry,
          networkCode: 'ECONNREFUSED',
          temporary: true,
        });
      return fn();
    } finally {
      this.inFlight.set(registry, (this.inFlight.get(registry) ?? 1) - 1);
    }
  }
  private repo(registry: string, repository: string): Record<string, string> {
    const r = this.repos[`${registry}/${repository}`];
    if (!r)
      throw new NotFoundError(`${registry}/${repository}: not found: NAME_UNKNOWN`, {
        registry,
        repository,
        status: 404,
      });
    return r;
  }
  listTags(registry: string, repository: string) {
    return this.call(registry, `tags ${repository}`, () => ({
      tags: Object.keys(this.repo(registry, repository)),
      truncated: false,
    }));
  }
  headManifest(registry: string, repository: string, reference: string) {
    return this.call(registry, `head ${repository}:${reference}`, () => {
      const r = this.repo(registry, repository);
      const digest = reference.startsWith('sha256:') ? reference : r[reference];
      const m = digest ? this.manifests[digest] : undefined;
      if (!digest || !m)
        throw new NotFoundError(`${registry}/${repository}: not found: MANIFEST_UNKNOWN`, {
          registry,
          repository,
          status: 404,
        });
      return { digest, mediaType: m.mediaType };
    });
  }
  getIndex(registry: string, repository: string, reference: string) {
    return this.call(registry, `index ${repository}@${reference}`, () => {
      const m = this.manifests[reference];
      if (!m)
        throw new NotFoundError(`${registry}/${repository}@${reference}: not found`, {
          registry,
          repository,
          status: 404,
        });
      return {
        digest: reference,
        mediaType: m.mediaType,
        isIndex: m.mediaType === INDEX,
        platforms: m.platforms ?? [],
      };
    });
  }
}

// reg.test: app (single manifests), multi (indexes with amd64/arm64 children), rolling latest.
const D = {
  app100: dg('a100'),
  app110: dg('a110'),
  app111: dg('a111'),
  app120: dg('a120'),
  app200: dg('a200'),
  alp: dg('a12a'),
  m2: dg('b200'),
  m2amd: dg('b20a'),
  m2arm: dg('b20b'),
  m21: dg('b210'),
  m21amd: dg('b21a'),
  m21arm: dg('b21b'),
  oldIndex: dg('b1ff'),
  oldArm: dg('b1fb'),
};
function fakeRegistry(): FakeRegistry {
  const single: Manifest = { mediaType: SINGLE };
  return new FakeRegistry(
    {
      'reg.test/app': {
        '1.0.0': D.app100,
        '1.1.0': D.app110,
        '1.1.1': D.app111,
        '1.2.0': D.app120,
        '1.2.0-alpine': D.alp,
        '2.0.0': D.app200,
        latest: D.app200,
      },
      'reg.test/multi': { '2.0.0': D.m2, '2.1.0': D.m21 },
      'other.test/app': { '1.0.0': D.app100, '1.0.1': D.app111 },
    },
    {
      [D.app100]: single,
      [D.app110]: single,
      [D.app111]: single,
      [D.app120]: single,
      [D.app200]: single,
      [D.alp]: single,
      [D.m2amd]: single,
      [D.m2arm]: single,
      [D.m21amd]: single,
      [D.m21arm]: single,
      [D.oldArm]: single,
      [D.m2]: {
        mediaType: INDEX,
        platforms: [
          { platform: 'linux/amd64', digest: D.m2amd },
          { platform: 'linux/arm64/v8', digest: D.m2arm },
        ],
      },
      [D.m21]: {
        mediaType: INDEX,
        platforms: [
          { platform: 'linux/amd64', digest: D.m21amd },
          { platform: 'linux/arm64/v8', digest: D.m21arm },
        ],
      },
      [D.oldIndex]: { mediaType: INDEX, platforms: [{ platform: 'linux/arm64/v8', digest: D.oldArm }] },
    },
  );
}

function occurrencesOf(files: Record<string, string>): Occurrence[] {
  return Object.entries(files).flatMap(([file, text]) => extractDockerfile(file, text).occurrences);
}

async function run(files: Record<string, string>, reg: FakeRegistry, extra: Partial<CheckOptions> = {}) {
  const occurrences = occurrencesOf(files);
  const result = await checkImages(occurrences, { client: reg, defaultPlatform: 'linux/amd64', ...extra });
  const by = (text: string): Finding => {
    const f = result.findings.find((x) => x.occurrence.text === text);
    assert.ok(f, `no finding for ${text}: ${result.findings.map((x) => x.occurrence.text).join(', ')}`);
    return f;
  };
  return { ...result, by };
}

const FIXTURE = {
  '/ws/a/Dockerfile': [
    'FROM reg.test/app:1.1.0 AS a',
    'FROM reg.test/app:1.2.0-alpine',
    `FROM reg.test/app:latest@${D.app100}`,
    'FROM reg.test/app:latest',
    `FROM reg.test/multi:2.0.0@${D.oldIndex}`,
    `FROM --platform=linux/arm64 reg.test/multi:2.0.0@${D.oldArm}`,
    `FROM reg.test/multi:2.0.0@${D.m2arm}`,
    'FROM reg.test/nope:1.0',
    'FROM a',
    '',
  ].join('\n'),
  '/ws/b/Dockerfile': ['FROM reg.test/app:1.1.0', 'FROM other.test/app:1.0.0', ''].join('\n'),
};

void describe('check engine (fake registry)', () => {
  void it('findings for every occurrence, with the newest of each kind, multi-arch digests and errors', async () => {
    const reg = fakeRegistry();
    const r = await run(FIXTURE, reg);
    const app = r.by('reg.test/app:1.1.0');
    assert.equal(app.status, 'update');
    assert.equal(app.code, 'update-available');
    assert.deepEqual(app.updates, [
      { kind: 'major', tag: '2.0.0', digest: null },
      { kind: 'minor', tag: '1.2.0', digest: null },
      { kind: 'patch', tag: '1.1.1', digest: null },
    ]);
    assert.match(app.message, /1\.1\.1 \(patch\), 1\.2\.0 \(minor\), 2\.0\.0 \(major\)/);
    assert.equal(r.by('reg.test/app:1.2.0-alpine').status, 'current');

    const moved = r.by(`reg.test/app:latest@${D.app100}`);
    assert.equal(moved.status, 'digest-changed');
    assert.equal(moved.code, 'digest-changed');
    assert.deepEqual(moved.updates, [{ kind: 'digest', tag: 'latest', digest: D.app200 }]);
    assert.equal(moved.currentDigest, D.app200);

    const rolling = r.by('reg.test/app:latest');
    assert.equal(rolling.status, 'unpinned');
    assert.equal(rolling.code, 'not-pinned');
    assert.deepEqual(rolling.updates, [{ kind: 'pin', tag: 'latest', digest: D.app200 }]);

    // a pinned index: refreshed to the tag's index; the candidate 2.1.0 carries its index digest
    const idx = r.by(`reg.test/multi:2.0.0@${D.oldIndex}`);
    assert.equal(idx.status, 'update');
    assert.deepEqual(idx.updates, [
      { kind: 'minor', tag: '2.1.0', digest: D.m21 },
      { kind: 'digest', tag: '2.0.0', digest: D.m2 },
    ]);
    // a pinned single-platform manifest: the same platform's children (FROM --platform=linux/arm64)
    const arm = r.by(`reg.test/multi:2.0.0@${D.oldArm}`);
    assert.deepEqual(arm.updates, [
      { kind: 'minor', tag: '2.1.0', digest: D.m21arm },
      { kind: 'digest', tag: '2.0.0', digest: D.m2arm },
    ]);
    assert.equal(arm.platform, 'linux/arm64/v8');
    // the arm64 child of the current index: its platform is unchanged (no digest update), candidates stay arm64
    const child = r.by(`reg.test/multi:2.0.0@${D.m2arm}`);
    assert.deepEqual(child.updates, [{ kind: 'minor', tag: '2.1.0', digest: D.m21arm }]);
    assert.ok(child.notes.some((n) => n.code === 'platform' && /still current/.test(n.message)));

    const nope = r.by('reg.test/nope:1.0');
    assert.equal(nope.status, 'error');
    assert.equal(nope.code, 'not-found');
    assert.equal(nope.error?.code, 'not-found');
    assert.equal(nope.error?.name, 'NotFoundError');
    assert.equal(r.by('a').status, 'skipped');
    assert.equal(r.by('other.test/app:1.0.0').updates[0]?.tag, '1.0.1');

    // unique lookups: one listing per repository, one HEAD per reference, shared by both files
    const count = (prefix: string) => reg.calls.filter((c) => c.startsWith(prefix)).length;
    assert.equal(count('reg.test tags app'), 1);
    assert.equal(count('reg.test head app:latest'), 1);
    assert.equal(count('reg.test index multi@'), 2); // 2.0.0's and 2.1.0's index
    assert.equal(reg.calls.length, new Set(reg.calls).size, reg.calls.join('\n'));
    assert.deepEqual(r.stats.lookups, { tags: 4, digests: 3, indexes: 2, manifests: 2 });
  });

  void it('one unreachable registry fails its own occurrences at once and no other', async () => {
    const reg = fakeRegistry();
    reg.down.add('reg.test');
    reg.delayMs = 5;
    const r = await run(FIXTURE, reg, { concurrency: 1 });
    for (const f of r.findings.filter((x) => x.occurrence.reference?.registry === 'reg.test' && !x.occurrence.skip)) {
      assert.equal(f.status, 'error', f.message);
      assert.equal(f.code, 'registry-unreachable');
      assert.equal(f.error?.code, 'network');
      assert.match(f.message, /connection refused/);
    }
    assert.equal(r.by('other.test/app:1.0.0').status, 'update');
    // the first failure marks reg.test down: with one request at a time, nothing else is sent there
    assert.equal(reg.calls.filter((c) => c.startsWith('reg.test')).length, 1, reg.calls.join('\n'));
  });

  void it('one evaluation per distinct reference and platform: every occurrence gets that answer with itself', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++)
      files[`/ws/s${i}/Dockerfile`] = 'FROM reg.test/app:1.1.0\nFROM --platform=linux/arm64 reg.test/app:1.1.0\n';
    files['/ws/own/Dockerfile'] = '# registry-lens: allow=patch\nFROM reg.test/app:1.1.0\n';
    const occurrences = occurrencesOf(files);
    const progress: number[] = [];
    const { findings } = await checkImages(occurrences, {
      client: fakeRegistry(),
      defaultPlatform: 'linux/amd64',
      onProgress: (p) => progress.push(p.done),
    });
    assert.equal(findings.length, occurrences.length);
    findings.forEach((f, i) => assert.equal(f.occurrence, occurrences[i]));
    const plain = findings.filter((f) => f.occurrence.platform === null && f.occurrence.directives.length === 0);
    assert.equal(plain.length, 50);
    // Shared answer, own occurrence: the same updates and message, and no finding is another's object.
    for (const f of plain) assert.deepEqual({ ...f, occurrence: null }, { ...plain[0]!, occurrence: null });
    assert.equal(new Set(findings).size, findings.length);
    assert.deepEqual(
      plain[0]!.updates.map((u) => u.tag),
      ['2.0.0', '1.2.0', '1.1.1'],
    );
    // The occurrence with its own directive is decided on its own (patch updates only).
    const own = findings.find((f) => f.occurrence.file === '/ws/own/Dockerfile')!;
    assert.deepEqual(
      own.updates.map((u) => u.tag),
      ['1.1.1'],
    );
    // Progress counts occurrences, up to all of them.
    assert.equal(progress.at(-1), occurrences.length);
  });

  void it('requests are bounded per registry', async () => {
    const reg = fakeRegistry();
    reg.delayMs = 10;
    await run(FIXTURE, reg, { concurrency: 2 });
    assert.equal(reg.maxInFlight.get('reg.test'), 2);
  });

  void it('a warm re-check inside the TTLs makes zero calls; past them, an unreachable registry gives stale results, marked', async () => {
    const reg = fakeRegistry();
    const cache = new MemoryCacheStore();
    let now = 1_000_000;
    const cold = await run(FIXTURE, reg, { cache, now: () => now });
    const coldCalls = reg.calls.length;
    assert.ok(coldCalls > 5);
    now += 5 * 60_000;
    const warm = await run(FIXTURE, reg, { cache, now: () => now });
    assert.equal(reg.calls.length, coldCalls, 'no call on a warm check');
    assert.deepEqual(
      warm.findings.map((f) => [f.status, f.updates, f.error?.code]),
      cold.findings.map((f) => [f.status, f.updates, f.error?.code]),
    );
    assert.equal(warm.stats.cache.fetched, 0);
    // an hour later the tag list expired; the registry is down: cached answers, marked stale
    now += 60 * 60_000;
    reg.down.add('reg.test');
    const stale = await run(FIXTURE, reg, { cache, now: () => now });
    const app = stale.by('reg.test/app:1.1.0');
    assert.equal(app.status, 'update');
    assert.ok(app.stale);
    assert.equal(app.stale.because.code, 'network');
    assert.ok(app.notes.some((n) => n.code === 'stale'));
    assert.equal(stale.by('other.test/app:1.0.0').stale, null);
    assert.equal(stale.by('reg.test/nope:1.0').code, 'not-found'); // cached "not found", served stale too
  });

  void it('refresh (a credential or registry setting changed): asks again inside the TTLs and stores the new answers', async () => {
    const reg = fakeRegistry();
    const cache = new MemoryCacheStore();
    let now = 1_000_000;
    await run(FIXTURE, reg, { cache, now: () => now });
    const coldCalls = reg.calls.length;
    now += 60_000;
    const refreshed = await run(FIXTURE, reg, { cache, now: () => now, refresh: true });
    assert.equal(reg.calls.length, coldCalls * 2, 'every lookup asked again');
    assert.equal(refreshed.stats.cache.fresh, 0);
    // ...and the next plain check answers from those new entries.
    await run(FIXTURE, reg, { cache, now: () => now });
    assert.equal(reg.calls.length, coldCalls * 2);
  });

  void it('offline: cache only; nothing cached is a not-cached error', async () => {
    const reg = fakeRegistry();
    const r = await run({ '/ws/Dockerfile': 'FROM reg.test/app:1.1.0\n' }, reg, {
      offline: true,
      cache: new MemoryCacheStore(),
    });
    assert.equal(reg.calls.length, 0);
    assert.equal(r.findings[0]?.code, 'not-cached');
    assert.equal(r.findings[0]?.error?.code, 'offline');
  });

  void it('cancellation rejects with an AbortError', async () => {
    const reg = fakeRegistry();
    reg.delayMs = 50;
    const controller = new AbortController();
    const p = run(FIXTURE, reg, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
  });

  void it('policies and inline directives: ignore, allow=patch (held back noted), pins on request', async () => {
    const reg = fakeRegistry();
    const rules = compilePolicyRules([
      { match: 'other.test/**', ignore: true },
      { match: 'reg.test/multi', pinDigests: true },
    ]);
    const r = await run(
      {
        '/ws/Dockerfile': [
          '# registry-lens: allow=patch',
          'FROM reg.test/app:1.1.0',
          'FROM other.test/app:1.0.0',
          'FROM reg.test/multi:2.1.0',
          'FROM reg.test/app:1.0.0 # registry-lens: bogus',
          '',
        ].join('\n'),
      },
      reg,
      { rules },
    );
    const app = r.by('reg.test/app:1.1.0');
    assert.deepEqual(app.updates, [{ kind: 'patch', tag: '1.1.1', digest: null }]);
    assert.ok(app.notes.some((n) => n.code === 'held-back'));
    assert.deepEqual(app.policy, ['inline']);
    assert.equal(r.by('other.test/app:1.0.0').code, 'ignored');
    assert.equal(r.by('other.test/app:1.0.0').status, 'skipped');
    const pinned = r.by('reg.test/multi:2.1.0');
    assert.equal(pinned.status, 'unpinned');
    assert.deepEqual(pinned.updates, [{ kind: 'pin', tag: '2.1.0', digest: D.m21 }]);
    assert.ok(r.by('reg.test/app:1.0.0').notes.some((n) => n.code === 'directive'));
  });

  void it('a tag the registry lacks, a digest-only reference, a single-platform pin refreshed to its own platform', async () => {
    const reg = fakeRegistry();
    // Config reads for the pin's platform (the real client has them): the old arm64 manifest says arm64.
    const configs: Record<string, unknown> = {
      [`cfg-${D.oldArm}`]: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    };
    const withConfigs = Object.assign(reg, {
      getManifest: (_r: string, _repo: string, digest: string) =>
        Promise.resolve({ body: { config: { digest: `cfg-${digest}` } } }),
      getJsonBlob: (_r: string, _repo: string, digest: string) => Promise.resolve(configs[digest] ?? {}),
    });
    const r = await run(
      {
        '/ws/Dockerfile': [
          'FROM reg.test/app:0.9.9',
          `FROM reg.test/app@${D.app100}`,
          `FROM reg.test/multi:2.1.0@${D.oldArm}`,
          '',
        ].join('\n'),
      },
      withConfigs,
    );
    const missing = r.by('reg.test/app:0.9.9');
    assert.deepEqual(
      [missing.status, missing.code, missing.updates],
      ['error', 'tag-not-found', [{ kind: 'major', tag: '2.0.0', digest: null }]],
    );
    assert.equal(missing.notChecked, null);
    const digestOnly = r.by(`reg.test/app@${D.app100}`);
    assert.deepEqual([digestOnly.status, digestOnly.updates], ['current', []]);
    const arm = r.by(`reg.test/multi:2.1.0@${D.oldArm}`);
    assert.deepEqual(
      [arm.status, arm.updates],
      ['digest-changed', [{ kind: 'digest', tag: '2.1.0', digest: D.m21arm }]],
    );
    assert.equal(arm.platform, 'linux/arm64/v8');
  });

  void it('inline directives come with the occurrences: compose with its .env, devcontainer //, no file on disk', async () => {
    const reg = fakeRegistry();
    const compose = extractCompose(
      '/nowhere/compose.yaml',
      'services:\n  web:\n    image: reg.test/app:${APP_TAG}\n  db:\n    image: reg.test/app:1.0.0 # registry-lens: ignore\n',
      {
        dotenv: { file: '/nowhere/.env', content: '# registry-lens: allow=patch\nAPP_TAG=1.1.0\n' },
      },
    ).occurrences;
    const devcontainer = extractDevcontainer(
      '/nowhere/.devcontainer/devcontainer.json',
      '{\n  // registry-lens: allow=minor\n  "image": "reg.test/app:1.0.0"\n}\n',
    ).occurrences;
    assert.deepEqual(compose[0]?.directives, [
      { file: '/nowhere/.env', line: 0, character: 0, text: '# registry-lens: allow=patch' },
    ]);
    assert.deepEqual(devcontainer[0]?.directives, [
      {
        file: '/nowhere/.devcontainer/devcontainer.json',
        line: 1,
        character: 2,
        text: '// registry-lens: allow=minor',
      },
    ]);
    const { findings } = await checkImages([...compose, ...devcontainer], {
      client: reg,
      defaultPlatform: 'linux/amd64',
    });
    assert.deepEqual(
      findings.map((f) => [f.code, f.updates.map((u) => u.tag)]),
      [
        ['update-available', ['1.1.1']],
        ['ignored', []],
        ['update-available', ['1.2.0']],
      ],
    );
  });

  void it('the JSON file cache survives a new process (written on flush), pruning long-expired entries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-check-cache-'));
    try {
      let now = 5_000_000_000;
      const reg = fakeRegistry();
      await run(FIXTURE, reg, { cache: checkCacheFile(dir, undefined, () => now), now: () => now });
      const calls = reg.calls.length;
      const file = JSON.parse(readFileSync(path.join(dir, 'check-cache.json'), 'utf8')) as {
        version: number;
        entries: Record<string, unknown>;
      };
      assert.equal(file.version, 1);
      assert.ok(Object.keys(file.entries).includes('tags|reg.test|app'));
      await run(FIXTURE, reg, { cache: checkCacheFile(dir, undefined, () => now), now: () => now });
      assert.equal(reg.calls.length, calls);
      now += 8 * 24 * 3_600_000; // past keepMs: dropped on the next write
      const store = checkCacheFile(dir, undefined, () => now);
      await store.set('x', { at: now, v: 1 });
      await store.flush();
      const after = JSON.parse(readFileSync(path.join(dir, 'check-cache.json'), 'utf8')) as {
        entries: Record<string, unknown>;
      };
      assert.deepEqual(Object.keys(after.entries), ['x']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('platforms normalise like containerd; SARIF regions are one-based with an exclusive end column', async () => {
    assert.equal(normalizePlatform('linux/arm64'), 'linux/arm64/v8');
    assert.equal(normalizePlatform('Linux/x86_64'), 'linux/amd64');
    assert.equal(normalizePlatform('$BUILDPLATFORM'), null);
    assert.deepEqual(sarifRegion({ start: { line: 0, character: 5 }, end: { line: 0, character: 20 } }), {
      startLine: 1,
      startColumn: 6,
      endLine: 1,
      endColumn: 21,
    });
    const r = await run(FIXTURE, fakeRegistry());
    const sarif = toSarif(r.findings, { relativePath: (f) => f.replace('/ws/', '') }) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; ruleIndex: number; locations: unknown[] }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    assert.ok(run0);
    assert.deepEqual(
      run0.tool.driver.rules.map((x) => x.id),
      ['digest-changed', 'not-found', 'not-pinned', 'update-available'],
    );
    for (const res of run0.results) assert.equal(run0.tool.driver.rules[res.ruleIndex]?.id, res.ruleId);
    assert.equal(run0.results.length, r.findings.filter((f) => !['current', 'skipped'].includes(f.status)).length);
  });
});
