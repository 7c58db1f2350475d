import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { CommandId } from '../constants';
import type { Services } from '../services';

/** When a rate limit resets (epoch ms): what the registry said with the error, else its last rate-limit headers. */
export function rateLimitResetsAt(s: Services, host: string, retryAt: number | null | undefined): number | undefined {
  if (typeof retryAt === 'number') return retryAt;
  const state = s.registryStatus.state(host);
  const reset = state.rateLimit?.resetSeconds;
  return reset !== undefined && state.checkedAt !== undefined ? state.checkedAt + reset * 1000 : undefined;
}

/**
 * The quick-fix of a rate-limit error: says when the limit resets (or that the registry did not say), and offers
 * to add a credential (signed-in pulls have higher limits). Resolves with the message shown.
 */
export function showRateLimitCommand(s: Services, host?: string, retryAt?: number | null): string | undefined {
  if (!host) return undefined;
  const key = normalizeRegistry(host);
  const at = rateLimitResetsAt(s, key, retryAt);
  const message =
    at !== undefined
      ? vscode.l10n.t(
          'Registry Lens: {0} rate limit resets at {1} (in about {2} min). Checks resume by themselves; signing in raises the limit.',
          key,
          new Date(at).toLocaleTimeString(),
          Math.max(1, Math.ceil((at - Date.now()) / 60_000)),
        )
      : vscode.l10n.t(
          'Registry Lens: {0} did not say when its rate limit resets (Docker Hub counts pulls over 6 hours). Checks resume by themselves; signing in raises the limit.',
          key,
        );
  const add = vscode.l10n.t('Add Credential');
  void vscode.window.showInformationMessage(message, add).then((choice) => {
    if (choice === add) void vscode.commands.executeCommand(CommandId.AddCredential, { host: key });
  });
  return message;
}
