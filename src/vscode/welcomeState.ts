import * as vscode from 'vscode';
import { ContextKey } from './constants';
import type { SecretStorageKeychain } from './credentials/secretKeychain';
import type { RegistryStatus } from './registry/registryStatus';

/**
 * What to do next, for each empty or failed state: the context keys the views' welcome content (package.json
 * `viewsWelcome`) is chosen by, and a message above the Registries rows when registries could not be reached or
 * want a sign-in nobody gave them (the welcome content shows only while a view is empty).
 */
export function trackWelcomeState(
  secrets: SecretStorageKeychain,
  status: RegistryStatus,
  registriesView: vscode.TreeView<unknown>,
): vscode.Disposable {
  const set = (key: ContextKey, value: unknown): void => void vscode.commands.executeCommand('setContext', key, value);
  const credentials = (): void => set(ContextKey.StoredCredentials, secrets.list().length);
  const message = (): void => {
    const states = status.hosts().map((h) => status.state(h));
    const unreachable = states.filter((s) => s.status === 'unreachable').map((s) => s.host);
    const signIn = states.filter((s) => s.status === 'auth-required' && !secrets.info(s.host)).map((s) => s.host);
    const parts: string[] = [];
    if (unreachable.length) {
      parts.push(
        vscode.l10n.t(
          'Unreachable: {0}. Check that the registry runs and the host and port in your files are right (and any proxy), then Refresh.',
          unreachable.join(', '),
        ),
      );
    }
    if (signIn.length)
      parts.push(vscode.l10n.t('Sign-in needed: {0}. Add a credential with + on its row.', signIn.join(', ')));
    registriesView.message = parts.length ? parts.join(' ') : undefined;
  };
  credentials();
  message();
  return vscode.Disposable.from(
    secrets.onDidChange(() => {
      credentials();
      message();
    }),
    status.onDidChange(message),
  );
}
