import type { ImageReference } from '../reference';
import type { LimitName } from './limits';

/** Zero-based; `character` counts UTF-16 code units, as VS Code does. */
export interface Position {
  line: number;
  character: number;
}

/** Zero-based, end exclusive. Plain data: only src/vscode turns it into a vscode.Range. */
export interface Range {
  start: Position;
  end: Position;
}

/** A range in a named file (the tag may live in another file than the occurrence: an `.env` beside a compose file). */
export interface Location {
  file: string;
  range: Range;
}

export type OccurrenceSource =
  'dockerfile' | 'compose' | 'devcontainer' | 'kubernetes' | 'helm' | 'kustomize' | 'github-actions' | 'gitlab-ci';

/** Every source, in the order the CLI and the settings list them. */
export const OCCURRENCE_SOURCES: readonly OccurrenceSource[] = [
  'dockerfile',
  'compose',
  'devcontainer',
  'kubernetes',
  'helm',
  'kustomize',
  'github-actions',
  'gitlab-ci',
];

/**
 * - `from`        a Dockerfile `FROM`
 * - `copy-from`   `COPY --from=<image>` (and `ADD --from=`)
 * - `mount-from`  `RUN --mount=...,from=<image>`
 * - `syntax`      the `# syntax=<image>` parser directive (the BuildKit frontend is an image too)
 * - `service`     a compose `image:` (in `services.*` or in an `x-*` fragment)
 * - `image`       the `image` property of a devcontainer.json; a Helm values `image:` (string or map); a Kustomize
 *                 `images:` entry; a GitLab CI job's (or `default:`'s) `image`
 * - `feature`     a devcontainer.json `features` key naming an OCI artifact (`ghcr.io/devcontainers/features/node:1`)
 * - `container`   a Kubernetes `containers[].image`; a GitHub Actions `jobs.*.container`
 * - `init-container`, `ephemeral-container`  Kubernetes `initContainers[].image`, `ephemeralContainers[].image`
 *                 (also `service` for GitHub Actions `jobs.*.services.*.image` and GitLab CI `services`)
 * - `step`        a GitHub Actions step's `uses: docker://<image>`
 * - `action`      a GitHub action's (action.yml) `runs.image: docker://<image>`
 */
export type OccurrenceKind =
  | 'from'
  | 'copy-from'
  | 'mount-from'
  | 'syntax'
  | 'service'
  | 'image'
  | 'feature'
  | 'container'
  | 'init-container'
  | 'ephemeral-container'
  | 'step'
  | 'action';

/**
 * Why an occurrence is not checked against a registry. Stable strings (the CLI prints them, JSON consumers match
 * on them); `detail` is for people.
 * - `stage`                the name refers to a build stage of the same Dockerfile (`detail`: the stage name or index)
 * - `scratch`              `FROM scratch`: the empty image, nothing to pull
 * - `unresolved-variable`  a `$VAR` with no value we can know statically (`detail`: the variable names, comma-separated)
 * - `invalid-reference`    the (substituted) text is not an image reference (`detail`: the parser's message)
 * - `built-locally`        a compose service with `build:`: its `image:` names the image compose builds
 * - `templated`            the value is a template another tool fills in (`{{ .Values.tag }}` in a Helm chart,
 *                          `${{ matrix.image }}` in a GitHub workflow; `detail`: the template)
 * - `tag-elsewhere`        the tag is not written here: a Helm values `image:` map with an empty `tag:` (the chart's
 *                          templates choose one, often its appVersion), a Kustomize `images:` entry without
 *                          `newTag`/`digest` (the manifests' tag stays)
 * - `bad-substitution`     a substitution the file's tool refuses (BuildKit: an unsupported modifier such as
 *                          `${opt:variant}`; `detail`: the modifier and the line)
 * - `limit`                a bound on hostile input was reached (`detail`: which limit, and where)
 */
export type SkipReason =
  | 'stage'
  | 'scratch'
  | 'unresolved-variable'
  | 'invalid-reference'
  | 'built-locally'
  | 'templated'
  | 'tag-elsewhere'
  | 'bad-substitution'
  | 'limit';

