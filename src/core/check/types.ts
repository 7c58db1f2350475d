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

export const FINDING_STATUSES: readonly FindingStatus[] = [
  'current',
  'update',
  'digest-changed',
  'unpinned',
  'skipped',
  'error',
];

/** A diagnostic level for the `registryLens.severity` setting (`off`: no diagnostic). */
export type SeverityLevel = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** One row of the finding table: everything the CLI, the editor and the docs say about a code. */
export interface FindingCodeInfo {
  status: FindingStatus;
  /** One line naming the finding (SARIF rule, hover, docs heading). */
  title: string;
  /** A few words for tree rows and tables (`auth required`). */
  label: string;
  /**
   * The default diagnostic level; the `registryLens.severity` key is the code itself. `off` for codes that are
   * never a diagnostic (nothing to say, or said elsewhere).
   */
  severity: SeverityLevel;
  /**
   * What to do, in CLI terms (`{registry}` is replaced by the host), or null when nothing needs doing. The editor
   * offers quick-fixes for the same remedies (docs/findings.md lists both).
   */
  remedy: string | null;
  /** The heading anchor in docs/findings.md (the code itself). */
  anchor: string;
}

/**
 * The finding table: stable string codes, one per kind of finding (STYLE.md rule 4: strings, because
 * `Diagnostic.code` round-trips as `string | number`), each with its title, label, severity, remedy and docs
 * anchor. Everything that names a finding reads it from here: the CLI's hints and tables, `check --json`, SARIF
 * rules, the editor's tree labels, diagnostic severities and documentation links. Codes may be added, never
 * silently repurposed; docs/findings.md documents every one (a unit test checks it).
 */
export const FINDING_CODES = {
  'up-to-date': {
    status: 'current',
    title: 'Image is up to date',
    label: 'up to date',
    severity: 'off',
    remedy: null,
    anchor: 'up-to-date',
  },
  'update-available': {
    status: 'update',
    title: 'A newer tag is available',
    label: 'update available',
    severity: 'information',
    remedy: 'update the tag in the file to one of the newer tags listed',
    anchor: 'update-available',
  },
  'digest-changed': {
    status: 'digest-changed',
    title: 'The pinned digest is no longer what the tag points at',
    label: 'digest changed',
    severity: 'warning',
    remedy: 'refresh the pinned digest to the one the tag points at now',
    anchor: 'digest-changed',
  },
  'not-pinned': {
    status: 'unpinned',
    title: 'Rolling tag without a pinned digest',
    label: 'not pinned',
    severity: 'hint',
    remedy: 'pin a version tag or a digest for repeatable builds',
    anchor: 'not-pinned',
  },
  skipped: {
    status: 'skipped',
    title: 'Not checked',
    label: 'not checked',
    severity: 'off',
    remedy: null,
    anchor: 'skipped',
  },
  ignored: {
    status: 'skipped',
    title: 'Ignored by policy',
    label: 'ignored by policy',
    severity: 'off',
    remedy: null,
    anchor: 'ignored',
  },
  'auth-failed': {
    status: 'error',
    title: 'The registry refused the credentials (or wants some)',
    label: 'auth required',
    severity: 'warning',
    remedy:
      'log in with "docker login {registry}" (DOCKER_CONFIG), or set REGISTRY_LENS_REGISTRY={registry} with REGISTRY_LENS_USERNAME and REGISTRY_LENS_PASSWORD',
    anchor: 'auth-failed',
  },
  'credential-not-sent': {
    status: 'error',
    title: 'A credential exists but was not sent: the registry speaks plain HTTP',
    label: 'not sent: plain HTTP',
    severity: 'warning',
    remedy: '{registry} speaks plain HTTP: pass --insecure {registry} to send it credentials',
    anchor: 'credential-not-sent',
  },
  'not-found': {
    status: 'error',
    title: 'Repository, tag or digest not found',
    label: 'not found',
    severity: 'warning',
    remedy: 'check the image name and tag in the file (and that your credentials may see the repository)',
    anchor: 'not-found',
  },
  'tag-not-found': {
    status: 'error',
    title: 'The registry does not have this tag',
    label: 'tag not found',
    severity: 'warning',
    remedy: 'write a tag the registry has (the newer ones are listed above and in --json "updates")',
    anchor: 'tag-not-found',
  },
  'platform-missing': {
    status: 'error',
    title: "The tag's index no longer has the pinned platform",
    label: 'platform missing',
    severity: 'warning',
    remedy: "pick a tag whose index still has that platform, or pin another platform's digest",
    anchor: 'platform-missing',
  },
  'registry-unreachable': {
    status: 'error',
    title: 'The registry could not be reached',
    label: 'unreachable',
    severity: 'warning',
    remedy: 'check that {registry} is up and reachable from here (proxy: HTTPS_PROXY / NO_PROXY)',
    anchor: 'registry-unreachable',
  },
  'tls-error': {
    status: 'error',
    title: 'TLS verification failed',
    label: 'TLS problem',
    severity: 'warning',
    remedy:
      "pass --ca-file {registry}=CA.pem with the registry's CA certificate, or --insecure {registry} if you trust the network",
    anchor: 'tls-error',
  },
  'rate-limited': {
    status: 'error',
    title: 'The registry rate limit was reached',
    label: 'rate limited',
    severity: 'warning',
    remedy: 'wait and run again, or log in to raise the limit',
    anchor: 'rate-limited',
  },
  'protocol-error': {
    status: 'error',
    title: 'The registry answered something unusable',
    label: 'unusable answer',
    severity: 'warning',
    remedy: null,
    anchor: 'protocol-error',
  },
  'registry-error': {
    status: 'error',
    title: 'The registry answered with an error',
    label: 'registry error',
    severity: 'warning',
    remedy: null,
    anchor: 'registry-error',
  },
  'not-cached': {
    status: 'error',
    title: 'Offline and nothing cached',
    label: 'not cached',
    severity: 'warning',
    remedy: 'run the check once without --offline',
    anchor: 'not-cached',
  },
} as const satisfies Record<string, FindingCodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

