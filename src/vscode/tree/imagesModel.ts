import * as path from 'node:path';
import type { Occurrence } from '../../core';

/**
 * The Workspace Images tree as plain data, built from the scan's occurrences. No `vscode` import, so the grouping
 * rules are unit-tested under plain Node; `imagesTree.ts` turns these nodes into TreeItems.
 *
 * By registry:  registry host -> repository -> reference (tag and/or digest) -> uses (file:line)
 * By file:      file -> uses (image)
 * Stage names and `scratch` are not images and are left out. Occurrences the engine cannot check (unresolved
 * variables, invalid references) are kept under a "Not checked" group so the user sees why.
 */

export type GroupBy = 'registry' | 'file';

export interface UseNode {
  kind: 'use';
  id: string;
  occurrence: Occurrence;
  /** Workspace-relative path with forward slashes. */
  relativeFile: string;
}

export interface ReferenceNode {
  kind: 'reference';
  id: string;
  /** `1.25.3`, `@sha256:abcd…`, `1.25.3@sha256:…`, or `(no tag)`. */
  label: string;
  canonical: string;
  builtLocally: boolean;
  uses: UseNode[];
}

export interface RepositoryNode {
  kind: 'repository';
  id: string;
  registry: string;
  repository: string;
  references: ReferenceNode[];
}

export interface RegistryNode {
  kind: 'registry';
  id: string;
  registry: string;
  repositories: RepositoryNode[];
}

export interface FileNode {
  kind: 'file';
  id: string;
  file: string;
  relativeFile: string;
  uses: UseNode[];
}

export interface UncheckedNode {
  kind: 'unchecked';
  id: string;
  uses: UseNode[];
}

export type ImagesNode = RegistryNode | RepositoryNode | ReferenceNode | UseNode | FileNode | UncheckedNode;

/** Shortens a digest for labels: `sha256:0123456789ab…`. */
export function shortDigest(digest: string): string {
  const [alg, hex = ''] = digest.split(':');
  return `${alg}:${hex.slice(0, 12)}`;
}

function referenceLabel(tag: string | null, digest: string | null): string {
  if (tag && digest) return `${tag}@${shortDigest(digest)}`;
  if (tag) return tag;
  if (digest) return `@${shortDigest(digest)}`;
  return '(no tag)';
}

/** Relative to the first folder that contains it; absolute paths outside every folder stay absolute. */
export function relativeTo(folders: readonly string[], file: string): string {
  for (const f of folders) {
    const rel = path.relative(f, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return file;
}

/** What `a.localeCompare(b)` does, at a fraction of the cost per call (the tree sorts tens of thousands of uses). */
const collate = new Intl.Collator().compare;

const byPosition = (a: UseNode, b: UseNode): number =>
  collate(a.relativeFile, b.relativeFile) ||
  a.occurrence.range.start.line - b.occurrence.range.start.line ||
  a.occurrence.range.start.character - b.occurrence.range.start.character;

function isImage(o: Occurrence): boolean {
  return o.skip?.reason !== 'stage' && o.skip?.reason !== 'scratch';
}

function useNode(o: Occurrence, relative: (file: string) => string): UseNode {
  const { line, character } = o.range.start;
  return { kind: 'use', id: `use:${o.file}:${line}:${character}`, occurrence: o, relativeFile: relative(o.file) };
}

export interface ImagesModel {
  roots: ImagesNode[];
  /** Distinct checkable references (canonical strings). */
  imageCount: number;
  fileCount: number;
}

/** `keep`: an extra filter on occurrences (the view's "only with updates"). */
export function buildImagesModel(
  occurrences: readonly Occurrence[],
  folders: readonly string[],
  groupBy: GroupBy,
  keep?: (o: Occurrence) => boolean,
): ImagesModel {
  const images = occurrences.filter((o) => isImage(o) && (!keep || keep(o)));
  const canonical = new Set(images.flatMap((o) => (o.reference && !o.skip ? [o.reference.canonical] : [])));
  const files = new Set(images.map((o) => o.file));
  const model = { imageCount: canonical.size, fileCount: files.size };
  // One relative path per file, not per use.
  const relatives = new Map<string, string>();
  const relative = (file: string): string => {
    let rel = relatives.get(file);
    if (rel === undefined) relatives.set(file, (rel = relativeTo(folders, file)));
    return rel;
  };

  if (groupBy === 'file') {
    const byFile = new Map<string, FileNode>();
    for (const o of images) {
      let node = byFile.get(o.file);
      if (!node) {
        node = { kind: 'file', id: `file:${o.file}`, file: o.file, relativeFile: relative(o.file), uses: [] };
        byFile.set(o.file, node);
      }
      node.uses.push(useNode(o, relative));
    }
    const roots = [...byFile.values()].sort((a, b) => collate(a.relativeFile, b.relativeFile));
    for (const r of roots) r.uses.sort(byPosition);
    return { roots, ...model };
  }

  const registries = new Map<string, RegistryNode>();
  const unchecked: UseNode[] = [];
  for (const o of images) {
    const ref = o.reference;
    const builtLocally = o.skip?.reason === 'built-locally';
    if (!ref || (o.skip && !builtLocally)) {
      unchecked.push(useNode(o, relative));
      continue;
    }
    let reg = registries.get(ref.registry);
    if (!reg) {
      reg = { kind: 'registry', id: `registry:${ref.registry}`, registry: ref.registry, repositories: [] };
      registries.set(ref.registry, reg);
    }
    let repo = reg.repositories.find((r) => r.repository === ref.repository);
    if (!repo) {
      repo = {
        kind: 'repository',
        id: `repository:${ref.registry}/${ref.repository}`,
        registry: ref.registry,
        repository: ref.repository,
        references: [],
      };
      reg.repositories.push(repo);
    }
    let leaf = repo.references.find((r) => r.canonical === ref.canonical);
    if (!leaf) {
      leaf = {
        kind: 'reference',
        id: `reference:${ref.canonical}`,
        label: referenceLabel(ref.tag, ref.digest),
        canonical: ref.canonical,
        builtLocally,
        uses: [],
      };
      repo.references.push(leaf);
    }
    // A reference is "built locally" only while every use of it is a compose service with build:.
    leaf.builtLocally = leaf.uses.length === 0 ? builtLocally : leaf.builtLocally && builtLocally;
    leaf.uses.push(useNode(o, relative));
  }
  const roots: ImagesNode[] = [...registries.values()].sort((a, b) => collate(a.registry, b.registry));
  for (const reg of roots as RegistryNode[]) {
    reg.repositories.sort((a, b) => collate(a.repository, b.repository));
    for (const repo of reg.repositories) {
      repo.references.sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
      for (const leaf of repo.references) leaf.uses.sort(byPosition);
    }
  }
  if (unchecked.length) roots.push({ kind: 'unchecked', id: 'unchecked', uses: unchecked.sort(byPosition) });
  return { roots, ...model };
}

/** Children of a node in the model (the tree provider's getChildren). */
export function childrenOf(node: ImagesNode): ImagesNode[] {
  switch (node.kind) {
    case 'registry':
      return node.repositories;
    case 'repository':
      return node.references;
    case 'reference':
    case 'file':
    case 'unchecked':
      return node.uses;
    case 'use':
      return [];
  }
}
