import type * as vscode from 'vscode';

/**
 * A tree with no items yet. VS Code shows the view's `viewsWelcome` content while a tree is empty;
 * the Registries and Workspace Images providers replace this as their issues land.
 */
export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}
