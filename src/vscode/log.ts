import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from './constants';

/**
 * The extension's one log: a LogOutputChannel, so the user picks the level (Developer: Set Log Level)
 * and every line carries a timestamp. Nothing secret is ever written here: callers log credential
 * *sources*, never values.
 */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}
