import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { settingId, updateUserSetting, userSetting } from '../config';
import { Setting } from '../constants';
import type { Services } from '../services';
import { pickHost } from './credentialFlow';

export interface SetCaFileOptions {
  /** The PEM file to use, without the file picker (tests, automation). */
  file?: string;
}

/**
 * "Set a CA File for <registry>" (the quick-fix of a TLS unknown-authority error): picks a PEM file, checks it holds
 * a certificate, and writes it to `registryLens.caFiles` in the user's settings (never a workspace's: a cloned
 * repository must not choose which CAs are trusted); the settings change re-checks the registry and the images.
 * Resolves with true when the setting was written.
 */
export async function setCaFileCommand(s: Services, host?: string, options: SetCaFileOptions = {}): Promise<boolean> {
  const target = host ?? (await pickHost(s));
  if (!target) return false;
  const key = normalizeRegistry(target);
  let file = options.file;
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('CA certificate for {0}', key),
      openLabel: vscode.l10n.t('Trust This CA for {0}', key),
      canSelectMany: false,
      filters: { [vscode.l10n.t('PEM certificates')]: ['pem', 'crt', 'cer'], [vscode.l10n.t('All files')]: ['*'] },
    });
    file = picked?.[0]?.fsPath;
    if (!file) return false;
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Registry Lens: cannot read {0}: {1}', file, e instanceof Error ? e.message : String(e)),
    );
    return false;
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'Registry Lens: {0} holds no PEM certificate (-----BEGIN CERTIFICATE-----); pick the CA certificate of {1}.',
        file,
        key,
      ),
    );
    return false;
  }
  const current = userSetting<Record<string, unknown>>(Setting.CaFiles);
  await updateUserSetting(Setting.CaFiles, { ...(current && typeof current === 'object' ? current : {}), [key]: file });
  // The settings change rebuilds the client and re-checks the registries and images (extension.ts).
  s.log.info(`${settingId(Setting.CaFiles)} (user settings): ${key} now trusts ${file}`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Registry Lens: {0} is now verified with {1} (user settings). Checking again.', key, file),
  );
  return true;
}
