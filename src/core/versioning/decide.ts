/**
 * The versioning decision for one reference: given its tag (and whether a digest is pinned), the tags its
 * repository lists and the effective policy, which tag updates to offer (the newest of each kind), which the
 * policy holds back, what else is worth saying, or why the tag gets digest checks only.
 *
 * The engine lists a repository's tags once and decides for every occurrence of it: {@link indexTags} parses and
 * groups the list once (linear), and each {@link decideUpdates} then walks only the current tag's own line.
 *
 * Where this does better than Renovate / Dependabot (engines.md §7):
 * - #4 suffixes: a suffix is a line and never changes, `-rN` / `-24` builds order inside a line instead of
 *   splitting it (dependabot-core#15530), `.minimal` stays (#10667), and a newer line (`-alpine3.20`,
 *   `-trixie`) is reported as a note instead of never (Renovate, immich PR #30411).
 * - #5 heuristics hiding updates: no `latest`-as-ceiling rule (dependabot-core#10452): a tag newer than the one
 *   `latest` points at is still offered; word tags are not "up to date", they say why they get digest checks
 *   only (#12525); updates the policy forbids are reported as held back, not dropped without a word.
 * - The newest of each kind is offered (major, minor and patch), not only the newest overall, so a user who cannot
 *   take the major still sees the patch.
 */
import { compareLines, lineFamily } from './lines';
import { DEFAULT_POLICY, tagAllowed, type EffectivePolicy } from './policy';
import {
  compareDates,
  compareVersions,
  isOrderedTag,
  lineKey,
  parseTag,
  updateKind,
  type DateTag,
  type ParsedTag,
  type TagUpdateKind,
  type VersionTag,
} from './tag';

type Ordered = VersionTag | DateTag;

interface WordLine {
  readonly raw: string;
  readonly vector: readonly number[];
}

/** A repository's tag list, parsed and grouped by compatibility line. Build once per listing; reuse per occurrence. */
export interface TagIndex {
  readonly size: number;
  /** Line key -> tags of that line, newest first. */
  readonly lines: ReadonlyMap<string, readonly Ordered[]>;
  /** Version-line family key -> the lines of that family (for "a newer line exists"). */
  readonly families: ReadonlyMap<string, readonly string[]>;
  /** Word-tag family skeleton -> the word tags of that family with their order. */
  readonly words: ReadonlyMap<string, readonly WordLine[]>;
}

export function isTagIndex(x: unknown): x is TagIndex {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && (x as { lines?: unknown }).lines instanceof Map;
}

/** The compatibility line as people read it: `-alpine3.19`; for dates `bookworm-YYYYMMDD-slim`. */
function lineLabel(t: Ordered): string {
  return t.type === 'version' ? t.suffix : `${t.lead}${t.shape}${t.suffix}`;
}

/** The line's family (see lines.ts), or null when the line has nothing to order it by (`-slim`, no suffix). */
function lineFamilyOf(t: Ordered): { key: string; vector: readonly number[] } | null {
  if (t.type === 'version') {
    if (t.suffix === '') return null;
    const f = lineFamily(t.suffix);
    return f.vector.length === 0
      ? null
      : {
          key: `v|${t.precision}|${t.build === null ? '' : 'b'}|${t.commit === null ? '' : 'h'}|${f.skeleton}`,
          vector: f.vector,
        };
  }
  if (t.lead === '' && t.suffix === '') return null;
  const lead = lineFamily(t.lead);
  const suffix = lineFamily(t.suffix);
  if (lead.vector.length + suffix.vector.length === 0) return null;
  return { key: `d|${t.shape}|${lead.skeleton}|${suffix.skeleton}`, vector: [...lead.vector, ...suffix.vector] };
}

function compareOrdered(a: Ordered, b: Ordered): number {
  if (a.type === 'version' && b.type === 'version') return compareVersions(a, b);
  if (a.type === 'date' && b.type === 'date') return compareDates(a, b);
  return 0;
}

