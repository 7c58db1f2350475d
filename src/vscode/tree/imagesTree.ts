import * as vscode from 'vscode';
import { DOCKER_HUB, FINDING_CODES, safestFirst } from '../../core';
import { ContextKey, ContextValue } from '../constants';
import { toRange } from '../convert';
import type { UpdateChecker } from '../check/updateChecker';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import type { Finding, Occurrence } from '../../core';
import {
  buildImagesModel,
  childrenOf,
  FileOrder,
  type GroupBy,
  type ImagesModel,
  type ImagesNode,
  type UseNode,
} from './imagesModel';

const KIND_LABEL: Record<string, string> = {
  from: 'FROM',
  'copy-from': 'COPY --from',
  'mount-from': vscode.l10n.t('RUN --mount from'),
  syntax: '# syntax',
  service: vscode.l10n.t('service'),
  image: vscode.l10n.t('devcontainer image'),
};

/** Uses listed in a reference row's tooltip. */
const TOOLTIP_USES = 20;
/** The least time between two redraws of the view (the first change of a burst redraws at once). */
const REDRAW_MS = 250;
/** Grouped by file, files start expanded up to this many. */
const EXPANDED_FILES = 50;
/** What names the image, for the kinds of the YAML sources (Kubernetes, Helm, Kustomize, CI) and devcontainer features. */
function useLabel(o: Occurrence): string {
  switch (o.source) {
    case 'kubernetes':
      return o.kind === 'init-container'
        ? vscode.l10n.t('init container')
        : o.kind === 'ephemeral-container'
          ? vscode.l10n.t('ephemeral container')
          : vscode.l10n.t('container');
    case 'helm':
      return vscode.l10n.t('Helm values');
    case 'kustomize':
      return vscode.l10n.t('Kustomize images');
    case 'github-actions':
      return o.kind === 'service'
        ? vscode.l10n.t('workflow service')
        : o.kind === 'step'
          ? vscode.l10n.t('workflow step')
          : o.kind === 'action'
            ? vscode.l10n.t('action')
            : vscode.l10n.t('job container');
    case 'gitlab-ci':
      return o.kind === 'service' ? vscode.l10n.t('GitLab CI service') : vscode.l10n.t('GitLab CI image');
    default:
      return o.kind === 'feature' ? vscode.l10n.t('devcontainer feature') : (KIND_LABEL[o.kind] ?? o.kind);
  }
}

