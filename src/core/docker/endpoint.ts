// Which Docker engine to talk to, decided as docker/cli decides it (cli/command/cli.go resolveContextName and
// opts/hosts.go), with an explicit setting in front:
//   1. an explicit host (the `registryLens.docker.host` setting, the CLI's --docker-host)
//   2. DOCKER_HOST
//   3. DOCKER_CONTEXT, else config.json `currentContext` (`default` = none): the context's
//      contexts/meta/<sha256(name)>/meta.json `Endpoints.docker.Host`, TLS files under contexts/tls/<sha256(name)>/docker/
//   4. the default socket, /var/run/docker.sock
// TLS for tcp:// hosts from the environment: DOCKER_TLS_VERIFY (any non-empty value) = TLS and verify the engine's
// certificate; DOCKER_TLS = TLS without verification; client certificates ca.pem / cert.pem / key.pem from
// DOCKER_CERT_PATH, else the docker config directory. Only unix:// and tcp:// are spoken; ssh:// and npipe:// are
// reported as unsupported (a state, never a throw).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerConfigDir } from '../credentials/dockerConfig';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Where the endpoint came from, for the log and for messages ("DOCKER_HOST points at …"). */
export interface EngineSource {
  kind: 'setting' | 'env' | 'context' | 'default';
  /** `DOCKER_HOST`, the context's name, the setting's name (`registryLens.docker.host`), or `default`. */
  detail: string;
}

export interface EngineTls {
  /** Verify the engine's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
  /** PEM contents; absent when the file was not there (and not needed). */
  ca?: string;
  cert?: string;
  key?: string;
  /** The folder the files were looked for in. */
  certPath: string;
}

interface EndpointBase {
  /** The host as written: `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`, `ssh://me@box`. */
  host: string;
  source: EngineSource;
}

export type EngineEndpoint =
  | (EndpointBase & { kind: 'unix'; socketPath: string })
  | (EndpointBase & { kind: 'tcp'; hostname: string; port: number; protocol: 'http' | 'https'; tls: EngineTls | null })
  /** Nothing we can connect to: an ssh:// or npipe:// host, a malformed one, TLS files missing. `message` says what to do. */
  | (EndpointBase & { kind: 'none'; reason: 'unsupported' | 'invalid'; message: string });

export interface ResolveEngineOptions {
  /** An explicit host (setting / flag): `unix:///path`, `/path`, `tcp://host:port`. Empty = not set. */
  host?: string;
  /** What `source.detail` says for an explicit host (default `setting`). */
  hostLabel?: string;
  env?: Record<string, string | undefined>;
  /** The docker config directory (default: DOCKER_CONFIG, else ~/.docker). */
  dockerConfigDir?: string;
  home?: string;
}

const nonEmpty = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== '';

/** docker/cli's context store folder name: the hex sha256 of the context name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The context name docker would use (DOCKER_CONTEXT, else config.json currentContext), or null for `default`. */
function currentContext(
  configDir: string,
  env: Record<string, string | undefined>,
): { name: string; from: string } | null {
  const fromEnv = env.DOCKER_CONTEXT;
  if (nonEmpty(fromEnv)) return fromEnv === 'default' ? null : { name: fromEnv, from: 'DOCKER_CONTEXT' };
  let config: unknown;
  try {
    config = readJson(path.join(configDir, 'config.json'));
  } catch {
    return null; // no config (or a broken one: the credentials keychain reports that)
  }
  const name =
    typeof config === 'object' && config !== null ? (config as { currentContext?: unknown }).currentContext : undefined;
  return typeof name === 'string' && name !== '' && name !== 'default'
    ? { name, from: 'config.json currentContext' }
    : null;
}

function none(host: string, source: EngineSource, reason: 'unsupported' | 'invalid', message: string): EngineEndpoint {
  return { kind: 'none', host, source, reason, message };
}

/**
 * Parses a docker host string into an endpoint. `tls` is applied to tcp:// hosts; `tlsFiles` loads ca/cert/key
 * from a folder (verify without a CA file falls back to the system roots, as docker does).
 */
