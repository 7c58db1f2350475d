// checkLocal over a fake registry (RegistryLike): RepoDigests compared like-for-like (an index digest with the
// tag's index, a platform manifest with the index's children), newer tags by the versioning rules, local-only,
// containers running an image older than their tag's local image, errors typed as the check engine's.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  checkLocal,
  compilePolicyRules,
  NotFoundError,
  NetworkError,
  type LocalImage,
  type LocalInventory,
  type RegistryLike,
} from '../../src/core';

const D = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const R = 'reg.local:5000';

interface Repo {
  tags: Record<string, { digest: string; mediaType: string }>;
  indexes?: Record<string, { platform: string; digest: string }[]>;
  /** Untagged manifests still in the registry (old index digests). */
  manifests?: Record<string, string>;
}

function fakeRegistry(repos: Record<string, Repo>, down: string[] = []): RegistryLike & { calls: string[] } {
  const calls: string[] = [];
  const repo = (registry: string, name: string) => {
    if (down.includes(registry)) throw new NetworkError(`${registry} is down`, { registry });
    const r = repos[`${registry}/${name}`];
    if (!r) throw new NotFoundError(`${registry}/${name}: repository not found`, { registry, status: 404 });
    return r;
  };
  return {
    calls,
    listTags(registry, name) {
      calls.push(`tags ${name}`);
      return Promise.resolve().then(() => ({ tags: Object.keys(repo(registry, name).tags), truncated: false }));
    },
    headManifest(registry, name, reference) {
      calls.push(`head ${name}:${reference}`);
      return Promise.resolve().then(() => {
        const r = repo(registry, name);
        const t = r.tags[reference];
        if (t) return { digest: t.digest, mediaType: t.mediaType };
        const m = r.manifests?.[reference] ?? Object.values(r.tags).find((x) => x.digest === reference)?.mediaType;
        if (m) return { digest: reference, mediaType: m };
        const child = Object.values(r.indexes ?? {})
          .flat()
          .find((c) => c.digest === reference);
        if (child) return { digest: reference, mediaType: MANIFEST };
        throw new NotFoundError(`${name}:${reference}: manifest unknown`, { registry, status: 404 });
      });
    },
    getIndex(registry, name, reference) {
      calls.push(`index ${name}@${reference}`);
      return Promise.resolve().then(() => {
        const platforms = repo(registry, name).indexes?.[reference];
        if (!platforms) throw new NotFoundError(`no index ${reference}`, { registry, status: 404 });
        return { digest: reference, mediaType: LIST, isIndex: true, platforms };
      });
    },
  };
}

const img = (id: string, tags: string[], digests: string[], platform = 'linux/amd64'): LocalImage => ({
  id: D(id),
  repoTags: tags,
  repoDigests: digests,
  created: '2024-01-01T00:00:00.000Z',
  size: 1,
  platform,
  architecture: platform.split('/')[1] ?? null,
  os: 'linux',
  variant: null,
});

const repos: Record<string, Repo> = {
  [`${R}/app`]: {
    tags: {
      '1.0.0': { digest: D('b'), mediaType: MANIFEST },
      '1.0.1': { digest: D('c'), mediaType: MANIFEST },
      '2.0.0': { digest: D('d'), mediaType: MANIFEST },
    },
  },
  [`${R}/multi`]: {
    tags: { '2.0.0': { digest: D('1'), mediaType: LIST } },
    indexes: {
      [D('1')]: [
        { platform: 'linux/amd64', digest: D('2') },
        { platform: 'linux/arm64/v8', digest: D('3') },
      ],
      [D('4')]: [{ platform: 'linux/amd64', digest: D('5') }],
    },
    manifests: { [D('4')]: LIST },
  },
};

