import * as vscode from 'vscode';
import type { RegistryState } from '../registry/registryStatus';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { hostOf, pickHost } from './credentialFlow';

/** Registry Lens: Test Credential — pings the registry with whatever credential would be used, and says what happened. */
export async function testCredentialCommand(s: Services, arg?: RegistryNode | string, options: { quiet?: boolean } = {}): Promise<RegistryState | undefined> {
  const host = hostOf(arg) ?? (await pickHost(s));
  if (!host) return undefined;
  await s.registryStatus.check([host]);
  const state = s.registryStatus.state(host);
  if (!options.quiet) {
    const text = state.status === 'signed-in' ? `${host}: signed in with ${state.credentialSource ?? 'a credential'}.`
      : state.status === 'anonymous' ? `${host}: reachable; no credential is used (anonymous).`
      : `${host}: ${state.message ?? state.status}`;
    if (state.status === 'signed-in' || state.status === 'anonymous') void vscode.window.showInformationMessage(text);
    else void vscode.window.showWarningMessage(text, 'Show Log').then((a) => { if (a) s.log.show(true); });
  }
  return state;
}
