import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { CREDENTIAL_PRESETS, presetForHost, type CredentialPreset } from '../credentials/presets';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { ask, hostOf, saveFlow, type CredentialArgs, type CredentialResult, type Prompt } from './credentialFlow';

/** Registry Lens: Add Credential — guided by presets; tested before it is saved. */
export async function addCredentialCommand(
  s: Services,
  arg?: RegistryNode | CredentialArgs,
): Promise<CredentialResult> {
  if (arg && 'secret' in arg && arg.secret !== undefined) {
    const host = normalizeRegistry(arg.host);
    const preset = presetForHost(host, arg.kind);
    return saveFlow(
      s,
      preset,
      { host, username: arg.username ?? preset.username ?? '', secret: arg.secret },
      { test: arg.test ?? true, saveIfTestFails: arg.saveIfTestFails ?? false, interactive: false },
    );
  }
  let host = hostOf(arg);
  const asked: Prompt[] = [];
  let preset: CredentialPreset | undefined = host ? presetForHost(normalizeRegistry(host)) : undefined;
  if (!preset) {
    asked.push('preset');
    const pick = await vscode.window.showQuickPick<vscode.QuickPickItem & { preset?: CredentialPreset; host?: string }>(
      credentialPicks(s),
      {
        title: vscode.l10n.t('Add a registry credential'),
        placeHolder: vscode.l10n.t('Which registry?'),
      },
    );
    if (!pick?.preset) return { saved: false, asked };
    preset = pick.preset;
    host = pick.host;
  }
  const input = await ask(preset, host ? normalizeRegistry(host) : undefined, undefined, asked);
  if (!input) return { saved: false, ...(host ? { host: normalizeRegistry(host) } : {}), asked };
  return { ...(await saveFlow(s, preset, input, { test: true, interactive: true })), host: input.host, asked };
}

/**
 * The registries this workspace's images come from (without a stored credential) first, each with its preset and
 * the host filled in; then every preset.
 */
function credentialPicks(s: Services): (vscode.QuickPickItem & { preset?: CredentialPreset; host?: string })[] {
  const stored = new Set(s.secrets.list().map((c) => c.host));
  const used = new Set(
    s.images.result.occurrences.flatMap((o) => (o.reference && !o.skip ? [o.reference.registry] : [])),
  );
  const workspace = [...used]
    .filter((h) => !stored.has(h))
    .sort()
    .map((h) => {
      const preset = presetForHost(h);
      return { label: h, description: vscode.l10n.t('used by this workspace · {0}', preset.label), preset, host: h };
    });
  const all = CREDENTIAL_PRESETS.map((p) => ({ label: p.label, description: p.host ?? '', preset: p }));
  if (!workspace.length) return all;
  return [
    { label: vscode.l10n.t('This workspace'), kind: vscode.QuickPickItemKind.Separator },
    ...workspace,
    { label: vscode.l10n.t('All registries'), kind: vscode.QuickPickItemKind.Separator },
    ...all,
  ];
}
