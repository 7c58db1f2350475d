// The `auths` file shape docker's config.json and containers' auth.json share, read strictly, and the key rules:
// - a file docker itself would refuse is refused whole: docker/cli's LoadFromReader fails on a field of the wrong
//   JSON type and on an `auth` that does not decode (cli/config/configfile/file.go, decodeAuth: base64.StdEncoding,
//   then `user:password`); so do we — a DockerConfigError naming the file and the key, never a credential;
// - a URL key names a host: scheme and path dropped; an unbracketed IPv6 host with a port
//   (`https://::1:5000/v2/`) becomes `[::1]:5000`, as docker/cli's ConvertToHostname does through url.Parse
//   (cli/config/credentials/file_store.go);
// - a key without a scheme may name a namespace or repository (`quay.io/acme/app`, `quay.io/acme`): the most
//   specific key that matches the repository wins, then the registry's own key — containers-auth.json(5)
//   ("the most specific match wins") and go-containerregistry's DefaultKeychain (repository, then registry).
import { isIP } from 'node:net';
import { normalizeRegistry } from '../reference/registry';
import type { Credential } from './types';

/** The key docker/cli stores Docker Hub credentials under. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Thrown for a credential file docker itself would reject; `file` names it, the message never holds the secret. */
export class DockerConfigError extends Error {
  override name = 'DockerConfigError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

const ENTRY_FIELDS = [
  'auth',
  'username',
  'password',
  'identitytoken',
  'registrytoken',
  'email',
  'serveraddress',
] as const;

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Checks a parsed credential file: `auths` an object of objects whose known fields are strings and whose `auth`
 * decodes, `credHelpers` an object of strings, `credsStore` a string. Other top-level fields are not ours (docker's
 * `proxies`, `currentContext`, ...) and are left alone. Throws DockerConfigError naming `file` and the key.
 */
export function validateAuthFile(data: unknown, file: string): DockerConfigFile {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new DockerConfigError(`${file}: the file is ${jsonType(data)}, not a JSON object`, file);
  const o = data as Record<string, unknown>;
  if (o.auths !== undefined) {
    if (typeof o.auths !== 'object' || o.auths === null || Array.isArray(o.auths))
      throw new DockerConfigError(`${file}: "auths" is ${jsonType(o.auths)}, not an object`, file);
    for (const [key, entry] of Object.entries(o.auths as Record<string, unknown>)) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        throw new DockerConfigError(`${file}: auths "${key}" is ${jsonType(entry)}, not an object`, file);
      const e = entry as Record<string, unknown>;
      for (const f of ENTRY_FIELDS) {
        if (e[f] !== undefined && typeof e[f] !== 'string')
          throw new DockerConfigError(`${file}: auths "${key}" field "${f}" is ${jsonType(e[f])}, not a string`, file);
      }
      if (typeof e.auth === 'string' && e.auth !== '') decodeBasicAuth(e.auth, `auths "${key}"`, file);
    }
  }
  if (o.credHelpers !== undefined) {
    if (typeof o.credHelpers !== 'object' || o.credHelpers === null || Array.isArray(o.credHelpers))
      throw new DockerConfigError(`${file}: "credHelpers" is ${jsonType(o.credHelpers)}, not an object`, file);
    for (const [key, v] of Object.entries(o.credHelpers as Record<string, unknown>)) {
      if (typeof v !== 'string')
        throw new DockerConfigError(`${file}: credHelpers "${key}" is ${jsonType(v)}, not a string`, file);
    }
  }
  if (o.credsStore !== undefined && typeof o.credsStore !== 'string')
    throw new DockerConfigError(`${file}: "credsStore" is ${jsonType(o.credsStore)}, not a string`, file);
  return o;
}

// Go's base64.StdEncoding: the standard alphabet, padded (it skips CR and LF).
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An `auth` value as docker/cli's decodeAuth reads it: strict base64 of `user:password`, split at the first ':'. */
export function decodeBasicAuth(auth: string, where: string, file: string): { username: string; password: string } {
  const compact = auth.replace(/[\r\n]/g, '');
  if (!STD_BASE64.test(compact))
    throw new DockerConfigError(`${file}: the "auth" of ${where} is not base64 of user:password`, file);
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new DockerConfigError(`${file}: the "auth" of ${where} is not base64 of user:password`, file);
  const username = decoded.slice(0, i);
  if (username === '') throw new DockerConfigError(`${file}: the "auth" of ${where} has an empty user name`, file);
  return { username, password: decoded.slice(i + 1).replace(/^\0+|\0+$/g, '') };
}

