// Blobs: a JSON blob by digest (an image's config: labels, created time, platform), verified against the digest.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
// Blob GETs often redirect to storage on another host: the wire follows them without `Authorization` there.
import { createHash } from 'node:crypto';
import { ProtocolError } from '../errors';
import { parseJson } from '../status';
import type { RequestOptions } from '../types';
import type { OperationContext } from './context';

export async function getJsonBlob(
  ctx: OperationContext,
  registry: string,
  repository: string,
  digest: string,
  opts: RequestOptions = {},
): Promise<unknown> {
  const res = await ctx.auth.request(registry, repository, 'GET', `/v2/${repository}/blobs/${digest}`, {
    signal: opts.signal,
    kind: 'get',
  });
  if (digest.startsWith('sha256:')) {
    const computed = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    if (computed !== digest) {
      throw new ProtocolError(`${registry}/${repository}@${digest}: the blob hashes to ${computed}`, {
        registry,
        repository,
        status: res.status,
        url: res.url.toString(),
      });
    }
  }
  return parseJson(res, registry, repository);
}
