// Local images and running containers against their registries, through the check engine (./engine.ts): each
// (tag, RepoDigest) of a local image becomes a synthetic occurrence `name:tag@repoDigest` with the image's platform,
// so the engine's rules apply unchanged: one tag listing per repository, one HEAD per tag, versioning policies for
// newer tags, and its multi-arch digest comparison —
// - a RepoDigest is whatever the image was pulled by: a manifest list's digest when pulled by tag from a
//   multi-platform image (classic store and containerd store alike), a platform manifest's digest otherwise;
// - the same digest as the tag's now: current; a child of the tag's current index: current (that platform did not
//   change); anything else: the tag has a newer digest (`digest-changed`: pull it again).
// Containers are also compared with the local image their tag points at now: a container running an older image
// than a later pull brought is `container-outdated` (recreate it — we never restart or remove one).
import type { LocalContainer, LocalImage, LocalInventory } from '../docker/engine';
import type { Occurrence } from '../extract';
import { familiarName, tryParseReference, type ImageReference } from '../reference';
import { checkImages, type CheckOptions, type CheckStats } from './engine';
import type { Finding, FindingCode, FindingError, FindingNote, FindingUpdate, StaleInfo } from './types';

/**
 * - `current`             the local image is what the registry's tag points at, and no newer tag is wanted
 * - `update`              a newer tag exists by the versioning rules (`updates`)
 * - `digest-changed`      the registry's tag points at a newer digest than the local image: pull the tag again
 * - `container-outdated`  (containers) the tag was pulled again since the container started: recreate it
 * - `local-only`          never pulled from (or pushed to) a registry, or the registry has no such repository/tag
 * - `skipped`             not compared (ignored by policy, a container started from an image id, a digest-pinned reference)
 * - `error`               the registry could not answer (`error`)
 */
export type LocalStatus =
  'current' | 'update' | 'digest-changed' | 'container-outdated' | 'local-only' | 'skipped' | 'error';

export const LOCAL_STATUSES: readonly LocalStatus[] = [
  'current',
  'update',
  'digest-changed',
  'container-outdated',
  'local-only',
  'skipped',
  'error',
];

/** The statuses that mean "out of date": something newer exists. */
export const OUTDATED_STATUSES: readonly LocalStatus[] = ['update', 'digest-changed', 'container-outdated'];

/** The check engine's codes, plus the local ones. Stable strings (diagnostic / tree context codes). */
export type LocalFindingCode = FindingCode | 'local-only' | 'container-outdated' | 'started-from-id' | 'digest-pinned';

export interface LocalFinding {
  kind: 'image' | 'container';
  /** The reference as the engine shows it (an image's tag, a container's configured image). */
  ref: string;
  reference: ImageReference | null;
  /** The image (for a container: the image it runs; null when the engine no longer lists it). */
  image: LocalImage | null;
  container: LocalContainer | null;
  status: LocalStatus;
  code: LocalFindingCode;
  /** One sentence for people, naming the image (and container). */
  message: string;
  /** True for `update`, `digest-changed` and `container-outdated`, and for a digest change under a tag update. */
  outdated: boolean;
  /**
   * The registry's tag points at a newer digest than the local image (also under `update` / `container-outdated`);
   * for a container, than the image its tag points at locally (so `pull` before `recreate`).
   */
  digestChanged: boolean;
  /**
   * The RepoDigest compared (the current one when several match the repository), or null. For a container: of the
   * image its tag points at locally now (what recreating it would run).
   */
  localDigest: string | null;
  /** What the registry's tag points at now, when it was asked. */
  registryDigest: string | null;
  /** Newest of each tag kind (major, minor, patch) and `digest` (the tag's new digest), as the check engine gives them. */
  updates: FindingUpdate[];
  /** Containers: the image id the tag points at locally now, when it differs from the one running. */
  newerLocalImageId: string | null;
  /** What brings it up to date: `pull` the same tag, `recreate` the container, `edit` the tag where it is written. */
  actions: ('pull' | 'recreate' | 'edit')[];
  notes: FindingNote[];
  error: FindingError | null;
  stale: StaleInfo | null;
  policy: string[];
}

