import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractCompose, extractDockerfile, type Occurrence } from '../../src/core';
import {
  buildImagesModel,
  childrenOf,
  FileOrder,
  relativeTo,
  shortDigest,
  type ImagesNode,
} from '../../src/vscode/tree/imagesModel';

const ROOT = '/w';
const dockerfile = extractDockerfile(
  '/w/app/Dockerfile',
  [
    'ARG V=1.25.3',
    'FROM nginx:${V} AS web',
    'FROM scratch',
    'COPY --from=web /a /b',
    'FROM ghcr.io/acme/tool@sha256:' + 'a'.repeat(64),
    'FROM $MISSING/thing:1',
    '',
  ].join('\n'),
).occurrences;
const compose = extractCompose(
  '/w/compose.yaml',
  [
    'services:',
    '  web:',
    '    image: nginx:1.25.3',
    '  api:',
    '    build: .',
    '    image: acme/api:dev',
    '  db:',
    '    image: postgres:16.3',
    '',
  ].join('\n'),
  {},
).occurrences;
const all: Occurrence[] = [...dockerfile, ...compose];

const labels = (nodes: ImagesNode[]): string[] =>
  nodes.map((n) => {
    switch (n.kind) {
      case 'registry':
        return n.registry;
      case 'repository':
        return n.repository;
      case 'reference':
        return n.label;
      case 'file':
        return n.relativeFile;
      case 'unchecked':
        return '(unchecked)';
      case 'use':
        return `${n.relativeFile}:${n.occurrence.range.start.line + 1}`;
    }
  });

void describe('Workspace Images model', () => {
  void it('groups registry -> repository -> reference -> uses, sorted, without stages and scratch', () => {
    const m = buildImagesModel(all, [ROOT], 'registry');
    assert.deepEqual(labels(m.roots), ['docker.io', 'ghcr.io', '(unchecked)']);
    const hub = m.roots[0]!;
    assert.deepEqual(labels(childrenOf(hub)), ['library/nginx', 'library/postgres', 'acme/api'].sort());
    const nginx = childrenOf(hub).find((n) => n.kind === 'repository' && n.repository === 'library/nginx')!;
    const [tag] = childrenOf(nginx);
    assert.equal(tag?.kind === 'reference' && tag.label, '1.25.3');
    // The same image in a Dockerfile (through an ARG) and in compose: one leaf, two uses in path order.
    assert.deepEqual(labels(childrenOf(tag!)), ['app/Dockerfile:2', 'compose.yaml:3']);
    assert.deepEqual(labels(childrenOf(m.roots[1]!).flatMap(childrenOf)), [
      '@' + shortDigest('sha256:' + 'a'.repeat(64)),
    ]);
  });

  void it('marks compose images with build: as built locally and keeps unresolved references visible', () => {
    const m = buildImagesModel(all, [ROOT], 'registry');
    const api = childrenOf(m.roots[0]!).find((n) => n.kind === 'repository' && n.repository === 'acme/api')!;
    const leaf = childrenOf(api)[0]!;
    assert.ok(leaf.kind === 'reference' && leaf.builtLocally);
    const unchecked = m.roots.at(-1)!;
    assert.equal(unchecked.kind, 'unchecked');
    assert.deepEqual(labels(childrenOf(unchecked)), ['app/Dockerfile:6']);
  });

  void it('counts distinct checkable images and files', () => {
    const m = buildImagesModel(all, [ROOT], 'registry');
    // nginx:1.25.3, ghcr digest, postgres:16.3 (acme/api:dev is built locally, $MISSING is unresolved)
    assert.equal(m.imageCount, 3);
    assert.equal(m.fileCount, 2);
  });

  void it('groups by file, uses in line order', () => {
    const m = buildImagesModel(all, [ROOT], 'file');
    assert.deepEqual(labels(m.roots), ['app/Dockerfile', 'compose.yaml']);
    assert.deepEqual(labels(childrenOf(m.roots[1]!)), ['compose.yaml:3', 'compose.yaml:6', 'compose.yaml:8']);
  });

  void it('uses become nodes on demand; the first few come in path order without sorting them all', () => {
    const many: Occurrence[] = [];
    for (const i of [7, 3, 11, 1, 9, 5])
      many.push(...extractDockerfile(`/w/s${i}/Dockerfile`, 'FROM alpine:3.20\nFROM alpine:3.20\n').occurrences);
    const order = new FileOrder([ROOT]);
    const m = buildImagesModel(many, [ROOT], 'registry', undefined, order);
    const leaf = childrenOf(childrenOf(m.roots[0]!)[0]!)[0]!;
    assert.ok(leaf.kind === 'reference');
    assert.equal(leaf.uses.length, 12);
    assert.deepEqual(labels(leaf.uses.first(3)), ['s1/Dockerfile:1', 's1/Dockerfile:2', 's11/Dockerfile:1']);
    assert.deepEqual(labels(leaf.uses.first(3)), labels(childrenOf(leaf).slice(0, 3)));
    // The order is kept for the next model over the same files.
    const again = buildImagesModel(many.slice(2), [ROOT], 'file', undefined, order);
    assert.deepEqual(labels(again.roots), [
      's1/Dockerfile',
      's11/Dockerfile',
      's3/Dockerfile',
      's5/Dockerfile',
      's9/Dockerfile',
    ]);
  });

  void it('paths outside every folder stay absolute; an empty scan has no roots', () => {
    assert.equal(relativeTo(['/w'], '/elsewhere/Dockerfile'), '/elsewhere/Dockerfile');
    assert.equal(relativeTo(['/a', '/w'], '/w/x/Dockerfile'), 'x/Dockerfile');
    assert.deepEqual(buildImagesModel([], [ROOT], 'registry').roots, []);
  });
});