export const SKIP_REASONS: readonly SkipReason[] = [
  'stage',
  'scratch',
  'unresolved-variable',
  'invalid-reference',
  'built-locally',
  'templated',
  'tag-elsewhere',
  'bad-substitution',
  'limit',
];

export interface Skip {
  reason: SkipReason;
  detail: string;
}

/**
 * A `registry-lens:` comment that applies to an occurrence, as written: `text` runs from the comment's start
 * (`#`, `//`) to the end of its line. `file` may be another file than the occurrence's (the `.env` a tag came from).
 */
export interface DirectiveComment {
  file: string;
  line: number;
  character: number;
  text: string;
}

/** A Dockerfile build stage: `index` counts FROMs from 0; `name` is the `AS` alias as written; `final` is the last stage. */
export interface StageInfo {
  index: number;
  name: string | null;
  final: boolean;
}

/**
 * One place a workspace file names an image. Invariants (tests hold every extractor to them):
 * - `text` is exactly the source text `range` covers in `file` (the reference as written, variables unexpanded);
 * - `value` is that text after line continuations, quotes and variable substitution: what `reference` was parsed from;
 * - when `tagLocation` is not null it slices its file back to exactly `reference.tag` (likewise `digestLocation`
 *   and `reference.digest`): a fix edits that range and nothing else. It points at the `ARG` default, the inline
 *   `${V:-default}` or the `.env` value the tag came from; it is null when the tag is not written in one piece
 *   (split by a continuation, built from two variables, written with escapes).
 * - `skip` set means "do not check"; `reference` is set whenever `value` parsed (so `built-locally` keeps it).
 */
export interface Occurrence {
  file: string;
  source: OccurrenceSource;
  kind: OccurrenceKind;
  range: Range;
  text: string;
  value: string;
  reference: ImageReference | null;
  skip: Skip | null;
  tagLocation: Location | null;
  digestLocation: Location | null;
  /**
   * The tag cut where its origin changes, for a tag assembled from pieces (`node:${NODE_VERSION}-alpine` gives
   * `20.11` in the ARG line and `-alpine` in the FROM line): a fix can edit the one piece that changed. A piece's
   * location is null when it is written nowhere verbatim. Null when there is no tag.
   */
  tagSegments: { text: string; location: Location | null }[] | null;
  /** Variables substituted into `value`, in order of use. */
  variables: string[];
  /** `FROM --platform=` (variables substituted when known), else null. */
  platform: string | null;
  /** The Dockerfile stage this occurrence belongs to; null outside Dockerfiles and for `# syntax`. */
  stage: StageInfo | null;
  /**
   * Compose: the service (or `x-*` fragment key) whose `image:` this is; other services sharing it (anchors, extends)
   * follow. Kubernetes: `Kind/name/container`; GitHub Actions and GitLab CI: the job (`job/service` for services).
   */
  services: string[];
  /**
   * Where pinning writes `@digest` when the reference has none. Absent: the end of `range` (the reference is
   * written in one piece). Set: after the tag value of a reference written in several fields (a Helm values
   * `image:` map). Null: no inline pin (a Kustomize entry pins with a `digest:` field, written by hand).
   */
  pinLocation?: Location | null;
  /** The `registry-lens:` comments above and beside the reference and the lines its tag came from, in the order they apply. */
  directives: DirectiveComment[];
}

/** A problem with a file that did not stop extraction of the rest; `line`/`character` zero-based. */
export interface ExtractionError {
  file: string;
  line: number;
  character: number;
  message: string;
  /** Set when a bound on hostile input was reached (the file, or the part of it the message names, was not read). */
  limit?: LimitName;
}

/** A file another file points at (compose `include:`/`extends: file:`, devcontainer `build.dockerfile`, GitLab CI `include: local`). */
export interface FileReference {
  file: string;
  source: OccurrenceSource;
  /** Where the referring file names it (a missing target is reported there). */
  from?: Position;
  /** GitLab CI: the project folder `include: {local: /path}` is relative to (the folder of the `.gitlab-ci.yml`). */
  root?: string;
}

export interface ExtractResult {
  occurrences: Occurrence[];
  errors: ExtractionError[];
  /** Files this one refers to; the workspace scan extracts them too when they are inside the workspace. */
  references: FileReference[];
}
