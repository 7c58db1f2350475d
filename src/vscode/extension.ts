import * as vscode from 'vscode';
import { PRODUCT_VERSION } from '../core';
import { registerCommands } from './commands/registerCommands';
import { ViewId } from './constants';
import { createLog } from './log';
import type { Services } from './services';
import { EmptyTreeProvider } from './tree/emptyTree';

/** What `activate` returns: a small surface for the extension-host tests, not a public API. */
export interface RegistryLensApi {
  readonly version: string;
  readonly activatedAt: number;
}

export function activate(context: vscode.ExtensionContext): RegistryLensApi {
  const started = Date.now();
  const log = createLog();
  context.subscriptions.push(log);
  const services: Services = { context, log };

  context.subscriptions.push(
    vscode.window.createTreeView(ViewId.Registries, { treeDataProvider: new EmptyTreeProvider() }),
    vscode.window.createTreeView(ViewId.Images, { treeDataProvider: new EmptyTreeProvider() }),
    ...registerCommands(services),
  );

  log.info(`Registry Lens ${PRODUCT_VERSION} activated in ${Date.now() - started} ms (${vscode.env.appName} ${vscode.version}, mode ${vscode.ExtensionMode[context.extensionMode]})`);
  return { version: PRODUCT_VERSION, activatedAt: Date.now() };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