function parseHost(
  host: string,
  source: EngineSource,
  tls: { enabled: boolean; verify: boolean; certPath: string } | null,
): EngineEndpoint {
  const where =
    source.kind === 'env'
      ? 'DOCKER_HOST'
      : source.kind === 'context'
        ? `docker context "${source.detail}"`
        : source.kind === 'setting'
          ? source.detail
          : 'the default';
  const h = host.trim();
  if (h.startsWith('/')) return { kind: 'unix', host: `unix://${h}`, socketPath: h, source };
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(h);
  if (!m)
    return none(
      h,
      source,
      'invalid',
      `${where} is "${h}", which is not a docker host: use unix:///path/to/docker.sock or tcp://HOST:PORT.`,
    );
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  if (scheme === 'unix') {
    if (!rest.startsWith('/'))
      return none(
        h,
        source,
        'invalid',
        `${where} is "${h}": a unix:// host needs an absolute socket path (unix:///var/run/docker.sock).`,
      );
    return { kind: 'unix', host: h, socketPath: rest, source };
  }
  if (scheme === 'ssh' || scheme === 'npipe' || scheme === 'fd') {
    return none(
      h,
      source,
      'unsupported',
      `${where} is "${h}": Registry Lens talks to Docker over unix sockets and tcp:// only, not ${scheme}://. ` +
        (scheme === 'ssh'
          ? 'Forward the remote socket (ssh -L /tmp/docker.sock:/var/run/docker.sock HOST) and point the docker host at unix:///tmp/docker.sock.'
          : 'Point the docker host at a unix:// or tcp:// address.'),
    );
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    return none(
      h,
      source,
      'invalid',
      `${where} is "${h}": unknown scheme ${scheme}://; use unix:///path/to/docker.sock or tcp://HOST:PORT.`,
    );
  }
  let url: URL;
  try {
    url = new URL(`http://${rest}`);
  } catch {
    return none(h, source, 'invalid', `${where} is "${h}", which is not a valid tcp:// address (tcp://HOST:PORT).`);
  }
  if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '')) {
    return none(h, source, 'invalid', `${where} is "${h}", which is not a valid tcp:// address (tcp://HOST:PORT).`);
  }
  const useTls = scheme === 'https' || (tls?.enabled ?? false);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port !== '' ? Number(url.port) : useTls ? 2376 : 2375;
  if (!useTls) return { kind: 'tcp', host: h, hostname, port, protocol: 'http', tls: null, source };
  const certPath = tls?.certPath ?? '';
  const files: EngineTls = { verify: tls?.verify ?? true, certPath };
  if (certPath !== '') {
    const ca = readIfExists(path.join(certPath, 'ca.pem'));
    const cert = readIfExists(path.join(certPath, 'cert.pem'));
    const key = readIfExists(path.join(certPath, 'key.pem'));
    if (ca !== undefined) files.ca = ca;
    if ((cert === undefined) !== (key === undefined)) {
      return none(
        h,
        source,
        'invalid',
        `${where} uses TLS, but ${certPath} has ${cert === undefined ? 'key.pem without cert.pem' : 'cert.pem without key.pem'}: both or neither are needed.`,
      );
    }
    if (cert !== undefined && key !== undefined) {
      files.cert = cert;
      files.key = key;
    }
  }
  return { kind: 'tcp', host: h, hostname, port, protocol: 'https', tls: files, source };
}

/** Reads a context's docker endpoint. */
function contextEndpoint(configDir: string, ctx: { name: string; from: string }): EngineEndpoint {
  const source: EngineSource = { kind: 'context', detail: ctx.name };
  const dir = contextDirName(ctx.name);
  const metaFile = path.join(configDir, 'contexts', 'meta', dir, 'meta.json');
  let meta: unknown;
  try {
    meta = readJson(metaFile);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return none(
      '',
      source,
      'invalid',
      missing
        ? `The docker context "${ctx.name}" (${ctx.from}) does not exist (no ${metaFile}): run "docker context use default" or set the docker host explicitly.`
        : `The docker context "${ctx.name}" could not be read (${metaFile}: ${(e as Error).message}).`,
    );
  }
  const docker = (meta as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null)?.Endpoints
    ?.docker;
  const host = typeof docker?.Host === 'string' ? docker.Host : '';
  if (host === '')
    return none('', source, 'invalid', `The docker context "${ctx.name}" has no docker endpoint (${metaFile}).`);
  const tlsDir = path.join(configDir, 'contexts', 'tls', dir, 'docker');
  const hasTls = fs.existsSync(tlsDir);
  const skip = docker?.SkipTLSVerify === true;
  return parseHost(host, source, hasTls ? { enabled: true, verify: !skip, certPath: tlsDir } : null);
}

/**
 * The engine endpoint, by docker's precedence with an explicit host first. Never throws: an endpoint we cannot use
 * is `{ kind: 'none', reason, message }`. Reads a few small files synchronously (config.json, a context's meta, PEMs).
 */
export function resolveEngine(options: ResolveEngineOptions = {}): EngineEndpoint {
  const env = options.env ?? process.env;
  const configDir = options.dockerConfigDir ?? dockerConfigDir(env, options.home ?? os.homedir());
  const envTls = () => {
    const verify = nonEmpty(env.DOCKER_TLS_VERIFY);
    const enabled = verify || nonEmpty(env.DOCKER_TLS);
    return { enabled, verify, certPath: nonEmpty(env.DOCKER_CERT_PATH) ? env.DOCKER_CERT_PATH : configDir };
  };
  if (nonEmpty(options.host))
    return parseHost(options.host, { kind: 'setting', detail: options.hostLabel ?? 'setting' }, envTls());
  if (nonEmpty(env.DOCKER_HOST)) return parseHost(env.DOCKER_HOST, { kind: 'env', detail: 'DOCKER_HOST' }, envTls());
  const ctx = currentContext(configDir, env);
  if (ctx) return contextEndpoint(configDir, ctx);
  return {
    kind: 'unix',
    host: `unix://${DEFAULT_DOCKER_SOCKET}`,
    socketPath: DEFAULT_DOCKER_SOCKET,
    source: { kind: 'default', detail: 'default' },
  };
}

/** One line for logs and tree tooltips: where the engine is and why that one. Never a secret (no PEMs). */
export function describeEndpoint(e: EngineEndpoint): string {
  const from =
    e.source.kind === 'default'
      ? 'default'
      : e.source.kind === 'context'
        ? `docker context ${e.source.detail}`
        : e.source.detail;
  if (e.kind === 'none') return `${e.host || '(no host)'} from ${from}: ${e.reason}`;
  if (e.kind === 'unix') return `unix://${e.socketPath} (${from})`;
  const tls = e.tls ? `, TLS${e.tls.verify ? '' : ' unverified'}${e.tls.cert ? ' with client certificate' : ''}` : '';
  return `${e.protocol === 'https' ? 'https' : 'tcp'}://${e.hostname.includes(':') ? `[${e.hostname}]` : e.hostname}:${e.port} (${from}${tls})`;
}
