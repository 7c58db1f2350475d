// Release notes for an update, from the image's `org.opencontainers.image.source` label: when it names a GitHub or
// GitLab repository, the page comparing the current and proposed versions and the releases page. Links built from
// the URL alone: nothing is requested, so a compare link may name a tag the repository spells differently
// (`v1.2.0`); the releases page is always there.
import { parseTag } from '../versioning';

export interface ReleaseNotesLinks {
  host: 'github' | 'gitlab';
  /** `https://github.com/owner/repo`, `https://gitlab.com/group/sub/project`. */
  repositoryUrl: string;
  /** `owner/repo`, `group/sub/project`. */
  repository: string;
  /** The compare page between the two versions; null without two different versions. */
  compare: string | null;
  /** The versions the compare page names (`1.2.0`, `1.3.0`: image tags without their variant suffix). */
  from: string | null;
  to: string | null;
  releases: string;
}

/** The version part of an image tag, as a source repository would tag it: `3.12.1-slim-bookworm` -> `3.12.1`. */
export function sourceVersionOf(tag: string): string | null {
  const t = parseTag(tag);
  if (t.type !== 'version') return null;
  let raw = t.raw;
  if (t.commit) raw = raw.slice(0, raw.length - t.commit.length - 1);
  // The image's own build number is not the source's: Bitnami's trailing `-r4`, a `-24` right after the version.
  if (t.build !== null) raw = raw.replace(/-r\d+$/, '');
  if (t.suffix && raw.endsWith(t.suffix)) raw = raw.slice(0, raw.length - t.suffix.length);
  if (t.build !== null) raw = raw.replace(/-r?\d+$/, '');
  return raw || null;
}

/** `owner/repo` parts of a source URL on a GitHub or GitLab host, or null. */
function parseSource(source: string): { host: 'github' | 'gitlab'; origin: string; path: string[] } | null {
  let s = source.trim().replace(/^git\+/, '');
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(s); // git@github.com:owner/repo.git
  if (scp) s = `https://${scp[1]}/${scp[2]}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `https://${s}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  if (!['http:', 'https:', 'ssh:', 'git:'].includes(url.protocol)) return null;
  const hostname = url.hostname.toLowerCase().replace(/^www\./, '');
  const segments = url.pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  if (hostname === 'github.com') {
    const [owner, repo] = segments;
    if (!owner || !repo) return null;
    return { host: 'github', origin: 'https://github.com', path: [owner, repo.replace(/\.git$/, '')] };
  }
  if (hostname === 'gitlab.com' || hostname.startsWith('gitlab.')) {
    const cut = segments.indexOf('-');
    const path = (cut >= 0 ? segments.slice(0, cut) : segments).map((p, i, all) =>
      i === all.length - 1 ? p.replace(/\.git$/, '') : p,
    );
    if (path.length < 2) return null;
    const port = url.protocol === 'https:' || url.protocol === 'http:' ? (url.port ? `:${url.port}` : '') : '';
    return { host: 'gitlab', origin: `https://${hostname}${port}`, path };
  }
  return null;
}

/**
 * The release-notes links for an update from `fromTag` to `toTag` of an image whose source label is `source`;
 * null when the source is not a GitHub or GitLab repository. Pure: no request is made.
 */
export function releaseNotesLinks(
  source: string | null | undefined,
  fromTag: string | null | undefined,
  toTag: string | null | undefined,
): ReleaseNotesLinks | null {
  if (!source) return null;
  const parsed = parseSource(source);
  if (!parsed) return null;
  const repository = parsed.path.join('/');
  const repositoryUrl = `${parsed.origin}/${parsed.path.map(encodeURIComponent).join('/')}`;
  const from = fromTag ? sourceVersionOf(fromTag) : null;
  const to = toTag ? sourceVersionOf(toTag) : null;
  const sep = parsed.host === 'gitlab' ? '/-' : '';
  const compare =
    from && to && from !== to
      ? `${repositoryUrl}${sep}/compare/${encodeURIComponent(from)}...${encodeURIComponent(to)}`
      : null;
  return {
    host: parsed.host,
    repositoryUrl,
    repository,
    compare,
    from: compare ? from : null,
    to: compare ? to : null,
    releases: `${repositoryUrl}${sep}/releases`,
  };
}
