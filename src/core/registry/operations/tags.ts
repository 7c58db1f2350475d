// Tag listing: `GET /v2/<name>/tags/list?n=`, following `Link rel="next"` on the same origin up to a page cap.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
// No Link means the listing is complete (registries that ignore `n` send everything in one page).
import { ProtocolError, redactUrl } from '../errors';
import { headerAll, nextLink } from '../headers';
import { sameOrigin } from '../hosts';
import { parseJson } from '../status';
import type { TagList, TagListOptions } from '../types';
import type { OperationContext } from './context';

export async function listTags(ctx: OperationContext, registry: string, repository: string, opts: TagListOptions = {}): Promise<TagList> {
  const pageSize = opts.pageSize ?? 1000;
  const maxPages = opts.maxPages ?? 50;
  const tags: string[] = [];
  const seen = new Set<string>();
  let path: string | undefined = `/v2/${repository}/tags/list?n=${pageSize}`;
  let pages = 0;
  let stoppedBecause: string | undefined;
  let origin: URL | undefined;
  while (path !== undefined) {
    if (pages >= maxPages) {
      stoppedBecause = `page cap of ${maxPages} reached`;
      break;
    }
    const res = await ctx.auth.request(registry, repository, 'GET', path, { signal: opts.signal, kind: 'tags', accept: 'application/json' });
    pages++;
    origin ??= res.url;
    const data = parseJson(res, registry, repository) as { tags?: unknown; name?: unknown } | null;
    const pageTags = data && Array.isArray(data.tags) ? data.tags.filter((t): t is string => typeof t === 'string') : data && data.tags === null ? [] : undefined;
    if (pageTags === undefined) throw new ProtocolError(`${registry}/${repository}: the tag list has no "tags" array`, { registry, repository, status: res.status, url: res.url.toString() });
    let fresh = 0;
    for (const t of pageTags) {
      if (!seen.has(t)) {
        seen.add(t);
        tags.push(t);
        fresh++;
      }
    }
    const link = nextLink(headerAll(res.headers, 'link'));
    path = undefined;
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
      if (fresh === 0 && pageTags.length > 0) {
        stoppedBecause = 'next page repeated tags already seen (registry ignores last)';
        break;
      }
      path = next.pathname + next.search;
    }
  }
  return { registry, repository, tags, pages, truncated: stoppedBecause !== undefined, ...(stoppedBecause ? { stoppedBecause } : {}) };
}
