/**
 * Update policies, one source for the CLI and the extension: an ordered list of rules, each matching images by
 * glob, and inline `registry-lens:` comments (inline.ts) on top. Later rules override earlier ones field by
 * field; an inline directive overrides every rule. Where the rules are stored (a workspace file, a setting) is the
 * caller's business: {@link compilePolicyRules} takes plain JSON and validates all of it up front, so a bad regex
 * is one clear error naming the rule, at load time, never a silent non-match at check time.
 */
import { familiarName, type ImageReference } from '../reference';
import { compileGlob, type GlobMatcher } from '../extract/glob';
import { hasName } from '../util/errorName';
import { UPDATE_KINDS, type UpdateKind } from './tag';

/** A rule as written in JSON. */
export interface PolicyRuleInput {
  /** Globs on `registry/repository`, the canonical reference or the familiar name (`node`, `user/app`). `**` spans `/`. */
  match: string | string[];
  /** Skip matching images entirely. */
  ignore?: boolean;
  /** Update kinds to offer: `major`, `minor`, `patch`, `digest`, `pin` (default all). */
  allow?: UpdateKind[];
  /** Only candidate tags matching this regular expression are offered. */
  include?: string;
  /** Candidate tags matching this regular expression are never offered. */
  exclude?: string;
  /** Offer `@sha256:` pins for tags without one, and keep digests on updated tags. */
  pinDigests?: boolean;
  /** Free text shown where the rule applied. */
  description?: string;
}

/** The fields a rule or an inline directive may set; unset fields leave the earlier value. */
export interface PolicySettings {
  ignore?: boolean;
  allow?: ReadonlySet<UpdateKind>;
  include?: RegExp;
  exclude?: RegExp;
  pinDigests?: boolean;
}

export interface PolicyRule extends PolicySettings {
  /** `rule 3 (match "ghcr.io/acme/**")`: how messages name it. */
  readonly label: string;
  readonly patterns: readonly string[];
  readonly matchers: readonly GlobMatcher[];
}

/** What applies to one occurrence after every rule and the inline directive. */
export interface EffectivePolicy {
  readonly ignore: boolean;
  readonly allow: ReadonlySet<UpdateKind>;
  readonly include: RegExp | null;
  readonly exclude: RegExp | null;
  readonly pinDigests: boolean;
  /** Labels of the rules that matched, in order, then `inline` when a directive applied. */
  readonly sources: readonly string[];
}

export const DEFAULT_POLICY: EffectivePolicy = Object.freeze({
  ignore: false,
  allow: new Set<UpdateKind>(UPDATE_KINDS),
  include: null,
  exclude: null,
  pinDigests: false,
  sources: [],
});

/** A policy that cannot be used, with where it came from. Guard with {@link isPolicyError} (`name`, not instanceof). */
export class PolicyError extends Error {
  override readonly name = 'PolicyError' as const;
  constructor(
    /** `rule 2 (match "node")` or `inline directive`. */
    readonly where: string,
    /** The offending field: `match`, `allow`, `include`, ... */
    readonly field: string,
    message: string,
  ) {
    super(`${where}: ${field}: ${message}`);
  }
}

export function isPolicyError(e: unknown): e is PolicyError {
  return hasName(e, ['PolicyError']);
}

const RULE_FIELDS = new Set(['match', 'ignore', 'allow', 'include', 'exclude', 'pinDigests', 'description']);

/** Validates update kinds (`allow`): a list or a comma-separated string. Throws {@link PolicyError}. */
export function parseUpdateKinds(value: unknown, where: string): Set<UpdateKind> {
  const items = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(items)) throw new PolicyError(where, 'allow', 'expected a list of update kinds');
  const kinds = new Set<UpdateKind>();
  for (const item of items) {
    if (typeof item !== 'string' || !(UPDATE_KINDS as readonly string[]).includes(item)) {
      throw new PolicyError(
        where,
        'allow',
        `unknown update kind ${JSON.stringify(item)} (expected ${UPDATE_KINDS.join(', ')})`,
      );
    }
    kinds.add(item as UpdateKind);
  }
  return kinds;
}

/** Compiles a tag regex. Throws {@link PolicyError} naming `where` and the field. */
export function compileTagRegex(source: unknown, where: string, field: 'include' | 'exclude'): RegExp {
  if (typeof source !== 'string' || source === '')
    throw new PolicyError(where, field, 'expected a non-empty regular expression string');
  try {
    return new RegExp(source);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new PolicyError(where, field, `${JSON.stringify(source)} is not a valid regular expression (${reason})`);
  }
}

