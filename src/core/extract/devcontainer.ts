import * as path from 'node:path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { jsonNestingOver, LIMITS } from './limits';
import { MappedString } from './mapped';
import { makeOccurrence } from './occurrence';
import { SourceText } from './sourceText';
import { newExpansion, noteVariable } from './substitute';
import type { ExtractResult, FileReference } from './types';

/**
 * The image of a dev container definition (`devcontainer.json`, JSON with comments and trailing commas): the
 * top-level `image` string, with its exact range (inside the quotes), and the `features` keys that name OCI
 * artifacts (`"ghcr.io/devcontainers/features/node:1": {}`), checked like images. Dev container variables such as
 * `${localEnv:VARIANT}` are not resolved: such an image is skipped with the variable named. `build.dockerfile`
 * (or the legacy `dockerFile`) and `dockerComposeFile` are reported as references for the workspace scan.
 */
export function extractDevcontainer(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const deep = jsonNestingOver(src.text, LIMITS.nestingDepth);
  if (deep >= 0) {
    const at = src.positionAt(deep);
    const message = `JSON nested deeper than ${LIMITS.nestingDepth} levels (the limit); the file is not read`;
    result.errors.push({ file, line: at.line, character: at.character, message, limit: 'nesting-depth' });
    return result;
  }
  const errors: ParseError[] = [];
  const root = parseTree(src.text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    allowEmptyContent: true,
  });
  for (const e of errors) {
    const at = src.positionAt(e.offset);
    result.errors.push({
      file,
      line: at.line,
      character: at.character,
      message: `JSON: ${printParseErrorCode(e.error)}`,
    });
  }
  if (root?.type !== 'object') return result;

  const image = findNodeAtLocation(root, ['image']);
  if (image) {
    if (image.type !== 'string' || typeof image.value !== 'string') {
      const at = src.positionAt(image.offset);
      result.errors.push({ file, line: at.line, character: at.character, message: '"image" is not a string' });
    } else {
      result.occurrences.push(imageOccurrence(src, image, 'image'));
    }
  }

  // Features published as OCI artifacts (`ghcr.io/devcontainers/features/node:1`) are checked like images;
  // local folders (`./f`), tarball URLs and the old short ids (`node`) are not in a registry.
  const features = findNodeAtLocation(root, ['features']);
  if (features?.type === 'object') {
    for (const prop of features.children ?? []) {
      const key = prop.children?.[0];
      if (key?.type === 'string' && typeof key.value === 'string' && isOciFeature(key.value))
        result.occurrences.push(imageOccurrence(src, key, 'feature'));
    }
  }

  const dir = path.dirname(file);
  const refer = (node: Node | undefined, source: FileReference['source']) => {
    if (node?.type === 'string' && typeof node.value === 'string' && node.value !== '' && !node.value.includes('${')) {
      result.references.push({ file: path.resolve(dir, node.value), source, from: src.positionAt(node.offset) });
    }
  };
  refer(findNodeAtLocation(root, ['build', 'dockerfile']), 'dockerfile');
  refer(findNodeAtLocation(root, ['dockerFile']), 'dockerfile');
  const compose = findNodeAtLocation(root, ['dockerComposeFile']);
  if (compose?.type === 'array') for (const child of compose.children ?? []) refer(child, 'compose');
  else refer(compose, 'compose');
  return result;
}

/** A feature id that names an OCI artifact: a first segment that is a registry host (`.` or `:` in it, or `localhost`), then a path. */
function isOciFeature(id: string): boolean {
  const slash = id.indexOf('/');
  if (slash <= 0 || id.includes('://')) return false;
  const host = id.slice(0, slash);
  return (
    /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?$/.test(host) &&
    (host.includes('.') || host.includes(':') || host === 'localhost')
  );
}

function imageOccurrence(src: SourceText, node: Node, kind: 'image' | 'feature') {
  const start = node.offset + 1;
  const end = Math.max(start, node.offset + node.length - 1);
  const value = node.value as string;
  const expansion = newExpansion();
  // Escapes (`\u0061`) mean the value is not written verbatim: keep it, claim no tag range.
  if (src.text.slice(start, end) === value) expansion.value.append(value, src, start);
  else expansion.value = new MappedString().append(value);
  for (let i = value.indexOf('${'); i >= 0; i = value.indexOf('${', i + 2)) {
    const close = value.indexOf('}', i);
    noteVariable(expansion, value.slice(i + 2, close < 0 ? value.length : close), false);
  }
  return makeOccurrence({ src, source: 'devcontainer', kind, start, end }, expansion);
}
