// Tag listing: `GET /v2/<name>/tags/list?n=`, following `Link rel="next"` on the same origin up to a page cap.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
// No Link means the listing is complete (registries that ignore `n` send everything in one page) — unless the
// page is full. Where a registry's Link is unusable — a next URL for another repository path (Artifactory drops
// the repository key, Nexus names `/repository/<name>/`) or one that answers 400/404 — and where a full page comes
// without a Link (Nexus), the next page is asked from the original URL with `last=` (the spec's own paging).
// A registry that refuses `n` over 100 (Quay) is asked again with 100.
import { ProtocolError, redactUrl } from '../errors';
import { headerAll, nextLink } from '../headers';
import { sameOrigin } from '../hosts';
import { parseJson, statusError } from '../status';
import type { TagList, TagListOptions } from '../types';
import type { OperationContext } from './context';

export async function listTags(
  ctx: OperationContext,
  registry: string,
  repository: string,
  opts: TagListOptions = {},
): Promise<TagList> {
  let pageSize = opts.pageSize ?? 1000;
  const maxPages = opts.maxPages ?? 50;
  const tags: string[] = [];
  const seen = new Set<string>();
  const tagsPath = `/v2/${repository}/tags/list`;
  const fromOriginal = (last: string): string => `${tagsPath}?n=${pageSize}&last=${encodeURIComponent(last)}`;
  let path: string | undefined = `${tagsPath}?n=${pageSize}`;
  let viaLink = false;
  let probing = false;
  let lastTag: string | undefined;
  let pages = 0;
  let stoppedBecause: string | undefined;
  let origin: URL | undefined;
  while (path !== undefined) {
    if (pages >= maxPages) {
      stoppedBecause = `page cap of ${maxPages} reached`;
      break;
    }
    const res = await ctx.auth.request(registry, repository, 'GET', path, {
      signal: opts.signal,
      kind: 'tags',
      accept: 'application/json',
      tolerate: [400, 404],
    });
    if (res.status >= 400) {
      if (pages === 0 && res.status === 400 && pageSize > 100) {
        ctx.log(`${registry}/${repository}: the tag list refused n=${pageSize}; asking with n=100`);
        pageSize = 100;
        path = `${tagsPath}?n=${pageSize}`;
        continue;
      }
      if (viaLink && lastTag !== undefined && (res.status === 400 || res.status === 404)) {
        ctx.log(
          `${registry}/${repository}: the Link next page answered ${res.status}; paging from the original URL with last=`,
        );
        viaLink = false;
        path = fromOriginal(lastTag);
        continue;
      }
      throw statusError(res, {
        registry,
        repository,
        what: 'tags',
        cred: await ctx.auth.credential(registry, opts.signal, repository),
        now: ctx.now,
      });
    }
    pages++;
    origin ??= res.url;
    const data = parseJson(res, registry, repository) as { tags?: unknown; name?: unknown } | null;
    const pageTags =
      data && Array.isArray(data.tags)
        ? data.tags.filter((t): t is string => typeof t === 'string')
        : data && data.tags === null
          ? []
          : undefined;
    if (pageTags === undefined)
      throw new ProtocolError(`${registry}/${repository}: the tag list has no "tags" array`, {
        registry,
        repository,
        status: res.status,
        url: res.url.toString(),
      });
    let fresh = 0;
    for (const t of pageTags) {
      if (!seen.has(t)) {
        seen.add(t);
        tags.push(t);
        fresh++;
      }
    }
    if (pageTags.length > 0 && fresh === 0) {
      // A probe after a full page without Link that repeats it: the registry ignores `last`, and sent everything.
      if (pages > 1 && !probing) stoppedBecause = 'next page repeated tags already seen (registry ignores last)';
      break;
    }
    const pageLast = pageTags[pageTags.length - 1];
    const link = nextLink(headerAll(res.headers, 'link'));
    path = undefined;
    viaLink = false;
    probing = false;
    if (link !== undefined) {
      let next: URL;
      try {
        next = new URL(link, res.url);
      } catch {
        stoppedBecause = 'unparsable Link header';
        break;
      }
      if (!sameOrigin(next, origin)) {
        stoppedBecause = `next page on another origin refused (${redactUrl(next.origin)})`;
        ctx.log(`${registry}/${repository}: ${stoppedBecause}`);
        break;
      }
      if (next.pathname === tagsPath) {
        path = next.pathname + next.search;
        viaLink = true;
      } else if (pageLast !== undefined) {
        ctx.log(
          `${registry}/${repository}: the Link next page names another path (${redactUrl(next.pathname)}); paging from the original URL with last=`,
        );
        path = fromOriginal(pageLast);
      }
    } else if (pageLast !== undefined && pageTags.length >= pageSize) {
      // A full page and no Link: some registries (Nexus) page without saying so.
      path = fromOriginal(pageLast);
      probing = true;
    }
    // Otherwise no Link: the listing is complete (registries that ignore `n` send everything in one page).
    lastTag = pageLast ?? lastTag;
  }
  return {
    registry,
    repository,
    tags,
    pages,
    truncated: stoppedBecause !== undefined,
    ...(stoppedBecause ? { stoppedBecause } : {}),
  };
}
