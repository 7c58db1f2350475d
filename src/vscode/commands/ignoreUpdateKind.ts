import * as vscode from 'vscode';
import { rulesIgnoringKind, type ImageReference, type UpdateKind } from '../../core';
import { settingId } from '../config';
import { Setting, SETTINGS_SECTION } from '../constants';
import type { Services } from '../services';

/**
 * "Ignore <kind> updates of <image>": writes the rule into `registryLens.policies` where the value in effect lives
 * (workspace settings when they set it, else user settings when they do, else the workspace when one is open),
 * so the rules already there keep working. The checker re-checks when the setting changes.
 */
export async function ignoreUpdateKindCommand(
  services: Services,
  ref: ImageReference | undefined,
  kind: UpdateKind | undefined,
): Promise<boolean> {
  if (!ref || !kind) return false;
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const inspected = config.inspect<unknown[]>(Setting.Policies);
  const target =
    inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : inspected?.globalValue !== undefined || !vscode.workspace.workspaceFolders?.length
        ? vscode.ConfigurationTarget.Global
        : vscode.ConfigurationTarget.Workspace;
  const current =
    (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  const result = rulesIgnoringKind(Array.isArray(current) ? current : [], ref, kind);
  if ('refused' in result) {
    void vscode.window.showWarningMessage(`Registry Lens: ${result.refused}.`);
    return false;
  }
  await config.update(Setting.Policies, result.rules, target);
  const where =
    target === vscode.ConfigurationTarget.Workspace
      ? vscode.l10n.t('workspace settings')
      : vscode.l10n.t('user settings');
  services.log.info(
    `${settingId(Setting.Policies)} (${where}): ${result.match} now allows ${result.allow.join(', ') || 'no updates'}`,
  );
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Registry Lens: {0} in your {1} now ignores {2} updates of {3} (allowed: {4}).',
      settingId(Setting.Policies),
      where,
      kind,
      result.match,
      result.allow.join(', ') || vscode.l10n.t('none'),
    ),
  );
  return true;
}
