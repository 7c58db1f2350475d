// Image indexes: the platforms and child digests of an index / manifest list (a single manifest: `isIndex: false`).
// Spec: https://github.com/opencontainers/image-spec/blob/main/image-index.md
import { ProtocolError } from '../errors';
import { isIndexMediaType } from '../mediaTypes';
import type { ImageIndex, Manifest, PlatformEntry } from '../types';

/** The platforms and child digests of a fetched manifest when it is an index / manifest list (else `isIndex: false`). */
export function indexOf(m: Manifest): ImageIndex {
  const { registry, repository, reference } = m;
  if (!isIndexMediaType(m.mediaType))
    return { digest: m.digest, mediaType: m.mediaType, isIndex: false, platforms: [] };
  const manifests = (m.body as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests))
    throw new ProtocolError(`${registry}/${repository}:${reference}: index without "manifests"`, {
      registry,
      repository,
    });
  const platforms: PlatformEntry[] = [];
  for (const d of manifests as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const desc = d as {
      digest?: unknown;
      mediaType?: unknown;
      size?: unknown;
      platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
    };
    const p = desc.platform;
    if (typeof desc.digest !== 'string' || !p || typeof p.os !== 'string' || typeof p.architecture !== 'string')
      continue;
    if (p.os === 'unknown' && p.architecture === 'unknown') continue; // attestation manifests (buildx)
    const variant = typeof p.variant === 'string' && p.variant ? p.variant : undefined;
    platforms.push({
      platform: [p.os, p.architecture, ...(variant ? [variant] : [])].join('/'),
      os: p.os,
      architecture: p.architecture,
      ...(variant ? { variant } : {}),
      digest: desc.digest,
      mediaType: typeof desc.mediaType === 'string' ? desc.mediaType : undefined,
      size: typeof desc.size === 'number' ? desc.size : undefined,
    });
  }
  return { digest: m.digest, mediaType: m.mediaType, isIndex: true, platforms };
}
