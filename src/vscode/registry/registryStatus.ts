import * as vscode from 'vscode';
import { isAuthError, isNetworkError, isTlsError, normalizeRegistry, type Finding, type PingResult, type RateLimitInfo } from '../../core';
import type { SecretStorageKeychain } from '../credentials/secretKeychain';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import type { RegistryClients } from './registryClients';

export type RegistryStatusKind =
  | 'unchecked' | 'checking' | 'untrusted'
  | 'signed-in' | 'anonymous' | 'auth-required' | 'rejected' | 'expired'
  | 'unreachable' | 'tls' | 'error';

export interface RegistryState {
  host: string;
  status: RegistryStatusKind;
  /** Where the credential in use comes from (Registry Lens, docker config, a helper), never the secret. */
  credentialSource?: string;
  /** What went wrong, in words that say what to do. */
  message?: string;
  rateLimit?: RateLimitInfo;
  checkedAt?: number;
}

/** Turns a ping (or its failure) into the state the Registries view shows. */
export function stateFromPing(host: string, result: PingResult | undefined, error: unknown): RegistryState {
  const checkedAt = Date.now();
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
    if (isTlsError(error)) return { host, status: 'tls', message, checkedAt };
    // An expired login (ECR's 12 h token) is not a wrong password: the message says how to refresh it.
    if (isAuthError(error)) return { host, status: error.expired ? 'expired' : 'rejected', message, checkedAt };
    if (isNetworkError(error)) return { host, status: 'unreachable', message, checkedAt };
    return { host, status: 'error', message, checkedAt };
  }
  const r = result!;
  const base = { host, checkedAt, ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}), ...(r.credentialSource ? { credentialSource: r.credentialSource } : {}) };
  if (r.credentialSource && r.authenticated !== false) return { ...base, status: 'signed-in' };
  if (r.credentialSource && r.authenticated === false) return { ...base, status: 'rejected' };
  if (r.auth === 'none') return { ...base, status: 'anonymous' };
  // Bearer registries (Docker Hub, GHCR) serve public images to anonymous tokens: "anonymous" is fine there.
  return { ...base, status: r.auth === 'bearer' ? 'anonymous' : 'auth-required' };
}

/**
 * The registries the user cares about — those the workspace's images come from and those with a stored
 * credential — and the last known state of each. Checks run on demand (Refresh, Test, after a credential
 * change), one ping per registry, never in an untrusted workspace.
 */
export class RegistryStatus implements vscode.Disposable {
  private readonly states = new Map<string, RegistryState>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private running: Promise<void> | undefined;

  constructor(
    private readonly images: WorkspaceImages,
    private readonly secrets: SecretStorageKeychain,
    private readonly clients: RegistryClients,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      images.onDidChange(() => this.emitter.fire()),
      secrets.onDidChange((host) => {
        this.clients.forgetCredentials();
        void this.check([host]);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.check()),
    );
  }

  /** Hosts shown: image registries of the workspace (not built-locally-only) plus stored credentials. */
  hosts(): string[] {
    const set = new Set<string>();
    for (const o of this.images.result.occurrences) {
      if (o.reference && !o.skip) set.add(o.reference.registry);
    }
    for (const c of this.secrets.list()) set.add(c.host);
    return [...set].sort();
  }

  state(host: string): RegistryState {
    const key = normalizeRegistry(host);
    if (!vscode.workspace.isTrusted) return { host: key, status: 'untrusted', message: 'Registry Lens contacts no registry until you trust this workspace.' };
    const s = this.states.get(key) ?? { host: key, status: 'unchecked' };
    // A token registry answers anonymous pings; whether the images need a credential shows only when they are read.
    const refused = s.status === 'anonymous' ? this.refusedBy.get(key) : undefined;
    if (refused?.occurrence.reference) {
      return { ...s, status: 'auth-required', message: `${refused.occurrence.reference.repository} needs a credential (the last update check was refused): add one for ${key}` };
    }
    return s;
  }

  /** Per registry, a finding of the last check that the registry refused (auth-failed); rebuilt when checks change. */
  private refusedBy = new Map<string, Finding>();

  /** Takes the update checker's findings into account: a registry that refused them needs a credential. */
  useFindings(checker: { all(): Finding[]; onDidChange: vscode.Event<void> }): void {
    this.disposables.push(checker.onDidChange(() => {
      this.refusedBy = new Map();
      for (const f of checker.all()) {
        const host = f.occurrence.reference?.registry;
        if (host && f.code === 'auth-failed' && !this.refusedBy.has(host)) this.refusedBy.set(host, f);
      }
      this.emitter.fire();
    }));
  }

  /** Pings `hosts` (default: all shown), at most one run at a time; resolves when done. */
  async check(hosts?: string[]): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.emitter.fire();
      return;
    }
    while (this.running) await this.running;
    const targets = (hosts ?? this.hosts()).map(normalizeRegistry);
    for (const h of targets) this.states.set(h, { ...this.state(h), status: 'checking' });
    this.emitter.fire();
    this.running = (async () => {
      await Promise.all(targets.map(async (host) => {
        let result: PingResult | undefined;
        let error: unknown;
        try {
          result = await this.clients.client.ping(host);
        } catch (e) {
          error = e ?? new Error('unknown error');
        }
        const s = stateFromPing(host, result, error);
        this.states.set(host, s);
        this.log.info(`${host}: ${s.status}${s.credentialSource ? ` (credential from ${s.credentialSource})` : ''}${s.message ? `: ${s.message}` : ''}`);
      }));
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
      this.emitter.fire();
    }
  }

  /** Resolves when no check is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
