// What a registry says about one image beyond its digest: the platforms of its index and its config labels
// (where the image's source and version are). Read on demand (the hover), and immutable per digest, so callers
// may cache the answer for as long as they like.
import { indexOf, type RegistryClient, type RequestOptions } from '../registry';
import { hostPlatform, samePlatform } from './platform';

export interface ImageDetails {
  /** The digest the details were read for (the index's when there is one). */
  digest: string;
  /** `os/arch[/variant]` of each child of an index; empty for a single-platform image. */
  platforms: string[];
  /** The platform whose config was read (the host's when the index has it, else the first). */
  configPlatform: string | null;
  /** Config `created`, ISO 8601, when present. */
  created: string | null;
  labels: Record<string, string>;
  /** `org.opencontainers.image.source` when it is an http(s) URL. */
  source: string | null;
  /** `org.opencontainers.image.revision` / `.version`, when present. */
  revision: string | null;
  version: string | null;
}

type Client = Pick<RegistryClient, 'getManifest' | 'getJsonBlob'>;

const httpUrl = (v: string | undefined): string | null => {
  if (!v) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
};

/** Platforms and labels of `registry/repository@reference` (a tag or a digest): at most 3 small requests. */
export async function imageDetails(
  client: Client,
  registry: string,
  repository: string,
  reference: string,
  opts: RequestOptions & { platform?: string } = {},
): Promise<ImageDetails> {
  const top = await client.getManifest(registry, repository, reference, opts);
  const index = indexOf(top);
  const wanted = opts.platform ?? hostPlatform();
  const child = index.isIndex
    ? (index.platforms.find((p) => samePlatform(p.platform, wanted)) ?? index.platforms[0])
    : undefined;
  const manifest = child ? await client.getManifest(registry, repository, child.digest, opts) : top;
  const configDigest = (manifest.body as { config?: { digest?: unknown } } | null)?.config?.digest;
  let config: {
    created?: unknown;
    os?: unknown;
    architecture?: unknown;
    variant?: unknown;
    config?: { Labels?: unknown };
  } = {};
  if (typeof configDigest === 'string') {
    const blob = await client.getJsonBlob(registry, repository, configDigest, opts);
    if (typeof blob === 'object' && blob !== null) config = blob;
  }
  const labels: Record<string, string> = {};
  const raw = config.config?.Labels;
  if (typeof raw === 'object' && raw !== null)
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') labels[k] = v;
  const configPlatform =
    child?.platform ??
    (typeof config.os === 'string' && typeof config.architecture === 'string'
      ? [
          config.os,
          config.architecture,
          ...(typeof config.variant === 'string' && config.variant ? [config.variant] : []),
        ].join('/')
      : null);
  return {
    digest: top.digest,
    platforms: index.platforms.map((p) => p.platform),
    configPlatform,
    created: typeof config.created === 'string' ? config.created : null,
    labels,
    source: httpUrl(labels['org.opencontainers.image.source']),
    revision: labels['org.opencontainers.image.revision'] ?? null,
    version: labels['org.opencontainers.image.version'] ?? null,
  };
}
