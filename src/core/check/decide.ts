// Over 400 lines: one decision read top to bottom (policy, tags, versioning, digests, platform) on shared state.
// The decision for one occurrence: the policy (rules, then the occurrence's inline directives), then the tag list,
// the versioning rules and the digests, to one finding. Lookup errors become error findings here (./errors.ts).
import { familiarName, type ImageReference } from '../reference';
import type { Occurrence } from '../extract';
import { isIndexMediaType, isNotFoundError } from '../registry';
import {
  decideUpdates,
  occurrenceDirective,
  parseTag,
  resolvePolicy,
  type EffectivePolicy,
  type PolicyRule,
  type TagIndex,
  type UpdateDecision,
} from '../versioning';
import { errorFindingCode, findingError, notCheckedOf } from './errors';
import { abortError, type DigestValue, type Lookups } from './lookups';
import { hostPlatform, normalizePlatform, samePlatform } from './platform';
import type { Finding, FindingNote, FindingUpdate, StaleInfo } from './types';

/** One note per finding naming the mirror that answered for it. */
function noteMirror(notes: FindingNote[], registry: string, mirror: string | undefined): void {
  if (mirror === undefined || notes.some((n) => n.code === 'mirror')) return;
  notes.push({ code: 'mirror', message: `checked through the mirror ${mirror} (instead of ${registry})`, mirror });
}

const short = (digest: string) => (digest.length > 19 ? `${digest.slice(0, 19)}…` : digest);

interface Evaluation {
  stale: StaleInfo | null;
}

function mergeStale(ctx: Evaluation, got: { stale: StaleInfo | null }): void {
  if (got.stale && (!ctx.stale || got.stale.fetchedAt < ctx.stale.fetchedAt)) ctx.stale = got.stale;
}

export interface EvalEnv {
  lookups: Lookups;
  rules: readonly PolicyRule[];
  signal: AbortSignal | undefined;
  defaultPlatform: string | undefined;
}

function base(occ: Occurrence): Omit<Finding, 'status' | 'code' | 'message'> {
  return {
    occurrence: occ,
    updates: [],
    notes: [],
    error: null,
    currentDigest: null,
    platform: null,
    stale: null,
    notChecked: null,
    policy: [],
  };
}

/** One occurrence's finding. Rejects only when the check is cancelled. */
export async function evaluate(occ: Occurrence, env: EvalEnv): Promise<Finding> {
  const ref = occ.reference;
  if (occ.skip || !ref) {
    const why = occ.skip ? `${occ.skip.reason}${occ.skip.detail ? ` (${occ.skip.detail})` : ''}` : 'no image reference';
    return { ...base(occ), status: 'skipped', code: 'skipped', message: `${occ.text}: not checked: ${why}` };
  }
  const notes: FindingNote[] = [];
  const found = occurrenceDirective(occ);
  for (const p of found?.problems ?? [])
    notes.push({ code: 'directive', message: `${p.file ?? occ.file}:${p.line + 1}:${p.character + 1}: ${p.message}` });
  const policy: EffectivePolicy = resolvePolicy(env.rules, ref, found?.directive ?? null);
  const name = familiarName(ref);
  const common = { ...base(occ), notes, policy: [...policy.sources] };
  if (policy.ignore) {
    return {
      ...common,
      status: 'skipped',
      code: 'ignored',
      message: `${name}: ignored by policy (${policy.sources.join(', ')})`,
    };
  }
  const ctx: Evaluation = { stale: null };
  let finding: Finding;
  try {
    finding = await decide(occ, ref, name, policy, common, ctx, env);
  } catch (e) {
    if (env.signal?.aborted) throw abortError(env.signal);
    const error = findingError(e);
    finding = {
      ...common,
      stale: ctx.stale,
      status: 'error',
      code: errorFindingCode(e),
      error,
      message: `${name}: ${error.message}`,
    };
  }
  return { ...finding, notChecked: notCheckedOf(finding) };
}

/** The occurrence's own tag is not in the registry (absent from its tag list, or its manifest unknown). */
class MissingTag extends Error {}

