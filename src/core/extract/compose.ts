import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import { interpolateCompose } from './composeTemplate';
import { parseDotenv } from './dotenv';
import { MappedString } from './mapped';
import { makeOccurrence } from './occurrence';
import { SourceText } from './sourceText';
import type { Lookup } from './substitute';
import type { ExtractResult, FileReference } from './types';

export interface ComposeOptions {
  /** The `.env` beside the compose file (its path and text), for `${VAR}` values. */
  dotenv?: { file: string; content: string } | null;
  /** Variables that win over `.env` (compose reads the shell environment first). Not mapped to any file. */
  environment?: Readonly<Record<string, string>>;
}

/** Top-level keys of a compose file that are not services in the old (v1, no `services:`) layout. */
const NOT_SERVICES = new Set(['version', 'services', 'volumes', 'networks', 'secrets', 'configs', 'include', 'name', 'models']);

interface ImageUse {
  node: Scalar | Node;
  services: string[];
  fragments: string[];
  built: boolean[];
}

/**
 * The images a compose file names: `services.*.image` and the `image` of top-level `x-*` fragments, following
 * anchors, aliases and `<<` merge keys to the node where the image is written (one occurrence per written
 * image, listing every service that uses it). `extends:` within the file is followed (a service without `image`
 * gets its base's); `extends: {file}` and `include:` are reported as references for the workspace scan. A
 * service with `build:` (own, merged or inherited) builds its `image:` locally. Each YAML document of a
 * multi-document file is read on its own.
 */
export function extractCompose(file: string, content: string, options: ComposeOptions = {}): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const lookup = composeLookup(options);
  const dir = path.dirname(file);
  const reference = (target: string) => {
    const ref: FileReference = { file: path.resolve(dir, target), source: 'compose' };
    if (ref.file !== file && !result.references.some((r) => r.file === ref.file)) result.references.push(ref);
  };

  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(src.text, { prettyErrors: false, uniqueKeys: false });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    result.errors.push({ file, line: 0, character: 0, message: `YAML: ${err instanceof Error ? err.message : String(err)}` });
    return result;
  }

  for (const doc of docs) {
    for (const error of doc.errors) {
      const at = src.positionAt(error.pos[0]);
      result.errors.push({ file, line: at.line, character: at.character, message: `YAML: ${firstLine(error.message)}` });
    }
    const root = doc.contents;
    if (!isMap(root)) continue;
    // Alias.resolve walks the whole document each time: resolve each alias once.
    const resolved = new Map<unknown, unknown>();
    const deref = (node: unknown): unknown => {
      if (!isAlias(node)) return node;
      if (!resolved.has(node)) resolved.set(node, node.resolve(doc));
      return resolved.get(node);
    };
    const top = entries(root, deref);

    const uses = new Map<unknown, ImageUse>();
    const use = (node: unknown, who: string, fragment: boolean, built: boolean) => {
      if (node === undefined || node === null) return;
      let u = uses.get(node);
      if (!u) {
        u = { node: node as Node, services: [], fragments: [], built: [] };
        uses.set(node, u);
      }
      if (fragment) u.fragments.push(who);
      else {
        u.services.push(who);
        u.built.push(built);
      }
    };

    // Services: `services:` or, in the old layout, the top-level maps.
    const services = new Map<string, YAMLMap>();
    const servicesNode = deref(top.get('services'));
    if (isMap(servicesNode)) {
      for (const pair of servicesNode.items) {
        const name = keyOf(pair.key);
        const value = deref(pair.value);
        if (name !== null && isMap(value)) services.set(name, value);
      }
    } else if (!top.has('services')) {
      for (const [name, node] of top) {
        const value = deref(node);
        if (NOT_SERVICES.has(name) || name.startsWith('x-') || !isMap(value)) continue;
        const e = entries(value, deref);
        if (e.has('image') || e.has('build')) services.set(name, value);
      }
    }

    const resolve = (name: string, seen: Set<string>): { image: unknown; built: boolean } => {
      const svc = services.get(name);
      if (!svc || seen.has(name)) return { image: undefined, built: false };
      seen.add(name);
      const e = entries(svc, deref);
      let image = e.get('image');
      let built = hasValue(deref(e.get('build')));
      const ext = deref(e.get('extends'));
      let base: string | null = null;
      let baseFile: string | null = null;
      if (isScalar(ext) && typeof ext.value === 'string') base = ext.value;
      else if (isMap(ext)) {
        const x = entries(ext, deref);
        const s = deref(x.get('service'));
        const f = deref(x.get('file'));
        if (isScalar(s) && typeof s.value === 'string') base = s.value;
        if (isScalar(f) && typeof f.value === 'string') baseFile = f.value;
      }
      if (baseFile !== null && path.resolve(dir, baseFile) !== file) {
        reference(baseFile);
      } else if (base !== null) {
        const inherited = resolve(base, seen);
        image ??= inherited.image;
        built ||= inherited.built;
      }
      return { image: deref(image), built };
    };
    for (const name of services.keys()) {
      const { image, built } = resolve(name, new Set());
      use(image, name, false, built);
    }

    for (const [key, node] of top) {
      const value = deref(node);
      if (!key.startsWith('x-') || !isMap(value)) continue;
      use(deref(entries(value, deref).get('image')), key, true, false);
    }

    for (const target of includes(deref(top.get('include')), deref)) reference(target);

    const ordered = [...uses.values()].sort((a, b) => (a.node.range?.[0] ?? 0) - (b.node.range?.[0] ?? 0));
    for (const u of ordered) {
      const node = u.node;
      if (!isScalar(node)) {
        const at = src.positionAt(node.range?.[0] ?? 0);
        result.errors.push({ file, line: at.line, character: at.character, message: `image of ${u.services[0] ?? u.fragments[0] ?? 'a service'} is not a string` });
        continue;
      }
      if (node.value === null || node.range === undefined || node.range === null) continue;
      const written = scalarValue(src, node);
      const expansion = interpolateCompose(written.value, lookup);
      const builtLocally = u.services.length > 0 && u.built.every(Boolean);
      result.occurrences.push(
        makeOccurrence(
          { src, source: 'compose', kind: 'service', start: written.start, end: written.end, services: [...u.services, ...u.fragments] },
          expansion,
          builtLocally ? { reason: 'built-locally', detail: `${u.services.join(', ')} ${u.services.length > 1 ? 'have' : 'has'} build:` } : null,
        ),
      );
    }
  }
  return result;
}

