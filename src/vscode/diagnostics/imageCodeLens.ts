import * as vscode from 'vscode';
import { safestFirst, type Finding, type Occurrence } from '../../core';
import type { UpdateChecker } from '../check/updateChecker';
import { CommandId, Setting } from '../constants';
import { affects, readSettings } from '../config';
import { toRange } from '../convert';
import type { WorkspaceImages } from '../workspace/workspaceImages';

/** A lens's words for a finding: short, with a codicon, like the tree's descriptions. */
export function lensTitle(f: Finding | undefined): string {
  if (!f) return `$(circle-outline) ${vscode.l10n.t('not checked yet')}`;
  switch (f.status) {
    case 'update':
      return `$(arrow-circle-up) ${safestFirst(f.updates, true)
        .map((u) => `${u.tag} ${u.kind}`)
        .join(' · ')}`;
    case 'digest-changed':
      return `$(sync) ${vscode.l10n.t('digest changed: refresh the pin')}`;
    case 'current':
    case 'unpinned':
      return `$(pass) ${f.stale ? vscode.l10n.t('up to date (cached)') : vscode.l10n.t('up to date')}`;
    case 'skipped':
      return `$(circle-slash) ${f.code === 'ignored' ? vscode.l10n.t('ignored by policy') : vscode.l10n.t('not checked')}`;
    case 'error':
      return `$(warning) ${f.message.length > 80 ? `${f.message.slice(0, 77)}...` : f.message}`;
  }
}

/**
 * Code lens over each image reference (setting `registryLens.codeLens`, off by default): the short state from the
 * last check; a click on an update opens its quick-fixes, on anything else runs a check. Cache only, like the
 * diagnostics; a reference edited since the scan gets no lens until the next scan.
 */
export class ImageCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly images: WorkspaceImages,
    private readonly checker: UpdateChecker,
  ) {
    this.subscriptions = [
      this.emitter,
      images.onDidChange(() => this.emitter.fire()),
      checker.onDidChange(() => this.emitter.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.CodeLens)) this.emitter.fire();
      }),
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSettings().codeLens) return [];
    const lenses: vscode.CodeLens[] = [];
    const mine = this.images.result.occurrences.filter(
      (o: Occurrence) => o.file === doc.uri.fsPath && (!o.skip || o.skip.reason === 'built-locally'),
    );
    for (const o of mine) {
      const range = toRange(o.range);
      if (doc.getText(range) !== o.text) continue;
      const f = this.checker.finding(o);
      const title = o.skip ? `$(tools) ${vscode.l10n.t('built locally')}` : lensTitle(f);
      const fixable = f?.status === 'update' || f?.status === 'digest-changed';
      lenses.push(
        new vscode.CodeLens(
          range,
          fixable
            ? {
                title,
                command: CommandId.ShowFixes,
                arguments: [doc.uri, range],
                tooltip: vscode.l10n.t('Show the fixes for this image'),
              }
            : { title, command: CommandId.CheckNow, tooltip: vscode.l10n.t('Check for image updates now') },
        ),
      );
    }
    return lenses;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