async function decide(
  occ: Occurrence,
  ref: ImageReference,
  name: string,
  policy: EffectivePolicy,
  common: Omit<Finding, 'status' | 'code' | 'message'>,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<Finding> {
  const { lookups } = env;
  const { registry, repository } = ref;
  if (ref.tag === null && ref.digest !== null)
    return digestOnly(ref.digest, registry, repository, name, common, ctx, env);
  const parsed = ref.tag === null ? null : parseTag(ref.tag);
  // Every written tag but `latest` is looked up in the tag list: a tag the registry lacks is never "up to date".
  const needTags = parsed !== null && parsed.type !== 'latest';
  let tags: TagIndex | readonly string[] = [];
  let listed: { tags: readonly string[]; truncated: boolean } | null = null;
  if (needTags) {
    const got = await lookups.tags(registry, repository);
    mergeStale(ctx, got);
    tags = got.index;
    listed = got.value;
    noteMirror(common.notes, registry, got.value.mirror);
    if (got.value.truncated)
      common.notes.push({
        code: 'truncated',
        message: `the tag list of ${registry}/${repository} was cut short (${got.value.stoppedBecause ?? 'page cap'}): newer tags may be missing`,
      });
  }
  const decision: UpdateDecision = decideUpdates({ tag: ref.tag, digestPinned: ref.digest !== null, tags, policy });
  common.notes.push(...decision.notes.map((n) => ({ code: n.code, message: n.message, tag: n.tag })));
  const digestTag = ref.tag ?? 'latest';
  const pinned = ref.digest;
  const updates: FindingUpdate[] = decision.updates.map((u) => ({ kind: u.kind, tag: u.tag, digest: null }));
  /** The tag's current digest; a 404 for it means the tag is missing (the repository answered its tag list). */
  const ownDigest = async () => {
    try {
      const cur = await lookups.digest(registry, repository, digestTag);
      mergeStale(ctx, cur);
      noteMirror(common.notes, registry, cur.value.mirror);
      common.currentDigest = cur.value.digest;
      return cur.value;
    } catch (e) {
      if (!isNotFoundError(e)) throw e;
      if (!listed) await lookups.tags(registry, repository); // a missing repository stays `not-found`
      throw new MissingTag();
    }
  };

  try {
    if (listed && !listed.tags.includes(digestTag)) {
      if (!listed.truncated) throw new MissingTag();
      await ownDigest(); // beyond the listing's cap: ask for the tag itself
    }

    // The pinned digest against the tag's current one.
    let changedTo: string | null = null;
    /** Set when the pin is a single-platform manifest: candidates get that platform's child. */
    let pinPlatform: string | null = null;
    if (pinned !== null && decision.checkDigest) {
      const cur = await ownDigest();
      if (cur.digest !== pinned) {
        const r = await refreshPin(occ, registry, repository, digestTag, pinned, cur, ctx, env);
        if ('missing' in r) {
          return {
            ...common,
            stale: ctx.stale,
            status: 'error',
            code: 'platform-missing',
            error: {
              code: 'not-found',
              message: r.missing,
              name: 'NotFoundError',
              registry,
              status: null,
              temporary: false,
            },
            message: `${name}: ${r.missing}`,
          };
        }
        changedTo = r.digest;
        pinPlatform = r.platform;
        if (r.note) common.notes.push({ code: 'platform', message: r.note });
      }
    }
    if (pinPlatform) common.platform = pinPlatform;

    // Candidates carry digests when the reference is pinned (or pins are wanted).
    if (decision.pinCandidates && updates.length > 0) {
      for (const u of updates) u.digest = await candidateDigest(registry, repository, u.tag, pinPlatform, ctx, env);
    }
    if (changedTo !== null) updates.push({ kind: 'digest', tag: digestTag, digest: changedTo });

    // A rolling tag without a pin: nothing to compare against. Commit-hash tags are immutable by convention: current.
    const rolling = pinned === null && decision.status === 'digest-only' && decision.reason !== 'hash';
    const wantPin = decision.offerPin || (rolling && policy.allow.has('pin'));
    if (wantPin) {
      const cur = await ownDigest();
      updates.push({ kind: 'pin', tag: digestTag, digest: cur.digest });
    }
    if (ctx.stale)
      common.notes.push({
        code: 'stale',
        message: `cached answers from ${ctx.stale.fetchedAt} used: ${ctx.stale.because.message}`,
      });
    const out = { ...common, updates, stale: ctx.stale };

    const tagUpdates = updates.filter((u) => u.kind === 'major' || u.kind === 'minor' || u.kind === 'patch');
    if (tagUpdates.length > 0) {
      const list = [...tagUpdates]
        .reverse()
        .map((u) => `${u.tag} (${u.kind})`)
        .join(', ');
      return {
        ...out,
        status: 'update',
        code: 'update-available',
        message: `${name}: newer tags: ${list}${changedTo ? `; the pinned digest is also outdated` : ''}`,
      };
    }
    if (changedTo !== null && pinned !== null) {
      return {
        ...out,
        status: 'digest-changed',
        code: 'digest-changed',
        message: `${name}: ${digestTag} now points at ${short(changedTo)}, not the pinned ${short(pinned)}`,
      };
    }
    if (rolling || decision.offerPin) {
      const why = rolling ? decision.message : `${digestTag} has no pinned digest and the policy asks for pins`;
      const pin = updates.find((u) => u.kind === 'pin');
      return {
        ...out,
        status: 'unpinned',
        code: 'not-pinned',
        message: `${name}: ${why}${pin?.digest ? `; pin ${digestTag}@${short(pin.digest)} to notice changes` : ''}`,
      };
    }
    const digestOnlyNote = decision.status === 'digest-only' ? ` (${decision.message})` : '';
    return { ...out, status: 'current', code: 'up-to-date', message: `${name}: up to date${digestOnlyNote}` };
  } catch (e) {
    if (!(e instanceof MissingTag)) throw e;
    // The newer tags of its line are the fixes (with digests when the reference is pinned).
    const fixes: FindingUpdate[] = decision.updates.map((u) => ({ kind: u.kind, tag: u.tag, digest: null }));
    if (decision.pinCandidates)
      for (const u of fixes) u.digest = await candidateDigest(registry, repository, u.tag, null, ctx, env);
    const message = `${registry}/${repository} has no tag ${digestTag}`;
    const offer =
      fixes.length > 0
        ? `; newer tags: ${[...fixes]
            .reverse()
            .map((u) => `${u.tag} (${u.kind})`)
            .join(', ')}`
        : '';
    return {
      ...common,
      updates: fixes,
      stale: ctx.stale,
      status: 'error',
      code: 'tag-not-found',
      error: { code: 'not-found', message, name: 'NotFoundError', registry, status: 404, temporary: false },
      message: `${name}: ${message}${offer}`,
    };
  }
}

/**
 * `image@sha256:...` without a tag: there is no tag to follow, so the one question is whether that digest exists
 * (a HEAD by digest; never a comparison with `latest`, which the repository need not have).
 */
async function digestOnly(
  digest: string,
  registry: string,
  repository: string,
  name: string,
  common: Omit<Finding, 'status' | 'code' | 'message'>,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<Finding> {
  try {
    const got = await env.lookups.manifestType(registry, repository, digest);
    mergeStale(ctx, got);
  } catch (e) {
    if (!isNotFoundError(e)) throw e;
    const message = `${registry}/${repository} has no manifest ${short(digest)}`;
    return {
      ...common,
      stale: ctx.stale,
      status: 'error',
      code: 'not-found',
      error: { ...findingError(e), message },
      message: `${name}: ${message}`,
    };
  }
  if (ctx.stale)
    common.notes.push({
      code: 'stale',
      message: `cached answers from ${ctx.stale.fetchedAt} used: ${ctx.stale.because.message}`,
    });
  return {
    ...common,
    currentDigest: digest,
    stale: ctx.stale,
    status: 'current',
    code: 'up-to-date',
    message: `${name}: pinned by digest (no tag to follow); the registry has it`,
  };
}

/** Which digest replaces a pinned one that is no longer the tag's; `missing` when the pin's platform is gone. */
async function refreshPin(
  occ: Occurrence,
  registry: string,
  repository: string,
  tag: string,
  pinned: string,
  cur: DigestValue,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<{ digest: string | null; platform: string | null; note: string | null } | { missing: string }> {
  if (!isIndexMediaType(cur.mediaType ?? undefined)) return { digest: cur.digest, platform: null, note: null };
  const idx = await env.lookups.index(registry, repository, cur.digest);
  mergeStale(ctx, idx);
  const child = idx.value.platforms.find((p) => p.digest === pinned);
  if (child) {
    // The pin is this platform's manifest of the tag's current index: nothing changed for what is built.
    return {
      digest: null,
      platform: child.platform,
      note: `pinned to the ${child.platform} manifest of ${tag}'s index, which is still current`,
    };
  }
  let pinnedIsIndex: boolean | null = null;
  try {
    const t = await env.lookups.manifestType(registry, repository, pinned);
    mergeStale(ctx, t);
    pinnedIsIndex = isIndexMediaType(t.value.mediaType ?? undefined);
  } catch (e) {
    if (!isNotFoundError(e)) throw e;
  }
  if (pinnedIsIndex !== false) {
    return {
      digest: cur.digest,
      platform: null,
      note:
        pinnedIsIndex === null ? `the pinned digest is gone from the registry: offering ${tag}'s index digest` : null,
    };
  }
  const { platform, from } = await pinPlatformOf(occ, registry, repository, pinned, ctx, env);
  const match = idx.value.platforms.find((p) => samePlatform(p.platform, platform));
  if (!match) {
    return {
      missing: `the pin is ${platform}'s manifest, but ${tag}'s index has no ${platform} manifest any more (it has ${idx.value.platforms.map((p) => p.platform).join(', ') || 'none'})`,
    };
  }
  const why =
    from === 'config'
      ? ' (the platform of the pinned manifest)'
      : from === 'assumed'
        ? ` (the pinned manifest names no platform: assumed the host's)`
        : '';
  return {
    digest: match.digest,
    platform: match.platform,
    note: `the pin is a single-platform manifest: refreshed to ${tag}'s ${match.platform} manifest${why}`,
  };
}

/**
 * The platform a single-platform pin is for: the Dockerfile's `--platform`, else the pinned manifest's own (its
 * config), else the default (the host's, as docker builds), noted as assumed.
 */
async function pinPlatformOf(
  occ: Occurrence,
  registry: string,
  repository: string,
  pinned: string,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<{ platform: string; from: 'file' | 'config' | 'assumed' }> {
  const fromFile = occ.platform !== null ? normalizePlatform(occ.platform) : null;
  if (fromFile) return { platform: fromFile, from: 'file' };
  const got = await env.lookups.manifestPlatform(registry, repository, pinned);
  mergeStale(ctx, got);
  const own = got.value.platform !== null ? normalizePlatform(got.value.platform) : null;
  if (own) return { platform: own, from: 'config' };
  return { platform: normalizePlatform(env.defaultPlatform ?? '') ?? hostPlatform(), from: 'assumed' };
}

/** A candidate tag's digest: its index's `platform` child for single-platform pins, else what the tag points at. */
async function candidateDigest(
  registry: string,
  repository: string,
  tag: string,
  platform: string | null,
  ctx: Evaluation,
  env: EvalEnv,
): Promise<string> {
  const d = await env.lookups.digest(registry, repository, tag);
  mergeStale(ctx, d);
  if (platform === null || !isIndexMediaType(d.value.mediaType ?? undefined)) return d.value.digest;
  const idx = await env.lookups.index(registry, repository, d.value.digest);
  mergeStale(ctx, idx);
  return idx.value.platforms.find((p) => samePlatform(p.platform, platform))?.digest ?? d.value.digest;
}
