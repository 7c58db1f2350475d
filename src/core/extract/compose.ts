import * as path from 'node:path';
import { interpolateCompose } from './composeTemplate';
import { parseDotenv } from './dotenv';
import { checkTime, isLimitError, LIMITS, yamlNestingOver } from './limits';
import { MappedString } from './mapped';
import { makeOccurrence } from './occurrence';
import { SourceText } from './sourceText';
import type { Expansion, Lookup } from './substitute';
import type { ExtractResult, FileReference } from './types';
import { readYaml, type YamlDocument, type YamlMap, type YamlNode, type YamlScalar, type YamlSlot } from './yamlTree';

export interface ComposeOptions {
  /** The `.env` beside the compose file (its path and text), for `${VAR}` values. */
  dotenv?: { file: string; content: string } | null;
  /** Variables that win over `.env` (compose reads the shell environment first). Not mapped to any file. */
  environment?: Readonly<Record<string, string>>;
}

/** Top-level keys of a compose file that are not services in the old (v1, no `services:`) layout. */
const NOT_SERVICES = new Set([
  'version',
  'services',
  'volumes',
  'networks',
  'secrets',
  'configs',
  'include',
  'name',
  'models',
]);

interface ImageUse {
  node: YamlNode;
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
  let tooManyReferences = false;
  const reference = (target: string, at: number) => {
    const ref: FileReference = { file: path.resolve(dir, target), source: 'compose', from: src.positionAt(at) };
    if (ref.file === file || result.references.some((r) => r.file === ref.file)) return;
    if (result.references.length >= LIMITS.referenceCount) {
      if (!tooManyReferences) {
        tooManyReferences = true;
        const p = src.positionAt(at);
        const message = `more than ${LIMITS.referenceCount} include:/extends files (the limit); ${target} and the rest are not read`;
        result.errors.push({ file, line: p.line, character: p.character, message, limit: 'reference-count' });
      }
      return;
    }
    result.references.push(ref);
  };

  const deep = yamlNestingOver(src.text, LIMITS.nestingDepth);
  if (deep >= 0) {
    const at = src.positionAt(deep);
    const message = `YAML nested deeper than ${LIMITS.nestingDepth} levels (the limit); the file is not read`;
    result.errors.push({ file, line: at.line, character: at.character, message, limit: 'nesting-depth' });
    return result;
  }

  let docs: YamlDocument[];
  try {
    docs = readYaml(src.text);
  } catch (err) {
    if (isLimitError(err)) result.errors.push({ file, line: 0, character: 0, message: err.message, limit: err.limit });
    else
      result.errors.push({
        file,
        line: 0,
        character: 0,
        message: `YAML: ${err instanceof Error ? err.message : String(err)}`,
      });
    return result;
  }