void describe('checkLocal', () => {
  void it('images: digest changed, newer tags, current by index digest or by platform child, local only, not in the registry', async () => {
    const inv: LocalInventory = {
      images: [
        img('a', [`${R}/app:1.0.0`], [`${R}/app@${D('a')}`]), // the registry's 1.0.0 is now D('b'); 1.0.1 and 2.0.0 exist
        img('c', [`${R}/app:1.0.1`], [`${R}/app@${D('c')}`]), // current digest, newer major
        img('e', [`${R}/multi:2.0.0`], [`${R}/multi@${D('1')}`]), // pulled by tag from the index: current
        img('f', [`${R}/multi:2.0.0-child`.replace('-child', '')], [`${R}/multi@${D('2')}`]), // pulled by platform digest, tagged: current (child)
        img('g', [`${R}/multi:2.0.0`], [`${R}/multi@${D('4')}`]), // an older index (still in the registry)
        img('h', ['myapp:dev'], []), // built locally
        img('i', [`${R}/gone:1.0`], [`${R}/gone@${D('9')}`]), // repository not in the registry
      ],
      containers: [],
    };
    const client = fakeRegistry(repos);
    const res = await checkLocal(inv, { client, rules: [] });
    const st = res.images.map((f) => [
      f.ref,
      f.status,
      f.digestChanged,
      f.updates.map((u) => `${u.kind}:${u.tag}`).join(' '),
    ]);
    assert.deepEqual(st, [
      [`${R}/app:1.0.0`, 'digest-changed', true, 'major:2.0.0 patch:1.0.1 digest:1.0.0'],
      [`${R}/app:1.0.1`, 'update', false, 'major:2.0.0'],
      [`${R}/multi:2.0.0`, 'current', false, ''],
      [`${R}/multi:2.0.0`, 'current', false, ''],
      [`${R}/multi:2.0.0`, 'digest-changed', true, `digest:2.0.0`],
      ['myapp:dev', 'local-only', false, ''],
      [`${R}/gone:1.0`, 'local-only', false, ''],
    ]);
    const first = res.images[0];
    assert.equal(first?.registryDigest, D('b'));
    assert.equal(first?.localDigest, D('a'));
    assert.deepEqual(first?.actions, ['pull', 'edit']);
    assert.equal(first?.outdated, true);
    assert.match(
      first?.message ?? '',
      /the registry's 1\.0\.0 now points at sha256:bbbbbbbbbbbb…, not the local sha256:aaaaaaaaaaaa…: pull 1\.0\.0 again; newer tags: 1\.0\.1 \(patch\), 2\.0\.0 \(major\)/,
    );
    assert.equal(res.images[4]?.updates.find((u) => u.kind === 'digest')?.digest, D('1'));
    assert.match(res.images[5]?.message ?? '', /never pulled from or pushed to docker\.io/);
    assert.equal(res.images[2]?.outdated, false);
    // one tag listing per repository, one HEAD per tag: shared across images
    assert.equal(client.calls.filter((c) => c === 'tags app').length, 1);
    assert.equal(client.calls.filter((c) => c === 'head app:1.0.0').length, 1);
    assert.ok(!client.calls.some((c) => c.includes('myapp')));
  });

  void it("an image with two RepoDigests for the repository is current when either is the tag's", async () => {
    const inv: LocalInventory = {
      images: [img('x', [`${R}/multi:2.0.0`], [`${R}/multi@${D('4')}`, `${R}/multi@${D('1')}`])],
      containers: [],
    };
    const res = await checkLocal(inv, { client: fakeRegistry(repos) });
    assert.equal(res.images[0]?.status, 'current');
    assert.equal(res.images[0]?.localDigest, D('1'));
  });

  void it('policies apply: ignore, and allow without major', async () => {
    const inv: LocalInventory = {
      images: [
        img('c', [`${R}/app:1.0.1`], [`${R}/app@${D('c')}`]),
        img('a', [`${R}/app:1.0.0`], [`${R}/app@${D('a')}`]),
      ],
      containers: [],
    };
    const rules = compilePolicyRules([{ match: `${R}/app`, allow: ['patch', 'minor', 'digest'] }], 'test');
    const res = await checkLocal(inv, { client: fakeRegistry(repos), rules });
    assert.deepEqual(
      res.images.map((f) => [f.status, f.updates.map((u) => u.kind)]),
      [
        ['current', []],
        ['digest-changed', ['patch', 'digest']],
      ],
    );
    const ignored = await checkLocal(inv, {
      client: fakeRegistry(repos),
      rules: compilePolicyRules([{ match: `${R}/app`, ignore: true }], 'test'),
    });
    assert.deepEqual(
      ignored.images.map((f) => [f.status, f.code]),
      [
        ['skipped', 'ignored'],
        ['skipped', 'ignored'],
      ],
    );
  });

  void it('containers: older image than the tag locally, digest changed in the registry, started from an id, pinned by digest', async () => {
    const old = img('a', [], [`${R}/app@${D('a')}`]); // untagged since a newer pull moved the tag
    const cur = img('b', [`${R}/app:1.0.0`], [`${R}/app@${D('b')}`]);
    const inv: LocalInventory = {
      images: [old, cur],
      containers: [
        {
          id: '1',
          name: 'old',
          image: `${R}/app:1.0.0`,
          imageId: old.id,
          state: 'running',
          status: 'Up',
          created: '',
          compose: null,
        },
        {
          id: '2',
          name: 'fresh',
          image: `${R}/app:1.0.0`,
          imageId: cur.id,
          state: 'running',
          status: 'Up',
          created: '',
          compose: null,
        },
        {
          id: '3',
          name: 'byid',
          image: D('b').slice(7, 19),
          imageId: cur.id,
          state: 'running',
          status: 'Up',
          created: '',
          compose: null,
        },
        {
          id: '4',
          name: 'pinned',
          image: `${R}/app@${D('b')}`,
          imageId: cur.id,
          state: 'running',
          status: 'Up',
          created: '',
          compose: null,
        },
      ],
    };
    const res = await checkLocal(inv, { client: fakeRegistry(repos) });
    assert.deepEqual(
      res.containers.map((f) => [f.container?.name, f.status, f.code, f.digestChanged, f.newerLocalImageId, f.actions]),
      [
        ['old', 'container-outdated', 'container-outdated', false, D('b'), ['recreate', 'edit']],
        ['fresh', 'update', 'update-available', false, null, ['edit']],
        ['byid', 'skipped', 'started-from-id', false, null, []],
        ['pinned', 'skipped', 'digest-pinned', false, null, []],
      ],
    );
    assert.match(
      res.containers[0]?.message ?? '',
      /container old \(reg\.local:5000\/app:1\.0\.0\) runs sha256:aaaaaaaaaaaa…, but 1\.0\.0 is now sha256:bbbbbbbbbbbb… locally: recreate the container/,
    );
    assert.equal(res.stats.containers, 4);
  });

  void it('a container whose tag was pulled again, while the registry moved on once more: recreate after pulling', async () => {
    const oldest = img('z', [], [`${R}/app@${D('z')}`]);
    const tagged = img('a', [`${R}/app:1.0.0`], [`${R}/app@${D('a')}`]); // the registry's 1.0.0 is D('b') now
    const inv: LocalInventory = {
      images: [oldest, tagged],
      containers: [
        {
          id: '1',
          name: 'c',
          image: `${R}/app:1.0.0`,
          imageId: oldest.id,
          state: 'running',
          status: 'Up',
          created: '',
          compose: null,
        },
      ],
    };
    const res = await checkLocal(inv, { client: fakeRegistry(repos) });
    const c = res.containers[0];
    assert.deepEqual(
      [c?.status, c?.digestChanged, c?.localDigest, c?.actions],
      ['container-outdated', true, D('a'), ['pull', 'recreate', 'edit']],
    );
    assert.match(c?.message ?? '', /recreate the container to use it; the registry's 1\.0\.0 is newer still/);
  });

  void it("registry errors are error findings with the check engine's codes; an unreachable registry is asked once", async () => {
    const client = fakeRegistry(repos, [R]);
    const inv: LocalInventory = {
      images: [
        img('a', [`${R}/app:1.0.0`], [`${R}/app@${D('a')}`]),
        img('c', [`${R}/multi:2.0.0`], [`${R}/multi@${D('1')}`]),
      ],
      containers: [],
    };
    const res = await checkLocal(inv, { client, concurrency: 1 });
    assert.deepEqual(
      res.images.map((f) => [f.status, f.code, f.error?.code]),
      [
        ['error', 'registry-unreachable', 'network'],
        ['error', 'registry-unreachable', 'network'],
      ],
    );
    assert.equal(client.calls.length, 1);
  });

  void it('cancellation rejects with an AbortError', async () => {
    const c = new AbortController();
    c.abort();
    await assert.rejects(
      checkLocal(
        { images: [img('a', [`${R}/app:1.0.0`], [`${R}/app@${D('a')}`])], containers: [] },
        { client: fakeRegistry(repos), signal: c.signal },
      ),
      { name: 'AbortError' },
    );
  });
});
