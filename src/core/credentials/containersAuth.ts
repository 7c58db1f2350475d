// Podman / Buildah / Skopeo credentials: containers' auth.json, read-only, as containers-auth.json(5) describes it
// (https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md):
// - files, in order: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json; then
//   $XDG_CONFIG_HOME/containers/auth.json (default ~/.config/containers/auth.json); the first with an entry wins
//   (docker's own config.json is the DockerConfigKeychain's);
// - keys: `host`, `host/namespace`, `host/namespace/repo`; the most specific key matching the repository wins;
//   legacy `https://host/v1/` keys name the host only;
// - entries: the `auths` shape docker uses (`auth` = base64 `user:pass`, `identitytoken`), read as strictly;
// - `credHelpers`: `docker-credential-<name>` per registry, before the file's `auths`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  decodeAuthEntry,
  type DockerConfigFile,
  DockerConfigError,
  findAuthEntry,
  parseAuthKey,
  validateAuthFile,
} from './authFile';
import { CredentialHelperError, helperCredential, runCredentialHelper } from './dockerConfig';
import type { Credential, Keychain } from './types';

/** The auth.json files containers tools read, most important first (they need not exist). */
export function containersAuthFiles(
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
): string[] {
  const files: string[] = [];
  const explicit = env.REGISTRY_AUTH_FILE?.trim();
  if (explicit) files.push(explicit);
  else if (env.XDG_RUNTIME_DIR?.trim()) files.push(path.join(env.XDG_RUNTIME_DIR.trim(), 'containers', 'auth.json'));
  const configHome = env.XDG_CONFIG_HOME?.trim() || path.join(home, '.config');
  files.push(path.join(configHome, 'containers', 'auth.json'));
  return [...new Set(files)];
}

export interface ContainersAuthKeychainOptions {
  /** The files to read (default: `containersAuthFiles(env)`). */
  files?: string[];
  /** Environment for the file locations and the helpers' PATH (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Helper time limit, ms (default 10 000). */
  helperTimeoutMs?: number;
  /** Non-fatal problems (a broken file, a failing helper): the keychain then answers undefined. */
  onWarning?: (message: string) => void;
}

/** containers' auth.json credentials for a registry (and repository), or undefined. Re-reads a file when it changes. */
export class ContainersAuthKeychain implements Keychain {
  readonly files: string[];
  private readonly env: Record<string, string | undefined>;
  private readonly cache = new Map<string, { mtimeMs: number; size: number; config: DockerConfigFile }>();

  constructor(private readonly options: ContainersAuthKeychainOptions = {}) {
    this.env = options.env ?? process.env;
    this.files = options.files ?? containersAuthFiles(this.env);
  }

  /** The parsed file, undefined when it does not exist. Throws DockerConfigError for a file docker would refuse. */
  readFile(file: string): DockerConfigFile | undefined {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      this.cache.delete(file);
      return undefined;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.config;
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new DockerConfigError(`${file} is not valid JSON (${(e as Error).name})`, file);
    }
    const config = validateAuthFile(data, file);
    this.cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, config });
    return config;
  }

  /** The registries the files have credentials for (never the secret). */
  hosts(): string[] {
    const out = new Set<string>();
    for (const file of this.files) {
      let config: DockerConfigFile | undefined;
      try {
        config = this.readFile(file);
      } catch (e) {
        this.options.onWarning?.((e as Error).message);
        continue;
      }
      for (const k of [...Object.keys(config?.auths ?? {}), ...Object.keys(config?.credHelpers ?? {})]) {
        const r = parseAuthKey(k)?.registry;
        if (r) out.add(r);
      }
    }
    return [...out].sort();
  }

  async resolve(registry: string, signal?: AbortSignal, repository?: string): Promise<Credential | undefined> {
    for (const file of this.files) {
      try {
        const c = await this.fromFile(file, registry, repository, signal);
        if (c) return c;
      } catch (e) {
        if (e instanceof DockerConfigError || e instanceof CredentialHelperError) {
          this.options.onWarning?.(`${registry}: ${e.message}`);
          continue;
        }
        throw e;
      }
    }
    return undefined;
  }

  private async fromFile(
    file: string,
    registry: string,
    repository: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Credential | undefined> {
    const config = this.readFile(file);
    if (!config) return undefined;
    const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => parseAuthKey(k)?.registry === registry);
    if (helper?.[1]) {
      const r = await runCredentialHelper(helper[1], helper[0], {
        timeoutMs: this.options.helperTimeoutMs ?? 10_000,
        env: this.env,
        ...(signal ? { signal } : {}),
      });
      const c = r ? helperCredential(r) : undefined;
      if (c) return { ...c, source: `credential helper docker-credential-${helper[1]} (credHelpers in ${file})` };
    }
    const found = findAuthEntry(config.auths, registry, repository);
    if (!found) return undefined;
    const c = decodeAuthEntry(found.entry, `"${found.key}"`, file);
    return c ? { ...c, source: `containers auth file ${file} (auths "${found.key}")` } : undefined;
  }
}
