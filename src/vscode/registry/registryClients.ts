import * as vscode from 'vscode';
import {
  buildMirrorTable,
  createRegistryClient,
  defaultKeychain,
  StaticKeychain,
  USER_AGENT,
  type Credential,
  type Keychain,
  type RegistryClient,
} from '../../core';
import { affects, readSettings, registrySettings } from '../config';
import { Setting } from '../constants';
import type { SecretStorageKeychain } from '../credentials/secretKeychain';

/**
 * The registry client the extension uses: SecretStorage first, then REGISTRY_LENS_* env, then the docker config
 * and its credential helpers. Rebuilt when the security settings change. In an untrusted workspace nothing here
 * is used: callers check `vscode.workspace.isTrusted` first.
 */
export class RegistryClients implements vscode.Disposable {
  private current: { client: RegistryClient; close: () => Promise<void> } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: SecretStorageKeychain,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, Setting.CaFiles, Setting.InsecureRegistries, Setting.Proxy, Setting.RegistryMirrors))
        this.rebuild();
    });
  }

  private keychain(first: Keychain): Keychain {
    return defaultKeychain({ first, env: process.env, onWarning: (m) => this.log.warn(m) });
  }

  private build(first: Keychain): { client: RegistryClient; close: () => Promise<void> } {
    // CA files, insecure hosts and the proxy: user and machine settings only (see config.ts).
    const settings = registrySettings();
    // Mirrors: the user's registryMirrors, then the Docker daemon's registry-mirrors for Docker Hub.
    const mirrors = buildMirrorTable(readSettings().registryMirrors);
    for (const p of mirrors.problems) this.log.warn(p);
    const { client, close } = createRegistryClient({
      ...(mirrors.size > 0 ? { mirrors } : {}),
      keychain: this.keychain(first),
      userAgent: USER_AGENT,
      hosts: settings.hosts,
      ...(settings.proxy ? { proxy: settings.proxy } : {}),
      // Audit lines (once per registry and credential source, never the secret), refusals and retries.
      log: (line) => this.log.info(line),
    });
    return { client, close };
  }

  /** The shared client (token cache and connections are reused across checks). */
  get client(): RegistryClient {
    this.current ??= this.build(this.secrets);
    return this.current.client;
  }

  /** The credential the registry client would use for `host` (SecretStorage, then the docker config): for pulls. */
  credentialFor(host: string, signal?: AbortSignal): Promise<Credential | undefined> {
    return this.keychain(this.secrets).resolve(host, signal);
  }

  /** A throw-away client that tries `candidate` for `host` first: Test before saving. */
  withCandidate(
    host: string,
    candidate: Omit<Credential, 'source'>,
  ): { client: RegistryClient; close: () => Promise<void> } {
    return this.build(new StaticKeychain({ [host]: { ...candidate, source: 'the credential being added' } }));
  }

  /** Forgets cached credentials, tokens and host probes (a credential changed); connections stay. */
  forgetCredentials(): void {
    this.current?.client.reset();
  }

  /**
   * A new client for new transport settings. Requests already running finish on the old one, which is closed a
   * little later rather than under their feet.
   */
  rebuild(): void {
    const old = this.current;
    this.current = undefined;
    if (old) setTimeout(() => void old.close(), 60_000).unref();
  }

  dispose(): void {
    this.subscription.dispose();
    void this.current?.close();
    this.current = undefined;
  }
}