/** Every code, in table order. */
export const ALL_FINDING_CODES = Object.keys(FINDING_CODES) as FindingCode[];

/**
 * The older `registryLens.severity` keys, still accepted: each names the codes it used to cover. A code's own key
 * wins over an older one.
 */
export const LEGACY_SEVERITY_KEYS: Readonly<Record<string, readonly FindingCode[]>> = {
  update: ['update-available'],
  digestChanged: ['digest-changed'],
  registryProblem: ALL_FINDING_CODES.filter((c) => FINDING_CODES[c].status === 'error'),
  latest: ['not-pinned'],
  notPinned: ['not-pinned'],
};

const LEVELS: readonly SeverityLevel[] = ['error', 'warning', 'information', 'hint', 'off'];

/**
 * The level of every code from a `registryLens.severity` value: the code's own key, else an older key that covers
 * it (`registryProblem` covers every error code), else the table's default. Unknown keys and levels are ignored.
 */
export function resolveSeverities(configured: Readonly<Record<string, unknown>>): Record<FindingCode, SeverityLevel> {
  const level = (v: unknown): SeverityLevel | undefined =>
    (LEVELS as readonly unknown[]).includes(v) ? (v as SeverityLevel) : undefined;
  const out = {} as Record<FindingCode, SeverityLevel>;
  for (const code of ALL_FINDING_CODES) out[code] = FINDING_CODES[code].severity;
  for (const [key, codes] of Object.entries(LEGACY_SEVERITY_KEYS)) {
    const v = level(configured[key]);
    if (v) for (const code of codes) out[code] = v;
  }
  for (const code of ALL_FINDING_CODES) out[code] = level(configured[code]) ?? out[code];
  return out;
}

/** A code's remedy for `registry` (CLI terms), or undefined when nothing needs doing. */
export function findingRemedy(code: FindingCode, registry: string): string | undefined {
  const r: string | null = FINDING_CODES[code].remedy;
  return r === null ? undefined : r.replaceAll('{registry}', registry);
}

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
  /** Rate limited: when the registry said to come back (epoch ms), if it did. */
  retryAt?: number | null;
  /** A credential not sent over plain HTTP: the host:port to allow (the registry, or its token realm's host). */
  plainHttpHost?: string;
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
