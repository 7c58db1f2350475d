import { entries } from './compose';
import { SourceText } from './sourceText';
import type { ExtractResult, Occurrence } from './types';
import { assembledImage, part, readDocuments, scalarImage, stringScalar } from './yamlImages';
import type { YamlNode, YamlSlot } from './yamlTree';

const MAX_DEPTH = 64;

/** Keys whose value names an image: `image`, and camel-case `...Image` (`sidecarImage`, `initImage`). */
function isImageKey(key: string): boolean {
  return key === 'image' || (key.length > 5 && key.endsWith('Image'));
}

/**
 * The images of a Helm chart's values file (`values*.yaml` beside a `Chart.yaml`), at any depth:
 * - `image: {registry, repository, tag, digest}` maps (the Bitnami layout and most charts'): the reference is
 *   `registry/repository:tag@digest`, the range is the `repository` value, and the tag and digest locations are
 *   the `tag:` and `digest:` values, so a fix edits those; pinning appends `@digest` to the `tag:` value. An empty
 *   or missing `tag:` (the chart's templates choose one, often its appVersion) is skipped as `tag-elsewhere`.
 * - `image: "repo:tag"` strings.
 * A templated value (`{{ ... }}`, rendered by `tpl`) is skipped with the template named.
 */
export function extractHelmValues(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  for (const doc of readDocuments(src, result)) {
    const seen = new Set<YamlNode>();
    const walk = (node: YamlSlot, path: string, depth: number): void => {
      if (!node || node.kind === 'scalar' || depth > MAX_DEPTH || seen.has(node)) return;
      seen.add(node);
      if (node.kind === 'seq') {
        node.items.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
        return;
      }
      for (const [key, value] of entries(node)) {
        const here = path ? `${path}.${key}` : key;
        if (isImageKey(key)) {
          const o = value?.kind === 'map' ? mapImage(src, value, here) : null;
          if (o) {
            result.occurrences.push(o);
            continue;
          }
          const s = stringScalar(value);
          if (s && typeof s.value === 'string' && s.value !== '') {
            result.occurrences.push(scalarImage(src, s, { site: { source: 'helm', kind: 'image', services: [here] } }));
            continue;
          }
        }
        walk(value, here, depth + 1);
      }
    };
    walk(doc.root, '', 0);
  }
  return result;
}

/** An `image:` map with a `repository` string, or null (another kind of map: walk into it). */
function mapImage(src: SourceText, map: YamlNode & { kind: 'map' }, where: string): Occurrence | null {
  const e = entries(map);
  const name = part(src, e.get('repository'));
  if (!name || name.value.length === 0) return null;
  const registry = part(src, e.get('registry'));
  const tag = part(src, e.get('tag'));
  const digest = part(src, e.get('digest'));
  const hasTag = !!tag && tag.value.length > 0;
  const hasDigest = !!digest && digest.value.length > 0;
  const tagInName = /:[^/]*$/.test(name.value.toString());
  const skip =
    !hasTag && !hasDigest && !tagInName
      ? { reason: 'tag-elsewhere' as const, detail: `${where}.tag is empty: the chart's templates choose the tag` }
      : null;
  const o = assembledImage(
    src,
    { source: 'helm', kind: 'image', services: [where] },
    { registry, name, tag, digest },
    skip,
  );
  if (hasTag && tag) o.pinLocation = src.location(tag.end, tag.end);
  else if (!tagInName) o.pinLocation = null;
  return o;
}
