import * as vscode from 'vscode';
import { presetForHost } from '../credentials/presets';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { addCredentialCommand } from './addCredential';
import { ask, hostOf, pickStored, saveFlow, type CredentialArgs, type CredentialResult } from './credentialFlow';

/** Registry Lens: Edit Credential — same host (to change it, remove and add), new user name and secret. */
export async function editCredentialCommand(
  s: Services,
  arg?: RegistryNode | CredentialArgs,
): Promise<CredentialResult> {
  const host = hostOf(arg) ?? (await pickStored(s, vscode.l10n.t('Edit which credential?')));
  if (!host) return { saved: false };
  const info = s.secrets.info(host);
  if (!info) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Registry Lens has no stored credential for {0}. Use Add Credential.', host),
    );
    return { saved: false };
  }
  if (arg && 'secret' in arg && arg.secret !== undefined)
    return addCredentialCommand(s, { ...arg, host: info.host, kind: arg.kind ?? info.kind });
  const preset = presetForHost(info.host, info.kind);
  const input = await ask(preset, info.host, info.username);
  if (!input) return { saved: false };
  return saveFlow(s, preset, input, { test: true, interactive: true });
}
