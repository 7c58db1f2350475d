import { InvalidReferenceError } from './errors';
import {
  DIGEST,
  DIGEST_HEX_LENGTH,
  DOMAIN_AND_PORT,
  IDENTIFIER,
  LOWER_HEX,
  NAME_TOTAL_LENGTH_MAX,
  PATH_COMPONENT,
  TAG,
  TAG_LENGTH_MAX,
} from './grammar';
import { DOCKER_HUB, normalizeHost } from './registry';

/**
 * A parsed, normalised image reference. The original text travels with the parts.
 * - `registry`: the normalised host[:port], lower case, `docker.io` for every Docker Hub alias.
 * - `repository`: the path on that registry, `library/` added for one-segment Docker Hub names.
 * - `tag` / `digest`: as written, `null` when absent (no implicit `latest`: the checker decides).
 * - `name`: `registry/repository` (an upper-case dotless host keeps its case here: `Foo/bar`, registry `foo`);
 *   `canonical`: `name[:tag][@digest]`.
 */
export interface ImageReference {
  readonly original: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string | null;
  readonly name: string;
  readonly canonical: string;
}

/** Where the tag and the digest sit in the parsed input ([start, end) offsets), for extractors mapping edits. */
export interface ReferenceSpans {
  readonly tag: readonly [number, number] | null;
  readonly digest: readonly [number, number] | null;
}

/**
 * Parses `input` with the distribution grammar and normalises it as docker does (distribution/reference
 * ParseNormalizedNamed), with every Docker Hub alias folded into `docker.io`.
 * Throws {@link InvalidReferenceError}; nothing else.
 */
export function parseReference(input: string): ImageReference {
  return parseReferenceWithSpans(input).reference;
}

/** {@link parseReference}, returning the reference or the error instead of throwing. */
export function tryParseReference(input: string): ImageReference | InvalidReferenceError {
  try {
    return parseReference(input);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return err;
    throw err;
  }
}

/** {@link parseReference} plus where the tag and digest are in `input`. */
export function parseReferenceWithSpans(input: string): { reference: ImageReference; spans: ReferenceSpans } {
  const fail = (code: InvalidReferenceError['code'], reason: string): never => {
    throw new InvalidReferenceError(code, input, reason);
  };
  if (input === '') fail('empty', 'empty reference');
  if (IDENTIFIER.test(input)) fail('identifier', 'a 64-character hexadecimal image ID is not a repository name');

  let rest = input;
  let digest: string | null = null;
  let digestSpan: [number, number] | null = null;
  const at = input.indexOf('@');
  if (at >= 0) {
    digest = input.slice(at + 1);
    digestSpan = [at + 1, input.length];
    rest = input.slice(0, at);
    const m = DIGEST.exec(digest);
    if (!m) fail('digest-format', `digest "${digest}" is not algorithm:hex (at least 32 hex digits)`);
    const algorithm = m?.[1] ?? '';
    const hex = m?.[2] ?? '';
    const expected = DIGEST_HEX_LENGTH[algorithm];
    if (expected === undefined)
      fail('digest-algorithm', `digest algorithm "${algorithm}" is not supported (sha256, sha384, sha512)`);
    if (hex.length !== expected)
      fail('digest-length', `a ${algorithm} digest has ${expected} hex digits, not ${hex.length}`);
    if (!LOWER_HEX.test(hex)) fail('digest-format', `the ${algorithm} digest must be lower-case hex`);
  }

  let name = rest;
  let tag: string | null = null;
  let tagSpan: [number, number] | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.includes('/', colon)) {
    tag = rest.slice(colon + 1);
    tagSpan = [colon + 1, colon + 1 + tag.length];
    name = rest.slice(0, colon);
    if (!TAG.test(tag))
      fail(
        'tag-format',
        tag === ''
          ? 'empty tag after ":"'
          : `tag "${tag}" may only hold letters, digits, "_", "." and "-" and cannot start with "." or "-"`,
      );
    if (tag.length > TAG_LENGTH_MAX)
      fail('tag-too-long', `the tag is ${tag.length} characters long (at most ${TAG_LENGTH_MAX})`);
  }
  if (name === '') fail('format', 'no repository name');

  // A first segment is a host when it has "." or ":", is "localhost", or has an upper-case letter: repository
  // components are lower case, so distribution's splitDockerDomain reads "Foo/bar" as host Foo, repository bar.
  let host: string | null = null;
  let path = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (readsAsHost(first) || first !== first.toLowerCase()) {
      host = first;
      path = name.slice(slash + 1);
    }
  }
  if (host !== null && !DOMAIN_AND_PORT.test(host)) fail('host', `"${host}" is not a valid registry host[:port]`);
  for (const component of path.split('/')) {
    if (PATH_COMPONENT.test(component)) continue;
    if (component !== '' && PATH_COMPONENT.test(component.toLowerCase()))
      fail('uppercase', `repository "${path}" must be lower case`);
    fail(
      'format',
      component === ''
        ? `repository "${path}" has an empty path component`
        : `"${component}" is not a valid repository path component`,
    );
  }

  const registry = host === null ? DOCKER_HUB : normalizeHost(host);
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  // The limit is on the repository path alone (distribution's RepositoryNameTotalLengthMax), `library/` included.
  if (repository.length > NAME_TOTAL_LENGTH_MAX)
    fail(
      'name-too-long',
      `the repository path is ${repository.length} characters long (at most ${NAME_TOTAL_LENGTH_MAX})`,
    );
  // The registry key is lower case (host names are case-insensitive). The name keeps the host as written when
  // its lower-case form would no longer read as a host ("Foo/bar" -> key "foo", name "Foo/bar"), so the name and
  // canonical form parse back to the same registry instead of to a Docker Hub repository.
  const nameHost = host !== null && !readsAsHost(registry) ? host : registry;
  const fullName = `${nameHost}/${repository}`;
  const canonical = fullName + (tag === null ? '' : `:${tag}`) + (digest === null ? '' : `@${digest}`);
  return {
    reference: { original: input, registry, repository, tag, digest, name: fullName, canonical },
    spans: { tag: tagSpan, digest: digestSpan },
  };
}

/** "." or ":" or exactly "localhost": a host whatever its case. */
function readsAsHost(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

/** The short form docker prints: `alpine:3.19` for `docker.io/library/alpine:3.19`, `user/app` for Hub users. */
export function familiarName(ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB) {
    name =
      ref.repository.startsWith('library/') && ref.repository.indexOf('/', 8) < 0
        ? ref.repository.slice(8)
        : ref.repository;
  }
  return name + (ref.tag === null ? '' : `:${ref.tag}`) + (ref.digest === null ? '' : `@${ref.digest}`);
}
