import * as vscode from 'vscode';
import {
  FINDING_CODES,
  formatBytes,
  safestFirst,
  type FindingCode,
  type LocalCheckResult,
  type LocalFinding,
  type LocalImage,
} from '../../core';
import { ContextValue } from '../constants';
import type { LocalEngine } from '../docker/localEngine';

export type LocalNode =
  | { kind: 'group'; group: 'images' | 'containers' }
  | { kind: 'image'; ref: string; image: LocalImage; finding: LocalFinding | undefined }
  | { kind: 'container'; id: string; name: string; ref: string; finding: LocalFinding | undefined };

const SHORT = (id: string | null | undefined): string => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '?');

/** A local finding in a few words, and its icon. */
function describe(f: LocalFinding | undefined, checking: boolean): { text: string; icon: vscode.ThemeIcon } {
  const warn = new vscode.ThemeColor('list.warningForeground');
  if (!f)
    return {
      text: checking ? vscode.l10n.t('checking…') : vscode.l10n.t('not checked'),
      icon: new vscode.ThemeIcon(checking ? 'loading~spin' : 'circle-outline'),
    };
  const tags = safestFirst(f.updates, true)
    .map((u) => `${u.tag} ${u.kind}`)
    .join(', ');
  switch (f.status) {
    case 'digest-changed':
      return {
        text: `${vscode.l10n.t('newer image in the registry')}${tags ? ` · → ${tags}` : ''}`,
        icon: new vscode.ThemeIcon('cloud-download', warn),
      };
    case 'update':
      return {
        text: `→ ${tags}${f.digestChanged ? ` · ${vscode.l10n.t('newer image in the registry')}` : ''}`,
        icon: new vscode.ThemeIcon('arrow-circle-up', warn),
      };
    case 'container-outdated':
      return {
        text: vscode.l10n.t('runs an older image than its tag: recreate it'),
        icon: new vscode.ThemeIcon('debug-restart', warn),
      };
    case 'current':
      return {
        text: vscode.l10n.t('up to date'),
        icon: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
      };
    case 'local-only':
      return { text: vscode.l10n.t('local only'), icon: new vscode.ThemeIcon('device-desktop') };
    case 'skipped':
      return {
        text: f.code === 'ignored' ? vscode.l10n.t('ignored by policy') : vscode.l10n.t('not compared'),
        icon: new vscode.ThemeIcon('circle-slash'),
      };
    case 'error':
      return {
        text: f.code in FINDING_CODES ? FINDING_CODES[f.code as FindingCode].label : vscode.l10n.t('registry error'),
        icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground')),
      };
  }
}

/**
 * The Local Engine view: the engine's tagged images and running containers, each compared with its registry
 * (a newer image for the same tag, newer tags, a container running an older image than its tag). Shown only
 * when the engine answers; otherwise the view's message says calmly why there is none and nothing is offered.
 */
