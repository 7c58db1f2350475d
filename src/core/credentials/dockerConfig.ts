// Docker's credentials, read exactly as docker/cli reads them (read-only):
// - location: $DOCKER_CONFIG/config.json, else ~/.docker/config.json            (cli/config/config.go)
// - key: `docker.io` / `index.docker.io` → `https://index.docker.io/v1/`, other hosts as host[:port]
//                                                                                 (configfile/file.go getAuthConfigKey)
// - store: credHelpers[key], else credsStore, else the file's `auths`            (configfile/file.go GetCredentialsStore)
// - file lookup: exact key, then any key whose scheme/path-stripped host equals it (credentials/file_store.go)
//   — plus, beyond docker/cli, keys that normalise to the same registry (`registry-1.docker.io`, `docker.io`),
//   as regclient and Renovate accept them
// - `auth` = base64 `user:pass`, split at the first ':', NULs trimmed, empty user an error; `identitytoken`;
//   `registrytoken`; a file with a field of the wrong type or an undecodable `auth` is refused whole (authFile.ts)
// - repository-scoped keys (`host/ns/repo`, `host/ns`) before the registry's, as go-containerregistry reads them
// - helpers: `docker-credential-<name> get`, server URL on stdin, `{ServerURL,Username,Secret}` on stdout,
//   `<token>` user = identity token, "credentials not found" = none   (docker-credential-helpers/client)
// - DOCKER_AUTH_CONFIG (JSON with `auths.*.auth`) layered on top.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  authConfigKey,
  decodeAuthEntry,
  type DockerConfigFile,
  DockerConfigError,
  findAuthEntry,
  parseAuthKey,
  validateAuthFile,
} from './authFile';
import type { Credential, Keychain } from './types';

/** One registry a docker config has a credential for, and where it is kept (never the secret). */
export interface DockerConfigEntry {
  host: string;
  source: 'auths' | 'credHelpers' | 'credsStore';
  /** The helper's name (`pass` for docker-credential-pass) for credHelpers / credsStore. */
  helper?: string;
}

/** `$DOCKER_CONFIG` or `~/.docker`. */
export function dockerConfigDir(
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
): string {
  const d = env.DOCKER_CONFIG;
  return d && d.trim() ? d : path.join(home, '.docker');
}

export interface HelperResult {
  Username?: string;
  Secret?: string;
  ServerURL?: string;
}

export interface HelperRunOptions {
  timeoutMs: number;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Failure of a credential helper: names the helper, never a secret. */
export class CredentialHelperError extends Error {
  override name = 'CredentialHelperError';
  constructor(
    message: string,
    readonly helper: string,
  ) {
    super(message);
  }
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Runs `docker-credential-<name> get` with `serverUrl` on stdin. Resolves the helper's answer, or undefined for
 * "credentials not found". Rejects with CredentialHelperError (missing helper, timeout, bad output, other exit).
 */
export function runCredentialHelper(
  name: string,
  serverUrl: string,
  options: HelperRunOptions,
): Promise<HelperResult | undefined> {
  const program = `docker-credential-${name}`;
  if (!HELPER_NAME.test(name))
    return Promise.reject(new CredentialHelperError(`invalid credential helper name "${name}"`, program));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const child = spawn(program, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outSize = 0;
    child.stdout.on('data', (c: Buffer) => {
      outSize += c.length;
      if (outSize <= 1024 * 1024) out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 64) err.push(c);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() =>
        reject(new CredentialHelperError(`${program} did not answer within ${options.timeoutMs} ms`, program)),
      );
    }, options.timeoutMs);
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(new CredentialHelperError(`${program}: cancelled`, program)));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          new CredentialHelperError(
            e.code === 'ENOENT'
              ? `${program} not found on PATH (named by the docker config)`
              : `${program} failed to start: ${e.code ?? e.message}`,
            program,
          ),
        ),
      );
    });
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8').trim();
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code !== 0) {
        // docker-credential-helpers print "credentials not found in native keychain" on stdout
        const text = `${stdout}\n${stderr}`;
        if (/credentials not found/i.test(text)) {
          finish(() => resolve(undefined));
          return;
        }
        // Helper output is an error text here; keep the first line only, and never if it looks like JSON (a secret).
        const first = (stdout || stderr).split('\n')[0]?.slice(0, 200) ?? '';
        const shown = first.startsWith('{') ? '' : `: ${first}`;
        finish(() =>
          reject(new CredentialHelperError(`${program} get exited with code ${code ?? 'signal'}${shown}`, program)),
        );
        return;
      }
      let data: unknown;
      try {
        data = JSON.parse(stdout);
      } catch {
        finish(() => reject(new CredentialHelperError(`${program} get printed something that is not JSON`, program)));
        return;
      }
      if (typeof data !== 'object' || data === null) {
        finish(() =>
          reject(new CredentialHelperError(`${program} get printed something that is not a JSON object`, program)),
        );
        return;
      }
      const o = data as Record<string, unknown>;
      finish(() =>
        resolve({
          ...(typeof o.Username === 'string' ? { Username: o.Username } : {}),
          ...(typeof o.Secret === 'string' ? { Secret: o.Secret } : {}),
          ...(typeof o.ServerURL === 'string' ? { ServerURL: o.ServerURL } : {}),
        }),
      );
    });
    child.stdin.on('error', () => undefined); // a helper that exits without reading stdin
    child.stdin.end(serverUrl);
  });
}

