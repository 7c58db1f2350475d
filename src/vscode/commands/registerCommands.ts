import * as vscode from 'vscode';
import { CommandId } from '../constants';
import type { Services } from '../services';
import {
  addCredentialCommand, editCredentialCommand, openRegistryPageCommand, removeCredentialCommand, testCredentialCommand,
  type CredentialArgs,
} from './credentialCommands';
import type { RegistryNode } from '../tree/registriesTree';
import { importDockerCredentialsCommand } from './importDockerCredentials';
import { showLogCommand } from './showLog';
import { pullImageCommand } from './pullCommand';
import { updateContainerCommand } from './updateContainer';
import type { LocalNode } from '../tree/localTree';
import type { ImagesNode } from '../tree/imagesModel';
import { ignoreUpdateKindCommand, showFixesCommand, updateAllImagesCommand, type UpdateAllOptions } from './updateCommands';
import type { ImageReference, UpdateKind } from '../../core';
import type { BulkLevel } from '../diagnostics/tagEdits';

/** Registers every command; each handler lives in its own file and receives the services it needs. */
export function registerCommands(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.ShowLog, () => showLogCommand(services.log)),
    vscode.commands.registerCommand(CommandId.RefreshImages, () => services.images.refresh('refresh command')),
    vscode.commands.registerCommand(CommandId.GroupImagesByFile, () => services.imagesTree.setGrouping('file')),
    vscode.commands.registerCommand(CommandId.GroupImagesByRegistry, () => services.imagesTree.setGrouping('registry')),
    vscode.commands.registerCommand(CommandId.AddCredential, (arg?: RegistryNode | CredentialArgs) => addCredentialCommand(services, arg)),
    vscode.commands.registerCommand(CommandId.EditCredential, (arg?: RegistryNode | CredentialArgs) => editCredentialCommand(services, arg)),
    vscode.commands.registerCommand(CommandId.RemoveCredential, (arg?: RegistryNode | { host: string; confirm?: false }) => removeCredentialCommand(services, arg)),
    vscode.commands.registerCommand(CommandId.TestCredential, (arg?: RegistryNode | string, options?: { quiet?: boolean }) => testCredentialCommand(services, arg, options)),
    vscode.commands.registerCommand(CommandId.RefreshRegistries, () => services.registryStatus.check()),
    vscode.commands.registerCommand(CommandId.OpenRegistryPage, (arg?: RegistryNode) => openRegistryPageCommand(services, arg)),
    vscode.commands.registerCommand(CommandId.CheckNow, () => services.checker.checkNow('command')),
    vscode.commands.registerCommand(CommandId.ImportDockerCredentials, (args?: { hosts: string[] }) => importDockerCredentialsCommand(services, args)),
    vscode.commands.registerCommand(CommandId.ShowOnlyUpdates, () => services.imagesTree.setOnlyUpdates(true)),
    vscode.commands.registerCommand(CommandId.ShowAllImages, () => services.imagesTree.setOnlyUpdates(false)),
    vscode.commands.registerCommand(CommandId.UpdateAllImages, (level?: BulkLevel, options?: UpdateAllOptions) => updateAllImagesCommand(services, level, options)),
    vscode.commands.registerCommand(CommandId.IgnoreUpdateKind, (ref?: ImageReference, kind?: UpdateKind) => ignoreUpdateKindCommand(services, ref, kind)),
    vscode.commands.registerCommand(CommandId.RefreshLocal, () => services.local.refresh('refresh command', { fresh: true })),
    vscode.commands.registerCommand(CommandId.PullImage, (arg?: LocalNode | ImagesNode | string, options?: { quiet?: boolean }) => pullImageCommand(services, services.local, arg, options)),
    vscode.commands.registerCommand(CommandId.UpdateContainer, (arg?: Extract<LocalNode, { kind: 'container' }> | string) => updateContainerCommand(services, arg)),
    vscode.commands.registerCommand(CommandId.ShowFixes, (uri?: vscode.Uri, range?: vscode.Range) => showFixesCommand(uri, range)),
  ];
}