export class LocalTreeProvider implements vscode.TreeDataProvider<LocalNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<LocalNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private view: vscode.TreeView<LocalNode> | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly engine: LocalEngine) {
    this.subscriptions = [this.emitter, engine.onDidChange(() => this.changed())];
  }

  attach(view: vscode.TreeView<LocalNode>): vscode.Disposable {
    this.view = view;
    this.changed();
    return vscode.Disposable.from(view.onDidChangeVisibility((e) => this.engine.setVisible(e.visible)));
  }

  private changed(): void {
    const s = this.engine.state;
    if (this.view) {
      this.view.message =
        s.state === 'connecting'
          ? vscode.l10n.t('Connecting to the Docker engine at {0}…', s.endpoint)
          : s.state === 'unavailable'
            ? vscode.l10n.t('No Docker engine: {0}', s.message)
            : s.state === 'ok' && s.problem
              ? vscode.l10n.t('Comparing with the registries failed: {0}', s.problem)
              : undefined;
      if (s.state === 'ok') {
        const outdated = s.result ? [...s.result.images, ...s.result.containers].filter((f) => f.outdated).length : 0;
        this.view.description = `${s.engine.version}${outdated ? ` · ${vscode.l10n.t('{0} out of date', outdated)}` : ''}`;
      } else this.view.description = undefined;
    }
    this.emitter.fire(undefined);
  }

  getChildren(node?: LocalNode): LocalNode[] {
    const s = this.engine.state;
    if (s.state === 'idle') {
      // The first look at the view: connect now (this is what loads dockerode).
      this.engine.setVisible(true);
      return [];
    }
    if (s.state !== 'ok') return [];
    if (!node)
      return [
        { kind: 'group', group: 'images' },
        { kind: 'group', group: 'containers' },
      ];
    if (node.kind !== 'group') return [];
    const findings = this.findingsOf(s.result);
    if (node.group === 'images') {
      return s.inventory.images
        .flatMap((image) =>
          (image.repoTags.length ? image.repoTags : image.repoDigests.slice(0, 1)).map((ref) => ({
            kind: 'image' as const,
            ref,
            image,
            finding: findings.get(`image\n${image.id}\n${ref}`),
          })),
        )
        .sort(
          (a, b) =>
            Number(b.finding?.outdated ?? false) - Number(a.finding?.outdated ?? false) || a.ref.localeCompare(b.ref),
        );
    }
    return s.inventory.containers.map((c) => ({
      kind: 'container' as const,
      id: c.id,
      name: c.name,
      ref: c.image,
      finding: findings.get(`container\n${c.id}`),
    }));
  }

  private indexed: { result: LocalCheckResult | undefined; map: Map<string, LocalFinding> } | undefined;

  /** The findings of a check by image (id and tag) or container id; built once per result. */
  private findingsOf(result: LocalCheckResult | undefined): Map<string, LocalFinding> {
    if (this.indexed && this.indexed.result === result) return this.indexed.map;
    const map = new Map<string, LocalFinding>();
    for (const f of [...(result?.images ?? []), ...(result?.containers ?? [])])
      map.set(`${f.kind}\n${f.kind === 'container' ? f.container?.id : `${f.image?.id}\n${f.ref}`}`, f);
    this.indexed = { result, map };
    return map;
  }

  getTreeItem(node: LocalNode): vscode.TreeItem {
    const s = this.engine.state;
    const checking = s.state === 'ok' && s.checking;
    if (node.kind === 'group') {
      const list = s.state === 'ok' ? (node.group === 'images' ? s.result?.images : s.result?.containers) : undefined;
      const count =
        s.state === 'ok' ? (node.group === 'images' ? s.inventory.images.length : s.inventory.containers.length) : 0;
      const outdated = list?.filter((f) => f.outdated).length ?? 0;
      const item = new vscode.TreeItem(
        node.group === 'images' ? vscode.l10n.t('Images') : vscode.l10n.t('Running containers'),
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.id = `local:${node.group}`;
      item.description = `${count}${outdated ? ` · ${vscode.l10n.t('{0} out of date', outdated)}` : ''}`;
      item.iconPath = new vscode.ThemeIcon(node.group === 'images' ? 'layers' : 'vm-running');
      return item;
    }
    const { text, icon } = describe(node.finding, checking);
    const pullable = node.finding?.actions.includes('pull') ?? false;
    if (node.kind === 'image') {
      const item = new vscode.TreeItem(node.ref, vscode.TreeItemCollapsibleState.None);
      item.id = `local:image:${node.image.id}:${node.ref}`;
      item.description = text;
      item.iconPath = icon;
      item.contextValue = pullable ? ContextValue.LocalImagePullable : ContextValue.LocalImage;
      const md = new vscode.MarkdownString(undefined, true);
      md.appendMarkdown(`**${node.ref}**\n\n${node.finding?.message ?? text}\n\n`);
      md.appendMarkdown(
        `${vscode.l10n.t('Image `{0}`', SHORT(node.image.id))}${node.image.platform ? ` · ${node.image.platform}` : ''} · ${formatBytes(node.image.size)} · ${vscode.l10n.t('created {0}', node.image.created.slice(0, 10))}\n\n`,
      );
      if (node.finding?.localDigest)
        md.appendMarkdown(`${vscode.l10n.t('Local digest `{0}`', node.finding.localDigest)}\n\n`);
      if (node.finding?.registryDigest && node.finding.registryDigest !== node.finding.localDigest)
        md.appendMarkdown(`${vscode.l10n.t('Registry digest `{0}`', node.finding.registryDigest)}\n\n`);
      item.tooltip = md;
      return item;
    }
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
    item.id = `local:container:${node.id}`;
    item.description = `${node.ref} · ${text}`;
    item.iconPath = icon;
    item.contextValue = pullable ? ContextValue.LocalContainerPullable : ContextValue.LocalContainer;
    item.tooltip = new vscode.MarkdownString(
      `${vscode.l10n.t('**{0}** (`{1}`) runs `{2}`', node.name, node.id.slice(0, 12), node.ref)}\n\n${node.finding?.message ?? text}\n\n${vscode.l10n.t('**Update Container** pulls its image and recreates it (after you confirm the steps).')}`,
    );
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
