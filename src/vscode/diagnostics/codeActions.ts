import * as vscode from 'vscode';
import { editsForUpdate, familiarName, ignoreCommentEdit, safestFirst, type Finding, type TextEdit } from '../../core';
import { occurrenceKey, type UpdateChecker } from '../check/updateChecker';
import { CommandId } from '../constants';
import { DIAGNOSTIC_SOURCE, toRange, toUri } from '../convert';
import { buildBulkEdit } from './bulkEdits';
import type { ImageDiagnostics } from './imageDiagnostics';
import { fixTitle } from './fixTitles';

/** The `source.fixAll` kind of this extension (what `editor.codeActionsOnSave` can name). */
export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('registryLens');

/**
 * Quick-fixes for our diagnostics: one per update kind, the safest preferred; "ignore this image" (an inline
 * `registry-lens: ignore` comment) and "ignore <kind> updates of this image" (a `registryLens.policies` rule).
 * Each edit touches only the tag/digest range (the ARG default or .env value the tag came from, when it did), and
 * only while that range still holds what the check saw: otherwise the action is shown disabled with the reason.
 * Also "Fix all" for a file (`source.fixAll.registryLens`): the preferred fix of every finding in it. Error
 * findings get the fixes of their code ({@link errorFixes}): a credential, a CA file, the insecure flag, a reset time.
 */
