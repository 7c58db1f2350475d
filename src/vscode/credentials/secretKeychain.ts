import * as vscode from 'vscode';
import { normalizeRegistry, type Credential, type Keychain } from '../../core';

/** Non-secret facts about a stored credential, kept in global state (the secret itself only in SecretStorage). */
export interface StoredCredentialInfo {
  host: string;
  username: string;
  /** The preset it was added with (`dockerhub`, `ghcr`, `ecr`, ... or `generic`). */
  kind: string;
  addedAt: number;
  updatedAt: number;
  lastUsedAt?: number;
  /** For short-lived tokens (ECR: 12 h), when the user should expect it to stop working. */
  expiresAt?: number;
}

/** What the stored secret is: a password or access token (the default), or an imported identity / registry token. */
export type SecretType = 'password' | 'identityToken' | 'registryToken';

const STATE_KEY = 'registryLens.credentials';
const SECRET_PREFIX = 'registryLens.credential/';
export const SECRET_SOURCE = 'Registry Lens (SecretStorage)';

/**
 * Credentials the user stored in Registry Lens: the secret in VS Code's SecretStorage (one key per normalised
 * registry host), the rest in global state. It is the first keychain the registry client consults. Secrets are
 * shared across windows, so changes made elsewhere arrive through `secrets.onDidChange`.
 */
export class SecretStorageKeychain implements Keychain, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the host whose credential was added, changed or removed (here or in another window). */
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(SECRET_PREFIX)) this.emitter.fire(e.key.slice(SECRET_PREFIX.length));
    });
  }

  /** What is stored, without secrets, sorted by host. */
  list(): StoredCredentialInfo[] {
    return [...this.state.get<StoredCredentialInfo[]>(STATE_KEY, [])].sort((a, b) => a.host.localeCompare(b.host));
  }

  info(host: string): StoredCredentialInfo | undefined {
    const key = normalizeRegistry(host);
    return this.list().find((c) => c.host === key);
  }

  async resolve(registry: string): Promise<Credential | undefined> {
    const host = normalizeRegistry(registry);
    const raw = await this.secrets.get(SECRET_PREFIX + host);
    if (!raw) return undefined;
    let stored: { username?: unknown; secret?: unknown; secretType?: unknown };
    try {
      stored = JSON.parse(raw) as { username?: unknown; secret?: unknown; secretType?: unknown };
    } catch {
      return undefined;
    }
    if (typeof stored.secret !== 'string' || !stored.secret) return undefined;
    void this.touch(host);
    const user = typeof stored.username === 'string' && stored.username ? { username: stored.username } : {};
    // Imported identity tokens (OAuth2 refresh tokens) and registry tokens are used as what they are, not as passwords.
    if (stored.secretType === 'identityToken') return { ...user, identityToken: stored.secret, source: SECRET_SOURCE };
    if (stored.secretType === 'registryToken') return { ...user, registryToken: stored.secret, source: SECRET_SOURCE };
    return { ...user, password: stored.secret, source: SECRET_SOURCE };
  }

  /** Stores (or replaces) the credential for `host`. */
  async store(
    host: string,
    username: string,
    secret: string,
    kind: string,
    expiresAt?: number,
    secretType: SecretType = 'password',
  ): Promise<StoredCredentialInfo> {
    const key = normalizeRegistry(host);
    await this.secrets.store(SECRET_PREFIX + key, JSON.stringify({ username, secret, secretType }));
    const now = Date.now();
    const previous = this.info(key);
    const info: StoredCredentialInfo = {
      host: key,
      username,
      kind,
      addedAt: previous?.addedAt ?? now,
      updatedAt: now,
      ...(expiresAt ? { expiresAt } : {}),
    };
    await this.state.update(STATE_KEY, [...this.list().filter((c) => c.host !== key), info]);
    this.emitter.fire(key);
    return info;
  }

  async remove(host: string): Promise<boolean> {
    const key = normalizeRegistry(host);
    const had = this.info(key) !== undefined;
    await this.secrets.delete(SECRET_PREFIX + key);
    await this.state.update(
      STATE_KEY,
      this.list().filter((c) => c.host !== key),
    );
    this.emitter.fire(key);
    return had;
  }

  private async touch(host: string): Promise<void> {
    const list = this.list();
    const entry = list.find((c) => c.host === host);
    // Throttled: a check makes many requests; one write a minute is enough for "last used".
    if (!entry || (entry.lastUsedAt && Date.now() - entry.lastUsedAt < 60_000)) return;
    entry.lastUsedAt = Date.now();
    await this.state.update(STATE_KEY, list);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
