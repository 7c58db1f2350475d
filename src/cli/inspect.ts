import {
  compareVersions,
  decideUpdates,
  familiarName,
  isRegistryError,
  parseReference,
  parseTag,
  type ImageIndex,
  type ManifestDescriptor,
  type VersionTag,
} from '../core';
import type { CliIo } from './io';
import {
  checkRegistryFlags,
  cliRegistryClient,
  describeFailure,
  parseSingleTargetArgs,
  REGISTRY_FLAGS_USAGE,
} from './registryFlags';

export const INSPECT_USAGE = `Usage: registry-lens inspect IMAGE [--json] [registry flags]

Looks an image up in its registry: the digest and media type the tag (or digest) points at, the platforms of a
multi-platform index with their digests, how many tags the repository has, the newest version tags of the same
line (-alpine stays -alpine), and the newest patch / minor / major update for IMAGE's own tag. IMAGE is written as in a Dockerfile
(nginx:1.25, ghcr.io/org/app@sha256:..., localhost:5000/app); no tag means "latest".

  --json   print one JSON object: { reference, digest, mediaType, size, isIndex, platforms[], tagCount,
           newestTags[], updates[] {kind, tag} }

${REGISTRY_FLAGS_USAGE}

Exit codes: 0 found, 2 not found, invalid IMAGE, or a registry error.
`;

const NEWEST = 10;

export interface InspectJson {
  reference: string;
  registry: string;
  repository: string;
  digest: string;
  mediaType: string | null;
  size: number | null;
  isIndex: boolean;
  platforms: { platform: string; digest: string }[];
  tagCount: number;
  newestTags: string[];
  updates: { kind: string; tag: string }[];
}

export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseSingleTargetArgs('inspect', INSPECT_USAGE, args, io);
  if (typeof parsed === 'number') return parsed;
  const { target: image, json, flags } = parsed;
  if (!image) {
    io.stderr('registry-lens inspect: which image? Run "registry-lens inspect IMAGE" (for example nginx:1.27).\n');
    return 2;
  }
  let ref;
  try {
    ref = parseReference(image);
  } catch (e) {
    io.stderr(`registry-lens inspect: "${image}" is not an image reference: ${describeFailure(e)}\n`);
    return 2;
  }
  const tag = ref.tag ?? (ref.digest ? null : 'latest');
  const target = ref.digest ?? tag ?? 'latest';
  const flagError = await checkRegistryFlags(flags, io.cwd);
  if (flagError) {
    io.stderr(`registry-lens inspect: ${flagError}\n`);
    return 2;
  }
  const { client, close } = cliRegistryClient(io, flags);
  try {
    const [head, index, tags] = await Promise.all([
      client.headManifest(ref.registry, ref.repository, target),
      client.getIndex(ref.registry, ref.repository, target),
      client.listTags(ref.registry, ref.repository),
    ]);
    // Newest releases of IMAGE's own line (`-alpine` stays with `-alpine`); plain versions when IMAGE has no version tag.
    const own = tag ? parseTag(tag) : null;
    const line = own?.type === 'version' ? own.suffix : '';
    const versions = tags.tags
      .map(parseTag)
      .filter((t): t is VersionTag => t.type === 'version' && !t.prerelease && t.suffix === line);
    const newestTags = versions
      .sort((a, b) => compareVersions(b, a))
      .slice(0, NEWEST)
      .map((t) => t.raw);
    const updates = tag
      ? decideUpdates({ tag, digestPinned: ref.digest !== null, tags: tags.tags }).updates.map((u) => ({
          kind: u.kind,
          tag: u.tag,
        }))
      : [];
    const out = toJson(
      `${ref.registry}/${ref.repository}${tag ? `:${tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`,
      ref.registry,
      ref.repository,
      head,
      index,
      tags.tags.length,
      newestTags,
      updates,
    );
    if (json) io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    else io.stdout(describe(familiarName(ref), out, tags.truncated));
    return 0;
  } catch (e) {
    const message = describeFailure(e);
    if (json)
      io.stdout(
        `${JSON.stringify({ reference: image, error: { code: isRegistryError(e) ? e.code : 'error', message } }, null, 2)}\n`,
      );
    else io.stderr(`registry-lens inspect: ${message}\n`);
    return 2;
  } finally {
    await close();
  }
}

function toJson(
  reference: string,
  registry: string,
  repository: string,
  head: ManifestDescriptor,
  index: ImageIndex,
  tagCount: number,
  newestTags: string[],
  updates: { kind: string; tag: string }[],
): InspectJson {
  return {
    reference,
    registry,
    repository,
    digest: head.digest,
    mediaType: head.mediaType ?? null,
    size: head.size ?? null,
    isIndex: index.isIndex,
    platforms: index.platforms.map((p) => ({ platform: p.platform, digest: p.digest })),
    tagCount,
    newestTags,
    updates,
  };
}

function describe(name: string, j: InspectJson, truncated: boolean): string {
  const lines = [
    `${name}`,
    `  digest:      ${j.digest}`,
    `  media type:  ${j.mediaType ?? 'unknown'}${j.size !== null ? ` (${j.size} bytes)` : ''}`,
  ];
  if (j.isIndex) {
    lines.push(`  platforms:   ${j.platforms.length}`);
    for (const p of j.platforms) lines.push(`    ${p.platform.padEnd(16)} ${p.digest}`);
  } else {
    lines.push('  platforms:   single-platform image');
  }
  lines.push(`  tags:        ${j.tagCount}${truncated ? '+ (listing stopped early)' : ''}`);
  lines.push(`  newest:      ${j.newestTags.length ? j.newestTags.join(', ') : 'no version tags'}`);
  if (j.updates.length) lines.push(`  updates:     ${j.updates.map((u) => `${u.tag} (${u.kind})`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
