import * as vscode from 'vscode';
import { buildBulkEdit, type BulkEdit } from '../diagnostics/bulkEdits';
import { bulkUpdate, type BulkLevel } from '../../core';
import type { Services } from '../services';

export interface UpdateAllOptions {
  /** Show the refactor preview (default); tests pass false to apply at once. */
  preview?: boolean;
}

/**
 * "Update All Images in Workspace": asks how far to go (patch / minor / major, with the count each would update),
 * builds one WorkspaceEdit across every file and opens it in VS Code's refactor preview with every update ticked
 * (untick what you do not want), then says how many references in how many files were updated. References edited since the check are left out
 * and listed in the log.
 */
export async function updateAllImagesCommand(
  services: Services,
  level?: BulkLevel,
  options: UpdateAllOptions = {},
): Promise<{ updated: number; files: number; skipped: string[]; applied: boolean }> {
  const none = { updated: 0, files: 0, skipped: [], applied: false };
  const findings = services.checker.all();
  if (!level) {
    const count = (l: BulkLevel) => findings.filter((f) => bulkUpdate(f, l)).length;
    const items: (vscode.QuickPickItem & { level: BulkLevel })[] = [
      {
        level: 'patch',
        label: vscode.l10n.t('Patch updates'),
        description: vscode.l10n.t('{0} references', count('patch')),
        detail: vscode.l10n.t('The newest patch of each tag, plus refreshed digests of moved tags'),
      },
      {
        level: 'minor',
        label: vscode.l10n.t('Minor and patch updates'),
        description: vscode.l10n.t('{0} references', count('minor')),
        detail: vscode.l10n.t('The newest version within each major line'),
      },
      {
        level: 'major',
        label: vscode.l10n.t('All updates, major included'),
        description: vscode.l10n.t('{0} references', count('major')),
        detail: vscode.l10n.t('The newest version of each image, across major versions'),
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Update All Images in Workspace'),
      placeHolder: vscode.l10n.t('How far should the updates go? (every change is shown before it is applied)'),
    });
    if (!picked) return none;
    level = picked.level;
  }
  const preview = options.preview !== false;
  const { edit, updated, skipped, planned } = await buildBulkEdit(findings, level, { confirm: preview });
  for (const s of skipped) services.log.warn(`Update all: left out ${s}`);
  if (updated === 0) {
    void vscode.window.showInformationMessage(
      skipped.length
        ? vscode.l10n.t('Registry Lens: no update could be applied ({0} left out, see the log).', skipped.length)
        : vscode.l10n.t(
            'Registry Lens: no {0} updates to apply. Run "Check for Image Updates Now" if the last check is old.',
            level,
          ),
    );
    return { ...none, skipped };
  }
  // Which updates were applied: the user may untick some in the preview, so count what the documents received.
  const received: { file: string; line: number; character: number; text: string }[] = [];
  const listening = vscode.workspace.onDidChangeTextDocument((e) => {
    for (const c of e.contentChanges)
      received.push({
        file: e.document.uri.fsPath,
        line: c.range.start.line,
        character: c.range.start.character,
        text: c.text,
      });
  });
  let applied: boolean;
  try {
    applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  } finally {
    listening.dispose();
  }
  // Without the preview everything is applied at once; with it, what the documents received tells.
  const done = !applied ? [] : preview ? appliedReferences(planned, received) : planned;
  const files = new Set(done.flatMap((p) => p.edits.map((e) => e.location.file)));
  if (applied && done.length) {
    services.log.info(
      `Update all (${level}): updated ${done.length} references in ${files.size} files: ${done.map((p) => p.label).join(', ')}${skipped.length ? `; ${skipped.length} left out` : ''}`,
    );
    void vscode.window.showInformationMessage(
      done.length === 1 && files.size === 1
        ? vscode.l10n.t('Registry Lens: updated 1 reference in 1 file.')
        : vscode.l10n.t('Registry Lens: updated {0} references in {1} files.', String(done.length), String(files.size)),
    );
  }
  return { updated: applied ? done.length : 0, files: applied ? files.size : 0, skipped, applied };
}

/** The planned references whose every edit the documents received (same place, same text). */
function appliedReferences(
  planned: BulkEdit['planned'],
  received: { file: string; line: number; character: number; text: string }[],
): BulkEdit['planned'] {
  // File, line and text (not the column: a second edit on one line may be reported after the first moved it).
  const got = new Set(received.filter((r) => r.text !== '').map((r) => `${r.file}:${r.line}:${r.text}`));
  return planned.filter((p) =>
    p.edits.every((e) => got.has(`${e.location.file}:${e.location.range.start.line}:${e.newText}`)),
  );
}
