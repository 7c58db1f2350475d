import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { settingId, updateUserSetting, userSetting } from '../config';
import { Setting } from '../constants';
import type { Services } from '../services';
import { pickHost } from './credentialFlow';

/**
 * "Mark <registry> insecure" (a quick-fix of a TLS error): after a modal warning, adds the host to
 * `registryLens.insecureRegistries` in the user's settings (never a workspace's). `options.confirm: false` skips
 * the warning (tests, automation). Resolves with true when the setting was written.
 */
export async function markInsecureCommand(s: Services, host?: string, options: { confirm?: false } = {}): Promise<boolean> {
  const target = host ?? (await pickHost(s));
  if (!target) return false;
  const key = normalizeRegistry(target);
  if (options.confirm !== false) {
    const yes = vscode.l10n.t('Mark Insecure');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Mark {0} insecure?', key), {
      modal: true,
      detail: vscode.l10n.t('Registry Lens will accept any certificate from {0}, or plain HTTP, and send its credentials that way: anyone on the network path can read them. Do this only for a registry on a network you trust; a CA file is the safer fix. The setting goes to your user settings ({1}).', key, settingId(Setting.InsecureRegistries)),
    }, yes);
    if (answer !== yes) return false;
  }
  const current = userSetting<unknown[]>(Setting.InsecureRegistries);
  const list = Array.isArray(current) ? current.filter((h): h is string => typeof h === 'string') : [];
  if (!list.some((h) => h.trim() && normalizeRegistry(h.trim()) === key)) await updateUserSetting(Setting.InsecureRegistries, [...list, key]);
  s.clients.rebuild();
  s.log.warn(`${settingId(Setting.InsecureRegistries)} (user settings): ${key} marked insecure`);
  void s.registryStatus.check([key]);
  void s.checker.checkNow('registry marked insecure');
  return true;
}
