import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { readSettings, settingId } from '../config';
import { Setting, SETTINGS_SECTION } from '../constants';

export type InsecureReason = 'plain-http' | 'tls';

/**
 * Adds `host` to `registryLens.insecureRegistries` in the user settings (the setting is machine-scoped and never
 * read from a workspace), after a modal warning that says what it allows. Resolves true when the host is listed
 * afterwards (added now or already there); the registry client is rebuilt and the images re-checked by the
 * configuration change itself.
 */
export async function allowInsecureRegistry(
  host: string,
  reason: InsecureReason,
  opts: { confirm?: boolean } = {},
): Promise<boolean> {
  const key = normalizeRegistry(host);
  if (readSettings().insecureRegistries.includes(key)) return true;
  if (opts.confirm !== false) {
    const detail =
      reason === 'plain-http'
        ? vscode.l10n.t(
            '{0} speaks plain HTTP. Registry Lens will send your credential for it unencrypted: anyone on the network between you and {0} can read it. Do this only for a registry on a network you trust (loopback, a lab). The setting {1} is written to your user settings.',
            key,
            settingId(Setting.InsecureRegistries),
          )
        : vscode.l10n.t(
            'Registry Lens will accept any certificate from {0} without verifying it, so anyone on the network can pretend to be {0} and read your credential. Prefer setting its CA file. The setting {1} is written to your user settings.',
            key,
            settingId(Setting.InsecureRegistries),
          );
    const allow = reason === 'plain-http' ? vscode.l10n.t('Allow Plain HTTP') : vscode.l10n.t('Mark Insecure');
    const answer = await vscode.window.showWarningMessage(
      reason === 'plain-http'
        ? vscode.l10n.t('Allow plain HTTP for {0}?', key)
        : vscode.l10n.t('Mark {0} insecure?', key),
      { modal: true, detail },
      allow,
    );
    if (answer !== allow) return false;
  }
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const current = c.inspect<unknown[]>(Setting.InsecureRegistries)?.globalValue;
  const list = Array.isArray(current) ? current.filter((h): h is string => typeof h === 'string') : [];
  await c.update(
    Setting.InsecureRegistries,
    [...list.filter((h) => normalizeRegistry(h) !== key), key],
    vscode.ConfigurationTarget.Global,
  );
  return true;
}
