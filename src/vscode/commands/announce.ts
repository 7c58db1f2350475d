import * as vscode from 'vscode';
import type { Services } from '../services';

/** Internal: says what an edit just changed (the status bar for a few seconds, and the log). Runs after Fix All. */
export function announceCommand(s: Services, message?: string): void {
  if (!message) return;
  s.log.info(message);
  vscode.window.setStatusBarMessage(message, 8000);
}
