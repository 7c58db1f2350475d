import * as vscode from 'vscode';
import type { BulkLevel, ImageReference, UpdateKind } from '../../core';
import { CommandId } from '../constants';
import type { Services } from '../services';
import type { ImagesNode } from '../tree/imagesModel';
import type { LocalNode } from '../tree/localTree';
import type { RegistryNode } from '../tree/registriesTree';
import { addCredentialCommand } from './addCredential';
import { allowPlainHttpCommand } from './allowPlainHttp';
import { announceCommand } from './announce';
import { checkNowCommand } from './checkNow';
import type { CredentialArgs } from './credentialFlow';
import { editCredentialCommand } from './editCredential';
import { groupImagesByFileCommand } from './groupImagesByFile';
import { groupImagesByRegistryCommand } from './groupImagesByRegistry';
import { ignoreUpdateKindCommand } from './ignoreUpdateKind';
import { importDockerCredentialsCommand } from './importDockerCredentials';
import { openRegistryPageCommand } from './openRegistryPage';
import { pullImageCommand } from './pullImage';
import { markInsecureCommand } from './markInsecure';
import { refreshImagesCommand } from './refreshImages';
import { refreshLocalCommand } from './refreshLocal';
import { refreshRegistriesCommand } from './refreshRegistries';
import { removeCredentialCommand } from './removeCredential';
import { setCaFileCommand, type SetCaFileOptions } from './setCaFile';
import { showAllImagesCommand } from './showAllImages';
import { showFixesCommand } from './showFixes';
import { showLogCommand } from './showLog';
import { showOnlyUpdatesCommand } from './showOnlyUpdates';
import { showRateLimitCommand } from './showRateLimit';
import { testCredentialCommand } from './testCredential';
import { updateAllImagesCommand, type UpdateAllOptions } from './updateAllImages';
import { updateContainerCommand } from './updateContainer';

/** A host from a Registries row or a string. */
const hostArg = (arg: RegistryNode | string | undefined): string | undefined =>
  typeof arg === 'string' ? arg : arg?.host;

/**
 * Wires every command id to its handler (one file each, taking the services it needs). A `Record` over
 * `CommandId`: a command added to constants.ts without a handler here does not compile.
 */
export function registerCommands(s: Services): vscode.Disposable[] {
  const handlers: Record<CommandId, (...args: never[]) => unknown> = {
    [CommandId.ShowLog]: () => showLogCommand(s.log),
    [CommandId.RefreshImages]: () => refreshImagesCommand(s),
    [CommandId.GroupImagesByFile]: () => groupImagesByFileCommand(s),
    [CommandId.GroupImagesByRegistry]: () => groupImagesByRegistryCommand(s),
    [CommandId.AddCredential]: (arg?: RegistryNode | CredentialArgs) => addCredentialCommand(s, arg),
    [CommandId.EditCredential]: (arg?: RegistryNode | CredentialArgs) => editCredentialCommand(s, arg),
    [CommandId.RemoveCredential]: (arg?: RegistryNode | { host: string; confirm?: false }) =>
      removeCredentialCommand(s, arg),
    [CommandId.TestCredential]: (arg?: RegistryNode | string, options?: { quiet?: boolean }) =>
      testCredentialCommand(s, arg, options),
    [CommandId.RefreshRegistries]: () => refreshRegistriesCommand(s),
    [CommandId.OpenRegistryPage]: (arg?: RegistryNode) => openRegistryPageCommand(s, arg),
    [CommandId.CheckNow]: () => checkNowCommand(s),
    [CommandId.ImportDockerCredentials]: (args?: { hosts: string[] }) => importDockerCredentialsCommand(s, args),
    [CommandId.ShowOnlyUpdates]: () => showOnlyUpdatesCommand(s),
    [CommandId.ShowAllImages]: () => showAllImagesCommand(s),
    [CommandId.UpdateAllImages]: (level?: BulkLevel, options?: UpdateAllOptions) =>
      updateAllImagesCommand(s, level, options),
    [CommandId.IgnoreUpdateKind]: (ref?: ImageReference, kind?: UpdateKind) => ignoreUpdateKindCommand(s, ref, kind),
    [CommandId.ShowFixes]: (uri?: vscode.Uri, range?: vscode.Range) => showFixesCommand(uri, range),
    [CommandId.RefreshLocal]: () => refreshLocalCommand(s),
    [CommandId.Announce]: (message?: string) => announceCommand(s, message),
    [CommandId.AllowPlainHttp]: (arg?: RegistryNode | string | { host: string; confirm?: false }) =>
      allowPlainHttpCommand(s, arg),
    [CommandId.PullImage]: (arg?: LocalNode | ImagesNode | string, options?: { quiet?: boolean }) =>
      pullImageCommand(s, s.local, arg, options),
    [CommandId.SetCaFile]: (host?: RegistryNode | string, options?: SetCaFileOptions) =>
      setCaFileCommand(s, hostArg(host), options),
    [CommandId.MarkInsecure]: (host?: RegistryNode | string, options?: { confirm?: false }) =>
      markInsecureCommand(s, hostArg(host), options),
    [CommandId.ShowRateLimit]: (host?: string, retryAt?: number | null) => showRateLimitCommand(s, host, retryAt),
    [CommandId.UpdateContainer]: (arg?: Extract<LocalNode, { kind: 'container' }> | string) =>
      updateContainerCommand(s, arg),
  };
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown),
  );
}
