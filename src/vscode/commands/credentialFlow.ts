// The credential commands' shared parts: argument shapes, the prompts, test-then-save, and the host pickers.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { normalizeRegistry, parseReference } from '../../core';
import type { CredentialPreset } from '../credentials/presets';
import { allowInsecureRegistry } from '../registry/insecureHosts';
import { stateFromPing, type RegistryState } from '../registry/registryStatus';
import type { Services } from '../services';

/** Arguments for running the credential commands without prompts (tests, automation). Never logged. */
export interface CredentialArgs {
  host: string;
  username?: string;
  secret?: string;
  kind?: string;
  /** Test before saving (default true); a failed test then saves nothing unless `saveIfTestFails`. */
  test?: boolean;
  saveIfTestFails?: boolean;
}

export interface CredentialResult {
  saved: boolean;
  state?: RegistryState;
  /** The registry the flow was for, once known. */
  host?: string;
  /** The prompts shown, in order (`preset`, `host`, `username`, `secret`): what the user was asked. */
  asked?: Prompt[];
}

export type Prompt = 'preset' | 'host' | 'username' | 'secret';

export function hostOf(arg: unknown): string | undefined {
  if (arg && typeof arg === 'object' && 'host' in arg && typeof arg.host === 'string')
    return (arg as { host: string }).host;
  return typeof arg === 'string' ? arg : undefined;
}

/** A host the user typed, normalised (`https://GHCR.io/` -> `ghcr.io`), or an error message. */
export function validateHost(text: string): string | undefined {
  const t = text.trim();
  if (!t) return vscode.l10n.t('Enter the registry host, for example {0}', 'registry.example.com:5000');
  try {
    const host = normalizeRegistry(t);
    parseReference(`${host}/probe`); // the host must be one an image reference can name
    return undefined;
  } catch (e) {
    return vscode.l10n.t('Not a registry host: {0}', e instanceof Error ? e.message : String(e));
  }
}

/** Pings `host` with a credential that is not stored yet. */
async function testCandidate(s: Services, host: string, username: string, secret: string): Promise<RegistryState> {
  if (!vscode.workspace.isTrusted)
    return { host, status: 'untrusted', message: vscode.l10n.t('not tested: the workspace is untrusted') };
  const { client, close } = s.clients.withCandidate(host, { ...(username ? { username } : {}), password: secret });
  try {
    return stateFromPing(host, await client.ping(host), undefined);
  } catch (e) {
    return stateFromPing(host, undefined, e ?? new Error(vscode.l10n.t('unknown error')));
  } finally {
    await close();
  }
}

export async function ask(
  preset: CredentialPreset,
  host: string | undefined,
  username: string | undefined,
  asked: Prompt[] = [],
): Promise<{ host: string; username: string; secret: string } | undefined> {
  if (!host && !preset.host) asked.push('host');
  const h =
    host ??
    preset.host ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Add credential: {0}', preset.label),
      prompt: preset.hostPrompt ?? vscode.l10n.t('Registry host'),
      placeHolder: preset.hostPlaceholder,
      ignoreFocusOut: true,
      validateInput: validateHost,
    }));
  if (!h) return undefined;
  const key = normalizeRegistry(h);
  if (preset.username === undefined) asked.push('username');
  const user =
    preset.username ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Credential for {0}', key),
      prompt: preset.usernamePrompt,
      value: username,
      ignoreFocusOut: true,
    }));
  if (user === undefined) return undefined;
  let secret: string | undefined;
  asked.push('secret');
  if (preset.secretFromFile) {
    const picked = await vscode.window.showOpenDialog({
      title: preset.secretPrompt,
      canSelectMany: false,
      filters: { [vscode.l10n.t('JSON key')]: ['json'] },
    });
    if (!picked?.[0]) return undefined;
    secret = (await fs.readFile(picked[0].fsPath, 'utf8')).trim();
  } else {
    secret = await vscode.window.showInputBox({
      title: vscode.l10n.t('Credential for {0}', key),
      prompt: preset.secretPrompt,
      password: true,
      ignoreFocusOut: true,
    });
  }
  if (!secret) return undefined;
  return { host: key, username: user, secret };
}

