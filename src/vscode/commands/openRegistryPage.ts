import * as vscode from 'vscode';
import { presetForHost } from '../credentials/presets';
import type { Services } from '../services';
import type { RegistryNode } from '../tree/registriesTree';
import { hostOf, pickHost } from './credentialFlow';

/** Registry Lens: Open Registry Page. */
export async function openRegistryPageCommand(s: Services, arg?: RegistryNode): Promise<void> {
  const host = hostOf(arg) ?? (await pickHost(s));
  if (!host) return;
  const url = presetForHost(host, s.secrets.info(host)?.kind).webPage?.(host);
  if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
}
