// Manifests: the digest by `HEAD` (all four manifest media types), the body by `GET`, verified against its digest.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
// HEAD first: it does not count as a Docker Hub pull. GET only when HEAD had no usable `Docker-Content-Digest`.
import { createHash } from 'node:crypto';
import { ProtocolError } from '../errors';
import { header } from '../headers';
import { baseMediaType, MANIFEST_MEDIA_TYPES } from '../mediaTypes';
import { parseJson } from '../status';
import type { Manifest, ManifestDescriptor, RequestOptions } from '../types';
import type { OperationContext } from './context';

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

/** The digest of a tag or digest reference by HEAD; falls back to GET + sha256 when HEAD names no digest. */
export async function headManifest(
  ctx: OperationContext,
  registry: string,
  repository: string,
  reference: string,
  opts: RequestOptions = {},
): Promise<ManifestDescriptor> {
  const res = await ctx.auth.request(registry, repository, 'HEAD', manifestPath(repository, reference), {
    signal: opts.signal,
    kind: 'head',
    accept: MANIFEST_MEDIA_TYPES.join(', '),
  });
  const digest = header(res.headers, 'docker-content-digest');
  const len = Number.parseInt(header(res.headers, 'content-length') ?? '', 10);
  const rl = ctx.rateLimit(registry);
  if (digest && DIGEST.test(digest)) {
    return {
      registry,
      repository,
      reference,
      digest,
      mediaType: baseMediaType(header(res.headers, 'content-type')),
      size: Number.isFinite(len) ? len : undefined,
      via: 'head',
      ...(rl ? { rateLimit: rl } : {}),
    };
  }
  const m = await getManifest(ctx, registry, repository, reference, opts);
  return { ...m, via: 'get' };
}

/** `GET` a manifest; the digest is the registry's (verified against the body) or the body's sha256. */
export async function getManifest(
  ctx: OperationContext,
  registry: string,
  repository: string,
  reference: string,
  opts: RequestOptions = {},
): Promise<Manifest> {
  const res = await ctx.auth.request(registry, repository, 'GET', manifestPath(repository, reference), {
    signal: opts.signal,
    kind: 'get',
    accept: MANIFEST_MEDIA_TYPES.join(', '),
  });
  const computed = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
  const said = header(res.headers, 'docker-content-digest');
  const refDigest = reference.includes(':') ? reference : undefined;
  for (const expected of [said, refDigest]) {
    if (expected === undefined) continue;
    if (expected.startsWith('sha256:') && expected !== computed) {
      throw new ProtocolError(
        `${registry}/${repository}@${expected}: the manifest body hashes to ${computed}, not the digest the registry named`,
        {
          registry,
          repository,
          status: res.status,
          url: res.url.toString(),
        },
      );
    }
  }
  const body = parseJson(res, registry, repository);
  const declared =
    typeof body === 'object' && body !== null && typeof (body as { mediaType?: unknown }).mediaType === 'string'
      ? (body as { mediaType: string }).mediaType
      : undefined;
  const contentType = baseMediaType(header(res.headers, 'content-type'));
  if (
    declared !== undefined &&
    contentType !== undefined &&
    MANIFEST_MEDIA_TYPES.includes(contentType) &&
    declared !== contentType
  ) {
    throw new ProtocolError(
      `${registry}/${repository}:${reference}: Content-Type ${contentType} but the manifest says ${declared}`,
      { registry, repository, url: res.url.toString() },
    );
  }
  const rl = ctx.rateLimit(registry);
  return {
    registry,
    repository,
    reference,
    digest: said?.startsWith('sha256:') ? said : (said ?? computed),
    mediaType: declared ?? contentType,
    size: res.body.length,
    via: 'get',
    body,
    raw: res.body,
    ...(rl ? { rateLimit: rl } : {}),
  };
}