export async function saveFlow(
  s: Services,
  preset: CredentialPreset,
  input: { host: string; username: string; secret: string },
  opts: { test: boolean; saveIfTestFails?: boolean; interactive: boolean },
): Promise<CredentialResult> {
  let state: RegistryState | undefined;
  const test = (): Thenable<RegistryState> =>
    vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Testing the credential for {0}…', input.host),
      },
      () => testCandidate(s, input.host, input.username, input.secret),
    );
  if (opts.test) {
    state = await test();
    if (state.status === 'not-sent' && opts.interactive) {
      // The registry never saw the credential: say so, and offer the one thing that lets it be sent.
      const allowHost = state.plainHttpHost ?? input.host;
      const allow = vscode.l10n.t('Allow Plain HTTP for {0}', allowHost);
      const saveAnyway = vscode.l10n.t('Save Anyway');
      const answer = await vscode.window.showWarningMessage(
        `${input.host}: ${state.message ?? state.status}`,
        allow,
        saveAnyway,
        vscode.l10n.t('Cancel'),
      );
      if (answer === allow && (await allowInsecureRegistry(allowHost, 'plain-http'))) state = await test();
      else if (answer !== saveAnyway) return { saved: false, state };
    }
    const ok = state.status === 'signed-in' || state.status === 'untrusted' || state.status === 'not-sent';
    if (!ok || (state.status === 'not-sent' && !opts.interactive)) {
      const why = state.message ?? state.status;
      let save = opts.saveIfTestFails === true;
      if (opts.interactive && state.status !== 'not-sent') {
        save =
          (await vscode.window.showWarningMessage(
            `${input.host}: ${why}`,
            vscode.l10n.t('Save Anyway'),
            vscode.l10n.t('Cancel'),
          )) === vscode.l10n.t('Save Anyway');
      }
      if (!save) return { saved: false, state };
    }
  }
  const expiresAt = preset.expiresHours ? Date.now() + preset.expiresHours * 3_600_000 : undefined;
  await s.secrets.store(input.host, input.username, input.secret, preset.id, expiresAt);
  s.log.info(
    `Stored a credential for ${input.host} (user ${input.username || '(none)'}, ${preset.label}) in SecretStorage`,
  );
  if (opts.interactive) {
    const verdict =
      state?.status === 'signed-in'
        ? vscode.l10n.t('signed in')
        : state?.status === 'untrusted'
          ? vscode.l10n.t('saved without testing (untrusted workspace)')
          : state?.status === 'not-sent'
            ? vscode.l10n.t(
                'saved, but not sent: {0} is plain HTTP and not allowed in registryLens.insecureRegistries',
                input.host,
              )
            : vscode.l10n.t('saved; the test did not pass');
    const expiry = expiresAt ? ` ${vscode.l10n.t('It expires in {0} hours.', String(preset.expiresHours))}` : '';
    void vscode.window.showInformationMessage(
      `${vscode.l10n.t('Registry Lens: credential for {0} {1}.', input.host, verdict)}${expiry}`,
    );
  }
  return { saved: true, ...(state ? { state } : {}) };
}

export async function pickStored(s: Services, placeHolder: string): Promise<string | undefined> {
  const items = s.secrets.list().map((c) => ({ label: c.host, description: c.username }));
  if (!items.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Registry Lens has no stored credentials.'));
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.label;
}

export async function pickHost(s: Services): Promise<string | undefined> {
  const hosts = s.registryStatus.hosts();
  if (!hosts.length)
    return vscode.window.showInputBox({ prompt: vscode.l10n.t('Registry host'), validateInput: validateHost });
  return await vscode.window.showQuickPick(hosts, { placeHolder: vscode.l10n.t('Which registry?') });
}