/** A helper answer as a credential (without source): `<token>` means the secret is an identity token. */
export function helperCredential(r: HelperResult): Omit<Credential, 'source'> | undefined {
  if (!r.Secret && !r.Username) return undefined;
  if (r.Username === '<token>') return r.Secret ? { identityToken: r.Secret } : undefined;
  return { ...(r.Username ? { username: r.Username } : {}), ...(r.Secret ? { password: r.Secret } : {}) };
}

export interface DockerConfigKeychainOptions {
  /** Directory holding config.json (default `$DOCKER_CONFIG` or `~/.docker`). */
  configDir?: string;
  /** Environment for DOCKER_CONFIG / DOCKER_AUTH_CONFIG and the helpers' PATH (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Helper time limit, ms (default 10 000). */
  helperTimeoutMs?: number;
  /** How long a helper's answer is reused, ms (default 60 000); failures are retried after 5 s. */
  helperCacheMs?: number;
  /** Non-fatal problems (a failing helper, an unreadable config): the keychain then answers undefined. */
  onWarning?: (message: string) => void;
  /** Clock (tests). */
  now?: () => number;
}

interface HelperCacheEntry {
  at: number;
  ok: boolean;
  value: Promise<HelperResult | undefined>;
}

/** Docker's credentials for a registry, or undefined. Re-reads config.json when its mtime changes. */
export class DockerConfigKeychain implements Keychain {
  readonly file: string;
  private readonly env: Record<string, string | undefined>;
  private cached: { mtimeMs: number; size: number; config: DockerConfigFile } | undefined;
  private readonly helperCache = new Map<string, HelperCacheEntry>();
  private readonly now: () => number;

  constructor(private readonly options: DockerConfigKeychainOptions = {}) {
    this.env = options.env ?? process.env;
    this.file = path.join(options.configDir ?? dockerConfigDir(this.env), 'config.json');
    this.now = options.now ?? Date.now;
  }

