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

/**
 * Relative paths and the path order of files, kept across models (a rescan or an edit rebuilds the model; the files
 * rarely change): computed once per file, not once per use or per rebuild.
 */
export class FileOrder {
  private readonly relatives = new Map<string, string>();
  private ranks: Map<string, number> | undefined;

  constructor(readonly folders: readonly string[]) {}

  relative(file: string): string {
    let rel = this.relatives.get(file);
    if (rel === undefined) {
      this.relatives.set(file, (rel = relativeTo(this.folders, file)));
      this.ranks = undefined;
    }
    return rel;
  }

  /** Learns every file of a model at once: the path order is then sorted once, not once per new file. */
  add(files: Iterable<string>): void {
    for (const f of files) this.relative(f);
  }

  /** The file's place in path order among every file seen so far. */
  rank(file: string): number {
    this.relative(file);
    if (!this.ranks) {
      const rel = this.relatives;
      const files = [...rel.keys()].sort((a, b) => collate(rel.get(a)!, rel.get(b)!));
      this.ranks = new Map(files.map((f, i) => [f, i]));
    }
    return this.ranks.get(file)!;
  }

  /** Uses in path order, then line and column. */
  compare(a: Occurrence, b: Occurrence): number {
    return (
      this.rank(a.file) - this.rank(b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character
    );
  }
}

/**
 * The uses under a row, made into nodes (and sorted) only when the row is expanded or its tooltip needs the first
 * few: a tree of 50,000 uses builds its first levels without 50,000 nodes.
 */
export class UseList {
  private nodes: UseNode[] | undefined;

  constructor(
    private readonly order: FileOrder,
    readonly occurrences: Occurrence[],
  ) {}

  get length(): number {
    return this.occurrences.length;
  }

  /** Every use, in path order. */
  all(): UseNode[] {
    this.nodes ??= [...this.occurrences].sort((a, b) => this.order.compare(a, b)).map((o) => this.node(o));
    return this.nodes;
  }

  /** The first `n` uses in path order, without sorting them all. */
  first(n: number): UseNode[] {
    if (this.nodes || this.occurrences.length <= n) return this.all().slice(0, n);
    const top: Occurrence[] = [];
    for (const o of this.occurrences) {
      if (top.length === n && this.order.compare(o, top[n - 1]!) >= 0) continue;
      let at = top.length;
      while (at > 0 && this.order.compare(o, top[at - 1]!) < 0) at--;
      top.splice(at, 0, o);
      if (top.length > n) top.pop();
    }
    return top.map((o) => this.node(o));
  }

  private node(o: Occurrence): UseNode {
    const { line, character } = o.range.start;
    return {
      kind: 'use',
      id: `use:${o.file}:${line}:${character}`,
      occurrence: o,
      relativeFile: this.order.relative(o.file),
    };
  }
}

export interface ReferenceNode {
  kind: 'reference';
  id: string;
  /** `1.25.3`, `@sha256:abcd…`, `1.25.3@sha256:…`, or `(no tag)`. */
  label: string;
  canonical: string;
  builtLocally: boolean;
  uses: UseList;
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
  uses: UseList;
}

export interface UncheckedNode {
  kind: 'unchecked';
  id: string;
  uses: UseList;
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

/**
 * What `a.localeCompare(b)` does, at a fraction of the cost per call (the tree sorts tens of thousands of uses).
 * Made at first use: creating an ICU collator takes about 7 ms, which loading the extension must not pay.
 */
let collator: Intl.Collator['compare'] | undefined;
const collate = (a: string, b: string): number => (collator ??= new Intl.Collator().compare)(a, b);

function isImage(o: Occurrence): boolean {
  return o.skip?.reason !== 'stage' && o.skip?.reason !== 'scratch';
}

export interface ImagesModel {
  roots: ImagesNode[];
  /** Distinct checkable references (canonical strings). */
  imageCount: number;
  fileCount: number;
}

/**
 * `keep`: an extra filter on occurrences (the view's "only with updates"). `order`: relative paths and path order
 * kept from the previous model (over the same folders).
 */
export function buildImagesModel(
  occurrences: readonly Occurrence[],
  folders: readonly string[],
  groupBy: GroupBy,
  keep?: (o: Occurrence) => boolean,
  order: FileOrder = new FileOrder(folders),
): ImagesModel {
  const canonical = new Set<string>();
  const files = new Set<string>();

  if (groupBy === 'file') {
    const byFile = new Map<string, Occurrence[]>();
    for (const o of occurrences) {
      if (!isImage(o) || (keep && !keep(o))) continue;
      if (o.reference && !o.skip) canonical.add(o.reference.canonical);
      const list = byFile.get(o.file);
      if (list) list.push(o);
      else byFile.set(o.file, [o]);
    }
    order.add(byFile.keys());
    const roots: FileNode[] = [...byFile].map(([file, list]) => ({
      kind: 'file',
      id: `file:${file}`,
      file,
      relativeFile: order.relative(file),
      uses: new UseList(order, list),
    }));
    roots.sort((a, b) => order.rank(a.file) - order.rank(b.file));
    return { roots, imageCount: canonical.size, fileCount: byFile.size };
  }

  const registries = new Map<string, { node: RegistryNode; repositories: Map<string, RepositoryNode> }>();
  const references = new Map<string, ReferenceNode>();
  const unchecked: Occurrence[] = [];
  for (const o of occurrences) {
    if (!isImage(o) || (keep && !keep(o))) continue;
    files.add(o.file);
    const ref = o.reference;
    const builtLocally = o.skip?.reason === 'built-locally';
    if (!ref || (o.skip && !builtLocally)) {
      unchecked.push(o);
      continue;
    }
    if (!o.skip) canonical.add(ref.canonical);
    let leaf = references.get(ref.canonical);
    if (!leaf) {
      let reg = registries.get(ref.registry);
      if (!reg) {
        const node: RegistryNode = {
          kind: 'registry',
          id: `registry:${ref.registry}`,
          registry: ref.registry,
          repositories: [],
        };
        registries.set(ref.registry, (reg = { node, repositories: new Map() }));
      }
      let repo = reg.repositories.get(ref.repository);
      if (!repo) {
        repo = {
          kind: 'repository',
          id: `repository:${ref.registry}/${ref.repository}`,
          registry: ref.registry,
          repository: ref.repository,
          references: [],
        };
        reg.repositories.set(ref.repository, repo);
        reg.node.repositories.push(repo);
      }
      leaf = {
        kind: 'reference',
        id: `reference:${ref.canonical}`,
        label: referenceLabel(ref.tag, ref.digest),
        canonical: ref.canonical,
        builtLocally,
        uses: new UseList(order, []),
      };
      repo.references.push(leaf);
      references.set(ref.canonical, leaf);
    }
    // A reference is "built locally" only while every use of it is a compose service with build:.
    leaf.builtLocally = leaf.uses.length === 0 ? builtLocally : leaf.builtLocally && builtLocally;
    leaf.uses.occurrences.push(o);
  }
  const roots: ImagesNode[] = [...registries.values()]
    .map((r) => r.node)
    .sort((a, b) => collate(a.registry, b.registry));
  for (const reg of roots as RegistryNode[]) {
    reg.repositories.sort((a, b) => collate(a.repository, b.repository));
    for (const repo of reg.repositories)
      repo.references.sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  }
  if (unchecked.length) roots.push({ kind: 'unchecked', id: 'unchecked', uses: new UseList(order, unchecked) });
  order.add(files);
  return { roots, imageCount: canonical.size, fileCount: files.size };
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
      return node.uses.all();
    case 'use':
      return [];
  }
}
