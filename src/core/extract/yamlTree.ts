import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { YamlDocument, YamlNode, YamlScalar, YamlSlot } from './yamlNodes';
import { readSimpleYaml } from './yamlSimple';

export type { YamlDocument, YamlMap, YamlNode, YamlPair, YamlScalar, YamlSeq, YamlSlot } from './yamlNodes';

/** Reads every document of `text`: the fast reader when the text is in its subset, else the `yaml` library. May throw (library bug). */
export function readYaml(text: string): YamlDocument[] {
  return readSimpleYaml(text) ?? readYamlWithLibrary(text);
}

/** Reads every document of `text` with the `yaml` library (duplicate keys allowed, as compose does). May throw. */
export function readYamlWithLibrary(text: string): YamlDocument[] {
  const parsed = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  return docs.map((doc) => {
    const errors = doc.errors.map((e) => ({ offset: e.pos[0], message: e.message }));
    return { root: convert(doc.contents, errors), errors };
  });
}

/**
 * Converts a parsed document. Nodes are visited in document order, keys before values and a node before its
 * children, registering anchors as they come: an alias then names the last node with its anchor before it,
 * which is what `Alias.resolve` finds (by walking the whole document for each alias).
 */
function convert(root: unknown, errors: YamlDocument['errors']): YamlSlot {
  const anchors = new Map<string, YamlNode>();
  const walk = (node: unknown): YamlSlot => {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      // The library reads `*name` with no anchor before it as an alias to nothing; YAML (and compose) refuse it.
      if (!target) errors.push({ offset: node.range?.[0] ?? 0, message: `Unresolved alias *${node.source}: no anchor &${node.source} before it` });
      return target ?? null;
    }
    let out: YamlNode;
    if (isScalar(node)) {
      const [start, end] = node.range ?? [0, 0];
      out = { kind: 'scalar', value: node.value as YamlScalar['value'], style: styleOf(node.type), start, end };
    } else if (isMap(node)) out = { kind: 'map', start: node.range?.[0] ?? 0, pairs: [] };
    else if (isSeq(node)) out = { kind: 'seq', start: node.range?.[0] ?? 0, items: [] };
    else return undefined;
    const anchor = (node as Node).anchor;
    if (anchor) anchors.set(anchor, out);
    if (out.kind === 'map' && isMap(node)) {
      for (const pair of node.items) {
        walk(pair.key); // for the anchors it may carry
        const value = walk(pair.value);
        const key = keyOf(pair.key);
        if (key !== null) out.pairs.push({ key, merge: key === '<<' && isScalar(pair.key) && pair.key.type === 'PLAIN', value });
      }
    } else if (out.kind === 'seq' && isSeq(node)) {
      for (const item of node.items) out.items.push(walk(item));
    }
    return out;
  };
  return walk(root);
}

function styleOf(type: string | undefined): YamlScalar['style'] {
  return type === 'PLAIN' ? 'plain' : type === 'QUOTE_SINGLE' ? 'single' : type === 'QUOTE_DOUBLE' ? 'double' : 'block';
}

function keyOf(key: unknown): string | null {
  if (!isScalar(key)) return null;
  const v = key.value;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}