/** The Workspace Images view: the core's occurrences grouped by registry (or by file), each use opening at its range. */
export class ImagesTreeProvider implements vscode.TreeDataProvider<ImagesNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ImagesNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private groupBy: GroupBy = 'registry';
  private onlyUpdates = false;
  private cached: ImagesModel | undefined;
  /** Relative paths and path order of the files, kept across rebuilds while the folders stay the same. */
  private order: FileOrder | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private redrawTimer: NodeJS.Timeout | undefined;
  private redrawDue = false;

  constructor(
    private readonly images: WorkspaceImages,
    private readonly checker: UpdateChecker,
  ) {
    // The model is the scan's; findings only change the rows' states (and what the updates-only filter keeps).
    this.subscriptions = [
      images.onDidChange(() => this.changed()),
      checker.onDidChange(() => this.changed(!this.onlyUpdates)),
    ];
    void vscode.commands.executeCommand('setContext', ContextKey.ImagesGroupBy, this.groupBy);
    void vscode.commands.executeCommand('setContext', ContextKey.ImagesOnlyUpdates, false);
  }

  /** Show only images with an update or a changed digest (or everything). */
  setOnlyUpdates(only: boolean): void {
    this.onlyUpdates = only;
    void vscode.commands.executeCommand('setContext', ContextKey.ImagesOnlyUpdates, only);
    this.changed();
  }

  get grouping(): GroupBy {
    return this.groupBy;
  }

  setGrouping(groupBy: GroupBy): void {
    this.groupBy = groupBy;
    void vscode.commands.executeCommand('setContext', ContextKey.ImagesGroupBy, groupBy);
    this.changed();
  }

  /** The model behind the view (rebuilt lazily after each scan or grouping change). */
  model(): ImagesModel {
    const keep = this.onlyUpdates
      ? (o: Parameters<UpdateChecker['finding']>[0]) => hasUpdate(this.checker.finding(o))
      : undefined;
    if (!this.cached) {
      const folders = this.images.folders();
      if (this.order?.folders.join('\0') !== folders.join('\0')) this.order = new FileOrder(folders);
      this.cached = buildImagesModel(this.images.result.occurrences, folders, this.groupBy, keep, this.order);
    }
    return this.cached;
  }

  /**
   * Redraws the view; `keepModel` when only the rows' states changed, not which rows there are. The model is
   * dropped at once (a caller asking for rows gets the current ones), but the view is told at most once per
   * REDRAW_MS: a document re-extracted at every keystroke must not rebuild a 50,000-use tree each time.
   */
  private changed(keepModel = false): void {
    if (!keepModel) this.cached = undefined;
    if (this.redrawTimer) {
      this.redrawDue = true;
      return;
    }
    this.emitter.fire(undefined);
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      if (this.redrawDue) {
        this.redrawDue = false;
        this.changed(true);
      }
    }, REDRAW_MS);
  }

  getChildren(element?: ImagesNode): ImagesNode[] {
    // Before the first scan and for a workspace without images, no items: the view shows its welcome content.
    return element ? childrenOf(element) : this.model().roots;
  }

  getTreeItem(node: ImagesNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'registry': {
        const n = node.repositories.length;
        const item = new vscode.TreeItem(
          node.registry === DOCKER_HUB ? vscode.l10n.t('{0} (Docker Hub)', node.registry) : node.registry,
          C.Expanded,
        );
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('server');
        item.description = n === 1 ? vscode.l10n.t('1 repository') : vscode.l10n.t('{0} repositories', n);
        item.contextValue = ContextValue.ImagesRegistry;
        return item;
      }
      case 'repository': {
        const shown =
          node.registry === DOCKER_HUB && node.repository.startsWith('library/')
            ? node.repository.slice('library/'.length)
            : node.repository;
        const item = new vscode.TreeItem(shown, C.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('package');
        item.tooltip = `${node.registry}/${node.repository}`;
        item.contextValue = ContextValue.ImagesRepository;
        return item;
      }
      case 'reference': {
        const uses = node.uses.length;
        const item = new vscode.TreeItem(node.label, C.Collapsed);
        item.id = node.id;
        let finding: Finding | undefined;
        for (const o of node.uses.occurrences) if ((finding = this.checker.finding(o))) break;
        const state = finding
          ? describeFinding(finding)
          : !node.builtLocally && this.checker.busy
            ? CHECKING()
            : undefined;
        item.iconPath = state?.icon ?? new vscode.ThemeIcon(node.label.includes('@') ? 'lock' : 'tag');
        const count = uses === 1 ? vscode.l10n.t('1 use') : vscode.l10n.t('{0} uses', uses);
        // Checked through a mirror (registryMirrors / daemon.json): say which one.
        const mirror = finding?.notes.find((n) => n.code === 'mirror');
        const via = mirror?.mirror ? ` · ${vscode.l10n.t('via {0}', mirror.mirror)}` : '';
        item.description = node.builtLocally
          ? vscode.l10n.t('built locally')
          : state
            ? `${state.text}${via} · ${count}`
            : count;
        // The first uses only: an image used in thousands of files must not build a tooltip of thousands of lines.
        const listed = node.uses
          .first(TOOLTIP_USES)
          .map((u) => `- ${u.relativeFile}:${u.occurrence.range.start.line + 1}`);
        if (uses > TOOLTIP_USES)
          listed.push(`- ${vscode.l10n.t('… and {0} more (expand the row)', uses - TOOLTIP_USES)}`);
        item.tooltip = new vscode.MarkdownString(
          `\`${node.canonical}\`${finding ? `\n\n${finding.message}${updateList(finding)}` : ''}${mirror ? `\n\n${mirror.message}` : ''}\n\n${listed.join('\n')}`,
        );
        item.contextValue = ContextValue.ImagesReference;
        return item;
      }
      case 'file': {
        const n = node.uses.length;
        // Files start expanded while there are few of them; in a large workspace the view loads each on demand.
        const item = new vscode.TreeItem(
          vscode.Uri.file(node.file),
          this.model().roots.length > EXPANDED_FILES ? C.Collapsed : C.Expanded,
        );
        item.id = node.id;
        item.label = node.relativeFile;
        item.description = n === 1 ? vscode.l10n.t('1 image') : vscode.l10n.t('{0} images', n);
        item.contextValue = ContextValue.ImagesFile;
        return item;
      }
      case 'unchecked': {
        const item = new vscode.TreeItem(vscode.l10n.t('Not checked'), C.Collapsed);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('warning');
        item.description = `${node.uses.length}`;
        item.tooltip = vscode.l10n.t(
          'References Registry Lens cannot check: unresolved variables or invalid image names.',
        );
        return item;
      }
      case 'use':
        return this.useItem(node);
    }
  }

  private useItem(node: UseNode): vscode.TreeItem {
    const o = node.occurrence;
    const line = o.range.start.line + 1;
    const byFile = this.groupBy === 'file';
    const item = new vscode.TreeItem(
      byFile ? withoutHost(o) : `${node.relativeFile}:${line}`,
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = `${this.groupBy}:${node.id}`;
    const where = byFile ? vscode.l10n.t('line {0}', line) : useLabel(o);
    const skip = o.skip && o.skip.reason !== 'built-locally' ? ` — ${o.skip.detail || o.skip.reason}` : '';
    const finding = this.checker.finding(o);
    item.description = `${where}${o.stage?.name ? ` (${o.stage.name})` : ''}${o.services.length ? ` (${o.services.join(', ')})` : ''}${skip}`;
    item.resourceUri = byFile ? undefined : vscode.Uri.file(o.file);
    const byFileState = finding
      ? describeFinding(finding)
      : byFile && o.reference && !o.skip && this.checker.busy
        ? CHECKING()
        : undefined;
    if (byFile && byFileState) item.description = `${byFileState.text} · ${item.description}`;
    item.iconPath = byFile
      ? byFileState
        ? byFileState.icon
        : new vscode.ThemeIcon(o.skip && o.skip.reason !== 'built-locally' ? 'warning' : 'tag')
      : vscode.ThemeIcon.File;
    item.tooltip = `${node.relativeFile}:${line}:${o.range.start.character + 1}\n${o.text}${o.reference ? `\n${o.reference.canonical}` : ''}`;
    item.command = {
      command: 'vscode.open',
      title: vscode.l10n.t('Open'),
      arguments: [
        vscode.Uri.file(o.file),
        { selection: toRange(o.range), preview: true } satisfies vscode.TextDocumentShowOptions,
      ],
    };
    item.contextValue = ContextValue.ImagesUse;
    return item;
  }

  dispose(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    for (const d of this.subscriptions) d.dispose();
    this.emitter.dispose();
  }
}

