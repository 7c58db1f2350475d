import * as vscode from 'vscode';
import type { ImageReference, UpdateKind } from '../../core';
import { buildBulkEdit } from '../diagnostics/bulkEdits';
import { rulesIgnoringKind } from '../diagnostics/ignoreKind';
import { bulkUpdate, type BulkLevel } from '../diagnostics/tagEdits';
import type { Services } from '../services';

/**
 * "Ignore <kind> updates of <image>": writes the rule into `registryLens.policies` where the value in effect lives
 * (workspace settings when they set it, else user settings when they do, else the workspace when one is open),
 * so the rules already there keep working. The checker re-checks when the setting changes.
 */
export async function ignoreUpdateKindCommand(services: Services, ref: ImageReference | undefined, kind: UpdateKind | undefined): Promise<boolean> {
  if (!ref || !kind) return false;
  const config = vscode.workspace.getConfiguration('registryLens');
  const inspected = config.inspect<unknown[]>('policies');
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace
    : inspected?.globalValue !== undefined || !vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Global
      : vscode.ConfigurationTarget.Workspace;
  const current = (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  const result = rulesIgnoringKind(Array.isArray(current) ? current : [], ref, kind);
  if ('refused' in result) {
    void vscode.window.showWarningMessage(`Registry Lens: ${result.refused}.`);
    return false;
  }
  await config.update('policies', result.rules, target);
  services.log.info(`registryLens.policies (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings): ${result.match} now allows ${result.allow.join(', ') || 'no updates'}`);
  return true;
}

/** Puts the cursor on a reference and opens the quick-fix menu there (what a code lens does when clicked). */
export async function showFixesCommand(uri: vscode.Uri | undefined, range: vscode.Range | undefined): Promise<void> {
  if (!uri || !range) return;
  const editor = await vscode.window.showTextDocument(uri, { selection: new vscode.Range(range.start, range.start) });
  editor.revealRange(range);
  await vscode.commands.executeCommand('editor.action.quickFix');
}

export interface UpdateAllOptions {
  /** Show the refactor preview (default); tests pass false to apply at once. */
  preview?: boolean;
}

/**
 * "Update All Images in Workspace": asks how far to go (patch / minor / major, with the count each would update),
 * builds one WorkspaceEdit across every file and hands it to VS Code with every entry needing confirmation, so the
 * refactor preview shows each change before anything is written. References edited since the check are left out
 * and listed in the log.
 */
export async function updateAllImagesCommand(services: Services, level?: BulkLevel, options: UpdateAllOptions = {}): Promise<{ updated: number; skipped: string[]; applied: boolean }> {
  const none = { updated: 0, skipped: [], applied: false };
  const findings = services.checker.all();
  if (!level) {
    const count = (l: BulkLevel) => findings.filter((f) => bulkUpdate(f, l)).length;
    const items: (vscode.QuickPickItem & { level: BulkLevel })[] = [
      { level: 'patch', label: 'Patch updates', description: `${count('patch')} references`, detail: 'The newest patch of each tag, plus refreshed digests of moved tags' },
      { level: 'minor', label: 'Minor and patch updates', description: `${count('minor')} references`, detail: 'The newest version within each major line' },
      { level: 'major', label: 'All updates, major included', description: `${count('major')} references`, detail: 'The newest version of each image, across major versions' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Update All Images in Workspace', placeHolder: 'How far should the updates go? (every change is shown before it is applied)' });
    if (!picked) return none;
    level = picked.level;
  }
  const preview = options.preview !== false;
  const { edit, updated, skipped } = await buildBulkEdit(findings, level, { confirm: preview });
  for (const s of skipped) services.log.warn(`Update all: left out ${s}`);
  if (updated === 0) {
    void vscode.window.showInformationMessage(skipped.length
      ? `Registry Lens: no update could be applied (${skipped.length} left out, see the log).`
      : `Registry Lens: no ${level} updates to apply. Run "Check for Image Updates Now" if the last check is old.`);
    return { ...none, skipped };
  }
  const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  if (applied) services.log.info(`Update all (${level}): ${updated} references updated${skipped.length ? `, ${skipped.length} left out` : ''}`);
  return { updated, skipped, applied };
}
