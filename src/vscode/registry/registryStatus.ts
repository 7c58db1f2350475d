import * as vscode from 'vscode';
import {
  isAuthError,
  isNetworkError,
  isTlsError,
  normalizeRegistry,
  type Finding,
  type PingResult,
  type RateLimitInfo,
} from '../../core';
import type { SecretStorageKeychain } from '../credentials/secretKeychain';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import type { RegistryClients } from './registryClients';

export type RegistryStatusKind =
  | 'unchecked'
  | 'checking'
  | 'untrusted'
  | 'signed-in'
  | 'anonymous'
  | 'auth-required'
  | 'rejected'
  | 'not-sent'
  | 'expired'
  | 'unreachable'
  | 'tls'
  | 'error';

export interface RegistryState {
  host: string;
  status: RegistryStatusKind;
  /** Where the credential in use comes from (Registry Lens, docker config, a helper), never the secret. */
  credentialSource?: string;
  /** What went wrong, in words that say what to do. */
  message?: string;
  rateLimit?: RateLimitInfo;
  checkedAt?: number;
  /** Not sent: the host:port to allow plain HTTP for (the registry, or its token realm's host). */
  plainHttpHost?: string;
  /** Images of this registry the last update check could not check, and why (the first one's reason). */
  notChecked?: { count: number; why: string };
}

const WARN_STATES: ReadonlySet<RegistryStatusKind> = new Set([
  'rejected',
  'not-sent',
  'auth-required',
  'unreachable',
  'tls',
  'error',
]);

/** What the user reads when a credential exists but is withheld because the registry speaks plain HTTP. */
export function notSentMessage(host: string): string {
  return vscode.l10n.t(
    'not sent: {0} is plain HTTP. Registry Lens sends credentials over plain HTTP only to registries you allow (registryLens.insecureRegistries).',
    host,
  );
}

/** Turns a ping (or its failure) into the state the Registries view shows. */
export function stateFromPing(host: string, result: PingResult | undefined, error: unknown): RegistryState {
  const checkedAt = Date.now();
  if (error !== undefined) {
    const message =
      error instanceof Error ? error.message : typeof error === 'string' ? error : vscode.l10n.t('unknown error');
    if (isTlsError(error)) return { host, status: 'tls', message, checkedAt };
    // A credential withheld (plain HTTP) was never seen by the registry: not "rejected".
    if (isAuthError(error) && error.credentialNotSent) {
      const allow = error.plainHttpHost ?? host;
      return { host, status: 'not-sent', message: notSentMessage(allow), plainHttpHost: allow, checkedAt };
    }
    // An expired login (ECR's 12 h token) is not a wrong password: the message says how to refresh it.
    if (isAuthError(error)) return { host, status: error.expired ? 'expired' : 'rejected', message, checkedAt };
    if (isNetworkError(error)) return { host, status: 'unreachable', message, checkedAt };
    return { host, status: 'error', message, checkedAt };
  }
  const r = result!;
  const base = {
    host,
    checkedAt,
    ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}),
    ...(r.credentialSource ? { credentialSource: r.credentialSource } : {}),
  };
  if (r.credentialSource && r.credentialNotSent)
    return { ...base, status: 'not-sent', message: notSentMessage(host), plainHttpHost: host };
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
  /** The last line logged per host, so a state is logged when it changes, not on every check. */
  private readonly logged = new Map<string, string>();

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
    const set = new Set(this.images.registries());
    for (const c of this.secrets.list()) set.add(c.host);
    return [...set].sort();
  }

  state(host: string): RegistryState {
    const key = normalizeRegistry(host);
    if (!vscode.workspace.isTrusted)
      return {
        host: key,
        status: 'untrusted',
        message: vscode.l10n.t('Registry Lens contacts no registry until you trust this workspace.'),
      };
    const s = this.states.get(key) ?? { host: key, status: 'unchecked' };
    // A token registry answers anonymous pings; whether the images need a credential shows only when they are read.
    const notChecked = this.notChecked(key);
    const refused = s.status === 'anonymous' || s.status === 'signed-in' ? this.refusal(key) : undefined;
    if (refused?.code === 'credential-not-sent') {
      const allow = refused.error?.plainHttpHost ?? key;
      return {
        ...s,
        status: 'not-sent',
        message: notSentMessage(allow),
        plainHttpHost: allow,
        ...(notChecked ? { notChecked } : {}),
      };
    }
    if (refused?.occurrence.reference && s.status === 'anonymous') {
      return {
        ...s,
        status: 'auth-required',
        message: vscode.l10n.t(
          '{0} needs a credential (the last update check was refused): add one for {1}',
          refused.occurrence.reference.repository,
          key,
        ),
      };
    }
    return notChecked ? { ...s, notChecked } : s;
  }

  private findings: FindingsByRegistry | undefined;

  /** Per registry, a finding of the last check it refused (a withheld credential's first, which explains them all). */
  private refusal(host: string): Finding | undefined {
    const [first] = this.findings?.refusalsOf(host) ?? [];
    return first;
  }

  /** Per registry, how many findings of the last check it did not answer, and why (the first one's reason). */
  private notChecked(host: string): { count: number; why: string } | undefined {
    const set = this.findings?.notCheckedOf(host);
    if (!set?.size) return undefined;
    const [first] = set;
    return { count: set.size, why: first?.notChecked?.message ?? '' };
  }

  /** Takes the update checker's findings into account: a registry that refused them needs a credential. */
  useFindings(checker: FindingsByRegistry & { onDidChange: vscode.Event<unknown> }): void {
    this.findings = checker;
    this.disposables.push(checker.onDidChange(() => this.emitter.fire()));
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
      await Promise.all(
        targets.map(async (host) => {
          let result: PingResult | undefined;
          let error: unknown;
          try {
            result = await this.clients.client.ping(host);
          } catch (e) {
            error = e ?? new Error(vscode.l10n.t('unknown error'));
          }
          const s = stateFromPing(host, result, error);
          const before = this.logged.get(host);
          this.states.set(host, s);
          // One line per state change; refusals, rejections and failures at warn.
          const line = `${host}: ${s.status}${s.credentialSource ? ` (credential from ${s.credentialSource})` : ''}${s.message ? `: ${s.message}` : ''}`;
          if (line !== before) {
            this.logged.set(host, line);
            if (WARN_STATES.has(s.status)) this.log.warn(line);
            else this.log.info(line);
          }
        }),
      );
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

/** What the registries' states need of the checker's findings (its per-registry indexes). */
interface FindingsByRegistry {
  refusalsOf(registry: string): ReadonlySet<Finding>;
  notCheckedOf(registry: string): ReadonlySet<Finding>;
}
