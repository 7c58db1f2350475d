import type * as vscode from 'vscode';

/** Registry Lens: Show Log — reveals the log channel without stealing focus from the editor. */
export function showLogCommand(log: vscode.LogOutputChannel): void {
  log.show(true);
}
