import type * as vscode from 'vscode';
import type { UpdateChecker } from './check/updateChecker';
import type { LocalEngine } from './docker/localEngine';
import type { SecretStorageKeychain } from './credentials/secretKeychain';
import type { RegistryClients } from './registry/registryClients';
import type { RegistryStatus } from './registry/registryStatus';
import type { ImagesTreeProvider } from './tree/imagesTree';
import type { WorkspaceImages } from './workspace/workspaceImages';

/**
 * The composition root's product: everything commands, views and providers need, built once in
 * `activate()` and passed down. No static singletons, so tests can build their own.
 */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly images: WorkspaceImages;
  readonly imagesTree: ImagesTreeProvider;
  readonly secrets: SecretStorageKeychain;
  readonly clients: RegistryClients;
  readonly registryStatus: RegistryStatus;
  readonly checker: UpdateChecker;
  readonly local: LocalEngine;
}
