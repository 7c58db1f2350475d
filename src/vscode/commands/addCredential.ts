import * as vscode from 'vscode';
import { normalizeRegistry } from '../../core';
import { CREDENTIAL_PRESETS, presetForHost, type CredentialPreset } from '../credentials/presets';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { ask, hostOf, saveFlow, type CredentialArgs, type CredentialResult, type Prompt } from './credentialFlow';

/** Registry Lens: Add Credential — guided by presets; tested before it is saved. */
export async function addCredentialCommand(s: Services, arg?: RegistryNode | CredentialArgs): Promise<CredentialResult> {
  if (arg && 'secret' in arg && arg.secret !== undefined) {
    const host = normalizeRegistry(arg.host);
    const preset = presetForHost(host, arg.kind);
    return saveFlow(s, preset, { host, username: arg.username ?? preset.username ?? '', secret: arg.secret }, { test: arg.test ?? true, saveIfTestFails: arg.saveIfTestFails ?? false, interactive: false });
  }
  const host = hostOf(arg);
  const asked: Prompt[] = [];
  let preset: CredentialPreset | undefined = host ? presetForHost(normalizeRegistry(host)) : undefined;
  if (!preset) {
    asked.push('preset');
    const pick = await vscode.window.showQuickPick(CREDENTIAL_PRESETS.map((p) => ({ label: p.label, description: p.host ?? '', preset: p })), {
      title: 'Add a registry credential', placeHolder: 'Which registry?',
    });
    if (!pick) return { saved: false, asked };
    preset = pick.preset;
  }
  const input = await ask(preset, host ? normalizeRegistry(host) : undefined, undefined, asked);
  if (!input) return { saved: false, ...(host ? { host: normalizeRegistry(host) } : {}), asked };
  return { ...(await saveFlow(s, preset, input, { test: true, interactive: true })), host: input.host, asked };
}
