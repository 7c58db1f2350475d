// Pushes seed sets with the distribution API: HEAD blob → (cross-repository mount | POST upload → PUT ?digest=),
// children by digest, then PUT the tagged manifest. Authenticates like a client would (Basic, Bearer via the
// token server with push scope, TLS with the run's CA) through RegistryClient.
import { type BuiltImage, buildImage, type Blob } from './image';
import { header, type RegistryClient } from './http';
import { SEED_SETS, type SeedSet } from './seeds';
import type { RegistryInfo, SeededImage, SeedSetName } from './types';

/** Built once per process: images depend only on the seed data and /bin/busybox. */
const builtCache = new Map<string, BuiltImage[]>();

export function buildRepo(set: SeedSet, repository: string): BuiltImage[] {
  const key = `${set.name}/${repository}`;
  let built = builtCache.get(key);
  if (!built) {
    const repo = set.repos.find((r) => r.repository === repository);
    if (!repo) throw new Error(`no ${repository} in seed set ${set.name}`);
    built = repo.tags.map((t) => buildImage(repository, t, repo.tags));
    builtCache.set(key, built);
  }
  return built;
}

async function limit<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

function expect(res: { status: number; text(): string }, ok: number[], what: string): void {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text().slice(0, 300)}`);
}

/** Pushes to one registry; remembers which repository holds which blob, to mount instead of re-uploading. */
export class Pusher {
  private readonly blobHome = new Map<string, string>();
  private readonly pushed = new Set<string>();

  constructor(private readonly client: RegistryClient) {}

  async pushBlob(repository: string, blob: Blob): Promise<void> {
    const key = `${repository}@${blob.digest}`;
    if (this.pushed.has(key)) return;
    const scope = `repository:${repository}:pull,push`;
    const head = await this.client.request('HEAD', `/v2/${repository}/blobs/${blob.digest}`, { scope });
    if (head.status === 200) {
      this.pushed.add(key);
      return;
    }
    let location: string | undefined;
    const from = this.blobHome.get(blob.digest);
    if (from && from !== repository) {
      const mountScope = `${scope} repository:${from}:pull`;
      const mount = await this.client.request(
        'POST',
        `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`,
        { scope: mountScope },
      );
      expect(mount, [201, 202], `mount ${blob.digest} into ${repository}`);
      if (mount.status === 201) {
        this.pushed.add(key);
        return;
      }
      location = header(mount, 'location');
    }
    if (!location) {
      const post = await this.client.request('POST', `/v2/${repository}/blobs/uploads/`, { scope });
      expect(post, [202], `start upload to ${repository}`);
      location = header(post, 'location');
    }
    if (!location) throw new Error(`no upload Location from ${repository}`);
    const target = new URL(location, this.client.url);
    target.searchParams.set('digest', blob.digest);
    const put = await this.client.request('PUT', target.pathname + target.search, {
      scope,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.data,
    });
    expect(put, [201], `upload ${blob.digest} to ${repository}`);
    this.pushed.add(key);
    if (!this.blobHome.has(blob.digest)) this.blobHome.set(blob.digest, repository);
  }

  async pushManifest(
    repository: string,
    reference: string,
    mediaType: string,
    data: Buffer,
    digest: string,
  ): Promise<void> {
    const res = await this.client.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      scope: `repository:${repository}:pull,push`,
      headers: { 'Content-Type': mediaType },
      body: data,
    });
    expect(res, [201], `put manifest ${repository}:${reference}`);
    const got = header(res, 'docker-content-digest');
    if (got && got !== digest)
      throw new Error(`registry computed ${got} for ${repository}:${reference}, expected ${digest}`);
  }

  async pushImage(repository: string, image: BuiltImage): Promise<void> {
    // The base layer first and alone, so concurrent tags find it (HEAD / mount) instead of uploading it again.
    for (const b of image.blobs) await this.pushBlob(repository, b);
    for (const c of image.children) await this.pushManifest(repository, c.digest, c.mediaType, c.data, c.digest);
    await this.pushManifest(
      repository,
      image.tag,
      image.manifest.mediaType,
      image.manifest.data,
      image.manifest.digest,
    );
  }
}

export interface SeedTarget {
  info: RegistryInfo;
  client: RegistryClient;
}

/** Pushes one seed set to one registry; returns what it pushed. */
export async function seedRegistry(target: SeedTarget, setName: SeedSetName, concurrency = 4): Promise<SeededImage[]> {
  const set = SEED_SETS[setName];
  const pusher = new Pusher(target.client);
  const out: SeededImage[] = [];
  for (const repo of set.repos) {
    const images = buildRepo(set, repo.repository);
    const [first, ...rest] = images;
    if (!first) continue;
    await pusher.pushImage(repo.repository, first);
    await limit(rest, concurrency, (img) => pusher.pushImage(repo.repository, img));
    for (const img of images) {
      out.push({
        registry: target.info.name,
        host: target.info.host,
        repository: repo.repository,
        tag: img.tag,
        reference: `${target.info.host}/${repo.repository}:${img.tag}`,
        digest: img.manifest.digest,
        mediaType: img.manifest.mediaType,
        size: img.manifest.size,
        platforms: img.platforms,
        ...(img.children.length > 0
          ? {
              children: img.children.map((c) => ({
                platform: c.platform ?? '',
                digest: c.digest,
                mediaType: c.mediaType,
                size: c.size,
              })),
            }
          : {}),
        ...(img.sameAs ? { sameAs: img.sameAs } : {}),
        seedSet: setName,
      });
    }
  }
  return out;
}