export interface LocalCheckResult {
  images: LocalFinding[];
  containers: LocalFinding[];
  stats: CheckStats & { images: number; containers: number };
}

/** The check engine's options, minus what only file occurrences need. */
export type CheckLocalOptions = Omit<CheckOptions, 'defaultPlatform'>;

const SHORT = (d: string | null | undefined) => (d ? `${d.slice(0, 19)}…` : '');
const isImageId = (s: string) => /^(sha256:)?[a-f0-9]{12,64}$/.test(s);

function synthetic(value: string, ref: ImageReference, platform: string | null): Occurrence {
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: value.length } };
  return {
    file: 'docker:local',
    source: 'dockerfile',
    kind: 'from',
    range: zero,
    text: value,
    value,
    reference: ref,
    skip: null,
    tagLocation: null,
    digestLocation: null,
    tagSegments: null,
    variables: [],
    platform,
    stage: null,
    services: [],
    directives: [],
  };
}

/** The RepoDigests of `image` for the repository of `ref` (`sha256:…` only). */
function digestsFor(image: LocalImage, ref: ImageReference): string[] {
  const out: string[] = [];
  for (const rd of image.repoDigests) {
    const p = tryParseReference(rd);
    if (!(p instanceof Error) && p.name === ref.name && p.digest) out.push(p.digest);
  }
  return [...new Set(out)];
}

interface Subject {
  kind: 'image' | 'container';
  ref: string;
  reference: ImageReference | null;
  image: LocalImage | null;
  container: LocalContainer | null;
  /** Indexes into the occurrence list: one per RepoDigest compared. */
  lookups: number[];
  digests: string[];
  /** Decided without the registry. */
  fixed?: Pick<LocalFinding, 'status' | 'code' | 'message'>;
  newerLocalImageId: string | null;
}

function base(s: Subject): Omit<LocalFinding, 'status' | 'code' | 'message' | 'outdated' | 'actions'> {
  return {
    kind: s.kind,
    ref: s.ref,
    reference: s.reference,
    image: s.image,
    container: s.container,
    digestChanged: false,
    localDigest: s.digests[0] ?? null,
    registryDigest: null,
    updates: [],
    newerLocalImageId: s.newerLocalImageId,
    notes: [],
    error: null,
    stale: null,
    policy: [],
  };
}

function label(s: Subject): string {
  const name = s.reference ? familiarName(s.reference) : s.ref;
  return s.container ? `container ${s.container.name} (${name})` : name;
}

