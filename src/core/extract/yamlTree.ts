import { Composer, isAlias, isMap, isScalar, isSeq, Lexer, Parser, type Document, type CST, type Node } from 'yaml';
import { checkTime, LimitError, LIMITS } from './limits';
import type { YamlDocument, YamlNode, YamlScalar, YamlSlot } from './yamlNodes';
import { readSimpleYaml } from './yamlSimple';

export type { YamlDocument, YamlMap, YamlNode, YamlPair, YamlScalar, YamlSeq, YamlSlot } from './yamlNodes';

/** Reads every document of `text`: the fast reader when the text is in its subset, else the `yaml` library. May throw (library bug). */
export function readYaml(text: string): YamlDocument[] {
  return readSimpleYaml(text) ?? readYamlWithLibrary(text);
}

/**
 * Reads every document of `text` with the `yaml` library (duplicate keys allowed, as compose does). May throw.
 * What `parseAllDocuments` does, driven token by token so that it stays bounded: the library cannot be
 * interrupted, and on error-heavy text it costs milliseconds per KiB. The time budget is checked at each lexical
 * token and at each error; past `LIMITS.yamlErrors` errors the file is refused. Both throw a `LimitError`.
 */
export function readYamlWithLibrary(text: string): YamlDocument[] {
  const parser = new Parser();
  const composer = new Composer({ uniqueKeys: false });
  let count = 0;
  const countError = (): void => {
    if (++count > LIMITS.yamlErrors) throw new LimitError('yaml-errors', `more than ${LIMITS.yamlErrors} YAML errors (the limit per file); not read`);
    checkTime();
  };
  // The composer reports every error through this (private) callback, also from inside one large document.
  const hooked = composer as unknown as { onError: (source: unknown, code: unknown, message: string, warning?: boolean) => void };
  const report = hooked.onError;
  hooked.onError = (source, code, message, warning) => {
    if (!warning) countError();
    report(source, code, message, warning);
  };
  const docs: Document.Parsed[] = [];
  const compose = (token: CST.Token): void => {
    if (token.type === 'error') countError();
    for (const doc of composer.next(token)) docs.push(doc);
  };
  // `parser.parse(text)`, one lexical token at a time: a document is one CST token, yielded at its end.
  for (const lexeme of new Lexer().lex(text)) {
    checkTime();
    for (const token of parser.next(lexeme)) compose(token);
  }
  for (const token of parser.end()) compose(token);
  for (const doc of composer.end()) docs.push(doc);
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
