import * as vscode from 'vscode';
import { ViewId } from '../constants';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import type { UpdateChecker } from './updateChecker';

/** The status bar entry: a spinner while checking, then "N updates"; the last check time in its tooltip. */
export class CheckStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('registryLens.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly checker: UpdateChecker,
    private readonly images: WorkspaceImages,
  ) {
    this.item.name = 'Registry Lens';
    this.item.command = `${ViewId.Images}.focus`;
    this.subscriptions = [
      checker.onDidChange(() => this.render()),
      images.onDidChange(() => this.render()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.render()),
    ];
    this.render();
  }

  private render(): void {
    const s = this.checker.summary;
    if (!this.images.result.occurrences.length) {
      this.item.hide();
      return;
    }
    if (!vscode.workspace.isTrusted) {
      this.item.text = '$(workspace-untrusted) Registry Lens';
      this.item.tooltip = vscode.l10n.t(
        'Registry Lens — not checking: registries are contacted only in a trusted workspace',
      );
      this.item.show();
      return;
    }
    const notChecked = s.notChecked ? vscode.l10n.t(' · {0} not checked', s.notChecked) : '';
    if (s.running) this.item.text = '$(sync~spin) Registry Lens';
    else if (s.updates)
      this.item.text = `$(arrow-circle-up) ${s.updates === 1 ? vscode.l10n.t('1 image update') : vscode.l10n.t('{0} image updates', s.updates)}${notChecked}`;
    else if (s.notChecked) this.item.text = `$(warning) ${vscode.l10n.t('{0} not checked', s.notChecked)}`;
    else if (s.errors)
      this.item.text = `$(warning) ${s.errors === 1 ? vscode.l10n.t('Registry Lens: 1 error') : vscode.l10n.t('Registry Lens: {0} errors', s.errors)}`;
    else if ((s.checkedAt || s.fromCache) && s.current)
      this.item.text = `$(check) ${vscode.l10n.t('Images up to date')}`;
    // Every image ignored by policy, built locally or skipped: nothing was checked, so nothing is "up to date".
    else if (s.checkedAt || s.fromCache) this.item.text = `$(circle-slash) ${vscode.l10n.t('No images checked')}`;
    else this.item.text = '$(package) Registry Lens';
    const when = s.checkedAt
      ? vscode.l10n.t('Last checked {0}', new Date(s.checkedAt).toLocaleString())
      : s.fromCache
        ? vscode.l10n.t('Showing cached results; not checked in this session yet')
        : vscode.l10n.t('Not checked yet');
    const errors = s.errors
      ? `\n${vscode.l10n.t('{0} image references could not be checked (see the log)', s.errors)}`
      : '';
    this.item.tooltip = `${vscode.l10n.t('Registry Lens — {0}', when)}${errors}\n${vscode.l10n.t('Click to show Workspace Images')}`;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
