import * as vscode from 'vscode';
import { DockerConfigKeychain, normalizeRegistry, type DockerConfigEntry } from '../../core';
import type { Services } from '../services';

export interface ImportResult {
  imported: string[];
  failed: { host: string; reason: string }[];
}

function describeSource(e: DockerConfigEntry): string {
  if (e.source === 'auths') return vscode.l10n.t('in the file (auths)');
  return `docker-credential-${e.helper ?? '?'} (${e.source})`;
}

/**
 * Registry Lens: Import Credentials from Docker Config — lists what the docker config holds (hosts and where each
 * credential lives, never a secret), lets the user pick, and copies the picked ones into SecretStorage.
 * `args.hosts` imports those without asking (tests, automation).
 */
export async function importDockerCredentialsCommand(s: Services, args?: { hosts: string[] }): Promise<ImportResult> {
  const warnings: string[] = [];
  const docker = new DockerConfigKeychain({ env: process.env, onWarning: (m) => warnings.push(m) });
  const result: ImportResult = { imported: [], failed: [] };
  let entries: DockerConfigEntry[];
  try {
    entries = docker.entries();
  } catch (e) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Registry Lens: cannot read {0}: {1}', docker.file, e instanceof Error ? e.message : String(e)),
    );
    return result;
  }
  if (!entries.length) {
    if (!args)
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Registry Lens: {0} holds no registry credentials.', docker.file),
      );
    return result;
  }
  let hosts: string[];
  if (args) {
    hosts = args.hosts.map(normalizeRegistry);
  } else {
    const picked = await vscode.window.showQuickPick(
      entries.map((e) => ({
        label: e.host,
        description: describeSource(e),
        detail: s.secrets.info(e.host)
          ? vscode.l10n.t('Registry Lens already has a credential for this registry: importing replaces it')
          : undefined,
        picked: !s.secrets.info(e.host),
      })),
      {
        canPickMany: true,
        title: vscode.l10n.t('Import credentials from {0}', docker.file),
        placeHolder: vscode.l10n.t("Which registries? The secrets are copied into VS Code's secret storage."),
      },
    );
    if (!picked?.length) return result;
    hosts = picked.map((p) => p.label);
  }
  for (const host of hosts) {
    const entry = entries.find((e) => e.host === host);
    const cred = entry ? await docker.resolve(host) : undefined;
    const secret = cred?.password ?? cred?.identityToken ?? cred?.registryToken;
    if (!cred || !secret) {
      result.failed.push({
        host,
        reason: entry
          ? (warnings.find((w) => w.startsWith(host)) ?? vscode.l10n.t('the docker config gave no secret for it'))
          : vscode.l10n.t('not in the docker config'),
      });
      continue;
    }
    const secretType = cred.password ? 'password' : cred.identityToken ? 'identityToken' : 'registryToken';
    await s.secrets.store(host, cred.username ?? '', secret, 'generic', undefined, secretType);
    s.log.info(`Imported the credential for ${host} from ${cred.source} into SecretStorage`);
    result.imported.push(host);
  }
  if (!args) {
    const failed = result.failed.map((f) => `${f.host} (${f.reason})`).join(', ');
    const n = result.imported.length;
    const text = failed
      ? n === 1
        ? vscode.l10n.t('Registry Lens: imported 1 credential; not imported: {0}.', failed)
        : vscode.l10n.t('Registry Lens: imported {0} credentials; not imported: {1}.', n, failed)
      : n === 1
        ? vscode.l10n.t('Registry Lens: imported 1 credential.')
        : vscode.l10n.t('Registry Lens: imported {0} credentials.', n);
    if (failed) void vscode.window.showWarningMessage(text);
    else void vscode.window.showInformationMessage(text);
  }
  return result;
}
