import * as vscode from 'vscode';
import {
  bulkUpdate,
  editsForUpdate,
  familiarName,
  mergeEdits,
  type BulkLevel,
  type Finding,
  type TextEdit,
} from '../../core';
import { toRange, toUri } from '../convert';
import { fixTitle } from './fixTitles';

export interface BulkEdit {
  edit: vscode.WorkspaceEdit;
  /** How many references the edit updates. */
  updated: number;
  /** The edits of each reference updated (file, start, new text), to tell afterwards which were applied. */
  planned: { label: string; edits: TextEdit[] }[];
  /** One line per reference left out, and why (changed since the check, a conflict, no safe edit). */
  skipped: string[];
}

/**
 * One WorkspaceEdit for many findings: each finding's bulk update (see {@link bulkUpdate}), checked against the
 * documents as they are now (a reference edited since the check is left out, not half-edited), merged so two
 * references reading one `ARG` default write it once, and labelled per reference for the refactor preview.
 */
export async function buildBulkEdit(
  findings: readonly Finding[],
  level: BulkLevel | undefined,
  options: { confirm: boolean },
): Promise<BulkEdit> {
  const skipped: string[] = [];
  const groups: { label: string; edits: TextEdit[]; title: string }[] = [];
  const docs = new Map<string, vscode.TextDocument>();
  const doc = async (file: string) => {
    let d = docs.get(file);
    if (!d) docs.set(file, (d = await vscode.workspace.openTextDocument(toUri(file))));
    return d;
  };
  for (const f of findings) {
    const u = bulkUpdate(f, level);
    if (!u) continue;
    const o = f.occurrence;
    const where = `${vscode.workspace.asRelativePath(o.file)}:${o.range.start.line + 1}`;
    const edits = editsForUpdate(o, u);
    if ('refused' in edits) {
      skipped.push(`${where} ${o.text}: ${edits.refused}`);
      continue;
    }
    let changed = false;
    for (const e of edits)
      if ((await doc(e.location.file)).getText(toRange(e.location.range)) !== e.expected) changed = true;
    if (changed) {
      skipped.push(`${where} ${o.text}: ${vscode.l10n.t('changed since the last check')}`);
      continue;
    }
    const name = o.reference ? familiarName({ ...o.reference, tag: null, digest: null }) : o.text;
    groups.push({ label: `${where}`, edits, title: `${name}: ${fixTitle(f, u)}` });
  }
  const { edits, conflicts } = mergeEdits(groups);
  for (const c of conflicts) skipped.push(`${c}: ${vscode.l10n.t('conflicts with another update of the same text')}`);
  const good = groups.filter((g) => !conflicts.includes(g.label));
  const we = new vscode.WorkspaceEdit();
  const titleOf = new Map<TextEdit, string>();
  for (const g of good) for (const e of g.edits) if (!titleOf.has(e)) titleOf.set(e, g.title);
  for (const e of edits) {
    // Edits shared by several references carry the first one's title; the preview groups by it.
    const label = titleOf.get(e) ?? vscode.l10n.t('Registry Lens update');
    we.replace(toUri(e.location.file), toRange(e.location.range), e.newText, { label, needsConfirmation: false });
  }
  const first = edits[0];
  if (options.confirm && first) {
    // VS Code opens its refactor preview only for an edit that needs confirmation, and starts such entries
    // unticked. So the updates themselves are ticked (no confirmation needed), and one empty entry that changes
    // nothing asks for the review: the preview opens with every proposed update ticked.
    const at = toRange({ start: first.location.range.start, end: first.location.range.start });
    we.insert(toUri(first.location.file), at.start, '', {
      label: vscode.l10n.t('Review: every update below is ticked; untick any you do not want, then Apply'),
      needsConfirmation: true,
    });
  }
  return { edit: we, updated: good.length, skipped, planned: good.map((g) => ({ label: g.label, edits: g.edits })) };
}