/** A map's entries by key, with `<<` merge keys applied (own keys win; earlier merge sources win over later). */
function entries(map: YAMLMap, deref: (n: unknown) => unknown, seen = new Set<unknown>()): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (seen.has(map)) return out;
  seen.add(map);
  const merges: unknown[] = [];
  for (const pair of map.items) {
    const key = keyOf(pair.key);
    if (key === null) continue;
    if (key === '<<' && (!isScalar(pair.key) || pair.key.type === 'PLAIN')) {
      const value = deref(pair.value);
      if (isSeq(value)) merges.push(...value.items.map(deref));
      else merges.push(value);
      continue;
    }
    if (!out.has(key)) out.set(key, pair.value);
  }
  for (const source of merges) {
    if (!isMap(source)) continue;
    for (const [k, v] of entries(source, deref, seen)) if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function keyOf(key: unknown): string | null {
  if (!isScalar(key)) return null;
  const v = key.value;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

function hasValue(node: unknown): boolean {
  if (node === undefined || node === null) return false;
  return !(isScalar(node) && node.value === null);
}

/** `include:` entries: `- path`, `- path: a` or `- path: [a, b]`. */
function includes(node: unknown, deref: (n: unknown) => unknown): string[] {
  const out: string[] = [];
  const items = isSeq(node) ? node.items.map(deref) : node === undefined ? [] : [node];
  for (const item of items) {
    if (isScalar(item) && typeof item.value === 'string') out.push(item.value);
    else if (isMap(item)) {
      const p = deref(entries(item, deref).get('path'));
      if (isScalar(p) && typeof p.value === 'string') out.push(p.value);
      else if (isSeq(p)) for (const x of p.items.map(deref)) if (isScalar(x) && typeof x.value === 'string') out.push(x.value);
    }
  }
  return out;
}

/**
 * The string value of a scalar and where it is written. Plain and quoted scalars without escapes map character
 * for character (the range excludes the quotes); anything else (escapes, folding, block scalars) keeps the value
 * with no origin, so no tag range is claimed.
 */
function scalarValue(src: SourceText, node: Scalar): { value: MappedString; start: number; end: number } {
  const [start, end] = node.range ?? [0, 0];
  const raw = src.text.slice(start, end);
  const value = node.value;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const s = quoted ? start + 1 : start;
  const e = quoted ? Math.max(s, end - 1) : end;
  const inner = quoted ? raw.slice(1, -1) : raw;
  const text = typeof value === 'string' ? value : node.type === 'PLAIN' ? raw : String(value);
  const mapped = new MappedString();
  if (text === inner) mapped.append(text, src, s);
  else mapped.append(text);
  return { value: mapped, start: s, end: e };
}

function composeLookup(options: ComposeOptions): Lookup {
  const dotenv = options.dotenv ? parseDotenv(new SourceText(options.dotenv.file, options.dotenv.content)) : new Map<string, MappedString>();
  const env = options.environment ?? {};
  return (name) => {
    const fromEnv = env[name];
    if (fromEnv !== undefined) return new MappedString().append(fromEnv);
    return dotenv.get(name);
  };
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return (i < 0 ? message : message.slice(0, i)).replace(/:$/, '');
}
