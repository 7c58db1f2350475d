import type { Finding } from '../../core';

/**
 * Findings grouped by a key (an image, a registry), each group in the order its findings were added: the checker
 * keeps these current as findings come and go, so a question about one image or one registry is not a pass over
 * every finding (a workspace has tens of thousands, and one file's refresh runs at every keystroke).
 */
export class FindingIndex {
  private readonly groups = new Map<string, Set<Finding>>();

  /** `keyOf` names a finding's group, or undefined for a finding this index does not hold. */
  constructor(private readonly keyOf: (f: Finding) => string | undefined) {}

  add(f: Finding): void {
    const key = this.keyOf(f);
    if (key === undefined) return;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new Set()));
    group.add(f);
  }

  delete(f: Finding): void {
    const key = this.keyOf(f);
    const group = key === undefined ? undefined : this.groups.get(key);
    if (group?.delete(f) && !group.size) this.groups.delete(key!);
  }

  get(key: string): ReadonlySet<Finding> {
    return this.groups.get(key) ?? NONE;
  }

  clear(): void {
    this.groups.clear();
  }
}

const NONE: ReadonlySet<Finding> = new Set();
