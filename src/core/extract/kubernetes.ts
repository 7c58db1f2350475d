import { SourceText } from './sourceText';
import type { ExtractResult, Occurrence, OccurrenceKind } from './types';
import { entriesOf, readDocuments, scalarImage, stringScalar, valueOf } from './yamlImages';
import type { YamlMap, YamlNode, YamlSlot } from './yamlTree';

/** The pod-spec lists whose items' `image` is a container image, and the occurrence kind each gives. */
const CONTAINER_LISTS: Record<string, OccurrenceKind> = {
  containers: 'container',
  initContainers: 'init-container',
  ephemeralContainers: 'ephemeral-container',
};

/** Deeper than any manifest nests a pod spec (a CronJob's is at depth 7); keeps hostile nesting cheap. */
const MAX_DEPTH = 64;

/**
 * True when `text` reads as a Kubernetes manifest: an `apiVersion:` and a `kind:` key at the start of a line (the
 * top level of a document). Cheap enough to run on every YAML file of a workspace.
 */
export function looksLikeKubernetes(text: string): boolean {
  return /^apiVersion:/m.test(text) && /^kind:/m.test(text);
}

/**
 * The container images of Kubernetes manifests, found by content: in every document with `apiVersion` and `kind`,
 * every `containers`, `initContainers` and `ephemeralContainers` list wherever it sits — a Pod's `spec`, the pod
 * template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, a CronJob's job template, a `List`'s items, or
 * a custom resource that nests a pod spec. A templated value (`{{ .Values.image }}` in a chart's templates) is
 * skipped with the template named; a templated file's YAML errors are not reported (Go templates are not YAML).
 */
export function extractKubernetes(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const templated = src.text.includes('{{');
  // A chart template's action lines (`{{- if .Values.x }}`) are blanked to spaces (offsets stay) so the YAML
  // around them still reads; templates inside values stay and are skipped.
  const yamlText = templated
    ? src.text.replace(/^[ \t]*\{\{[^\n\r]*\}\}[ \t]*$/gm, (line) => ' '.repeat(line.length))
    : src.text;
  const docsSrc = yamlText === src.text ? src : new SourceText(file, yamlText);
  const aliases = yamlText.includes('*');
  // With aliases: the occurrence (null: the error) each image node gave, so a shared node gives it once.
  const written = aliases ? new Map<YamlNode, Occurrence | null>() : null;
  for (const doc of readDocuments(docsSrc, result, templated)) {
    const root = doc.root;
    if (root?.kind !== 'map') continue;
    if (!stringScalar(valueOf(root, 'apiVersion')) || !stringScalar(valueOf(root, 'kind'))) continue;
    // Only an alias (`*name`) makes two slots hold one node: without one the tree is walked once, with no Set.
    const seen = aliases ? new Set<YamlNode>() : null;
    const visit = (key: string, value: YamlSlot, who: string, depth: number): void => {
      const kind = CONTAINER_LISTS[key];
      if (kind && value?.kind === 'seq') {
        for (const item of value.items) if (item?.kind === 'map') container(item, kind, who);
      } else walk(value, who, depth + 1);
    };
    const walk = (node: YamlSlot, owner: string, depth: number): void => {
      if (!node || node.kind === 'scalar' || depth > MAX_DEPTH) return;
      if (seen) {
        if (seen.has(node)) return;
        seen.add(node);
      }
      if (node.kind === 'seq') {
        for (const item of node.items) walk(item, owner, depth + 1);
        return;
      }
      // A nested object names itself only when it is one (a `List` item), not for a `scaleTargetRef`'s `kind`.
      let merges = false;
      let metadata: YamlSlot;
      let named = false;
      for (const pair of node.pairs) {
        if (pair.merge) merges = true;
        else if (!named && pair.key === 'metadata') {
          named = true;
          metadata = pair.value;
        }
      }
      if (!named && merges) metadata = valueOf(node, 'metadata');
      const who = (metadata !== undefined ? ownerOf(node) : null) ?? owner;
      if (merges) for (const [key, value] of entriesOf(node)) visit(key, value, who, depth);
      else for (const pair of node.pairs) visit(pair.key, pair.value, who, depth);
    };
    const container = (map: YamlMap, kind: OccurrenceKind, owner: string) => {
      const image = valueOf(map, 'image');
      const name = stringScalar(valueOf(map, 'name'));
      const label = `${owner}/${name ? String(name.value) : '?'}`;
      const node = stringScalar(image);
      // An image written once and reached again through an alias is one occurrence used by every container.
      const again = image ? written?.get(image) : undefined;
      if (again !== undefined) {
        if (again && !again.services.includes(label)) again.services.push(label);
        return;
      }
      if (node) {
        const o = scalarImage(src, node, { site: { source: 'kubernetes', kind, services: [label] } });
        result.occurrences.push(o);
        written?.set(node, o);
      } else if (image !== undefined && image !== null && !(image.kind === 'scalar' && image.value === null)) {
        written?.set(image, null);
        const at = src.positionAt(image.start);
        result.errors.push({
          file,
          line: at.line,
          character: at.character,
          message: `image of ${label} is not a string`,
        });
      }
    };
    walk(root, ownerOf(root) ?? '?', 0);
  }
  return result;
}

/** `Kind/name` of an object with `kind` and `metadata.name`, else null. */
function ownerOf(map: YamlMap): string | null {
  const kind = stringScalar(valueOf(map, 'kind'));
  if (!kind) return null;
  const metadata = valueOf(map, 'metadata');
  const name = metadata?.kind === 'map' ? stringScalar(valueOf(metadata, 'name')) : null;
  return `${String(kind.value)}/${name ? String(name.value) : '?'}`;
}
