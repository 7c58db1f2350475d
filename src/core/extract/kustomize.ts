import { entries } from './compose';
import { SourceText } from './sourceText';
import type { ExtractResult } from './types';
import { assembledImage, part, readDocuments } from './yamlImages';

/**
 * The `images:` of a Kustomize file (`kustomization.yaml|yml`, `Kustomization`): each entry `{name, newName,
 * newTag, digest}` names the image `newName` (else `name`) with `newTag` and `digest`. The range is the
 * `newName` value (else `name`); the tag and digest locations are the `newTag:` and `digest:` values, which a fix
 * edits. An entry that only renames (no `newTag`, no `digest`) keeps the manifests' tag: skipped as
 * `tag-elsewhere`. Pinning is not written inline (add a `digest:` field).
 */
export function extractKustomize(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  for (const doc of readDocuments(src, result)) {
    if (doc.root?.kind !== 'map') continue;
    const images = entries(doc.root).get('images');
    if (images?.kind !== 'seq') continue;
    for (const item of images.items) {
      if (item?.kind !== 'map') continue;
      const e = entries(item);
      const original = part(src, e.get('name'));
      const renamed = part(src, e.get('newName'));
      const name = renamed && renamed.value.length > 0 ? renamed : original;
      if (!name || name.value.length === 0) {
        const at = src.positionAt(item.start);
        result.errors.push({ file, line: at.line, character: at.character, message: 'images entry without a name' });
        continue;
      }
      const tag = part(src, e.get('newTag'));
      const digest = part(src, e.get('digest'));
      const label = original ? original.value.toString() : name.value.toString();
      const skip =
        (!tag || tag.value.length === 0) && (!digest || digest.value.length === 0)
          ? {
              reason: 'tag-elsewhere' as const,
              detail: `images entry ${label} sets no newTag or digest: the manifests' tag stays`,
            }
          : null;
      const o = assembledImage(
        src,
        { source: 'kustomize', kind: 'image', services: [label] },
        { name, tag, digest },
        skip,
      );
      o.pinLocation = null;
      result.occurrences.push(o);
    }
  }
  return result;
}
