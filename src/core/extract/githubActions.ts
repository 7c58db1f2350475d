import * as path from 'node:path';
import { entries } from './compose';
import { SourceText } from './sourceText';
import type { ExtractResult, OccurrenceKind } from './types';
import { readDocuments, scalarImage, stringScalar } from './yamlImages';
import type { YamlScalar, YamlSlot } from './yamlTree';

const DOCKER = 'docker://';

/**
 * The images of GitHub Actions files. Workflows (`.github/workflows/*.yml|yaml`): `jobs.<id>.container` (a string
 * or its `image`), `jobs.<id>.services.<name>.image`, and steps' `uses: docker://<image>`. Actions (`action.yml|
 * yaml`): `runs.image: docker://<image>` (a `runs.image` naming a Dockerfile becomes a reference) and a composite
 * action's steps. An expression (`${{ matrix.image }}`) is skipped with the expression named.
 */
export function extractGithubActions(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const image = (node: YamlScalar, kind: OccurrenceKind, who: string, prefix?: string) =>
    result.occurrences.push(
      scalarImage(src, node, { site: { source: 'github-actions', kind, services: [who] }, prefix }),
    );
  const steps = (slot: YamlSlot, job: string) => {
    if (slot?.kind !== 'seq') return;
    slot.items.forEach((step, i) => {
      if (step?.kind !== 'map') return;
      const e = entries(step);
      const uses = stringScalar(e.get('uses'));
      if (!uses || typeof uses.value !== 'string' || !uses.value.startsWith(DOCKER)) return;
      const id = stringScalar(e.get('id')) ?? stringScalar(e.get('name'));
      image(uses, 'step', `${job}/${id ? String(id.value) : `step ${i + 1}`}`, DOCKER);
    });
  };

  for (const doc of readDocuments(src, result)) {
    if (doc.root?.kind !== 'map') continue;
    const top = entries(doc.root);
    const jobs = top.get('jobs');
    if (jobs?.kind === 'map') {
      for (const [job, value] of entries(jobs)) {
        if (value?.kind !== 'map') continue;
        const e = entries(value);
        const container = e.get('container');
        const direct = stringScalar(container);
        if (direct) image(direct, 'container', job);
        else if (container?.kind === 'map') {
          const img = stringScalar(entries(container).get('image'));
          if (img) image(img, 'container', job);
        }
        const services = e.get('services');
        if (services?.kind === 'map') {
          for (const [name, svc] of entries(services)) {
            const img = svc?.kind === 'map' ? stringScalar(entries(svc).get('image')) : stringScalar(svc);
            if (img) image(img, 'service', `${job}/${name}`);
          }
        }
        steps(e.get('steps'), job);
      }
    }
    const runs = top.get('runs');
    if (runs?.kind === 'map') {
      const e = entries(runs);
      const img = stringScalar(e.get('image'));
      if (img && typeof img.value === 'string') {
        if (img.value.startsWith(DOCKER)) image(img, 'action', 'runs', DOCKER);
        else if (img.value !== '' && !img.value.includes('${{'))
          result.references.push({ file: path.resolve(path.dirname(file), img.value), source: 'dockerfile' });
      }
      steps(e.get('steps'), 'runs');
    }
  }
  return result;
}
