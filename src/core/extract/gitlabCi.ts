import * as path from 'node:path';
import { entries, scalarValue } from './compose';
import type { MappedString } from './mapped';
import { SourceText } from './sourceText';
import type { Lookup } from './substitute';
import type { ExtractResult, OccurrenceKind } from './types';
import { readDocuments, scalarImage, stringScalar } from './yamlImages';
import type { YamlSlot } from './yamlTree';

/** Top-level keywords of `.gitlab-ci.yml` that are not jobs (`image`/`services` there are the old global defaults). */
const NOT_JOBS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'spec',
  'types',
]);

export interface GitlabCiOptions {
  /** The project folder `include: local` paths are relative to; default: the file's folder. */
  root?: string;
}

/**
 * The images of a GitLab CI file (`.gitlab-ci.yml` and the local files it includes): `image` and `services`
 * (strings, or maps with `name`) of every job (hidden `.template` jobs too), of `default:` and the old top-level
 * defaults. `$VAR` / `${VAR}` are resolved from the job's then the file's `variables:` (values written in the file,
 * so a fix edits the variable's value); anything else (`$CI_REGISTRY_IMAGE`, a variable set in the project's
 * settings) is skipped naming the variable. `include:` entries that are local files (a string without `://`, or
 * `local:`) become references; globs, `project:`, `remote:`, `template:` and `component:` are not followed.
 */
export function extractGitlabCi(file: string, content: string, options: GitlabCiOptions = {}): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const root = options.root ?? path.dirname(file);
  for (const doc of readDocuments(src, result)) {
    if (doc.root?.kind !== 'map') continue;
    const top = entries(doc.root);
    const globals = variables(src, top.get('variables'));

    const images = (owner: Map<string, YamlSlot>, who: string, lookup: Lookup) => {
      const one = (slot: YamlSlot, kind: OccurrenceKind, label: string) => {
        const node = stringScalar(slot) ?? (slot?.kind === 'map' ? stringScalar(entries(slot).get('name')) : null);
        if (node && String(node.value) !== '')
          result.occurrences.push(
            scalarImage(src, node, { site: { source: 'gitlab-ci', kind, services: [label] }, lookup }),
          );
      };
      one(owner.get('image'), 'image', who);
      const services = owner.get('services');
      if (services?.kind === 'seq') for (const s of services.items) one(s, 'service', who);
    };

    const fileLookup: Lookup = (name) => globals.get(name);
    images(top, '(top level)', fileLookup);
    const defaults = top.get('default');
    if (defaults?.kind === 'map') images(entries(defaults), 'default', fileLookup);
    for (const [job, value] of top) {
      if (NOT_JOBS.has(job) || value?.kind !== 'map') continue;
      const e = entries(value);
      const own = variables(src, e.get('variables'));
      images(e, job, (name) => own.get(name) ?? globals.get(name));
    }

    for (const target of localIncludes(top.get('include'))) {
      const target_ = path.resolve(root, target.replace(/^\/+/, ''));
      if (target_ !== file && !result.references.some((r) => r.file === target_))
        result.references.push({ file: target_, source: 'gitlab-ci', root });
    }
  }
  return result;
}

/** `variables:` as name -> value where it is written (`NAME: value` or `NAME: {value: ...}`). */
function variables(src: SourceText, slot: YamlSlot): Map<string, MappedString> {
  const out = new Map<string, MappedString>();
  if (slot?.kind !== 'map') return out;
  for (const [name, value] of entries(slot)) {
    const node = stringScalar(value) ?? (value?.kind === 'map' ? stringScalar(entries(value).get('value')) : null);
    if (node) out.set(name, scalarValue(src, node).value);
  }
  return out;
}

/** Local files an `include:` names (no globs, no remote, project or template includes). */
function localIncludes(slot: YamlSlot): string[] {
  const out: string[] = [];
  const items = slot?.kind === 'seq' ? slot.items : slot === undefined ? [] : [slot];
  for (const item of items) {
    let target: string | null = null;
    const s = stringScalar(item);
    if (s && typeof s.value === 'string' && !s.value.includes('://')) target = s.value;
    else if (item?.kind === 'map') {
      const local = stringScalar(entries(item).get('local'));
      if (local && typeof local.value === 'string') target = local.value;
    }
    if (target && !/[*?[{$]/.test(target)) out.push(target);
  }
  return out;
}