  for (const doc of docs) {
    for (const error of doc.errors) {
      const at = src.positionAt(error.offset);
      result.errors.push({
        file,
        line: at.line,
        character: at.character,
        message: `YAML: ${firstLine(error.message)}`,
      });
    }
    const root = doc.root;
    if (root?.kind !== 'map') continue;
    const top = entries(root);

    const uses = new Map<YamlNode, ImageUse>();
    const use = (node: YamlSlot, who: string, fragment: boolean, built: boolean) => {
      if (node === undefined || node === null) return;
      let u = uses.get(node);
      if (!u) {
        u = { node, services: [], fragments: [], built: [] };
        uses.set(node, u);
      }
      if (fragment) u.fragments.push(who);
      else {
        u.services.push(who);
        u.built.push(built);
      }
    };

    // Services: `services:` or, in the old layout, the top-level maps.
    const services = new Map<string, YamlMap>();
    const servicesNode = top.get('services');
    if (servicesNode?.kind === 'map') {
      for (const pair of servicesNode.pairs) {
        if (pair.value?.kind === 'map') services.set(pair.key, pair.value);
        else if (
          pair.value !== undefined &&
          pair.value !== null &&
          !(pair.value.kind === 'scalar' && pair.value.value === null)
        ) {
          // A key indented under the wrong parent (`image:` at the level of the services): compose refuses the file.
          const at = src.positionAt(pair.value.start);
          result.errors.push({
            file,
            line: at.line,
            character: at.character,
            message: `services.${pair.key} must be a mapping (compose refuses this file; is a key indented under the wrong parent?)`,
          });
        }
      }
    } else if (!top.has('services')) {
      for (const [name, value] of top) {
        if (NOT_SERVICES.has(name) || name.startsWith('x-') || value?.kind !== 'map') continue;
        const e = entries(value);
        if (e.has('image') || e.has('build')) services.set(name, value);
      }
    }

    // `extends:` within the file, resolved once per service (iteratively: a chain of thousands of services must
    // not overflow the stack), at most LIMITS.extendsDepth services long.
    interface Resolved {
      image: YamlSlot;
      built: boolean;
      /** Services from this one to the end of its chain (1: no `extends`). */
      depth: number;
    }
    const resolvedServices = new Map<string, Resolved>();
    const tooDeep: string[] = [];
    const own = (name: string, svc: YamlMap) => {
      const e = entries(svc);
      const ext = e.get('extends');
      let base: string | null = null;
      let baseFile: string | null = null;
      let baseFileAt = 0;
      if (ext?.kind === 'scalar' && typeof ext.value === 'string') base = ext.value;
      else if (ext?.kind === 'map') {
        const x = entries(ext);
        const s = x.get('service');
        const f = x.get('file');
        if (s?.kind === 'scalar' && typeof s.value === 'string') base = s.value;
        if (f?.kind === 'scalar' && typeof f.value === 'string') {
          baseFile = f.value;
          baseFileAt = f.start;
        }
      }
      // A missing file is reported where its name is written, as an include: path is.
      if (baseFile !== null && path.resolve(dir, baseFile) !== file) {
        reference(baseFile, baseFileAt);
        base = null;
      }
      return { name, image: e.get('image'), built: hasValue(e.get('build')), base: base === name ? null : base };
    };
    const resolve = (name: string): Resolved => {
      const chain: ReturnType<typeof own>[] = [];
      const onChain = new Set<string>();
      let tail: Resolved = { image: undefined, built: false, depth: 0 };
      let cyclic = false;
      for (let cur: string | null = name; cur !== null;) {
        checkTime();
        const known = resolvedServices.get(cur);
        if (known) {
          tail = known;
          break;
        }
        const svc = services.get(cur);
        if (!svc) break;
        if (onChain.has(cur)) {
          cyclic = true;
          break;
        }
        onChain.add(cur);
        const link = own(cur, svc);
        chain.push(link);
        cur = link.base;
      }
      for (let k = chain.length - 1; k >= 0; k--) {
        const link = chain[k];
        if (!link) continue;
        // Only a service with no `image:` node inherits (an alias naming no anchor still counts as written).
        const r: Resolved = {
          image: link.image === undefined ? tail.image : link.image,
          built: link.built || tail.built,
          depth: tail.depth + 1,
        };
        if (r.depth > LIMITS.extendsDepth) {
          r.image = undefined;
          tooDeep.push(link.name);
        }
        if (!cyclic) resolvedServices.set(link.name, r);
        tail = r;
      }
      return tail;
    };
    for (const name of services.keys()) {
      const { image, built } = resolvedServices.get(name) ?? resolve(name);
      use(image, name, false, built);
    }
    if (tooDeep.length) {
      const first = tooDeep[tooDeep.length - 1] ?? '';
      const at = src.positionAt(services.get(first)?.start ?? 0);
      const message = `extends chain of service ${first} is longer than ${LIMITS.extendsDepth} services (the limit); ${tooDeep.length} service${tooDeep.length > 1 ? 's are' : ' is'} not read`;
      result.errors.push({ file, line: at.line, character: at.character, message, limit: 'extends-depth' });
    }

    for (const [key, value] of top) {
      if (!key.startsWith('x-') || value?.kind !== 'map') continue;
      use(entries(value).get('image'), key, true, false);
    }

    for (const [target, at] of includes(top.get('include'))) reference(target, at);

    const ordered = [...uses.values()].sort((a, b) => a.node.start - b.node.start);
    for (const u of ordered) {
      const node = u.node;
      if (node.kind !== 'scalar') {
        const at = src.positionAt(node.start);
        result.errors.push({
          file,
          line: at.line,
          character: at.character,
          message: `image of ${u.services[0] ?? u.fragments[0] ?? 'a service'} is not a string`,
        });
        continue;
      }
      if (node.value === null) continue;
      const written = scalarValue(src, node);
      const expansion = interpolateCompose(written.value, lookup);
      const builtLocally = u.services.length > 0 && u.built.every(Boolean);
      result.occurrences.push(
        makeOccurrence(
          {
            src,
            source: 'compose',
            kind: 'service',
            start: written.start,
            end: written.end,
            services: [...u.services, ...u.fragments],
          },
          expansion,
          builtLocally
            ? {
                reason: 'built-locally',
                detail: `${u.services.join(', ')} ${u.services.length > 1 ? 'have' : 'has'} build:`,
              }
            : null,
        ),
      );
    }
  }
  return result;
}

