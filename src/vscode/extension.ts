import * as vscode from 'vscode';
import { PRODUCT_VERSION } from '../core';
import { registerCommands } from './commands/registerCommands';
import { affects, readSettings } from './config';
import { findingDocsUri } from './convert';
import { ContextKey, Setting, ViewId, type SettingKey } from './constants';
import { createLog } from './log';
import type { Services } from './services';
import { CheckStatusBar } from './check/statusBar';
import { UpdateChecker, type CheckSummary } from './check/updateChecker';
import { SecretStorageKeychain } from './credentials/secretKeychain';
import { IMAGE_DOCUMENTS, ImageDiagnostics } from './diagnostics/imageDiagnostics';
import { UpdateCodeActions } from './diagnostics/codeActions';
import { ImageCodeLensProvider } from './diagnostics/imageCodeLens';
import { ImageHoverProvider } from './diagnostics/imageHover';
import { RegistryClients } from './registry/registryClients';
import { RegistryStatus } from './registry/registryStatus';
import { RegistriesTreeProvider } from './tree/registriesTree';
import type { ImagesModel } from './tree/imagesModel';
import { ImagesTreeProvider } from './tree/imagesTree';
import { LocalEngine } from './docker/localEngine';
import { LocalTreeProvider } from './tree/localTree';
import { WorkspaceImages } from './workspace/workspaceImages';
import { trackWelcomeState } from './welcomeState';

/** What `activate` returns: a small surface for the extension-host tests, not a public API. */
export interface RegistryLensApi {
  readonly version: string;
  readonly activatedAt: number;
  /** Resolves once no workspace scan is pending, with the tree's model at that point. */
  imagesIdle(): Promise<ImagesModel>;
  /** The Workspace Images tree provider, so tests read exactly what the view shows. */
  readonly imagesTree: vscode.TreeDataProvider<unknown>;
  /** The Registries tree provider, likewise. */
  readonly registriesTree: vscode.TreeDataProvider<unknown>;
  /** Resolves when no registry check is running. */
  registriesIdle(): Promise<void>;
  /** Runs an update check now and resolves with its summary. */
  checkNow(options?: { refresh?: boolean }): Promise<CheckSummary>;
  /** The quick-fix provider, so tests can ask it directly for a diagnostic that was dropped. */
  readonly codeActions: UpdateCodeActions;
  /** The local engine behind the Local Engine view, and its tree. */
  readonly local: LocalEngine;
  readonly localTree: vscode.TreeDataProvider<unknown>;
  /** Full workspace scans and single-file re-extractions so far (the editor bench checks an edit rescans nothing). */
  imagesStats(): { scans: number; fileUpdates: number };
  /** Everything the extension keeps in global state, as JSON: tests assert no secret is ever in it. */
  globalStateSnapshot(): string;
}

/** Settings the registry client is built from: a change re-checks images and registries. */
const REGISTRY_SETTINGS: SettingKey[] = [
  Setting.CaFiles,
  Setting.InsecureRegistries,
  Setting.Proxy,
  Setting.RegistryMirrors,
];

