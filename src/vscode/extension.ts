import * as vscode from 'vscode';
import { PRODUCT_VERSION } from '../core';
import { registerCommands } from './commands/registerCommands';
import { ViewId } from './constants';
import { createLog } from './log';
import type { Services } from './services';
import { EmptyTreeProvider } from './tree/emptyTree';
import type { ImagesModel } from './tree/imagesModel';
import { ImagesTreeProvider } from './tree/imagesTree';
import { WorkspaceImages } from './workspace/workspaceImages';

/** What `activate` returns: a small surface for the extension-host tests, not a public API. */
export interface RegistryLensApi {
  readonly version: string;
  readonly activatedAt: number;
  /** Resolves once no workspace scan is pending, with the tree's model at that point. */
  imagesIdle(): Promise<ImagesModel>;
  /** The Workspace Images tree provider, so tests read exactly what the view shows. */
  readonly imagesTree: vscode.TreeDataProvider<unknown>;
}

export function activate(context: vscode.ExtensionContext): RegistryLensApi {
  const started = Date.now();
  const log = createLog();
  context.subscriptions.push(log);

  const images = new WorkspaceImages(log);
  const imagesTree = new ImagesTreeProvider(images);
  const imagesView = vscode.window.createTreeView(ViewId.Images, { treeDataProvider: imagesTree, showCollapseAll: true });
  const describe = (): void => {
    const m = imagesTree.model();
    imagesView.description = images.hasScanned && m.imageCount ? `${m.imageCount} ${m.imageCount === 1 ? 'image' : 'images'} in ${m.fileCount} ${m.fileCount === 1 ? 'file' : 'files'}` : undefined;
  };
  context.subscriptions.push(images, imagesTree, imagesView, images.onDidChange(describe));
  const services: Services = { context, log, images, imagesTree };

  context.subscriptions.push(
    vscode.window.createTreeView(ViewId.Registries, { treeDataProvider: new EmptyTreeProvider() }),
    ...registerCommands(services),
  );

  // The first scan runs in the background: activation returns at once.
  void images.refresh('activation');
  log.info(`Registry Lens ${PRODUCT_VERSION} activated in ${Date.now() - started} ms (${vscode.env.appName} ${vscode.version}, mode ${vscode.ExtensionMode[context.extensionMode]})`);
  return {
    version: PRODUCT_VERSION,
    activatedAt: Date.now(),
    imagesIdle: async () => {
      await images.whenIdle();
      return imagesTree.model();
    },
    imagesTree,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
