import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { allowInsecureRegistry } from '../registry/insecureHosts';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { hostOf, pickHost } from './credentialFlow';

/**
 * Registry Lens: Allow Plain HTTP for Registry — for a registry whose credential is withheld because it speaks
 * plain HTTP. Writes the user setting (after a modal warning), then re-tests the registry; the images are
 * re-checked by the setting change.
 */
export async function allowPlainHttpCommand(
  s: Services,
  arg?: RegistryNode | string | { host: string; confirm?: false },
): Promise<boolean> {
  const picked = hostOf(arg) ?? (await pickHost(s));
  if (!picked) return false;
  // From a Registries row: the host that must be allowed may be the registry's token realm, not the registry.
  const host =
    arg && typeof arg === 'object' && !('confirm' in arg)
      ? (s.registryStatus.state(picked).plainHttpHost ?? picked)
      : picked;
  const confirm = !(arg && typeof arg === 'object' && 'confirm' in arg && arg.confirm === false);
  const allowed = await allowInsecureRegistry(host, 'plain-http', { confirm });
  if (!allowed) return false;
  s.log.warn(
    `${normalizeRegistry(host)}: plain HTTP allowed by the user (registryLens.insecureRegistries, user settings); credentials for it are now sent unencrypted`,
  );
  void vscode.window.setStatusBarMessage(
    vscode.l10n.t('Registry Lens: plain HTTP allowed for {0}; checking again…', normalizeRegistry(host)),
    5000,
  );
  return true;
}