/** A map's entries by key, with `<<` merge keys applied (own keys win; earlier merge sources win over later). */
export function entries(map: YamlMap, seen = new Set<YamlMap>()): Map<string, YamlSlot> {
  const out = new Map<string, YamlSlot>();
  if (seen.has(map)) return out;
  seen.add(map);
  const merges: YamlSlot[] = [];
  for (const pair of map.pairs) {
    if (pair.merge) {
      const value = pair.value;
      if (value?.kind === 'seq') merges.push(...value.items);
      else merges.push(value);
      continue;
    }
    if (!out.has(pair.key)) out.set(pair.key, pair.value);
  }
  for (const source of merges) {
    if (source?.kind !== 'map') continue;
    for (const [k, v] of entries(source, seen)) if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function hasValue(node: YamlSlot): boolean {
  if (node === undefined || node === null) return false;
  return !(node.kind === 'scalar' && node.value === null);
}

/** `include:` entries (`- path`, `- path: a` or `- path: [a, b]`) with the offset each is written at. */
function includes(node: YamlSlot): [string, number][] {
  const out: [string, number][] = [];
  const items = node?.kind === 'seq' ? node.items : node === undefined ? [] : [node];
  for (const item of items) {
    if (item?.kind === 'scalar' && typeof item.value === 'string') out.push([item.value, item.start]);
    else if (item?.kind === 'map') {
      const p = entries(item).get('path');
      if (p?.kind === 'scalar' && typeof p.value === 'string') out.push([p.value, p.start]);
      else if (p?.kind === 'seq')
        for (const x of p.items) if (x?.kind === 'scalar' && typeof x.value === 'string') out.push([x.value, x.start]);
    }
  }
  return out;
}

/**
 * The string value of a scalar and where it is written. Plain and quoted scalars without escapes map character
 * for character (the range excludes the quotes); anything else (escapes, folding, block scalars) keeps the value
 * with no origin, so no tag range is claimed.
 */
export function scalarValue(src: SourceText, node: YamlScalar): { value: MappedString; start: number; end: number } {
  const { start, end, value } = node;
  const raw = src.text.slice(start, end);
  const quoted = node.style === 'double' || node.style === 'single';
  const s = quoted ? start + 1 : start;
  const e = quoted ? Math.max(s, end - 1) : end;
  const inner = quoted ? raw.slice(1, -1) : raw;
  const text = typeof value === 'string' ? value : node.style === 'plain' ? raw : String(value);
  const mapped = new MappedString();
  if (text === inner) mapped.append(text, src, s);
  else mapped.append(text);
  return { value: mapped, start: s, end: e };
}

/** Variables from `environment`, then `.env`; the `.env` is parsed on the first lookup (most images name no variable). */
function composeLookup(options: ComposeOptions): Lookup {
  let dotenv: Map<string, Expansion> | undefined;
  const env = options.environment ?? {};
  const fromEnvironment: Lookup = (name) => {
    const value = env[name];
    return value === undefined ? undefined : new MappedString().append(value);
  };
  return (name) => {
    const fromEnv = fromEnvironment(name);
    if (fromEnv !== undefined) return fromEnv;
    dotenv ??= options.dotenv
      ? parseDotenv(new SourceText(options.dotenv.file, options.dotenv.content), fromEnvironment)
      : new Map<string, Expansion>();
    return dotenv.get(name);
  };
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return (i < 0 ? message : message.slice(0, i)).replace(/:$/, '');
}
