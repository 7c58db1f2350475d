import * as vscode from 'vscode';
import { CommandId } from '../constants';
import type { Services } from '../services';
import { showLogCommand } from './showLog';

/** Registers every command; each handler lives in its own file and receives the services it needs. */
export function registerCommands(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.ShowLog, () => showLogCommand(services.log)),
    vscode.commands.registerCommand(CommandId.RefreshImages, () => services.images.refresh('refresh command')),
    vscode.commands.registerCommand(CommandId.GroupImagesByFile, () => services.imagesTree.setGrouping('file')),
    vscode.commands.registerCommand(CommandId.GroupImagesByRegistry, () => services.imagesTree.setGrouping('registry')),
  ];
}