/** Parses and groups a tag listing. Tags that parse as nothing orderable are kept only as words (or dropped). */
export function indexTags(tags: Iterable<string>): TagIndex {
  const lines = new Map<string, Ordered[]>();
  const families = new Map<string, string[]>();
  const words = new Map<string, WordLine[]>();
  let size = 0;
  for (const raw of tags) {
    size++;
    const t = parseTag(raw);
    if (isOrderedTag(t)) {
      const key = lineKey(t);
      let line = lines.get(key);
      if (!line) {
        lines.set(key, (line = []));
        const fam = lineFamilyOf(t);
        if (fam) {
          const list = families.get(fam.key);
          if (list) list.push(key);
          else families.set(fam.key, [key]);
        }
      }
      line.push(t);
    } else if (t.type === 'word') {
      const f = lineFamily(raw);
      if (f.vector.length === 0) continue;
      const list = words.get(f.skeleton);
      if (list) list.push({ raw, vector: f.vector });
      else words.set(f.skeleton, [{ raw, vector: f.vector }]);
    }
  }
  for (const line of lines.values())
    line.sort((a, b) => compareOrdered(b, a) || (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
  return { size, lines, families, words };
}

/**
 * - `no-tag`: no tag written (docker pulls `latest`)
 * - `latest`: the rolling `latest` tag
 * - `word`: a tag without an order (`bookworm`, `stable`, `lts-alpine`)
 * - `hash`: a commit-hash tag (`3f2a9c1e`, `sha-3f2a9c1`): immutable by convention
 * - `unparsed`: not a version this module understands (`1.2.3_4`)
 */
export type DigestOnlyReason = 'no-tag' | 'latest' | 'word' | 'hash' | 'unparsed';

export interface UpdateCandidate {
  readonly kind: TagUpdateKind;
  /** Exactly as the registry spells it. */
  readonly tag: string;
}

export interface VersioningNote {
  /**
   * - `newer-line`: a newer compatibility line exists (`-alpine3.20` beside `-alpine3.19`; `trixie` beside `bookworm`)
   * - `held-back`: an update of a kind the policy does not allow exists
   */
  readonly code: 'newer-line' | 'held-back';
  readonly message: string;
  /** The tag the note is about (the newest of the newer line; the held-back update). */
  readonly tag: string;
}

export interface UpdateDecision {
  /**
   * - `ignored`: the policy says skip (no lookups at all)
   * - `tag-updates`: an ordered tag (version or date): `updates` holds the newest per kind (may be empty: current)
   * - `digest-only`: `reason` says why; the engine compares digests only
   */
  readonly status: 'ignored' | 'tag-updates' | 'digest-only';
  readonly tag: string | null;
  readonly parsed: ParsedTag | null;
  readonly reason: DigestOnlyReason | null;
  /** One sentence for people, e.g. why digest only. Empty for `tag-updates`. */
  readonly message: string;
  /** Newest allowed update of each kind, major first; at most one per kind. */
  readonly updates: readonly UpdateCandidate[];
  /** Newest update of each kind the policy does not allow (also as `held-back` notes). */
  readonly heldBack: readonly UpdateCandidate[];
  readonly notes: readonly VersioningNote[];
  /** The engine should resolve the current tag's digest and compare it with the pinned one (kind `digest` allowed). */
  readonly checkDigest: boolean;
  /** The engine should offer `@sha256:` for the current tag (policy `pinDigests`, `pin` allowed, none pinned yet). */
  readonly offerPin: boolean;
  /** Updates must carry a digest too (the reference is pinned or pins are wanted): resolve each candidate's digest. */
  readonly pinCandidates: boolean;
}

export interface UpdateInput {
  /** The tag as written; null when the reference has none. */
  readonly tag: string | null;
  /** Whether the reference pins a digest (`tag@sha256:...`). */
  readonly digestPinned?: boolean;
  /** The registry's tag list, raw or already indexed with {@link indexTags} (reuse it across occurrences). */
  readonly tags: Iterable<string> | TagIndex;
  readonly policy?: EffectivePolicy;
}

const KIND_ORDER: readonly TagUpdateKind[] = ['major', 'minor', 'patch'];

const REASON_TEXT: Record<DigestOnlyReason, (tag: string) => string> = {
  'no-tag': () => 'no tag is written, so docker uses `latest`: checked by digest only',
  latest: () => '`latest` is a rolling tag without a version: checked by digest only',
  word: (t) => `\`${t}\` is a tag without a version order: checked by digest only`,
  hash: (t) => `\`${t}\` looks like a commit hash, immutable by convention: checked by digest only`,
  unparsed: (t) => `\`${t}\` is not a version Registry Lens can order: checked by digest only`,
};

/** The versioning decision for one reference. Never throws on odd tags: they are skipped as candidates. */
export function decideUpdates(input: UpdateInput): UpdateDecision {
  const policy = input.policy ?? DEFAULT_POLICY;
  const pinned = input.digestPinned ?? false;
  const parsed = input.tag === null ? null : parseTag(input.tag);
  const base = {
    tag: input.tag,
    parsed,
    updates: [] as UpdateCandidate[],
    heldBack: [] as UpdateCandidate[],
    notes: [] as VersioningNote[],
  };
  if (policy.ignore) {
    return {
      ...base,
      status: 'ignored',
      reason: null,
      message: `ignored by policy (${policy.sources.join(', ') || 'default'})`,
      checkDigest: false,
      offerPin: false,
      pinCandidates: false,
    };
  }
  const checkDigest = policy.allow.has('digest');
  const offerPin = !pinned && policy.pinDigests && policy.allow.has('pin');
  const pinCandidates = pinned || (policy.pinDigests && policy.allow.has('pin'));
  const index = isTagIndex(input.tags) ? input.tags : indexTags(input.tags);

  if (parsed === null || !isOrderedTag(parsed)) {
    const reason: DigestOnlyReason = parsed === null ? 'no-tag' : parsed.type;
    const notes = parsed?.type === 'word' ? wordNotes(parsed.raw, index, policy) : [];
    return {
      ...base,
      notes,
      status: 'digest-only',
      reason,
      message: REASON_TEXT[reason](input.tag ?? ''),
      checkDigest,
      offerPin,
      pinCandidates,
    };
  }

  const best = new Map<TagUpdateKind, Ordered>();
  const held = new Map<TagUpdateKind, Ordered>();
  const line = index.lines.get(lineKey(parsed)) ?? [];
  const wantPrefix = parsed.type === 'version' ? parsed.prefix : '';
  for (const t of line) {
    if (compareOrdered(t, parsed) <= 0) break; // newest first: the rest are not newer
    if (t.type === 'version' && parsed.type === 'version' && t.prerelease && !samePrereleaseLine(parsed, t)) continue;
    if (!tagAllowed(policy, t.raw)) continue;
    const kind = updateKind(parsed, t);
    const into = policy.allow.has(kind) ? best : held;
    const prev = into.get(kind);
    if (!prev) into.set(kind, t);
    else if (
      t.type === 'version' &&
      prev.type === 'version' &&
      compareVersions(t, prev) === 0 &&
      prev.prefix !== wantPrefix &&
      t.prefix === wantPrefix
    ) {
      into.set(kind, t); // the same version spelled as the current tag is (`v1.3` for `v1.2`, `1.3` for `1.2`)
    }
  }
  const updates = KIND_ORDER.flatMap((kind) => {
    const t = best.get(kind);
    return t ? [{ kind, tag: t.raw }] : [];
  });
  const newestAllowed = KIND_ORDER.map((k) => best.get(k)).find((t) => t !== undefined);
  const heldBack = KIND_ORDER.flatMap((kind) => {
    const t = held.get(kind);
    // Only worth saying when newer than everything offered.
    return t && (!newestAllowed || compareOrdered(t, newestAllowed) > 0) ? [{ kind, tag: t.raw }] : [];
  });
  const notes: VersioningNote[] = heldBack.map((h) => ({
    code: 'held-back',
    tag: h.tag,
    message: `a ${h.kind} update to ${h.tag} exists, but the policy allows only ${[...policy.allow].join(', ') || 'nothing'}`,
  }));
  notes.push(...newerLineNotes(parsed, index, policy));
  return {
    ...base,
    updates,
    heldBack,
    notes,
    status: 'tag-updates',
    reason: null,
    message: '',
    checkDigest,
    offerPin,
    pinCandidates,
  };
}

/**
 * Prereleases are offered only from a prerelease, and then only of the same release (`1.2.3-beta.1` ->
 * `1.2.3-rc.1`, not `1.3.0-beta.1`); a release is always a candidate.
 */
function samePrereleaseLine(current: VersionTag, candidate: VersionTag): boolean {
  if (!current.prerelease) return false;
  const a = current.numbers;
  const b = candidate.numbers;
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/**
 * "a newer compatibility line exists": the newest line of the same family (`-alpine3.20` for `-alpine3.19`,
 * `trixie-` dates for `bookworm-` dates) whose newest release is not older than the current tag.
 */
function newerLineNotes(current: Ordered, index: TagIndex, policy: EffectivePolicy): VersioningNote[] {
  const own = lineFamilyOf(current);
  if (!own) return [];
  let bestLine: { vector: readonly number[]; tag: Ordered } | null = null;
  for (const key of index.families.get(own.key) ?? []) {
    const line = index.lines.get(key);
    // The line's newest release (prereleases only when the current tag is one).
    const newest = line?.find(
      (t) =>
        (t.type !== 'version' || !t.prerelease || (current.type === 'version' && current.prerelease !== null)) &&
        tagAllowed(policy, t.raw),
    );
    if (!newest) continue;
    const fam = lineFamilyOf(newest);
    if (!fam || compareLines(fam.vector, own.vector) <= 0) continue;
    if (notOlder(newest, current) && (!bestLine || compareLines(fam.vector, bestLine.vector) > 0))
      bestLine = { vector: fam.vector, tag: newest };
  }
  if (!bestLine) return [];
  const to = lineLabel(bestLine.tag);
  return [
    {
      code: 'newer-line',
      tag: bestLine.tag.raw,
      message: `a newer compatibility line ${to} exists (newest: ${bestLine.tag.raw}); ${current.raw} stays on ${lineLabel(current)}`,
    },
  ];
}

/** Versions by their numbers only (another line's build or prerelease does not compare); dates by date. */
function notOlder(t: Ordered, current: Ordered): boolean {
  if (t.type === 'version' && current.type === 'version') {
    return compareVersions({ ...t, prerelease: null, build: null }, { ...current, prerelease: null, build: null }) >= 0;
  }
  return t.type === 'date' && current.type === 'date' && compareDates(t, current) >= 0;
}

function wordNotes(raw: string, index: TagIndex, policy: EffectivePolicy): VersioningNote[] {
  const own = lineFamily(raw);
  if (own.vector.length === 0) return [];
  let newest: WordLine | null = null;
  for (const w of index.words.get(own.skeleton) ?? []) {
    if (
      compareLines(w.vector, own.vector) > 0 &&
      tagAllowed(policy, w.raw) &&
      (!newest || compareLines(w.vector, newest.vector) > 0)
    )
      newest = w;
  }
  if (!newest) return [];
  return [{ code: 'newer-line', tag: newest.raw, message: `a newer line ${newest.raw} exists beside ${raw}` }];
}
