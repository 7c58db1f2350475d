import { interpolateCompose } from './composeTemplate';
import { entries, scalarValue } from './compose';
import { isLimitError, LIMITS, yamlNestingOver } from './limits';
import type { MappedString } from './mapped';
import { makeOccurrence, type OccurrenceSite } from './occurrence';
import type { SourceText } from './sourceText';
import { newExpansion, type Lookup } from './substitute';
import type { ExtractResult, Occurrence, Skip } from './types';
import { readYamlWithLibrary, type YamlDocument, type YamlMap, type YamlNode, type YamlScalar, type YamlSlot } from './yamlTree';
import { readSimpleYaml } from './yamlSimple';

/**
 * What the Kubernetes, Helm, Kustomize, GitHub Actions and GitLab CI extractors share: reading every document of a
 * YAML file (the fast reader per document, the library when any document leaves its subset), and turning a scalar
 * that names an image into an occurrence with exact ranges.
 */

/** A document marker at the start of a line: `---` or `...`, then a blank or the line's end. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?=[ \t]|\r?\n|\r|$)/gm;

/**
 * Every document of `text`. A multi-document file (Kubernetes manifests often are) is cut at its `---` lines and
 * each piece read by the fast reader, offsets shifted back into `text`; if any piece leaves the fast reader's
 * subset (or the text has a `...` end marker), the `yaml` library reads the whole text. May throw (library bug).
 */
export function readYamlDocuments(text: string): YamlDocument[] {
  DOCUMENT_MARKER.lastIndex = 0;
  const cuts: number[] = [];
  for (let m = DOCUMENT_MARKER.exec(text); m; m = DOCUMENT_MARKER.exec(text)) {
    if (m[0] === '...') return readYamlWithLibrary(text);
    if (m.index > 0) cuts.push(m.index);
  }
  if (cuts.length === 0) return readSimpleYaml(text) ?? readYamlWithLibrary(text);
  const docs: YamlDocument[] = [];
  let start = 0;
  for (const end of [...cuts, text.length]) {
    const piece = text.slice(start, end);
    const read = readSimpleYaml(piece);
    if (!read) return readYamlWithLibrary(text);
    for (const doc of read) {
      if (start > 0) shift(doc.root, start, new Set());
      docs.push(doc);
    }
    start = end;
  }
  return docs;
}

function shift(node: YamlSlot, by: number, seen: Set<YamlNode>): void {
  if (!node || seen.has(node)) return;
  seen.add(node);
  node.start += by;
  if (node.kind === 'scalar') node.end += by;
  else if (node.kind === 'map') for (const p of node.pairs) shift(p.value, by, seen);
  else for (const item of node.items) shift(item, by, seen);
}

/** Reads `src` into documents, reporting YAML errors (unless `quiet`) and a reader failure in `result`. */
export function readDocuments(src: SourceText, result: ExtractResult, quiet = false): YamlDocument[] {
  const deep = yamlNestingOver(src.text, LIMITS.nestingDepth);
  if (deep >= 0) {
    const at = src.positionAt(deep);
    const message = `YAML nested deeper than ${LIMITS.nestingDepth} levels (the limit); the file is not read`;
    if (!quiet) result.errors.push({ file: src.file, line: at.line, character: at.character, message, limit: 'nesting-depth' });
    return [];
  }
  let docs: YamlDocument[];
  try {
    docs = readYamlDocuments(src.text);
  } catch (err) {
    if (quiet) return [];
    if (isLimitError(err)) result.errors.push({ file: src.file, line: 0, character: 0, message: err.message, limit: err.limit });
    else result.errors.push({ file: src.file, line: 0, character: 0, message: `YAML: ${err instanceof Error ? err.message : String(err)}` });
    return [];
  }
  if (!quiet) {
    for (const doc of docs) {
      for (const error of doc.errors) {
        const at = src.positionAt(error.offset);
        const nl = error.message.indexOf('\n');
        result.errors.push({ file: src.file, line: at.line, character: at.character, message: `YAML: ${(nl < 0 ? error.message : error.message.slice(0, nl)).replace(/:$/, '')}` });
      }
    }
  }
  return docs;
}

/** A map's value for `key`, own keys first, then `<<` merges (without building the merged map when there are none). */
export function valueOf(map: YamlMap, key: string): YamlSlot {
  let merges = false;
  for (const pair of map.pairs) {
    if (pair.merge) merges = true;
    else if (pair.key === key) return pair.value;
  }
  return merges ? entries(map).get(key) : undefined;
}