/** Folds the findings of a subject's lookups (one per RepoDigest) into one local finding. */
function decide(s: Subject, findings: Finding[]): LocalFinding {
  const b = base(s);
  const who = label(s);
  const outdatedContainer = s.newerLocalImageId !== null;
  const finish = (f: Omit<LocalFinding, 'outdated' | 'actions'>): LocalFinding => {
    const tagUpdate = f.updates.some((u) => u.kind === 'major' || u.kind === 'minor' || u.kind === 'patch');
    const actions: LocalFinding['actions'] = [];
    if (f.digestChanged) actions.push('pull');
    if (outdatedContainer || (f.kind === 'container' && f.digestChanged)) actions.push('recreate');
    if (tagUpdate) actions.push('edit');
    return { ...f, outdated: OUTDATED_STATUSES.includes(f.status) || f.digestChanged, actions };
  };
  if (s.fixed) {
    if (outdatedContainer) {
      return finish({
        ...b,
        status: 'container-outdated',
        code: 'container-outdated',
        message: `${who} runs ${SHORT(s.image?.id)}, but ${s.reference ? familiarName(s.reference) : s.ref} is now ${SHORT(s.newerLocalImageId)} locally: recreate the container to use it (${s.fixed.message})`,
      });
    }
    return finish({ ...b, ...s.fixed });
  }
  const first = findings[0];
  if (!first) return finish({ ...b, status: 'local-only', code: 'local-only', message: `${who}: local only` });
  const errored = findings.find((f) => f.status === 'error');
  const common = {
    ...b,
    notes: [...first.notes],
    policy: first.policy,
    stale: findings.find((f) => f.stale)?.stale ?? null,
    registryDigest: first.currentDigest,
  };
  if (errored) {
    if (errored.code === 'not-found') {
      if (outdatedContainer)
        return finish({
          ...common,
          status: 'container-outdated',
          code: 'container-outdated',
          message: `${who}: the tag now points at a newer local image (${SHORT(s.newerLocalImageId)}): recreate the container to use it`,
        });
      return finish({
        ...common,
        status: 'local-only',
        code: 'local-only',
        message: `${who}: the registry has no such repository or tag (local only)`,
        notes: [...common.notes, { code: 'registry', message: errored.error?.message ?? errored.message }],
      });
    }
    return finish({
      ...common,
      status: 'error',
      code: errored.code,
      error: errored.error,
      message: `${who}: ${errored.error?.message ?? errored.message}`,
    });
  }
  if (first.status === 'skipped')
    return finish({
      ...common,
      status: 'skipped',
      code: first.code,
      message: `${who}: ${first.message.replace(/^[^:]*: /, '')}`,
    });

  // Current when any of the image's RepoDigests for this repository is still what the tag points at.
  const currentIndex = findings.findIndex((f) => !f.updates.some((u) => u.kind === 'digest'));
  const digestChanged = currentIndex < 0;
  const localDigest = s.digests[currentIndex >= 0 ? currentIndex : 0] ?? null;
  const updates = first.updates.filter((u) => u.kind !== 'digest');
  const digestUpdate = findings[0]?.updates.find((u) => u.kind === 'digest');
  if (digestChanged && digestUpdate) updates.push(digestUpdate);
  const notes = [...common.notes];
  if (currentIndex >= 0) notes.push(...(findings[currentIndex]?.notes.filter((n) => n.code === 'platform') ?? []));
  const f = {
    ...common,
    notes: [...new Map(notes.map((n) => [`${n.code}|${n.message}`, n])).values()],
    updates,
    digestChanged,
    localDigest,
  };
  const tagList = updates
    .filter((u) => u.kind !== 'digest')
    .reverse()
    .map((u) => `${u.tag} (${u.kind})`)
    .join(', ');
  const tagNote = tagList ? `; newer tags: ${tagList}` : '';
  const tagName = s.reference?.tag ?? 'latest';
  if (outdatedContainer) {
    return finish({
      ...f,
      status: 'container-outdated',
      code: 'container-outdated',
      message: `${who} runs ${SHORT(s.image?.id)}, but ${tagName} is now ${SHORT(s.newerLocalImageId)} locally: recreate the container to use it${digestChanged ? `; the registry's ${tagName} is newer still` : ''}${tagNote}`,
    });
  }
  if (digestChanged) {
    const to = first.currentDigest ?? digestUpdate?.digest ?? null;
    return finish({
      ...f,
      status: 'digest-changed',
      code: 'digest-changed',
      message: `${who}: the registry's ${tagName} now points at ${SHORT(to)}, not the local ${SHORT(localDigest)}: pull ${tagName} again${s.container ? ' and recreate the container' : ''}${tagNote}`,
    });
  }
  if (tagList)
    return finish({ ...f, status: 'update', code: 'update-available', message: `${who}: newer tags: ${tagList}` });
  return finish({ ...f, status: 'current', code: 'up-to-date', message: `${who}: up to date` });
}

/**
 * Compares local images (every tag) and running containers with their registries. Plain data out, in the order
 * of the inventory. Rejects only when `signal` aborts (an `AbortError`); registry failures are `error` findings,
 * a repository or tag the registry does not have is `local-only`.
 */
