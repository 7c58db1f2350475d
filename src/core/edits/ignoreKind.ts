import { familiarName, type ImageReference } from '../reference';
import {
  compilePolicyRules,
  isPolicyError,
  resolvePolicy,
  ruleMatches,
  UPDATE_KINDS,
  type UpdateKind,
} from '../versioning';

/**
 * The `registryLens.policies` value that stops offering one update kind for an image (plain data, unit-tested):
 * the effective `allow` of that image minus the kind, written on the rule that already matches exactly that image
 * when nothing after it sets `allow` again, else on a new rule at the end (later rules win field by field).
 */
export function rulesIgnoringKind(
  raw: readonly unknown[],
  ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest' | 'name' | 'canonical'>,
  kind: UpdateKind,
): { rules: unknown[]; match: string; allow: UpdateKind[] } | { refused: string } {
  let compiled;
  try {
    compiled = compilePolicyRules(raw, 'registryLens.policies');
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    return { refused: `${e.message}: fix registryLens.policies first` };
  }
  const effective = resolvePolicy(compiled, ref);
  const match = familiarName({ registry: ref.registry, repository: ref.repository, tag: null, digest: null });
  if (effective.ignore) return { refused: `${match} is already ignored by registryLens.policies` };
  if (!effective.allow.has(kind)) return { refused: `${kind} updates of ${match} are already not offered` };
  const allow = UPDATE_KINDS.filter((k) => k !== kind && effective.allow.has(k));
  const rules = raw.map<unknown>((r) => (typeof r === 'object' && r !== null ? { ...r } : r));
  let own = -1;
  for (const [i, rule] of compiled.entries()) {
    if (!ruleMatches(rule, ref)) continue;
    const m = (rules[i] as { match?: unknown }).match;
    if (m === match || (Array.isArray(m) && m.length === 1 && m[0] === match)) own = i;
    else if (rule.allow !== undefined && i > own) own = -1; // a later rule sets allow: ours must come after it
  }
  if (own >= 0) (rules[own] as { allow?: UpdateKind[] }).allow = allow;
  else rules.push({ match, allow });
  return { rules, match, allow };
}
