import * as vscode from 'vscode';

/** Puts the cursor on a reference and opens the quick-fix menu there (what a code lens does when clicked). */
export async function showFixesCommand(uri: vscode.Uri | undefined, range: vscode.Range | undefined): Promise<void> {
  if (!uri || !range) return;
  const editor = await vscode.window.showTextDocument(uri, {
    selection: new vscode.Selection(range.start, range.start),
  });
  editor.revealRange(range);
  await vscode.commands.executeCommand('editor.action.quickFix');
}