/** Decodes an `auths` entry into a credential (without source); undefined when it holds nothing. */
export function decodeAuthEntry(
  entry: DockerAuthEntry,
  where: string,
  file: string,
): Omit<Credential, 'source'> | undefined {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) ({ username, password } = decodeBasicAuth(entry.auth, where, file));
  const out: Omit<Credential, 'source'> = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
    ...(entry.registrytoken ? { registryToken: entry.registrytoken } : {}),
  };
  return out.username || out.password || out.identityToken || out.registryToken ? out : undefined;
}

/** docker/cli getAuthConfigKey: the key credentials for a registry are stored under. */
export function authConfigKey(registry: string): string {
  const r = registry.toLowerCase();
  return r === 'docker.io' || r === 'index.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

/**
 * An unbracketed IPv6 host bracketed: like Go's url.Parse, the part after the last ':' is the port when it is
 * numeric and what precedes it is an address (`::1:5000` -> `[::1]:5000`); otherwise the whole host is the address.
 */
function bracketIpv6(host: string): string {
  if (host.startsWith('[') || host.split(':').length < 3) return host;
  const i = host.lastIndexOf(':');
  const ip = host.slice(0, i);
  const port = host.slice(i + 1);
  if (isIP(ip) === 6 && /^[0-9]+$/.test(port)) return `[${ip}]:${port}`;
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** docker/cli ConvertToHostname: strips `http://` / `https://` and any path; an IPv6 host gets its brackets. */
export function convertToHostname(key: string): string {
  let s = key;
  let url = false;
  if (s.startsWith('http://')) [s, url] = [s.slice('http://'.length), true];
  else if (s.startsWith('https://')) [s, url] = [s.slice('https://'.length), true];
  const slash = s.indexOf('/');
  const host = slash >= 0 ? s.slice(0, slash) : s;
  return url ? bracketIpv6(host) : host;
}

/**
 * What a credential-file key names: its registry (normalised, Hub aliases folded) and, for a key without a scheme,
 * the namespace or repository path after the host (`''` for a registry-wide key); undefined when it names no host.
 */
export function parseAuthKey(key: string): { registry: string; path: string } | undefined {
  const url = /^https?:\/\//i.test(key);
  let registry: string;
  try {
    registry = normalizeRegistry(url ? convertToHostname(key) : bracketIpv6(key.split('/')[0] ?? ''));
  } catch {
    return undefined;
  }
  if (url) return { registry, path: '' };
  const slash = key.indexOf('/');
  return { registry, path: slash >= 0 ? key.slice(slash + 1).replace(/\/+$/, '') : '' };
}

/**
 * The `auths` entry for a repository of a registry, most specific first: a key naming the repository or one of its
 * namespaces (longest wins), then the registry's exact key, docker/cli's host match, and registry normalisation.
 */
export function findAuthEntry(
  auths: Record<string, DockerAuthEntry> | undefined,
  registry: string,
  repository?: string,
): { key: string; entry: DockerAuthEntry } | undefined {
  if (!auths) return undefined;
  if (repository) {
    let best: { key: string; entry: DockerAuthEntry; length: number } | undefined;
    for (const [k, v] of Object.entries(auths)) {
      const parsed = parseAuthKey(k);
      if (!parsed || parsed.registry !== registry || parsed.path === '') continue;
      if (repository !== parsed.path && !repository.startsWith(`${parsed.path}/`)) continue;
      if (!best || parsed.path.length > best.length) best = { key: k, entry: v, length: parsed.path.length };
    }
    if (best) return { key: best.key, entry: best.entry };
  }
  const key = authConfigKey(registry);
  const exact = auths[key];
  if (exact) return { key, entry: exact };
  // A key without a scheme and with a path is scoped to that path: never a registry-wide credential.
  const registryWide = (k: string): boolean => /^https?:\/\//i.test(k) || !k.replace(/\/+$/, '').includes('/');
  for (const [k, v] of Object.entries(auths)) {
    if (registryWide(k) && convertToHostname(k) === key) return { key: k, entry: v };
  }
  for (const [k, v] of Object.entries(auths)) {
    const parsed = parseAuthKey(k);
    if (parsed && parsed.path === '' && parsed.registry === registry) return { key: k, entry: v };
  }
  return undefined;
}