export class UpdateCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND];

  constructor(
    private readonly diagnostics: ImageDiagnostics,
    private readonly checker: UpdateChecker,
  ) {}

  async provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: Pick<vscode.CodeActionContext, 'diagnostics'> & { only?: vscode.CodeActionKind },
  ): Promise<vscode.CodeAction[]> {
    if (
      context.only &&
      FIX_ALL_KIND.intersects(context.only) &&
      !vscode.CodeActionKind.QuickFix.intersects(context.only)
    ) {
      const fixAll = await this.fixAll(doc);
      return fixAll ? [fixAll] : [];
    }
    const actions: vscode.CodeAction[] = [];
    const ignoredHere = new Set<string>();
    let lines: string[] | undefined;
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const f = this.diagnostics.finding(doc.uri.fsPath, d);
      if (!f) continue;
      if (f.status === 'error') actions.push(...errorFixes(f, d));
      const updates = safestFirst(f.updates);
      for (const [i, u] of updates.entries()) {
        const action = new vscode.CodeAction(fixTitle(f, u), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = i === 0;
        await this.attach(action, editsForUpdate(f.occurrence, u));
        actions.push(action);
      }
      const ref = f.occurrence.reference;
      if (!ref) continue;
      const name = familiarName({ ...ref, tag: null, digest: null });
      for (const u of updates) {
        if (u.kind === 'pin') continue;
        const action = new vscode.CodeAction(
          vscode.l10n.t('Ignore {0} updates of {1} ({2})', u.kind, name, 'registryLens.policies'),
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = [d];
        action.command = { title: action.title, command: CommandId.IgnoreUpdateKind, arguments: [ref, u.kind] };
        actions.push(action);
      }
      const key = occurrenceKey(f.occurrence);
      if (ignoredHere.has(key)) continue;
      ignoredHere.add(key);
      const action = new vscode.CodeAction(
        vscode.l10n.t('Ignore {0} here ({1})', name, '# registry-lens: ignore'),
        vscode.CodeActionKind.QuickFix,
      );
      action.diagnostics = [d];
      lines ??= Array.from({ length: doc.lineCount }, (_, n) => doc.lineAt(n).text);
      const edit = ignoreCommentEdit(f.occurrence, lines, doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
      await this.attach(action, 'refused' in edit ? edit : [edit]);
      actions.push(action);
    }
    return actions;
  }

  /** Gives the action its edit, or disables it with the reason (no safe edit, or the text changed). */
  private async attach(action: vscode.CodeAction, edits: TextEdit[] | { refused: string }): Promise<void> {
    if ('refused' in edits) {
      action.disabled = { reason: edits.refused };
      return;
    }
    const built = await buildEdit(edits);
    if ('changed' in built) action.disabled = { reason: built.changed };
    else action.edit = built;
  }

  /** The preferred fix of every finding in the document, as one action; undefined when there is nothing to fix. */
  private async fixAll(doc: vscode.TextDocument): Promise<vscode.CodeAction | undefined> {
    const findings = this.checker.all().filter((f) => f.occurrence.file === doc.uri.fsPath);
    const { edit, updated, planned } = await buildBulkEdit(findings, undefined, { confirm: false });
    if (updated === 0) return undefined;
    const action = new vscode.CodeAction(
      updated === 1
        ? vscode.l10n.t('Apply the safest update to 1 image reference')
        : vscode.l10n.t('Apply the safest update to {0} image references', updated),
      FIX_ALL_KIND,
    );
    action.edit = edit;
    // Runs after the edit: says what changed and where (the status bar, not a toast: Fix All may run on every save).
    const file = vscode.workspace.asRelativePath(doc.uri);
    const lines = planned.map((p) => p.label.slice(p.label.lastIndexOf(':') + 1)).join(', ');
    action.command = {
      title: action.title,
      command: CommandId.Announce,
      arguments: [
        updated === 1
          ? vscode.l10n.t('Registry Lens: Fix All updated 1 reference in {0} (line {1})', file, lines)
          : vscode.l10n.t(
              'Registry Lens: Fix All updated {0} references in {1} (lines {2})',
              String(updated),
              file,
              lines,
            ),
      ],
    };
    return action;
  }
}

/** A quick-fix that runs a command (no edit). */
function commandFix(
  title: string,
  d: vscode.Diagnostic,
  command: CommandId,
  args: unknown[],
  preferred = false,
): vscode.CodeAction {
  const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [d];
  action.isPreferred = preferred;
  action.command = { title, command, arguments: args };
  return action;
}

/**
 * The fixes of an error finding, by its code: a credential for a registry that wants one (or refused the one it
 * got), a CA file or the insecure flag for a TLS failure, when a rate limit resets. They change settings or
 * credentials, never the file.
 */
export function errorFixes(f: Finding, d: vscode.Diagnostic): vscode.CodeAction[] {
  const registry = f.error?.registry ?? f.occurrence.reference?.registry;
  if (!registry) return [];
  switch (f.code) {
    case 'auth-failed':
      return [
        commandFix(
          vscode.l10n.t('Add credential for {0}', registry),
          d,
          CommandId.AddCredential,
          [{ host: registry }],
          true,
        ),
      ];
    case 'credential-not-sent':
      // The registry never saw the credential: allow plain HTTP for it (a user setting, after a warning).
      // (The host is the registry, or its token realm's host when that is the one on plain HTTP.)
      return [
        commandFix(
          vscode.l10n.t('Allow plain HTTP for {0}', f.error?.plainHttpHost ?? registry),
          d,
          CommandId.AllowPlainHttp,
          [f.error?.plainHttpHost ?? registry],
          true,
        ),
      ];
    case 'tls-error':
      return [
        commandFix(vscode.l10n.t('Set a CA file for {0}', registry), d, CommandId.SetCaFile, [registry], true),
        commandFix(vscode.l10n.t('Mark {0} insecure', registry), d, CommandId.MarkInsecure, [registry]),
      ];
    case 'rate-limited':
      return [
        commandFix(
          vscode.l10n.t('When does the {0} rate limit reset?', registry),
          d,
          CommandId.ShowRateLimit,
          [registry, f.error?.retryAt ?? null],
          true,
        ),
      ];
    default:
      return [];
  }
}

/** A WorkspaceEdit for the edits, or why not: a range no longer holds what the check saw (the file changed). */
export async function buildEdit(edits: TextEdit[]): Promise<vscode.WorkspaceEdit | { changed: string }> {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) {
    const uri = toUri(e.location.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = toRange(e.location.range);
    if (doc.getText(range) !== e.expected) {
      return {
        changed: vscode.l10n.t(
          '{0} changed since the last check (line {1} no longer holds "{2}"): run "Check for Image Updates Now"',
          vscode.workspace.asRelativePath(uri),
          range.start.line + 1,
          e.expected,
        ),
      };
    }
    we.replace(uri, range, e.newText);
  }
  return we;
}
