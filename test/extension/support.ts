import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/vscode/constants';
import type { RegistryLensApi } from '../../src/vscode/extension';

/** The extension's test surface (activating it if needed). */
export async function api(): Promise<RegistryLensApi> {
  const ext = vscode.extensions.getExtension<RegistryLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** What a tree view shows: each item's label (and description) down the tree, indented, as a user reads it. */
export async function render(tree: vscode.TreeDataProvider<unknown>, node?: unknown, depth = 0): Promise<string[]> {
  const out: string[] = [];
  for (const child of (await tree.getChildren(node)) ?? []) {
    const item = await tree.getTreeItem(child);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    out.push(`${'  '.repeat(depth)}${label}${item.description ? ` — ${String(item.description)}` : ''}`);
    out.push(...(await render(tree, child, depth + 1)));
  }
  return out;
}

/** A diagnostic's code as a string (ours carry `{ value, target }`: the code and its documentation link). */
export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return c === undefined ? undefined : typeof c === 'object' ? String(c.value) : String(c);
}
