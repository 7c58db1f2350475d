// What a check says about one image occurrence. Plain data: the CLI prints it, the extension turns it into tree
// items and diagnostics (the `code` is the diagnostic code and what code actions filter on).
import type { Occurrence } from '../extract';
import type { UpdateKind } from '../versioning';

/**
 * - `current`         nothing to do
 * - `update`          a newer tag of the same line exists (`updates` holds the newest of each kind)
 * - `digest-changed`  the pinned `@sha256:` is no longer what the tag points at (`updates` holds the refreshed digest)
 * - `unpinned`        a rolling tag (`latest`, a word) without a digest, or a pin the policy asks for: nothing to
 *                     compare against; `updates` may hold a `pin`
 * - `skipped`         not checked (a build stage, an unresolved variable, ignored by policy, ...)
 * - `error`           the registry could not answer; `error` says why
 */
export type FindingStatus = 'current' | 'update' | 'digest-changed' | 'unpinned' | 'skipped' | 'error';

export const FINDING_STATUSES: readonly FindingStatus[] = ['current', 'update', 'digest-changed', 'unpinned', 'skipped', 'error'];

/**
 * Stable string codes, one per kind of finding (STYLE.md rule 4: strings, because `Diagnostic.code` round-trips
 * as `string | number`). Not an API promise beyond this list: codes may be added, never silently repurposed.
 */
export const FINDING_CODES = {
  'up-to-date': { status: 'current', title: 'Image is up to date' },
  'update-available': { status: 'update', title: 'A newer tag is available' },
  'digest-changed': { status: 'digest-changed', title: 'The pinned digest is no longer what the tag points at' },
  'not-pinned': { status: 'unpinned', title: 'Rolling tag without a pinned digest' },
  skipped: { status: 'skipped', title: 'Not checked' },
  ignored: { status: 'skipped', title: 'Ignored by policy' },
  'auth-failed': { status: 'error', title: 'The registry refused the credentials (or wants some)' },
  'credential-not-sent': { status: 'error', title: 'A credential exists but was not sent: the registry speaks plain HTTP' },
  'not-found': { status: 'error', title: 'Repository, tag or digest not found' },
  'tag-not-found': { status: 'error', title: 'The registry does not have this tag' },
  'platform-missing': { status: 'error', title: "The tag's index no longer has the pinned platform" },
  'registry-unreachable': { status: 'error', title: 'The registry could not be reached' },
  'tls-error': { status: 'error', title: 'TLS verification failed' },
  'rate-limited': { status: 'error', title: 'The registry rate limit was reached' },
  'protocol-error': { status: 'error', title: 'The registry answered something unusable' },
  'registry-error': { status: 'error', title: 'The registry answered with an error' },
  'not-cached': { status: 'error', title: 'Offline and nothing cached' },
} as const satisfies Record<string, { status: FindingStatus; title: string }>;

export type FindingCode = keyof typeof FINDING_CODES;

/** One candidate: a tag update (`major`/`minor`/`patch`), a refreshed digest (`digest`) or a pin (`pin`). */
export interface FindingUpdate {
  kind: UpdateKind;
  /** The tag to write (for `digest` and `pin`: the current tag). */
  tag: string;
  /** The digest to write with it, or null when none was resolved (the reference is not pinned and pins are off). */
  digest: string | null;
}

export interface FindingNote {
  /** `newer-line`, `held-back` (versioning), `platform`, `stale`, `truncated`, `directive`, `mirror` (engine). */
  code: string;
  message: string;
  tag?: string;
  /** For `mirror`: the mirror that answered, as configured. */
  mirror?: string;
}

/** The typed cause of an error finding, from the registry client (`RegistryError.code`, its message). */
export interface FindingError {
  /** The registry client's error code: `auth`, `not-found`, `rate-limited`, `tls`, `network`, `protocol`, `registry` (or `offline`). */
  code: string;
  message: string;
  /** The error class name (`AuthError`, ...). */
  name: string;
  registry: string | null;
  status: number | null;
  temporary: boolean;
}

/** Results served from an expired cache entry because the registry could not be asked. */
export interface StaleInfo {
  /** When the oldest entry used was fetched (ISO 8601). */
  fetchedAt: string;
  /** Why the registry was not asked (its error), or `offline`. */
  because: { code: string; message: string };
}

/**
 * Why an image was not checked against its registry this time (the registry unreachable, TLS failing, rate
 * limited, or offline without a cached answer; or only expired cached answers were used for one of those): such
 * a finding is never "up to date" news. `code` is the finding code of the cause.
 */
export interface NotChecked {
  code: 'registry-unreachable' | 'tls-error' | 'rate-limited' | 'not-cached' | 'registry-error';
  message: string;
}

export interface Finding {
  occurrence: Occurrence;
  status: FindingStatus;
  code: FindingCode;
  /** One sentence for people, naming the image. */
  message: string;
  /** Newest of each tag kind (major, minor, patch), then `digest`, then `pin`. */
  updates: FindingUpdate[];
  notes: FindingNote[];
  error: FindingError | null;
  /** The digest the (current) tag points at now, when it was resolved. */
  currentDigest: string | null;
  /** The platform a single-platform pin was matched on, when that mattered. */
  platform: string | null;
  stale: StaleInfo | null;
  /** Set when the registry was not asked or could not answer (see {@link NotChecked}); null when it answered. */
  notChecked: NotChecked | null;
  /** The policy rules (and `inline`) that applied. */
  policy: string[];
}
