import * as vscode from 'vscode';
import { DOCKER_HUB } from '../../core';
import { ContextValue } from '../constants';
import { presetForHost } from '../credentials/presets';
import type { SecretStorageKeychain } from '../credentials/secretKeychain';
import type { RegistryState, RegistryStatus, RegistryStatusKind } from '../registry/registryStatus';

/** A registry row: its host (the tree's element). */
export interface RegistryNode {
  host: string;
}

const LOOK: Record<RegistryStatusKind, { text: string; icon: string; color?: string }> = {
  unchecked: { text: vscode.l10n.t('not checked yet'), icon: 'circle-outline' },
  checking: { text: vscode.l10n.t('checking…'), icon: 'loading~spin' },
  untrusted: { text: vscode.l10n.t('not contacted (untrusted workspace)'), icon: 'workspace-untrusted' },
  'signed-in': { text: vscode.l10n.t('signed in'), icon: 'pass-filled', color: 'testing.iconPassed' },
  anonymous: { text: vscode.l10n.t('anonymous'), icon: 'globe' },
  'auth-required': { text: vscode.l10n.t('sign-in required'), icon: 'key', color: 'list.warningForeground' },
  rejected: { text: vscode.l10n.t('credentials rejected'), icon: 'error', color: 'list.errorForeground' },
  'not-sent': { text: vscode.l10n.t('not sent: plain HTTP'), icon: 'circle-slash', color: 'list.warningForeground' },
  expired: { text: vscode.l10n.t('login expired'), icon: 'history', color: 'list.warningForeground' },
  unreachable: { text: vscode.l10n.t('unreachable'), icon: 'debug-disconnect', color: 'list.errorForeground' },
  tls: { text: vscode.l10n.t('TLS problem'), icon: 'shield', color: 'list.errorForeground' },
  error: { text: vscode.l10n.t('error'), icon: 'warning', color: 'list.warningForeground' },
};

/** Where a credential came from, in a few words for the description. */
function shortSource(source: string): string {
  if (source.startsWith('Registry Lens')) return 'Registry Lens';
  if (/credential helper|docker-credential-/.test(source)) return vscode.l10n.t('credential helper');
  if (/docker config/.test(source)) return vscode.l10n.t('docker config');
  if (/containers auth file/.test(source)) return vscode.l10n.t('containers auth file');
  if (/environment/.test(source)) return vscode.l10n.t('environment');
  return source;
}

export function describeState(s: RegistryState): string {
  const look = LOOK[s.status];
  let text = look.text;
  if (s.status === 'signed-in' && s.credentialSource) text += ` (${shortSource(s.credentialSource)})`;
  const rl = s.rateLimit;
  if (rl?.remaining !== undefined)
    text += ` · ${rl.limit !== undefined ? vscode.l10n.t('{0}/{1} pulls left', rl.remaining, rl.limit) : vscode.l10n.t('{0} pulls left', rl.remaining)}`;
  if (s.notChecked)
    text =
      s.status === 'unchecked'
        ? vscode.l10n.t('{0} not checked', s.notChecked.count)
        : text + vscode.l10n.t(' · {0} not checked', s.notChecked.count);
  return text;
}

/** The Registries view: every registry the workspace uses or has a stored credential for, with its auth state. */
export class RegistriesTreeProvider implements vscode.TreeDataProvider<RegistryNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RegistryNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly status: RegistryStatus,
    private readonly secrets: SecretStorageKeychain,
  ) {
    this.subscriptions = [
      status.onDidChange(() => this.emitter.fire(undefined)),
      secrets.onDidChange(() => this.emitter.fire(undefined)),
    ];
  }

  getChildren(element?: RegistryNode): RegistryNode[] {
    return element ? [] : this.status.hosts().map((host) => ({ host }));
  }

  getTreeItem(node: RegistryNode): vscode.TreeItem {
    const s = this.status.state(node.host);
    const stored = this.secrets.info(node.host);
    const look = LOOK[s.status];
    const item = new vscode.TreeItem(
      node.host === DOCKER_HUB ? vscode.l10n.t('{0} (Docker Hub)', DOCKER_HUB) : node.host,
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = `registry:${node.host}`;
    // Short-lived tokens (ECR: 12 h) say so before they fail.
    const expired = stored?.expiresAt !== undefined && stored.expiresAt <= Date.now();
    const expiresSoon = stored?.expiresAt !== undefined && !expired && stored.expiresAt - Date.now() < 3_600_000;
    item.description = `${describeState(s)}${expired ? ` · ${vscode.l10n.t('token expired: edit to renew')}` : expiresSoon ? ` · ${vscode.l10n.t('token expires within the hour')}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${node.host}** — ${describeState(s)}\n\n`);
    if (stored) {
      md.appendMarkdown(
        vscode.l10n.t(
          'Stored in Registry Lens: user `{0}`, {1}',
          stored.username || vscode.l10n.t('(none)'),
          presetForHost(node.host, stored.kind).label,
        ),
      );
      if (stored.expiresAt)
        md.appendMarkdown(
          `, ${stored.expiresAt > Date.now() ? vscode.l10n.t('expires {0}', new Date(stored.expiresAt).toLocaleString()) : vscode.l10n.t('expired {0}', new Date(stored.expiresAt).toLocaleString())}`,
        );
      md.appendMarkdown('\n\n');
    }
    if (s.credentialSource) md.appendMarkdown(`${vscode.l10n.t('Credential in use: {0}', s.credentialSource)}\n\n`);
    if (s.message) md.appendMarkdown(`${s.message}\n\n`);
    if (s.notChecked)
      md.appendMarkdown(
        `${vscode.l10n.t('{0} image references were not checked by the last update check: {1}', s.notChecked.count, s.notChecked.why)}\n\n`,
      );
    if (s.rateLimit?.remaining !== undefined)
      md.appendMarkdown(
        `${vscode.l10n.t('Rate limit: {0} of {1} pulls left', s.rateLimit.remaining, s.rateLimit.limit ?? '?')}\n\n`,
      );
    if (s.checkedAt) md.appendMarkdown(vscode.l10n.t('Checked {0}', new Date(s.checkedAt).toLocaleTimeString()));
    item.tooltip = md;
    const web = presetForHost(node.host, stored?.kind).webPage?.(node.host);
    item.contextValue = `${stored ? ContextValue.RegistryStored : ContextValue.RegistryNoCredential}${s.status === 'not-sent' ? ':plainHttp' : ''}${web ? ':web' : ''}`;
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