export async function checkLocal(inventory: LocalInventory, options: CheckLocalOptions): Promise<LocalCheckResult> {
  const occurrences: Occurrence[] = [];
  const subjects: Subject[] = [];
  const byId = new Map(inventory.images.map((i) => [i.id, i]));
  /** canonical `name:tag` → the image that tag points at locally. */
  const byTag = new Map<string, LocalImage>();
  for (const image of inventory.images) {
    for (const t of image.repoTags) {
      const p = tryParseReference(t);
      if (!(p instanceof Error)) byTag.set(`${p.name}:${p.tag ?? 'latest'}`, image);
    }
  }

  const addLookups = (s: Subject, image: LocalImage, ref: ImageReference) => {
    s.digests = digestsFor(image, ref);
    if (s.digests.length === 0) {
      s.fixed = {
        status: 'local-only',
        code: 'local-only',
        message: `${label(s)}: local only (never pulled from or pushed to ${ref.registry})`,
      };
      return;
    }
    for (const d of s.digests) {
      s.lookups.push(occurrences.length);
      occurrences.push(
        synthetic(
          `${ref.name}:${ref.tag ?? 'latest'}@${d}`,
          { ...ref, tag: ref.tag ?? 'latest', digest: d, canonical: `${ref.name}:${ref.tag ?? 'latest'}@${d}` },
          image.platform,
        ),
      );
    }
  };

  for (const image of inventory.images) {
    for (const t of image.repoTags) {
      const p = tryParseReference(t);
      const s: Subject = {
        kind: 'image',
        ref: t,
        reference: p instanceof Error ? null : p,
        image,
        container: null,
        lookups: [],
        digests: [],
        newerLocalImageId: null,
      };
      subjects.push(s);
      if (p instanceof Error) {
        s.fixed = { status: 'skipped', code: 'skipped', message: `${t}: not an image reference (${p.message})` };
        continue;
      }
      addLookups(s, image, p);
    }
  }

  for (const c of inventory.containers) {
    const image = byId.get(c.imageId) ?? null;
    const p = isImageId(c.image) ? null : tryParseReference(c.image);
    const ref = p instanceof Error ? null : p;
    const s: Subject = {
      kind: 'container',
      ref: c.image,
      reference: ref,
      image,
      container: c,
      lookups: [],
      digests: [],
      newerLocalImageId: null,
    };
    subjects.push(s);
    if (!ref) {
      s.fixed = {
        status: 'skipped',
        code: 'started-from-id',
        message: `container ${c.name}: started from image ${c.image.slice(0, 19)}, not from a tag: nothing to compare`,
      };
      continue;
    }
    if (ref.digest && !ref.tag) {
      s.fixed = {
        status: 'skipped',
        code: 'digest-pinned',
        message: `container ${c.name}: runs ${familiarName(ref)}, pinned by digest`,
      };
      continue;
    }
    const tagged = byTag.get(`${ref.name}:${ref.tag ?? 'latest'}`);
    if (tagged && tagged.id !== c.imageId) s.newerLocalImageId = tagged.id;
    // The registry is compared with what recreating the container would run: the tag's local image (the running
    // one when the tag was not pulled again since).
    const compared = tagged ?? image;
    if (!compared) {
      s.fixed = {
        status: 'local-only',
        code: 'local-only',
        message: `container ${c.name}: its image ${c.imageId.slice(0, 19)} is no longer listed by the engine`,
      };
      continue;
    }
    addLookups(s, compared, ref);
  }

  const { findings, stats } = await checkImages(occurrences, options);
  const results = subjects.map((s) =>
    decide(
      s,
      s.lookups.map((i) => findings[i]).filter((f): f is Finding => f !== undefined),
    ),
  );
  return {
    images: results.filter((r) => r.kind === 'image'),
    containers: results.filter((r) => r.kind === 'container'),
    stats: { ...stats, images: inventory.images.length, containers: inventory.containers.length },
  };
}
