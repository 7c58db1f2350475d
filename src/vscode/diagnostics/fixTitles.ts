import * as vscode from 'vscode';
import type { Finding, FindingUpdate } from '../../core';

/** The title of the quick-fix (and refactor-preview label) that applies `u` to `f`'s reference. */
export function fixTitle(f: Finding, u: FindingUpdate): string {
  switch (u.kind) {
    case 'digest': {
      const tag = f.occurrence.reference?.tag;
      return tag != null
        ? vscode.l10n.t('Refresh the digest of {0} (the tag moved)', tag)
        : vscode.l10n.t('Refresh the digest of the image (the tag moved)');
    }
    case 'pin': {
      const tag = f.occurrence.reference?.tag;
      return tag != null ? vscode.l10n.t('Pin {0} to its digest', tag) : vscode.l10n.t('Pin the image to its digest');
    }
    default:
      return u.digest && f.occurrence.reference?.digest
        ? vscode.l10n.t('Update to {0} ({1}) and re-pin', u.tag, u.kind)
        : vscode.l10n.t('Update to {0} ({1})', u.tag, u.kind);
  }
}
