import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { hostOf, pickStored } from './credentialFlow';

/** Registry Lens: Remove Credential — from SecretStorage only; the docker config is never changed. */
export async function removeCredentialCommand(
  s: Services,
  arg?: RegistryNode | { host: string; confirm?: false },
): Promise<boolean> {
  const host = hostOf(arg) ?? (await pickStored(s, vscode.l10n.t('Remove which credential?')));
  if (!host) return false;
  const confirm = !(arg && 'confirm' in arg && arg.confirm === false);
  if (confirm) {
    const remove = vscode.l10n.t('Remove');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove the credential for {0} from Registry Lens?', host),
      { modal: true, detail: vscode.l10n.t('Your docker config and credential helpers are not changed.') },
      remove,
    );
    if (answer !== remove) return false;
  }
  const removed = await s.secrets.remove(host);
  s.log.info(`Removed the stored credential for ${normalizeRegistry(host)}`);
  return removed;
}