  /** The parsed config.json, {} when there is none. Throws DockerConfigError for unreadable JSON. */
  readConfig(): DockerConfigFile {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      this.cached = undefined;
      return {};
    }
    if (this.cached && this.cached.mtimeMs === st.mtimeMs && this.cached.size === st.size) return this.cached.config;
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new DockerConfigError(`${this.file} is not valid JSON (${(e as Error).name})`, this.file);
    }
    const config = validateAuthFile(data, this.file);
    this.cached = { mtimeMs: st.mtimeMs, size: st.size, config };
    return config;
  }

  /**
   * The registries this docker config has credentials for, and where each lives (the file's `auths`, a
   * `credHelpers` helper, or the `credsStore`), as docker/cli would pick (credHelpers, then credsStore, then the
   * file) — never the secret. `docker login` with a credential store leaves an empty `auths` entry per registry, so
   * the hosts are the `auths` and `credHelpers` keys.
   */
  entries(): DockerConfigEntry[] {
    const config = this.readConfig();
    const hosts = new Map<string, DockerConfigEntry>();
    const key = (k: string): string | undefined => parseAuthKey(k)?.registry;
    for (const [k, helper] of Object.entries(config.credHelpers ?? {})) {
      const host = key(k);
      if (host && typeof helper === 'string' && helper) hosts.set(host, { host, source: 'credHelpers', helper });
    }
    for (const [k, entry] of Object.entries(config.auths ?? {})) {
      const host = key(k);
      if (!host || hosts.has(host)) continue;
      // As docker/cli: with a credsStore every host not in credHelpers is read from the store, even if the file
      // still has an old `auth` for it.
      const inFile = !!(entry && (entry.auth || entry.password || entry.identitytoken || entry.registrytoken));
      if (config.credsStore) hosts.set(host, { host, source: 'credsStore', helper: config.credsStore });
      else if (inFile) hosts.set(host, { host, source: 'auths' });
    }
    return [...hosts.values()].sort((a, b) => a.host.localeCompare(b.host));
  }

  async resolve(registry: string, signal?: AbortSignal, repository?: string): Promise<Credential | undefined> {
    try {
      return await this.resolveOrThrow(registry, signal, repository);
    } catch (e) {
      if (e instanceof DockerConfigError || e instanceof CredentialHelperError) {
        this.options.onWarning?.(`${registry}: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  /** Like resolve(), but throws DockerConfigError / CredentialHelperError instead of warning. */
  async resolveOrThrow(registry: string, signal?: AbortSignal, repository?: string): Promise<Credential | undefined> {
    const key = authConfigKey(registry);
    const layered = this.fromAuthConfigEnv(registry, repository);
    if (layered) return layered;
    const config = this.readConfig();
    const helper = config.credHelpers?.[key];
    if (helper) return this.fromHelper(helper, key, 'credHelpers', signal);
    if (config.credsStore) return this.fromHelper(config.credsStore, key, 'credsStore', signal);
    const found = findAuthEntry(config.auths, registry, repository);
    if (!found) return undefined;
    const c = decodeAuthEntry(found.entry, `"${found.key}"`, this.file);
    return c ? { ...c, source: `docker config ${this.file} (auths "${found.key}")` } : undefined;
  }

  private fromAuthConfigEnv(registry: string, repository: string | undefined): Credential | undefined {
    const raw = this.env.DOCKER_AUTH_CONFIG;
    if (!raw) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      throw new DockerConfigError('DOCKER_AUTH_CONFIG is not valid JSON', 'DOCKER_AUTH_CONFIG');
    }
    const auths = validateAuthFile(data, 'DOCKER_AUTH_CONFIG').auths;
    const found = findAuthEntry(auths, registry, repository);
    if (!found?.entry.auth) return undefined;
    const c = decodeAuthEntry({ auth: found.entry.auth }, `"${found.key}"`, 'DOCKER_AUTH_CONFIG');
    return c ? { ...c, source: `DOCKER_AUTH_CONFIG (auths "${found.key}")` } : undefined;
  }

  private async fromHelper(
    name: string,
    serverUrl: string,
    via: 'credHelpers' | 'credsStore',
    signal: AbortSignal | undefined,
  ): Promise<Credential | undefined> {
    const cacheKey = `${name}\0${serverUrl}`;
    const ttl = this.options.helperCacheMs ?? 60_000;
    const hit = this.helperCache.get(cacheKey);
    let value: Promise<HelperResult | undefined>;
    if (hit && this.now() - hit.at < (hit.ok ? ttl : 5000)) value = hit.value;
    else {
      value = runCredentialHelper(name, serverUrl, {
        timeoutMs: this.options.helperTimeoutMs ?? 10_000,
        env: this.env,
        ...(signal ? { signal } : {}),
      });
      const entry: HelperCacheEntry = { at: this.now(), ok: true, value };
      this.helperCache.set(cacheKey, entry);
      value.catch(() => {
        entry.ok = false;
      });
    }
    const r = await value;
    if (!r) return undefined;
    const c = helperCredential(r);
    return c ? { ...c, source: `credential helper docker-credential-${name} (${via} in ${this.file})` } : undefined;
  }
}
