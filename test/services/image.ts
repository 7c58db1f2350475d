// Builds container images in memory, deterministically: a ustar writer with fixed mtime/uid/gid, gzip with no
// timestamp, config JSON without run-time data, and Docker/OCI manifests and indexes. Same inputs, same digests.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { SOURCE_URL, type SeedKind, type SeedTag, seedPlatforms } from './seeds';

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The four manifest types, for an Accept header that gets every manifest as stored. */
export const MANIFEST_ACCEPT = [MT.dockerManifest, MT.dockerList, MT.ociManifest, MT.ociIndex].join(', ');

/** Fixed mtime of every tar entry: 2024-01-01T00:00:00Z. */
export const FIXED_MTIME = 1_704_067_200;

export const sha256 = (data: Buffer | string): string => 'sha256:' + createHash('sha256').update(data).digest('hex');

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; data: Buffer }
  | { type: 'symlink'; path: string; target: string };

function octal(value: number, width: number): string {
  // width includes the trailing NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(name: string, mode: number, size: number, typeflag: string, linkname: string): Buffer {
  const h = Buffer.alloc(512);
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar path too long: ${name}`);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(FIXED_MTIME, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(octal(0, 8), 329, 8, 'ascii');
  h.write(octal(0, 8), 337, 8, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** A ustar archive of the entries, in the given order, uid/gid 0, mtime FIXED_MTIME. */
export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'dir') {
      parts.push(tarHeader(e.path.replace(/\/?$/, '/'), e.mode ?? 0o755, 0, '5', ''));
    } else if (e.type === 'symlink') {
      parts.push(tarHeader(e.path, 0o777, 0, '2', e.target));
    } else {
      parts.push(tarHeader(e.path, e.mode ?? 0o644, e.data.length, '0', ''));
      parts.push(e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface Blob {
  digest: string;
  size: number;
  data: Buffer;
  mediaType: string;
}

export interface Layer {
  /** gzip blob (digest of the compressed bytes). */
  blob: Buffer;
  digest: string;
  /** digest of the uncompressed tar (rootfs.diff_ids). */
  diffId: string;
}

export function layer(entries: TarEntry[]): Layer {
  const t = tar(entries);
  const blob = gzipSync(t, { level: 6 }); // Node writes mtime 0 and no file name: deterministic
  return { blob, digest: sha256(blob), diffId: sha256(t) };
}

export const BUSYBOX_APPLETS = ['sh', 'cat', 'echo', 'ls', 'sleep', 'env', 'wget'];

let busyboxLayerCache: Layer | undefined;
/** The shared base layer: /bin/busybox (a copy of this machine's /bin/busybox) plus applet symlinks, /tmp. */
export function busyboxLayer(busyboxPath = '/bin/busybox'): Layer {
  if (!busyboxLayerCache) {
    const entries: TarEntry[] = [
      { type: 'dir', path: 'bin' },
      { type: 'file', path: 'bin/busybox', mode: 0o755, data: readFileSync(busyboxPath) },
      ...BUSYBOX_APPLETS.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
      { type: 'dir', path: 'tmp', mode: 0o1777 },
    ];
    busyboxLayerCache = layer(entries);
  }
  return busyboxLayerCache;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(p: string): Platform {
  const [os = 'linux', architecture = 'amd64', variant] = p.split('/');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export interface BuiltManifest {
  mediaType: string;
  digest: string;
  size: number;
  data: Buffer;
  platform?: string;
}

/** Everything to push for one tag: blobs, child manifests (by digest), and the tagged manifest. */
export interface BuiltImage {
  tag: string;
  sameAs?: string;
  kind: SeedKind;
  blobs: Blob[];
  children: BuiltManifest[];
  manifest: BuiltManifest;
  platforms: string[];
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A deterministic 'created' for a content tag: 2024-01-01 plus its position in the repository (days). */
function createdFor(index: number): string {
  return new Date((FIXED_MTIME + index * 86_400) * 1000).toISOString().replace('.000Z', 'Z');
}

function singleImage(
  repository: string,
  contentTag: string,
  platform: string,
  oci: boolean,
  createdIndex: number,
): { blobs: Blob[]; manifest: BuiltManifest } {
  const base = busyboxLayer();
  const p = parsePlatform(platform);
  const top = layer([
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/version', data: Buffer.from(contentTag + '\n') },
    { type: 'file', path: 'etc/platform', data: Buffer.from(platform + '\n') },
  ]);
  const created = createdFor(createdIndex);
  const config = json({
    architecture: p.architecture,
    ...(p.variant ? { variant: p.variant } : {}),
    os: p.os,
    created,
    config: {
      Env: ['PATH=/bin'],
      Cmd: ['/bin/sh'],
      Labels: {
        'org.opencontainers.image.source': SOURCE_URL(repository),
        'org.opencontainers.image.version': contentTag,
        'org.opencontainers.image.title': repository,
      },
    },
    rootfs: { type: 'layers', diff_ids: [base.diffId, top.diffId] },
    history: [
      { created, created_by: 'registry-lens test seed: busybox base layer' },
      { created, created_by: `registry-lens test seed: /etc/version ${contentTag}` },
    ],
  });
  const configMt = oci ? MT.ociConfig : MT.dockerConfig;
  const layerMt = oci ? MT.ociLayer : MT.dockerLayer;
  const blobs: Blob[] = [
    { digest: base.digest, size: base.blob.length, data: base.blob, mediaType: layerMt },
    { digest: top.digest, size: top.blob.length, data: top.blob, mediaType: layerMt },
    { digest: sha256(config), size: config.length, data: config, mediaType: configMt },
  ];
  const mediaType = oci ? MT.ociManifest : MT.dockerManifest;
  const data = json({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configMt, size: config.length, digest: sha256(config) },
    layers: [
      { mediaType: layerMt, size: base.blob.length, digest: base.digest },
      { mediaType: layerMt, size: top.blob.length, digest: top.digest },
    ],
  });
  return { blobs, manifest: { mediaType, digest: sha256(data), size: data.length, data, platform } };
}

/** Builds one seed tag of a repository. `tags` is the repository's tag list (for sameAs and created dates). */
export function buildImage(repository: string, tag: SeedTag, tags: SeedTag[]): BuiltImage {
  const contentTag = tag.sameAs ?? tag.tag;
  const content = tags.find((t) => t.tag === contentTag) ?? tag;
  const createdIndex = Math.max(0, tags.indexOf(content));
  const platforms = seedPlatforms(content);
  const base = { tag: tag.tag, kind: content.kind, platforms, ...(tag.sameAs ? { sameAs: tag.sameAs } : {}) };
  if (content.kind === 'docker' || content.kind === 'oci') {
    const { blobs, manifest } = singleImage(
      repository,
      contentTag,
      platforms[0] ?? 'linux/amd64',
      content.kind === 'oci',
      createdIndex,
    );
    return { ...base, blobs, children: [], manifest };
  }
  const oci = content.kind === 'oci-index';
  const blobs: Blob[] = [];
  const children: BuiltManifest[] = [];
  for (const platform of platforms) {
    const child = singleImage(repository, contentTag, platform, oci, createdIndex);
    blobs.push(...child.blobs);
    children.push(child.manifest);
  }
  const mediaType = oci ? MT.ociIndex : MT.dockerList;
  const data = json({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c) => ({
      mediaType: c.mediaType,
      size: c.size,
      digest: c.digest,
      platform: parsePlatform(c.platform ?? 'linux/amd64'),
    })),
  });
  return { ...base, blobs, children, manifest: { mediaType, digest: sha256(data), size: data.length, data } };
}