/** A map's entries as `[key, value]`, merges applied: its own pairs when it has no `<<` (the common case, no copy). */
export function entriesOf(map: YamlMap): Iterable<[string, YamlSlot]> {
  if (!map.pairs.some((p) => p.merge)) return map.pairs.map((p): [string, YamlSlot] => [p.key, p.value]);
  return entries(map);
}

/** A string-valued scalar (plain, quoted; a number such as `1.25` counts, written as it is), else null. */
export function stringScalar(slot: YamlSlot): YamlScalar | null {
  if (slot?.kind !== 'scalar' || slot.value === null || typeof slot.value === 'boolean') return null;
  return slot;
}

/** The first template in `text` (`{{ ... }}` for Helm and Go templates, `${{ ... }}` for GitHub expressions), or null. */
export function templateIn(text: string): string | null {
  const open = text.indexOf('{{');
  if (open < 0) return null;
  const close = text.indexOf('}}', open + 2);
  const from = open > 0 && text[open - 1] === '$' ? open - 1 : open;
  return text.slice(from, close < 0 ? text.length : close + 2);
}

export interface ScalarImage {
  site: Omit<OccurrenceSite, 'src' | 'start' | 'end'>;
  /** Strip this prefix from the value first (`docker://` of a GitHub step); the range starts after it. */
  prefix?: string;
  /** `$VAR` / `${VAR}` lookup (GitLab CI); without it, `$` is literal. */
  lookup?: Lookup;
}

/**
 * The occurrence a scalar names: range inside the quotes (after `prefix`), the value mapped character for character
 * when written verbatim (so the tag range is exact), a template skipped with the template named.
 */
export function scalarImage(src: SourceText, node: YamlScalar, options: ScalarImage): Occurrence {
  const written = scalarValue(src, node);
  let value = written.value;
  let start = written.start;
  const prefix = options.prefix ?? '';
  if (prefix && value.toString().startsWith(prefix)) {
    value = value.slice(prefix.length, value.length);
    if (src.text.startsWith(prefix, start)) start += prefix.length;
  }
  const site: OccurrenceSite = { src, source: options.site.source, kind: options.site.kind, services: options.site.services, start, end: Math.max(start, written.end) };
  const template = templateIn(value.toString());
  // `value` is this call's own string: the expansion can hold it as it is.
  if (template !== null) return makeOccurrence(site, { value, variables: [], unresolved: [], problem: null }, { reason: 'templated', detail: template });
  const expansion = options.lookup && value.toString().includes('$') ? interpolateCompose(value, options.lookup) : { value, variables: [], unresolved: [], problem: null };
  return makeOccurrence(site, expansion);
}

/** A piece of a reference written in its own field (Helm's `registry`/`repository`/`tag`/`digest`, Kustomize's `newName`/`newTag`). */
export interface Part {
  node: YamlScalar;
  value: MappedString;
  start: number;
  end: number;
}

export function part(src: SourceText, slot: YamlSlot): Part | null {
  const node = stringScalar(slot);
  if (!node) return null;
  const written = scalarValue(src, node);
  return { node, ...written };
}

/**
 * A reference assembled from fields: `[registry/]name[:tag][@digest]`, each piece mapped to where it is written, so
 * `tagLocation` / `digestLocation` land on the `tag:` / `digest:` values. The occurrence's range is the name's value.
 */
export function assembledImage(
  src: SourceText,
  site: Omit<OccurrenceSite, 'src' | 'start' | 'end'>,
  pieces: { registry?: Part | null; name: Part; tag?: Part | null; digest?: Part | null },
  skip: Skip | null,
): Occurrence {
  const expansion = newExpansion();
  const v = expansion.value;
  const registry = pieces.registry && pieces.registry.value.length > 0 ? pieces.registry : null;
  if (registry) {
    v.appendMapped(registry.value);
    if (!registry.value.toString().endsWith('/')) v.append('/');
  }
  v.appendMapped(pieces.name.value);
  if (pieces.tag && pieces.tag.value.length > 0) v.append(':').appendMapped(pieces.tag.value);
  if (pieces.digest && pieces.digest.value.length > 0) v.append('@').appendMapped(pieces.digest.value);
  const all = [registry, pieces.name, pieces.tag, pieces.digest].filter((p): p is Part => !!p);
  const template = all.map((p) => templateIn(p.value.toString())).find((t) => t !== null) ?? null;
  const occurrence = makeOccurrence(
    { ...site, src, start: pieces.name.start, end: pieces.name.end },
    expansion,
    template !== null ? { reason: 'templated', detail: template } : skip,
  );
  return occurrence;
}
