import * as vscode from 'vscode';
import { buildBulkEdit } from '../diagnostics/bulkEdits';
import { bulkUpdate, type BulkLevel } from '../../core';
import type { Services } from '../services';

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