/** The row state of a reference whose own answer has not arrived yet. */
const CHECKING = (): { text: string; icon: vscode.ThemeIcon } => ({
  text: vscode.l10n.t('checking…'),
  icon: new vscode.ThemeIcon('loading~spin'),
});

/** Grouped by file the file already says where: the row names the image without its registry host. */
function withoutHost(o: UseNode['occurrence']): string {
  const text = o.value || o.text;
  const host = o.reference?.registry;
  if (!host || o.skip) return text;
  const slash = text.indexOf('/');
  const first = slash > 0 ? text.slice(0, slash) : '';
  // Only a host written in the text is dropped (docker.io/library/x keeps "library/x"; plain "nginx" stays).
  return first && (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first)
    ? text.slice(slash + 1)
    : text;
}

/** Every update of a finding, for tooltips (the row shows only the safest). */
function updateList(f: Finding): string {
  if (f.status !== 'update' || f.updates.length < 2) return '';
  return `\n\n${safestFirst(f.updates, true)
    .map((u) => `- ${u.tag} (${u.kind})`)
    .join('\n')}`;
}

export function hasUpdate(f: Finding | undefined): boolean {
  return f?.status === 'update' || f?.status === 'digest-changed';
}

/** A finding in a few words for a tree row ("→ 1.27.1 minor, 2.0.0 major", "digest changed", "auth required"). */
export function describeFinding(f: Finding): { text: string; icon: vscode.ThemeIcon } {
  switch (f.status) {
    case 'update': {
      // Safest first, as the quick-fixes are offered.
      // State first and short: the safest update, and how many more there are (all of them in the tooltip).
      const tags = safestFirst(f.updates, true);
      const first = tags[0];
      const more = tags.length > 1 ? ` (+${tags.length - 1})` : '';
      return {
        text: first ? `↑ ${first.tag} ${first.kind}${more}` : '↑',
        icon: new vscode.ThemeIcon('arrow-circle-up', new vscode.ThemeColor('list.warningForeground')),
      };
    }
    case 'digest-changed':
      return {
        text: vscode.l10n.t('digest changed'),
        icon: new vscode.ThemeIcon('sync', new vscode.ThemeColor('list.warningForeground')),
      };
    case 'unpinned':
    case 'current':
      return {
        text: f.stale ? vscode.l10n.t('up to date (cached)') : vscode.l10n.t('up to date'),
        icon: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
      };
    case 'error':
      // The finding table's label: the same words as the CLI's table and the docs.
      return {
        text: FINDING_CODES[f.code].label,
        icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground')),
      };
    case 'skipped':
      return { text: FINDING_CODES[f.code].label, icon: new vscode.ThemeIcon('circle-slash') };
  }
}