export function activate(context: vscode.ExtensionContext): RegistryLensApi {
  const started = Date.now();
  const log = createLog();
  context.subscriptions.push(log);

  const images = new WorkspaceImages(log);
  const secrets = new SecretStorageKeychain(context.secrets, context.globalState);
  const clients = new RegistryClients(secrets, log);
  const checker = new UpdateChecker(context, images, clients, log);
  const imagesTree = new ImagesTreeProvider(images, checker);
  const imagesView = vscode.window.createTreeView(ViewId.Images, {
    treeDataProvider: imagesTree,
    showCollapseAll: true,
  });
  const status = new CheckStatusBar(checker, images);
  const describe = (): void => {
    const m = imagesTree.model();
    const counted = `${m.imageCount === 1 ? vscode.l10n.t('1 image') : vscode.l10n.t('{0} images', m.imageCount)} ${m.fileCount === 1 ? vscode.l10n.t('in 1 file') : vscode.l10n.t('in {0} files', m.fileCount)}`;
    imagesView.description = images.hasScanned && m.imageCount ? counted : undefined;
    const updates = checker.summary.updates;
    imagesView.badge = updates
      ? {
          value: updates,
          tooltip:
            updates === 1
              ? vscode.l10n.t('1 image reference has an update')
              : vscode.l10n.t('{0} image references have an update', updates),
        }
      : undefined;
  };
  // The counts need the tree's model, which a large workspace takes a moment to build: after the diagnostics.
  let describeTimer: NodeJS.Timeout | undefined;
  const describeSoon = (): void => {
    clearTimeout(describeTimer);
    describeTimer = setTimeout(describe, 100);
  };
  context.subscriptions.push({ dispose: () => clearTimeout(describeTimer) });
  context.subscriptions.push(
    images,
    checker,
    imagesTree,
    imagesView,
    status,
    images.onDidChange(describeSoon),
    checker.onDidChange(describeSoon),
  );
  // "No images found" only once a scan has finished: while the first one runs the view says it is looking.
  context.subscriptions.push(
    images.onDidChange(() => void vscode.commands.executeCommand('setContext', ContextKey.Scanned, true)),
  );

  const registryStatus = new RegistryStatus(images, secrets, clients, log);
  registryStatus.useFindings(checker);
  const registriesTree = new RegistriesTreeProvider(registryStatus, secrets);
  const registriesView = vscode.window.createTreeView(ViewId.Registries, { treeDataProvider: registriesTree });
  context.subscriptions.push(
    secrets,
    clients,
    registryStatus,
    registriesTree,
    registriesView,
    trackWelcomeState(secrets, registryStatus, registriesView),
  );
  const diagnostics = new ImageDiagnostics(checker, (code) => findingDocsUri(context.extensionUri, code));
  const codeActions = new UpdateCodeActions(diagnostics, checker);
  const codeLenses = new ImageCodeLensProvider(images, checker);
  context.subscriptions.push(codeLenses, vscode.languages.registerCodeLensProvider(IMAGE_DOCUMENTS, codeLenses));
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(IMAGE_DOCUMENTS, codeActions, {
      providedCodeActionKinds: UpdateCodeActions.kinds,
    }),
  );
  const hover = new ImageHoverProvider(images, checker, registryStatus, clients);
  context.subscriptions.push(hover, vscode.languages.registerHoverProvider(IMAGE_DOCUMENTS, hover));
  // The Local Engine view: nothing connects (and dockerode is not loaded) until the view is first shown.
  const local = new LocalEngine(checker, clients, log);
  const localTree = new LocalTreeProvider(local);
  const localView = vscode.window.createTreeView(ViewId.Local, { treeDataProvider: localTree });
  context.subscriptions.push(local, localTree, localView, localTree.attach(localView));
  // Re-check by itself when what the answers depend on changes: a credential (added, edited, removed, imported),
  // a registry setting (the client is rebuilt first), the files on disk (checkout, pull).
  context.subscriptions.push(
    secrets.onDidChange((host) => checker.schedule(`credential changed for ${host}`, 300, { refresh: true })),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affects(e, ...REGISTRY_SETTINGS)) return;
      checker.schedule('registry settings changed', 300, { refresh: true });
      void registryStatus.check();
    }),
    images.onDidChangeOnDisk(() => checker.schedule('files changed on disk', 1000)),
  );
  const services: Services = { context, log, images, imagesTree, secrets, clients, registryStatus, checker, local };
  context.subscriptions.push(...registerCommands(services));

  // Everything runs in the background, so activation returns at once: the scan, then the cached findings
  // (instant after a reload), then registries and update checks (only in a trusted workspace).
  void images.refresh('activation').then(async () => {
    await checker.loadFromCache();
    if (!readSettings().checkOnActivation) return;
    await Promise.all([registryStatus.check(), checker.checkNow('activation')]);
  });
  log.info(
    `Registry Lens ${PRODUCT_VERSION} activated in ${Date.now() - started} ms (${vscode.env.appName} ${vscode.version}, mode ${vscode.ExtensionMode[context.extensionMode]})`,
  );
  return {
    version: PRODUCT_VERSION,
    activatedAt: Date.now(),
    imagesIdle: async () => {
      await images.whenIdle();
      return imagesTree.model();
    },
    imagesTree,
    registriesTree,
    registriesIdle: () => registryStatus.idle(),
    codeActions,
    local,
    localTree,
    imagesStats: () => images.stats,
    globalStateSnapshot: () =>
      JSON.stringify(Object.fromEntries(context.globalState.keys().map((k) => [k, context.globalState.get(k)]))),
    checkNow: async (options = {}) => {
      await checker.checkNow('api', options);
      return checker.summary;
    },
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