/**
 * Validates and compiles rules from JSON (`unknown`: the file or setting as parsed). Throws {@link PolicyError} on
 * the first problem, naming the rule by index (1-based) and pattern. Unknown fields are errors too: a typo such as
 * `pinDigest` must not silently do nothing.
 */
export function compilePolicyRules(input: unknown, origin = 'policy'): PolicyRule[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw new PolicyError(origin, 'rules', 'expected a list of rules');
  return input.map((raw: unknown, i): PolicyRule => {
    let where = `${origin} rule ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new PolicyError(where, 'rule', 'expected an object');
    const r = raw as Record<string, unknown>;
    const patterns = typeof r.match === 'string' ? [r.match] : r.match;
    if (
      !Array.isArray(patterns) ||
      patterns.length === 0 ||
      patterns.some((p) => typeof p !== 'string' || p.trim() === '')
    ) {
      throw new PolicyError(where, 'match', 'expected a non-empty glob or list of globs');
    }
    const globs = patterns as string[];
    where += ` (match ${globs.map((p) => JSON.stringify(p)).join(', ')})`;
    for (const key of Object.keys(r)) {
      if (!RULE_FIELDS.has(key))
        throw new PolicyError(where, key, `unknown field (expected ${[...RULE_FIELDS].join(', ')})`);
    }
    const rule: PolicyRule & { -readonly [K in keyof PolicySettings]: PolicySettings[K] } = {
      label: where,
      patterns: globs,
      matchers: globs.map((p) => compileGlob(p.trim(), { braces: true })),
    };
    if (r.ignore !== undefined) rule.ignore = bool(r.ignore, where, 'ignore');
    if (r.pinDigests !== undefined) rule.pinDigests = bool(r.pinDigests, where, 'pinDigests');
    if (r.allow !== undefined) rule.allow = parseUpdateKinds(r.allow, where);
    if (r.include !== undefined) rule.include = compileTagRegex(r.include, where, 'include');
    if (r.exclude !== undefined) rule.exclude = compileTagRegex(r.exclude, where, 'exclude');
    if (r.description !== undefined && typeof r.description !== 'string')
      throw new PolicyError(where, 'description', 'expected a string');
    return rule;
  });
}

function bool(v: unknown, where: string, field: string): boolean {
  if (typeof v !== 'boolean') throw new PolicyError(where, field, 'expected true or false');
  return v;
}

type Matchable = Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest' | 'name' | 'canonical'>;

/** Whether a rule's globs match the reference (`registry/repository`, canonical, or familiar name without tag). */
export function ruleMatches(rule: Pick<PolicyRule, 'matchers'>, ref: Matchable): boolean {
  const familiar = familiarName({ registry: ref.registry, repository: ref.repository, tag: null, digest: null });
  return rule.matchers.some((m) => m.test(ref.name) || m.test(ref.canonical) || m.test(familiar));
}

/** Applies every matching rule in order, then the inline directive (which wins). */
export function resolvePolicy(
  rules: readonly PolicyRule[],
  ref: Matchable,
  inline?: PolicySettings | null,
): EffectivePolicy {
  let ignore = DEFAULT_POLICY.ignore;
  let allow = DEFAULT_POLICY.allow;
  let include = DEFAULT_POLICY.include;
  let exclude = DEFAULT_POLICY.exclude;
  let pinDigests = DEFAULT_POLICY.pinDigests;
  const sources: string[] = [];
  const apply = (s: PolicySettings, label: string) => {
    sources.push(label);
    if (s.ignore !== undefined) ignore = s.ignore;
    if (s.allow !== undefined) allow = s.allow;
    if (s.include !== undefined) include = s.include;
    if (s.exclude !== undefined) exclude = s.exclude;
    if (s.pinDigests !== undefined) pinDigests = s.pinDigests;
  };
  for (const rule of rules) if (ruleMatches(rule, ref)) apply(rule, rule.label);
  if (inline) apply(inline, 'inline');
  return { ignore, allow, include, exclude, pinDigests, sources };
}

/** Whether a candidate tag passes the policy's include/exclude regexes. */
export function tagAllowed(policy: Pick<EffectivePolicy, 'include' | 'exclude'>, tag: string): boolean {
  if (policy.include && !regexTest(policy.include, tag)) return false;
  if (policy.exclude && regexTest(policy.exclude, tag)) return false;
  return true;
}

/** `test` without the `lastIndex` trap of /g and /y regexes. */
function regexTest(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
