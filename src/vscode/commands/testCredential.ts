import * as vscode from 'vscode';
import { CommandId } from '../constants';
import type { RegistryState } from '../registry/registryStatus';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { hostOf, pickHost } from './credentialFlow';

/**
 * Registry Lens: Test Credential — pings the registry with whatever credential would be used, and says what
 * happened: signed in only when the registry accepted a credential it received; "not sent" (with the fix) when
 * it was withheld over plain HTTP; "rejected" (with Edit Credential) when the registry refused it.
 */
export async function testCredentialCommand(
  s: Services,
  arg?: RegistryNode | string,
  options: { quiet?: boolean } = {},
): Promise<(RegistryState & { offered: string[] }) | undefined> {
  const host = hostOf(arg) ?? (await pickHost(s));
  if (!host) return undefined;
  await s.registryStatus.check([host]);
  const state = s.registryStatus.state(host);
  const actions = remedies(s, host, state);
  const result = { ...state, offered: actions.map((a) => a.title) };
  if (options.quiet) return result;
  if (state.status === 'signed-in') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}: signed in with {1}.', host, state.credentialSource ?? vscode.l10n.t('a credential')),
    );
  } else if (state.status === 'anonymous') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}: reachable; no credential is used (anonymous).', host),
    );
  } else {
    void vscode.window
      .showWarningMessage(`${host}: ${state.message ?? state.status}`, ...actions.map((a) => a.title))
      .then((picked) => {
        void actions.find((a) => a.title === picked)?.run();
      });
  }
  return result;
}

/** The buttons offered with a failed test: the fix for "not sent", Edit (or Add) Credential for "rejected", the log. */
function remedies(s: Services, host: string, state: RegistryState): { title: string; run: () => unknown }[] {
  if (state.status === 'signed-in' || state.status === 'anonymous') return [];
  const actions: { title: string; run: () => unknown }[] = [];
  if (state.status === 'not-sent') {
    const allow = state.plainHttpHost ?? host;
    actions.push({
      title: vscode.l10n.t('Allow Plain HTTP for {0}', allow),
      run: () => vscode.commands.executeCommand(CommandId.AllowPlainHttp, allow),
    });
  }
  if (state.status === 'rejected') {
    actions.push(
      s.secrets.info(host) !== undefined
        ? {
            title: vscode.l10n.t('Edit Credential'),
            run: () => vscode.commands.executeCommand(CommandId.EditCredential, { host }),
          }
        : {
            title: vscode.l10n.t('Add Credential'),
            run: () => vscode.commands.executeCommand(CommandId.AddCredential, { host }),
          },
    );
  }
  actions.push({ title: vscode.l10n.t('Show Log'), run: () => s.log.show(true) });
  return actions;
}
