/**
 * Why a string is not an image reference (or a registry host). Stable strings: tests, the CLI's
 * `skip.detail` and later diagnostics may key on them.
 *
 * - `empty`             nothing to parse
 * - `format`            does not match the distribution grammar (stray characters, misplaced `:`/`@`/`/`)
 * - `host`              the registry part is not a valid host[:port] (domain name, IPv4, or `[IPv6]`)
 * - `uppercase`         the repository path has upper-case letters (only hosts may)
 * - `name-too-long`     the repository path (after `library/` is added) is longer than 255 characters
 * - `identifier`        the name is a bare 64-hex image ID, which the grammar forbids as a repository
 * - `tag-format`        the tag does not match `[\w][\w.-]*`
 * - `tag-too-long`      the tag is longer than 128 characters
 * - `digest-format`     the digest is not `algorithm:hex` (hex at least 32 characters)
 * - `digest-algorithm`  the digest algorithm is not one we can verify (sha256, sha384, sha512)
 * - `digest-length`     the hex part has the wrong length for its algorithm (or is not lower-case hex)
 * - `registry`          a registry host/URL a user typed is not usable (see normalizeRegistry)
 */
export type InvalidReferenceCode =
  | 'empty'
  | 'format'
  | 'host'
  | 'uppercase'
  | 'name-too-long'
  | 'identifier'
  | 'tag-format'
  | 'tag-too-long'
  | 'digest-format'
  | 'digest-algorithm'
  | 'digest-length'
  | 'registry';

/**
 * The one error the reference parser throws. `input` is the text as given; `code` says what is wrong.
 * Check with {@link isInvalidReferenceError} (compares `name`: two bundles may carry two copies of the class).
 */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError' as const;
  readonly code: InvalidReferenceCode;
  readonly input: string;

  constructor(code: InvalidReferenceCode, input: string, reason: string) {
    super(`invalid reference ${JSON.stringify(input)}: ${reason}`);
    this.code = code;
    this.input = input;
  }
}

export function isInvalidReferenceError(err: unknown): err is InvalidReferenceError {
  return (
    err instanceof Error && err.name === 'InvalidReferenceError' && typeof (err as { code?: unknown }).code === 'string'
  );
}
