// Keychains besides docker's: the chain itself, the environment (CI), a fixed map, anonymous.
import { normalizeRegistry } from '../reference/registry';
import type { Credential, Keychain } from './types';

/** Always undefined: anonymous access. */
export const anonymousKeychain: Keychain = { resolve: () => Promise.resolve(undefined) };

export interface MultiKeychainOptions {
  /** A keychain that threw: reported here, and the chain goes on (a broken source is never fatal). */
  onError?: (error: unknown, index: number) => void;
  /** Non-fatal docker config / helper problems (the default docker keychain's onWarning). */
  onWarning?: (message: string) => void;
}

/**
 * Tries keychains in order; the first credential wins, none means anonymous. The extension puts its
 * SecretStorage keychain first; the CLI builds the chain without it.
 */
export class MultiKeychain implements Keychain {
  private readonly keychains: Keychain[];
  constructor(
    keychains: readonly (Keychain | undefined)[],
    private readonly options: MultiKeychainOptions = {},
  ) {
    this.keychains = keychains.filter((k): k is Keychain => k !== undefined);
  }

  async resolve(registry: string, signal?: AbortSignal, repository?: string): Promise<Credential | undefined> {
    for (const [i, k] of this.keychains.entries()) {
      if (signal?.aborted) return undefined;
      try {
        const c = await k.resolve(registry, signal, repository);
        if (c) return c;
      } catch (e) {
        this.options.onError?.(e, i);
      }
    }
    return undefined;
  }
}

/** Fixed credentials by registry key (tests, settings-provided tokens). */
export class StaticKeychain implements Keychain {
  private readonly map = new Map<string, Credential>();
  constructor(entries: Record<string, Credential> = {}) {
    for (const [k, v] of Object.entries(entries)) this.map.set(normalizeRegistry(k), v);
  }
  set(registry: string, credential: Credential | undefined): void {
    const key = normalizeRegistry(registry);
    if (credential) this.map.set(key, credential);
    else this.map.delete(key);
  }
  resolve(registry: string): Promise<Credential | undefined> {
    return Promise.resolve(this.map.get(registry));
  }
}

export const ENV_USERNAME = 'REGISTRY_LENS_USERNAME';
export const ENV_PASSWORD = 'REGISTRY_LENS_PASSWORD';
export const ENV_REGISTRY = 'REGISTRY_LENS_REGISTRY';

/**
 * REGISTRY_LENS_USERNAME / REGISTRY_LENS_PASSWORD for the one registry named by REGISTRY_LENS_REGISTRY (host as
 * users write it; scheme and path stripped, Hub aliases folded). Without REGISTRY_LENS_REGISTRY the pair is not
 * used at all — sending one registry's password to every registry (Docker Hub included) would leak it — and
 * `problem` says why.
 */
export class EnvKeychain implements Keychain {
  readonly registry: string | undefined;
  /** Why the environment's credentials are ignored, or undefined when they are usable or absent. */
  readonly problem: string | undefined;
  private readonly credential: Credential | undefined;

  constructor(env: Record<string, string | undefined> = process.env) {
    const username = env[ENV_USERNAME];
    const password = env[ENV_PASSWORD];
    const scope = env[ENV_REGISTRY]?.trim();
    let registry: string | undefined;
    let problem: string | undefined;
    if (scope) {
      try {
        registry = normalizeRegistry(scope);
      } catch {
        problem = `${ENV_REGISTRY} is not a registry host`;
      }
    }
    if ((username || password) && !problem) {
      if (!username || !password) problem = `set both ${ENV_USERNAME} and ${ENV_PASSWORD}`;
      else if (!registry)
        problem = `${ENV_USERNAME}/${ENV_PASSWORD} are ignored without ${ENV_REGISTRY} naming the registry they belong to`;
    }
    this.registry = registry;
    this.problem = problem;
    this.credential =
      !problem && username && password && registry
        ? { username, password, source: `environment ${ENV_USERNAME}/${ENV_PASSWORD} (${ENV_REGISTRY}=${registry})` }
        : undefined;
  }

  resolve(registry: string): Promise<Credential | undefined> {
    return Promise.resolve(this.credential && registry === this.registry ? this.credential : undefined);
  }
}

export interface DefaultKeychainOptions {
  /** Consulted first (the extension's SecretStorage keychain). */
  first?: Keychain;
  env?: Record<string, string | undefined>;
  /** The docker config keychain (default: one built from `env`). */
  docker?: Keychain;
  /** The containers auth.json keychain (default: one built from `env`). */
  containers?: Keychain;
  onError?: (error: unknown, index: number) => void;
  /** Non-fatal docker config / helper problems (the default docker keychain's onWarning). */
  onWarning?: (message: string) => void;
}
